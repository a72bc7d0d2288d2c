import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { AuthService } from '../apps/api/src/auth/auth.service';
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

/**
 * The budget belongs to who calls, not to how the header is spelled; refused requests spend
 * it too; and a guessed token costs the API no scrypt run unless its prefix exists, at most
 * NETPIN_AUTH_FAILURES_PER_MINUTE failures per address and minute.
 */
describe('rate limiting by the resolved caller', () => {
  let keyed: TestApi;
  let guessed: TestApi;
  const base = `${process.env.NETPIN_QUEUE_PREFIX}-ratelimit`;
  const mint = async (api: TestApi, name: string, role: string): Promise<string> => {
    const r = await api.gql<{ createApiToken: { token: string } }>(
      `mutation ($name: String!, $role: Role!) { createApiToken(input: { name: $name, role: $role }) { token } }`,
      { name, role },
    );
    return r.data!.createApiToken.token;
  };
  beforeAll(async () => {
    keyed = await startApi({ background: false, env: { NETPIN_RATE_LIMIT_PER_MINUTE: '5', NETPIN_QUEUE_PREFIX: `${base}-keys` } });
    guessed = await startApi({
      background: false,
      env: { NETPIN_RATE_LIMIT_PER_MINUTE: '1000', NETPIN_AUTH_FAILURES_PER_MINUTE: '3', NETPIN_QUEUE_PREFIX: `${base}-guess` },
    });
  });
  afterAll(async () => {
    await keyed?.close();
    await guessed?.close();
  });

  it('gives every spelling of one token (bearer, extra blanks, a tab) one budget', async () => {
    const t = await mint(keyed, 'spellings', 'VIEWER');
    const spellings = [`Bearer ${t}`, `bearer ${t}`, `Bearer   ${t}`, `Bearer\t${t}`, `  BEARER ${t}  `, `Bearer ${t}`];
    const statuses: number[] = [];
    for (const authorization of spellings) statuses.push((await keyed.rest('GET', '/api/v1/hosts', undefined, { authorization })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('counts 403 answers against the token and 401 answers against the address', async () => {
    const viewer = { authorization: `Bearer ${await mint(keyed, 'too-low', 'VIEWER')}` };
    const forbidden: number[] = [];
    for (let i = 0; i < 6; i++) forbidden.push((await keyed.rest('GET', '/api/v1/tokens', undefined, viewer)).status);
    expect(forbidden).toEqual([403, 403, 403, 403, 403, 429]);
    const anonymous: number[] = [];
    for (let i = 0; i < 6; i++) anonymous.push((await keyed.rest('GET', '/api/v1/hosts', undefined, { authorization: '' })).status);
    expect(anonymous).toEqual([401, 401, 401, 401, 401, 429]);
    // GraphQL refusals spend from the same address budget
    expect((await keyed.gql('{ networks { id } }', {}, null)).errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  });

  it('hashes a guessed token only when its prefix exists, and stops hashing after the address used up its failures', async () => {
    const real = await mint(guessed, 'guess-target', 'VIEWER');
    const ok = { authorization: `Bearer ${real}` };
    expect((await guessed.rest('GET', '/api/v1/hosts', undefined, ok)).status).toBe(200);
    const auth = guessed.app.get(AuthService);
    const before = auth.verifications;
    const random = () => `Bearer np_${randomBytes(6).toString('hex')}_${randomBytes(24).toString('base64url')}`;
    const samePrefix = () => `Bearer ${real.slice(0, 16)}${randomBytes(24).toString('base64url')}`;
    const statuses: number[] = [];
    for (const authorization of [random(), random()])
      statuses.push((await guessed.rest('GET', '/api/v1/hosts', undefined, { authorization })).status);
    expect(auth.verifications - before).toBe(0);
    statuses.push((await guessed.rest('GET', '/api/v1/hosts', undefined, { authorization: samePrefix() })).status);
    expect(auth.verifications - before).toBe(1);
    for (let i = 0; i < 5; i++)
      statuses.push((await guessed.rest('GET', '/api/v1/hosts', undefined, { authorization: samePrefix() })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
    expect(auth.verifications - before).toBe(1);
    const refused = await guessed.rest('GET', '/api/v1/hosts', undefined, { authorization: samePrefix() });
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED' });
    // a token already verified is not hashed again and keeps working
    expect((await guessed.rest('GET', '/api/v1/hosts', undefined, ok)).status).toBe(200);
  });
});
