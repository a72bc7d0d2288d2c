import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startApi, type TestApi } from './support/api';
import { testDb } from './support/seed';

/**
 * `vms` and `operations` are cursor-paginated connections, like `hosts`, on GraphQL and REST:
 * every row exactly once across the pages (rows created in the same millisecond included),
 * DELETED VMs only when asked for, and a cursor the API did not issue refused naming `after`.
 */
let api: TestApi;
let db: Db;
const T0 = new Date('2026-11-20T10:00:00.000Z');
const at = (i: number) => new Date(T0.getTime() + Math.floor(i / 3) * 1000); // three rows share each instant

beforeAll(async () => {
  api = await startApi({ background: false });
  db = testDb();
  const host = await db.host.create({ data: { name: 'list-host', address: '192.0.2.40', credentialRef: 'file:k' } });
  for (let i = 0; i < 12; i++) {
    const deleted = i % 4 === 3;
    await db.vm.create({
      data: {
        name: `list-vm-${String(i).padStart(2, '0')}`,
        activeName: deleted ? null : `list-vm-${String(i).padStart(2, '0')}`,
        hostId: i < 6 ? host.id : null,
        state: deleted ? 'DELETED' : i % 2 === 0 ? 'RUNNING' : 'FAILED',
        vcpus: 1,
        memoryMiB: 512,
        request: {},
        createdAt: at(i),
      },
    });
  }
  await db.operation.createMany({
    data: Array.from({ length: 11 }, (_, i) => ({
      kind: 'vm.create',
      targetType: 'vm',
      targetId: `list-target-${i % 2}`,
      state: i % 3 === 0 ? ('FAILED' as const) : ('SUCCEEDED' as const),
      createdAt: at(i),
    })),
  });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

type Conn = {
  totalCount: number;
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  nodes: { name?: string; state?: string; id: string }[];
};

async function allPages(fetchPage: (after: string | null) => Promise<Conn>): Promise<{ ids: string[]; pages: number; total: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(after);
    ids.push(...page.nodes.map((n) => n.id));
    if (!page.pageInfo.hasNextPage) return { ids, pages, total: page.totalCount };
    after = page.pageInfo.endCursor;
  }
}

const VMS = `query ($filter: VmFilterInput, $first: Int, $after: String) {
  vms(filter: $filter, first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { id name state } } }`;
const OPS = `query ($state: OperationState, $targetId: ID, $first: Int, $after: String) {
  operations(state: $state, targetId: $targetId, first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { id } } }`;

describe('vms connection', () => {
  it('pages through live VMs oldest first over GraphQL, each once, DELETED hidden', async () => {
    const live = await db.vm.findMany({
      where: { name: { startsWith: 'list-vm-' }, state: { not: 'DELETED' } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    const r = await allPages(async (after) => (await api.gql<{ vms: Conn }>(VMS, { first: 2, after })).data!.vms);
    expect(r.ids).toEqual(live.map((v) => v.id));
    expect(r).toMatchObject({ total: 9, pages: 5 });
  });

  it('lists DELETED VMs when asked: includeDeleted, or state DELETED; by host name and by VM name', async () => {
    const all = await allPages(
      async (after) => (await api.gql<{ vms: Conn }>(VMS, { filter: { includeDeleted: true }, first: 5, after })).data!.vms,
    );
    expect(all.total).toBe(12);
    expect(new Set(all.ids).size).toBe(12);
    const deleted = await api.gql<{ vms: Conn }>(VMS, { filter: { state: 'DELETED' } });
    expect(deleted.data!.vms.nodes.map((v) => v.state)).toEqual(['DELETED', 'DELETED', 'DELETED']);
    const onHost = await api.gql<{ vms: Conn }>(VMS, { filter: { hostName: 'list-host' } });
    expect(onHost.data!.vms.nodes.map((v) => v.name).sort()).toEqual([
      'list-vm-00',
      'list-vm-01',
      'list-vm-02',
      'list-vm-04',
      'list-vm-05',
    ]);
    const byName = await api.gql<{ vms: Conn }>(VMS, { filter: { name: 'list-vm-03', includeDeleted: true } });
    expect(byName.data!.vms.totalCount).toBe(1);
    // GraphQL null is "not given" for every filter field and paging argument
    const nulls = await api.gql<{ vms: Conn }>(VMS, {
      filter: { state: null, hostId: null, includeDeleted: null },
      first: null,
      after: null,
    });
    expect(nulls.errors).toBeUndefined();
    expect(nulls.data!.vms.totalCount).toBe(9);
  });

  it('REST mirrors it: the same pages, and includeDeleted as a query parameter', async () => {
    const gql = await allPages(async (after) => (await api.gql<{ vms: Conn }>(VMS, { first: 4, after })).data!.vms);
    const rest = await allPages(async (after) => {
      const r = await api.rest('GET', `/api/v1/vms?first=4${after ? `&after=${after}` : ''}`);
      expect(r.status).toBe(200);
      return r.body as Conn;
    });
    expect(rest.ids).toEqual(gql.ids);
    expect((await api.rest('GET', '/api/v1/vms?includeDeleted=true&first=500')).body.totalCount).toBe(12);
    expect((await api.rest('GET', '/api/v1/vms?includeDeleted=maybe')).body).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'includeDeleted',
    });
  });

  it('refuses a cursor it did not issue, and a page size outside 1..500, naming the argument', async () => {
    const bad = await api.gql(VMS, { after: 'bm90LWEtY3Vyc29y' });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const big = await api.rest('GET', '/api/v1/vms?first=501');
    expect(big).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'first' } });
  });
});

describe('operations connection', () => {
  it('pages newest first over GraphQL and REST, each once, with filters', async () => {
    const rows = await db.operation.findMany({
      where: { targetId: { startsWith: 'list-target-' } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    const gql = await allPages(async (after) => {
      const r = await api.gql<{ operations: Conn }>(OPS, { first: 3, after });
      expect(r.errors).toBeUndefined();
      return r.data!.operations;
    });
    expect(gql.ids).toEqual(rows.map((o) => o.id));
    expect(gql.pages).toBe(4);
    const failed = await allPages(async (after) => {
      const r = await api.rest('GET', `/api/v1/operations?state=FAILED&first=2${after ? `&after=${after}` : ''}`);
      return r.body as Conn;
    });
    expect(failed.ids).toEqual(rows.filter((o) => o.state === 'FAILED').map((o) => o.id));
    const one = await api.gql<{ operations: Conn }>(OPS, { targetId: 'list-target-1', state: null });
    expect(one.data!.operations.totalCount).toBe(5);
  });

  it('refuses a cursor it did not issue', async () => {
    const r = await api.rest('GET', '/api/v1/operations?after=xyz');
    expect(r).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'after' } });
  });
});
