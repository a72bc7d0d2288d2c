import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Db } from '@netpin/db';
import { startApi, type GqlResult, type TestApi } from './support/api';
import { seedTopology, testDb } from './support/seed';

/**
 * A list query's "any" is null: the web UI's select sends `state: null`, a variable left
 * unset arrives as null. Every list argument and filter member must read null as "no
 * filter" (never as "IS NULL", never as invalid), over HTTP and over the WebSocket alike;
 * REST's spelling of it is an empty parameter.
 */
let api: TestApi;
let db: Db;
let ws: Client;
let tokenEventId = '';

const LISTS: { name: string; withNulls: string; plain: string; vars?: Record<string, unknown> }[] = [
  {
    name: 'operations (variable)',
    withNulls:
      'query ($state: OperationState, $kind: String, $targetId: ID, $first: Int, $after: String) { operations(state: $state, kind: $kind, targetId: $targetId, first: $first, after: $after) { nodes { id } } }',
    vars: { state: null, kind: null, targetId: null, first: null, after: null },
    plain: '{ operations { nodes { id } } }',
  },
  {
    name: 'operations (literal)',
    withNulls: '{ operations(state: null, kind: null, targetId: null, first: null, after: null) { nodes { id } } }',
    plain: '{ operations { nodes { id } } }',
  },
  {
    name: 'vms',
    withNulls:
      '{ vms(first: null, after: null, filter: { state: null, hostId: null, hostName: null, name: null, includeDeleted: null }) { nodes { id } } }',
    plain: '{ vms { nodes { id } } }',
  },
  {
    name: 'hosts',
    withNulls: '{ hosts(first: null, after: null, filter: { state: null, network: null, sriovCapable: null }) { nodes { id } } }',
    plain: '{ hosts { nodes { id } } }',
  },
  {
    name: 'driftEvents',
    withNulls: '{ driftEvents(hostId: null, vmId: null, open: null, first: null) { id } }',
    plain: '{ driftEvents { id } }',
  },
  {
    name: 'auditEvents',
    withNulls: '{ auditEvents(action: null, tokenId: null, first: null) { id } }',
    plain: '{ auditEvents { id } }',
  },
];

function overWs<T>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
  return new Promise((resolve, reject) => {
    let result: GqlResult<T> | undefined;
    ws.subscribe<T>(
      { query, variables },
      {
        next: (r) => (result = r as GqlResult<T>),
        error: (e) => (Array.isArray(e) ? resolve({ errors: e as GqlResult['errors'] }) : reject(e)),
        complete: () => (result ? resolve(result) : reject(new Error('no result'))),
      },
    );
  });
}

beforeAll(async () => {
  api = await startApi();
  db = testDb();
  const host = await db.host.create({ data: { name: 'filter-host', address: '192.0.2.40', credentialRef: 'file:k' } });
  await seedTopology(db, host.id, { nodes: 1, cpusPerNode: 2, vfs: 2 });
  for (const state of ['QUEUED', 'SUCCEEDED', 'FAILED'] as const) {
    await db.operation.create({ data: { kind: 'host.discover', targetType: 'host', targetId: host.id, state } });
  }
  // an audit event made with a minted token: `tokenId: null` must not hide it
  const minted = await api.gql<{ createApiToken: { token: string } }>(
    'mutation { createApiToken(input: { name: "filters-admin", role: ADMIN }) { token } }',
  );
  const token = minted.data!.createApiToken.token;
  await api.gql('mutation { createApiToken(input: { name: "filters-viewer", role: VIEWER }) { token } }', undefined, token);
  const row = await db.auditEvent.findFirstOrThrow({ where: { tokenId: { not: null } }, orderBy: { at: 'desc' } });
  tokenEventId = row.id;
  const url = api.url.replace(/^http/, 'ws') + '/graphql';
  ws = createClient({ url, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${process.env.NETPIN_TOKEN}` } });
});

afterAll(async () => {
  await ws?.dispose();
  await api?.close();
  await db?.$disconnect();
});

describe('null means "no filter"', () => {
  for (const l of LISTS) {
    it(`${l.name}: over HTTP and WebSocket, the same rows as no argument at all`, async () => {
      const plain = await api.gql(l.plain);
      expect(plain.errors).toBeUndefined();
      const http = await api.gql(l.withNulls, l.vars);
      expect(http.errors).toBeUndefined();
      expect(http.data).toEqual(plain.data);
      const viaWs = await overWs(l.withNulls, l.vars);
      expect(viaWs.errors).toBeUndefined();
      expect(viaWs.data).toEqual(plain.data);
    });
  }

  it('has rows to compare: three operations, and an audit event made with a token', async () => {
    const r = await api.gql<{ operations: { nodes: { state: string }[] }; auditEvents: { id: string }[] }>(
      '{ operations(state: null) { nodes { state } } auditEvents(tokenId: null) { id } }',
    );
    expect(r.data!.operations.nodes.map((o) => o.state).sort()).toEqual(['FAILED', 'QUEUED', 'SUCCEEDED']);
    expect(r.data!.auditEvents.map((e) => e.id)).toContain(tokenEventId);
  });

  it('a real filter value still filters', async () => {
    const r = await api.gql<{ operations: { nodes: { state: string }[] } }>('{ operations(state: FAILED) { nodes { state } } }');
    expect(r.data!.operations.nodes.map((o) => o.state)).toEqual(['FAILED']);
  });

  it('REST: an empty parameter is no filter; a wrong one is refused naming it', async () => {
    for (const path of [
      '/api/v1/operations?state=&kind=&targetId=',
      '/api/v1/vms?state=&hostId=&hostName=&name=&after=',
      '/api/v1/hosts?state=&network=',
      '/api/v1/audit?action=&tokenId=',
    ]) {
      const r = await api.rest('GET', path);
      expect([path, r.status]).toEqual([path, 200]);
    }
    const ops = await api.rest('GET', '/api/v1/operations?state=');
    expect(ops.body.nodes).toHaveLength(3);
    const bad = await api.rest('GET', '/api/v1/operations?state=ANY');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('state');
    const badToken = await api.rest('GET', '/api/v1/audit?tokenId=nope');
    expect(badToken.status).toBe(400);
    expect(badToken.body.field).toBe('tokenId');
  });
});
