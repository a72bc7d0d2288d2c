import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startApi, type TestApi } from './support/api';
import { ProcessSet } from './support/processes';

/** @nestjs/throttler per token: a caller over its budget gets 429 / RATE_LIMITED, others do not. */
let api: TestApi;
let other: string;
// counters live in Redis under the queue prefix: a prefix of this file's own keeps the admin
// token's spending in earlier files of the run (at a limit of 1,000,000) out of this budget of 5
const env = { NETPIN_RATE_LIMIT_PER_MINUTE: '5', NETPIN_QUEUE_PREFIX: `${process.env.NETPIN_QUEUE_PREFIX}-ratelimit` };

beforeAll(async () => {
  api = await startApi({ env, background: false });
  const r = await api.gql<{ createApiToken: { token: string } }>(
    `mutation { createApiToken(input: { name: "ratelimited", role: VIEWER }) { token } }`,
  );
  other = r.data!.createApiToken.token;
});
const procs = new ProcessSet();
afterAll(async () => {
  await api?.close();
  await procs.killAll();
});

describe('rate limiting', () => {
  it('answers a token over its budget with 429 RATE_LIMITED on REST and GraphQL, per token', async () => {
    const auth = { authorization: `Bearer ${other}` };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await api.rest('GET', '/api/v1/hosts', undefined, auth)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await api.rest('GET', '/api/v1/networks', undefined, auth);
    expect(limited.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    const g = await api.gql('{ networks { id } }', {}, other);
    expect(g.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    // the admin token has its own budget (one request used so far)
    expect((await api.rest('GET', '/api/v1/hosts')).status).toBe(200);
    // health probes are never limited
    for (let i = 0; i < 8; i++) expect((await api.rest('GET', '/healthz')).status).toBe(200);
  });

  it('spends one budget per token across API processes: the counters are in Redis under the run prefix', async () => {
    // relay paused: under this prefix nobody consumes what it would publish
    const procEnv = { ...env, NETPIN_TEST_RELAY_PAUSED: '1' };
    const [a, b] = await Promise.all([procs.spawnApi('api-limit-a', procEnv), procs.spawnApi('api-limit-b', procEnv)]);
    const created = await a.gql(`mutation { createApiToken(input: { name: "shared-budget", role: VIEWER }) { token } }`);
    const auth = { authorization: `Bearer ${created.body.data.createApiToken.token as string}` };
    // alternate between the processes: each alone has seen at most 3 requests when the 6th is refused
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await (i % 2 === 0 ? a : b).rest('GET', '/api/v1/hosts', undefined, auth)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await a.rest('GET', '/api/v1/networks', undefined, auth)).body).toMatchObject({ code: 'RATE_LIMITED' });
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      const keys = await redis.keys(`{${env.NETPIN_QUEUE_PREFIX}:throttle:*`);
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
    // the test process's own API (another budget holder on the same Redis) counts the same token too
    expect((await api.rest('GET', '/api/v1/hosts', undefined, auth)).status).toBe(429);
  });
});
