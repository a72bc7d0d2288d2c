import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startApi, wsClient, wsRequest, type GqlResult, type TestApi } from './support/api';
import { testDb } from './support/seed';

/**
 * GraphQL reaches the API over HTTP (POST /graphql) and over WebSocket (graphql-ws, also at
 * /graphql). Both transports apply the same rules: depth and field limits, the introspection
 * switch, the size limit, the rate limit, and typed errors naming the field for bad input.
 */
let strict: TestApi;
let limited: TestApi;
let db: Db;
const prefix = process.env.NETPIN_QUEUE_PREFIX;

beforeAll(async () => {
  db = testDb();
  strict = await startApi({
    background: false,
    env: { NETPIN_GRAPHQL_MAX_DEPTH: '3', NETPIN_GRAPHQL_INTROSPECTION: 'false', NETPIN_BODY_LIMIT: '64kb' },
  });
  limited = await startApi({ background: false, env: { NETPIN_RATE_LIMIT_PER_MINUTE: '5', NETPIN_QUEUE_PREFIX: `${prefix}-transports` } });
}, 60_000);
afterAll(async () => {
  await strict?.close();
  await limited?.close();
  await db?.$disconnect();
});

type Send = (api: TestApi, query: string, variables?: Record<string, unknown>, token?: string) => Promise<GqlResult>;
const transports: [string, Send][] = [
  ['HTTP', (api, q, v, t) => api.gql(q, v, t)],
  ['WebSocket', (api, q, v, t) => api.gqlWs(q, v, t)],
];
const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code;

describe.each(transports)('GraphQL over %s', (name, send) => {
  it('refuses a document deeper than NETPIN_GRAPHQL_MAX_DEPTH before running it', async () => {
    const r = await send(strict, '{ hosts { nodes { numaNodes { id } } } }');
    expect([codeOf(r), r.errors?.[0]?.message]).toEqual(['GRAPHQL_VALIDATION_FAILED', 'query depth 4 exceeds the limit of 3']);
    expect(r.data ?? null).toBeNull();
    expect((await send(strict, '{ hosts { nodes { id } } }')).errors).toBeUndefined();
  });

  it('refuses more than 2,000 selected fields', async () => {
    const wide = `{ ${Array.from({ length: 2001 }, (_, i) => `f${i}: __typename`).join(' ')} }`;
    const r = await send(strict, wide);
    expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors?.[0]?.message).toContain('the limit is 2000');
  });

  it('refuses introspection when NETPIN_GRAPHQL_INTROSPECTION is false', async () => {
    const r = await send(strict, '{ __schema { queryType { name } } }');
    expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors?.[0]?.message).toMatch(/introspection/i);
    expect((await send(strict, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('answers a syntax error with GRAPHQL_PARSE_FAILED and keeps serving', async () => {
    const r = await send(strict, '{ hosts { items { id }');
    expect(codeOf(r)).toBe('GRAPHQL_PARSE_FAILED');
    expect((await send(strict, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('answers bad input with BAD_USER_INPUT naming the field, and creates nothing', async () => {
    const before = await db.network.count();
    const create = 'mutation ($input: CreateNetworkInput!) { createNetwork(input: $input) { id } }';
    const range = await send(strict, create, {
      input: { name: `${name.toLowerCase()}-net`, kind: 'LINUX_BRIDGE', bridge: 'br0', vlan: 5000 },
    });
    expect(range.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'vlan' });
    const type = await send(strict, create, {
      input: { name: `${name.toLowerCase()}-net`, kind: 'LINUX_BRIDGE', bridge: 'br0', vlan: 'ten' },
    });
    expect(codeOf(type)).toBe('BAD_USER_INPUT');
    expect(type.errors?.[0]?.message).toContain('vlan');
    const injected = await send(strict, create, {
      input: { name: `${name.toLowerCase()}-net`, kind: 'LINUX_BRIDGE', bridge: 'br0;reboot' },
    });
    expect(injected.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'bridge' });
    expect(await db.network.count()).toBe(before);
  });

  it('spends the caller budget of NETPIN_RATE_LIMIT_PER_MINUTE', async () => {
    const t = await limited.gql<{ createApiToken: { token: string } }>(
      `mutation ($name: String!) { createApiToken(input: { name: $name, role: VIEWER }) { token } }`,
      { name: `budget-${name.toLowerCase()}` },
    );
    const token = t.data!.createApiToken.token;
    const codes: unknown[] = [];
    for (let i = 0; i < 6; i++) codes.push(codeOf(await send(limited, '{ networks { id } }', {}, token)) ?? 'ok');
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED']);
  });
});

describe('server-sent events (GET /api/v1/operations/:id/events)', () => {
  it('answer a malformed or unknown id as GET /operations/:id does (404 NOT_FOUND), and spend the caller budget', async () => {
    const t = await limited.gql<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "budget-sse", role: VIEWER }) { token } }`,
    );
    const auth = { authorization: `Bearer ${t.data!.createApiToken.token}` };
    const bad = await limited.rest('GET', '/api/v1/operations/not%20an%20id;reboot/events', undefined, auth);
    expect([bad.status, bad.body.code]).toEqual([404, 'NOT_FOUND']);
    const unknown = await limited.rest('GET', '/api/v1/operations/00000000-0000-4000-8000-000000000000/events', undefined, auth);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await limited.rest('GET', '/api/v1/operations/00000000-0000-4000-8000-000000000000/events', undefined, auth)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
  });
});

describe('one budget and one size limit whatever the transport', () => {
  it('counts HTTP and WebSocket requests of a token against the same budget', async () => {
    const t = await limited.gql<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "budget-both", role: VIEWER }) { token } }`,
    );
    const token = t.data!.createApiToken.token;
    const codes: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      const r = i % 2 === 0 ? await limited.gql('{ networks { id } }', {}, token) : await limited.gqlWs('{ networks { id } }', {}, token);
      codes.push(codeOf(r) ?? 'ok');
    }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED']);
  });

  it('refuses a message over NETPIN_BODY_LIMIT: HTTP 413, WebSocket closed with 1009 (message too big)', async () => {
    const big = `{ __typename ${'#'.repeat(70_000)}\n }`;
    const http = await strict.rest('POST', '/graphql', { query: big });
    expect(http.status).toBe(413);
    const client = wsClient(strict.url, process.env.NETPIN_TOKEN);
    try {
      await expect(wsRequest(client, big)).rejects.toMatchObject({ closeCode: 1009 });
    } finally {
      await client.dispose();
    }
    // under the limit, the same socket type still serves
    expect((await strict.gqlWs('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });
});
