import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './support/api';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

describe('health and configuration', () => {
  it('answers /healthz and /readyz with PostgreSQL and Redis reachable', async () => {
    expect((await api.rest('GET', '/healthz')).body).toEqual({ status: 'ok' });
    // each probe gives up after 2 s: on a saturated machine the first one can time out, so the
    // API must become ready, not be ready at the first probe
    await expect
      .poll(() => api.rest('GET', '/readyz'), { timeout: 30_000, interval: 1000 })
      .toEqual({
        status: 200,
        body: { status: 'ready', postgres: 'ok', redis: 'ok', placement: 'warm' },
      });
  });

  it('reports not ready (503) when Redis is unreachable, naming it without the driver error text', async () => {
    const down = await startApi({ env: { REDIS_URL: 'redis://127.0.0.1:1' }, background: false });
    try {
      const r = await down.rest('GET', '/readyz');
      // anonymous callers learn which dependency is down, not addresses or driver messages
      expect(r).toEqual({ status: 503, body: { status: 'not ready', postgres: 'ok', redis: 'down', placement: 'cold' } });
      // an authenticated caller gets the same answer: the reason is in the API's log
      const authed = await down.rest('GET', '/readyz', undefined, { authorization: `Bearer ${process.env.NETPIN_TOKEN}` });
      expect(JSON.stringify(authed.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|timeout|Connection/i);
    } finally {
      await down.close();
    }
  }, 30_000);

  it('serves the OpenAPI document and the committed one matches it', async () => {
    const r = await api.rest('GET', '/api/docs-json');
    expect(r.status).toBe(200);
    const committed = (await import(resolve(__dirname, '../docs/api/openapi.json'), { with: { type: 'json' } })).default as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(r.body.paths).sort()).toEqual(Object.keys(committed.paths).sort());
  });

  it('stops at boot with one line naming a bad variable', () => {
    const root = resolve(__dirname, '..');
    const r = spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/main.ts'], {
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.json', PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('invalid configuration: PORT: must be a number');
  }, 70_000);
});
