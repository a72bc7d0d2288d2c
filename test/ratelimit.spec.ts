import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './support/api';

/** @nestjs/throttler per token: a caller over its budget gets 429 / RATE_LIMITED, others do not. */
let api: TestApi;
let other: string;

beforeAll(async () => {
  api = await startApi({ env: { NETPIN_RATE_LIMIT_PER_MINUTE: '5' }, background: false });
  const r = await api.gql<{ createApiToken: { token: string } }>(`mutation { createApiToken(input: { name: "ratelimited", role: VIEWER }) { token } }`);
  other = r.data!.createApiToken.token;
});
afterAll(async () => {
  await api?.close();
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
});
