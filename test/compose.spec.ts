import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

/** No Docker engine runs here, so the compose file is checked by parsing it against what it must contain. */
const healthcheck = z.object({ test: z.array(z.string()).min(2), interval: z.string(), retries: z.number().int().positive() });
const service = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), dockerfile: z.string() }).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  volumes: z.array(z.string()).optional(),
  ports: z.array(z.string()).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.enum(['service_healthy', 'service_started']) })).optional(),
  healthcheck,
});
const compose = z.object({
  services: z.object({ postgres: service, redis: service, api: service }),
  volumes: z.record(z.string(), z.null()),
});

describe('docker-compose.yml', () => {
  const root = resolve(__dirname, '..');
  const doc = compose.parse(parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8')));

  it('gives postgres and redis persistent named volumes and health checks', () => {
    for (const name of ['postgres', 'redis'] as const) {
      const vol = doc.services[name].volumes?.[0]?.split(':')[0];
      expect(vol && vol in doc.volumes).toBe(true);
    }
  });

  it('points the api at both services by their compose names and waits for them to be healthy', () => {
    const api = doc.services.api;
    expect(api.environment?.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(api.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(api.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(api.healthcheck.test.join(' ')).toContain('/readyz');
    const pg = doc.services.postgres.environment!;
    expect(api.environment?.DATABASE_URL).toBe(`postgresql://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`);
  });

  it('builds from a Dockerfile that exists', () => {
    expect(readFileSync(resolve(root, doc.services.api.build!.dockerfile), 'utf8')).toMatch(/^FROM node:20/m);
  });

  it('runs the API from the bundle the image builds, not TypeScript compiled at start', () => {
    const dockerfile = readFileSync(resolve(root, doc.services.api.build!.dockerfile), 'utf8');
    const scripts = z
      .object({ scripts: z.record(z.string(), z.string()) })
      .parse(JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')));
    expect(scripts.scripts.build).toBeDefined();
    const build = dockerfile.indexOf('RUN npm run build -- api');
    const cmd = /^CMD .*node dist\/api\/main\.js/m.exec(dockerfile);
    expect(build).toBeGreaterThan(0);
    expect(cmd && cmd.index).toBeGreaterThan(build);
    expect(cmd?.[0]).not.toMatch(/@swc-node\/register/);
  });
});
