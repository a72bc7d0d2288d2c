import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startApi, type TestApi } from './support/api';
import { seedTopology, testDb } from './support/seed';

/**
 * Affinity groups through the API (docs/placement.md "Affinity groups"): CRUD on both
 * transports with field errors, a VM naming a group, delete refused while members live,
 * and the race the one placement lock must win: many concurrent creates in one hard
 * anti-affinity group through two API instances (each with its own fleet cache) never put
 * more than maxPerHost members on a host. Hosts are written into the inventory (no agent:
 * the VMs stay PENDING, which is all placement needs).
 */
let apis: TestApi[];
let db: Db;
const HOSTS = ['grp-a', 'grp-b', 'grp-c'];

beforeAll(async () => {
  db = testDb();
  // other files' hosts do not exist here (each file has its own database), so every READY host is ours
  for (const name of HOSTS) {
    const host = await db.host.create({
      data: { name, address: '192.0.2.30', credentialRef: 'file:k', state: 'READY', capKvm: true, capVmx: true, capVhostNet: true },
    });
    await seedTopology(db, host.id, { nodes: 2, cpusPerNode: 4, vfs: 0 });
  }
  apis = [await startApi(), await startApi()];
}, 120_000);

afterAll(async () => {
  await Promise.all((apis ?? []).map((a) => a.close()));
  await db?.$disconnect();
});

const CREATE_GROUP = `mutation ($input: CreateGroupInput!) { createGroup(input: $input) { id name policy enforcement maxPerHost members } }`;
const CREATE_VM = `mutation ($input: VmInput!) { createVm(input: $input) { vm { id name hostId groupId } } }`;
const shape = (name: string, group?: string) => ({ name, vcpus: 1, memoryMiB: 256, ...(group ? { group } : {}) });

describe('affinity groups over GraphQL and REST', () => {
  it('creates groups on both transports; maxPerHost defaults to 1 for hard anti-affinity only', async () => {
    const g = await apis[0].gql<{ createGroup: Record<string, unknown> }>(CREATE_GROUP, { input: { name: 'db', policy: 'ANTI_AFFINITY' } });
    expect(g.errors).toBeUndefined();
    expect(g.data?.createGroup).toMatchObject({ name: 'db', policy: 'ANTI_AFFINITY', enforcement: 'HARD', maxPerHost: 1, members: 0 });
    const r = await apis[1].rest('POST', '/api/v1/groups', { name: 'web', policy: 'AFFINITY', enforcement: 'SOFT' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'web', policy: 'AFFINITY', enforcement: 'SOFT', maxPerHost: null });
    const list = await apis[1].rest('GET', '/api/v1/groups');
    expect(list.body.map((x: { name: string }) => x.name)).toEqual(['db', 'web']);
    const dup = await apis[0].gql(CREATE_GROUP, { input: { name: 'db', policy: 'AFFINITY' } });
    expect(dup.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it.each([
    ['maxPerHost', { name: 'g1', policy: 'AFFINITY', maxPerHost: 2 }],
    ['maxPerHost', { name: 'g2', policy: 'ANTI_AFFINITY', enforcement: 'SOFT', maxPerHost: 2 }],
    ['maxPerHost', { name: 'g3', policy: 'ANTI_AFFINITY', maxPerHost: 0 }],
    ['name', { name: 'Bad Name', policy: 'AFFINITY' }],
    ['policy', { name: 'g4', policy: 'NEAR' }],
  ])('refuses a bad %s with BAD_USER_INPUT naming it, and writes nothing', async (field, input) => {
    const before = await db.vmGroup.count();
    const r = await apis[0].rest('POST', '/api/v1/groups', input);
    expect(r.status).toBe(400);
    expect(r.body.field).toBe(field);
    if (field !== 'policy') {
      const g = await apis[0].gql(CREATE_GROUP, { input });
      expect(g.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await db.vmGroup.count()).toBe(before);
  });

  it('a VM naming an unknown group is BAD_USER_INPUT on field group', async () => {
    const g = await apis[0].gql(CREATE_VM, { input: shape('lost', 'nope') });
    expect(g.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'group' });
    const r = await apis[0].rest('POST', '/api/v1/vms', shape('lost', 'nope'));
    expect([r.status, r.body.field]).toEqual([400, 'group']);
  });
});

describe('concurrent creates in one hard anti-affinity group (maxPerHost 2, three hosts)', () => {
  const CALLS = 12;
  const FIT = 6;
  it(`accepts exactly ${FIT} of ${CALLS} concurrent creates through two API instances, never more than 2 per host`, async () => {
    const g = await apis[0].gql<{ createGroup: { id: string } }>(CREATE_GROUP, {
      input: { name: 'race', policy: 'ANTI_AFFINITY', maxPerHost: 2 },
    });
    const groupId = g.data?.createGroup.id;
    const results = await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        i % 2
          ? apis[i % 2].rest('POST', '/api/v1/vms', shape(`race-${i}`, 'race')).then((r) => ({ ok: r.status === 202, code: r.body?.code }))
          : apis[i % 2]
              .gql(CREATE_VM, { input: shape(`race-${i}`, groupId) })
              .then((r) => ({ ok: !r.errors, code: r.errors?.[0].extensions?.code })),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(FIT);
    expect(new Set(results.filter((r) => !r.ok).map((r) => r.code))).toEqual(new Set(['PLACEMENT_REJECTED']));
    const vms = await db.vm.findMany({ where: { groupId }, select: { hostId: true } });
    const perHost = new Map<string, number>();
    for (const v of vms) perHost.set(v.hostId ?? '', (perHost.get(v.hostId ?? '') ?? 0) + 1);
    expect([...perHost.values()]).toEqual([2, 2, 2]);
    const again = await apis[1].rest('POST', '/api/v1/vms', shape('race-late', 'race'));
    expect(again.status).toBe(422);
    expect(again.body.summary).toEqual([{ code: 'GROUP_ANTI_AFFINITY', hosts: 3, examples: HOSTS }]);
  }, 120_000);

  it('explain shows the group reason per host; capacity counts what the group still allows', async () => {
    const e = await apis[0].rest('POST', '/api/v1/placement/explain', { input: shape('probe', 'race'), host: 'grp-b' });
    expect(e.body).toMatchObject({ fits: false, reasons: [{ code: 'GROUP_ANTI_AFFINITY' }] });
    const c = await apis[1].gql<{ capacity: { total: number } }>(`query ($input: VmInput!) { capacity(input: $input) { total } }`, {
      input: shape('probe', 'race'),
    });
    expect(c.data?.capacity.total).toBe(0);
  });

  it('deleting the group is refused while members live (CONFLICT, GROUP_HAS_MEMBERS), allowed once they are DELETED', async () => {
    const r = await apis[0].rest('DELETE', '/api/v1/groups/race');
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'CONFLICT', reason: 'GROUP_HAS_MEMBERS', members: 6 });
    const group = await db.vmGroup.findUniqueOrThrow({ where: { name: 'race' } });
    await db.vm.updateMany({ where: { groupId: group.id }, data: { state: 'DELETED', activeName: null, holding: false } });
    const g = await apis[1].gql<{ deleteGroup: { name: string } }>(`mutation { deleteGroup(ref: "race") { name } }`);
    expect(g.errors).toBeUndefined();
    expect(await db.vm.count({ where: { name: { startsWith: 'race-' }, groupId: { not: null } } })).toBe(0);
    // the fleet caches learn of the deletion: the group is unknown now
    const gone = await apis[0].rest('POST', '/api/v1/vms', shape('race-after', 'race'));
    expect([gone.status, gone.body.field]).toEqual([400, 'group']);
  });
});
