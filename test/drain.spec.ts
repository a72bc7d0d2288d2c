import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainResultSchema, type DrainResult } from '@netpin/contracts';
import type { Db } from '@netpin/db';
import type { SimHost } from '@netpin/hostsim';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

/** drainHost / undrainHost through the API, the real agent and hostsim over SSH (issue 14). */
let c: Cluster;
let db: Db;

interface OpOut {
  id: string;
  kind: string;
  state: string;
  progress: number;
  errorCode: string | null;
  errorMessage: string | null;
  resultJson: string | null;
}
const OP = `query ($id: ID!) { operation(id: $id) { id kind state progress errorCode errorMessage resultJson } }`;
const sim = (name: string): SimHost => c.fleet.hosts.find((h) => h.hostname === name)!;
const hostId = async (name: string) => (await db.host.findUniqueOrThrow({ where: { name } })).id;
const domainsOn = (host: string) =>
  sim(host)
    .state()
    .domains.map((d) => d.name)
    .sort();

async function finished(opId: string): Promise<OpOut & { result: DrainResult }> {
  await c.client.waitForOperation(opId, 240_000);
  const op = (await c.client.request<{ operation: OpOut }>(OP, { id: opId })).operation;
  return { ...op, result: drainResultSchema.parse(JSON.parse(op.resultJson ?? 'null')) };
}

async function create(name: string, host: string, network: string): Promise<string> {
  const r = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
    `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`,
    { input: { name, vcpus: 2, memoryMiB: 1024, pinHost: host, interfaces: [{ network }] } },
  );
  await c.client.waitForOperation(r.createVm.operation.id, 90_000);
  expect((await db.vm.findUniqueOrThrow({ where: { id: r.createVm.vm.id } })).state).toBe('RUNNING');
  return r.createVm.vm.id;
}

async function drain(host: string, input: Record<string, unknown>): Promise<string> {
  const r = await c.client.request<{ drainHost: { id: string } }>(
    `mutation ($id: ID!, $input: DrainHostInput) { drainHost(id: $id, input: $input) { id } }`,
    { id: await hostId(host), input },
  );
  return r.drainHost.id;
}

beforeAll(async () => {
  db = testDb();
  c = await startCluster({ profiles: ['dual-socket-sriov', 'dual-socket-sriov'], namePrefix: 'drn' });
}, 180_000);
afterAll(async () => {
  await c?.stop();
  await db?.$disconnect();
});

describe('drainHost', () => {
  const vms: Record<string, string> = {};

  beforeAll(async () => {
    for (const [name, net] of [
      ['dr-br-1', 'tenant-br'],
      ['dr-vf-1', 'physnet0'],
      ['dr-vf-2', 'physnet0'],
      ['dr-vf-3', 'physnet0'],
      ['dr-off', 'physnet0'],
    ] as const)
      vms[name] = await create(name, 'drn-01', net);
    const stop = await c.client.request<{ stopVm: { id: string } }>(`mutation ($id: ID!) { stopVm(id: $id) { id } }`, {
      id: vms['dr-off'],
    });
    await c.client.waitForOperation(stop.stopVm.id, 90_000);
  }, 600_000);

  it('refuses bad input naming the field, on GraphQL and REST, and changes nothing', async () => {
    const id = await hostId('drn-01');
    const g = await c.api.gql(`mutation ($id: ID!) { drainHost(id: $id, input: { maxParallel: 0 }) { id } }`, { id });
    expect(g.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(g.errors?.[0].extensions)).toContain('maxParallel');
    const r = await c.api.rest('POST', `/api/v1/hosts/${id}/drain`, { strategy: 'EVACUATE' });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('strategy');
    expect((await db.host.findUniqueOrThrow({ where: { id } })).state).toBe('READY');
    expect(await db.operation.count({ where: { kind: 'host.drain' } })).toBe(0);
  });

  it('LIVE_MIGRATE moves a bridge VM live and keeps VF VMs without failover partner where they are, with the reason', async () => {
    const op = await finished(await drain('drn-01', { strategy: 'LIVE_MIGRATE', maxParallel: 4 }));
    expect(op.state).toBe('FAILED');
    expect(op.errorCode).toBe('DRAIN_INCOMPLETE');
    const byName = Object.fromEntries(op.result.items.map((i) => [i.vmName, i]));
    expect(byName['dr-vf-1']).toMatchObject({ outcome: 'FAILED', code: 'VF_WITHOUT_FAILOVER', operationId: null });
    expect(byName['dr-off']).toMatchObject({ outcome: 'SKIPPED', code: 'VM_NOT_RUNNING' });
    expect(byName['dr-vf-3']).toMatchObject({ outcome: 'FAILED', code: 'VF_WITHOUT_FAILOVER' });
    expect(byName['dr-br-1']).toMatchObject({ outcome: 'MOVED', action: 'LIVE' });
    expect(op.errorMessage).toBe('3 of 5 VMs could not be moved: dr-vf-1, dr-vf-2, dr-vf-3');
    expect(domainsOn('drn-01')).toEqual(['dr-off', 'dr-vf-1', 'dr-vf-2', 'dr-vf-3']);
    const vf = await db.vm.findUniqueOrThrow({ where: { id: vms['dr-vf-1'] } });
    expect(vf.state).toBe('RUNNING');
  });

  it('while in maintenance, a create pinned to the host is refused with the reason', async () => {
    const r = await c.api.gql(`mutation ($input: VmInput!) { createVm(input: $input) { vm { id } } }`, {
      input: { name: 'dr-new', vcpus: 1, memoryMiB: 512, pinHost: 'drn-01', interfaces: [{ network: 'tenant-br' }] },
    });
    expect(JSON.stringify(r.errors)).toContain('HOST_IN_MAINTENANCE');
  });

  it('LIVE_MIGRATE_IF_POSSIBLE moves the rest cold, at most maxParallel at a time; a second drain meanwhile is a conflict', async () => {
    const id = await drain('drn-01', { strategy: 'LIVE_MIGRATE_IF_POSSIBLE', maxParallel: 1 });
    const again = await c.api.gql(`mutation ($id: ID!) { drainHost(id: $id) { id } }`, { id: await hostId('drn-01') });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
    const op = await finished(id);
    expect(op.state).toBe('SUCCEEDED');
    expect(op.progress).toBe(100);
    const moved = op.result.items.filter((i) => i.outcome === 'MOVED');
    expect(moved.map((i) => [i.vmName, i.action]).sort()).toEqual([
      ['dr-vf-1', 'COLD'],
      ['dr-vf-2', 'COLD'],
      ['dr-vf-3', 'COLD'],
    ]);
    const spans = await db.operation.findMany({ where: { id: { in: moved.map((i) => i.operationId!) } }, orderBy: { createdAt: 'asc' } });
    for (let i = 1; i < spans.length; i++) expect(spans[i].createdAt.getTime()).toBeGreaterThanOrEqual(spans[i - 1].finishedAt!.getTime()); // maxParallel 1
    expect(domainsOn('drn-01')).toEqual(['dr-off']);
    for (const n of ['dr-br-1', 'dr-vf-1', 'dr-vf-2', 'dr-vf-3']) expect(domainsOn('drn-02')).toContain(n);
    const onTarget = await db.vm.findMany({ where: { name: { startsWith: 'dr-' }, state: 'RUNNING' }, include: { host: true } });
    expect(onTarget.map((v) => v.host?.name)).toEqual(onTarget.map(() => 'drn-02'));
  });

  it('undrainHost takes the host out of maintenance; a second undrain is a conflict', async () => {
    const id = await hostId('drn-01');
    const r = await c.api.rest('POST', `/api/v1/hosts/${id}/undrain`);
    expect(r.status).toBe(200);
    expect((await db.host.findUniqueOrThrow({ where: { id } })).state).toBe('READY');
    expect((await c.api.rest('POST', `/api/v1/hosts/${id}/undrain`)).status).toBe(409);
  });

  it('STOP stops every running VM in place, keeping its allocations', async () => {
    const op = await finished(await drain('drn-02', { strategy: 'STOP', maxParallel: 2 }));
    expect(op.state).toBe('SUCCEEDED');
    expect(new Set(op.result.items.map((i) => i.outcome))).toEqual(new Set(['STOPPED']));
    const vmsThere = await db.vm.findMany({ where: { host: { name: 'drn-02' } } });
    expect(vmsThere.map((v) => v.state)).toEqual(vmsThere.map(() => 'STOPPED'));
    expect(await db.cpuAllocation.count({ where: { vmId: { in: vmsThere.map((v) => v.id) } } })).toBeGreaterThan(0);
  });
});

/** What a host holds for VMs besides its domains: VF settings and RPS masks per NIC, IRQ affinity, taps. */
function hostSettings(host: string) {
  const s = sim(host).state();
  return { nics: s.nics.map((n) => ({ name: n.name, vfs: n.vfs, rps: n.rps })), irqs: s.irqs, taps: s.taps };
}

async function createVm(input: Record<string, unknown>): Promise<string> {
  const r = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
    `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`,
    { input: { vcpus: 1, memoryMiB: 64, ...input } },
  );
  await c.client.waitForOperation(r.createVm.operation.id, 240_000);
  expect((await db.vm.findUniqueOrThrow({ where: { id: r.createVm.vm.id } })).state).toBe('RUNNING');
  return r.createVm.vm.id;
}

async function stopVm(id: string): Promise<void> {
  const r = await c.client.request<{ stopVm: { id: string } }>(`mutation ($id: ID!) { stopVm(id: $id) { id } }`, { id });
  await c.client.waitForOperation(r.stopVm.id, 90_000);
  expect((await db.vm.findUniqueOrThrow({ where: { id } })).state).toBe('STOPPED');
}

describe('drain of a host with 20 VMs of mixed datapaths (LIVE_MIGRATE_IF_POSSIBLE, maxParallel 4)', () => {
  // name prefix -> [network, liveMigratable, how many, the drain's outcome and action]
  const kinds = {
    mx_br: ['tenant-br', false, 4, 'MOVED', 'LIVE'],
    mx_mv: ['direct', false, 4, 'MOVED', 'LIVE'],
    mx_ovs: ['tenant-ovs', false, 4, 'MOVED', 'LIVE'],
    mx_vfp: ['physnet0', true, 3, 'MOVED', 'LIVE'],
    mx_vf: ['physnet0', false, 3, 'MOVED', 'COLD'],
    mx_off: ['tenant-br', false, 2, 'SKIPPED', null],
  } as const;
  const ids = new Map<string, string>();
  let sourceBefore: ReturnType<typeof hostSettings>;
  let sourceDomainsBefore: string[];

  beforeAll(async () => {
    // the STOP drain above left drn-02 in maintenance: it is the target here
    expect((await c.api.rest('POST', `/api/v1/hosts/${await hostId('drn-02')}/undrain`)).status).toBe(200);
    const names = Object.entries(kinds).flatMap(([k, [net, lm, n]]) =>
      Array.from({ length: n }, (_, i) => ({ name: `${k.replace('_', '-')}-${i}`, net, lm })),
    );
    const stopped = names.filter((v) => v.name.startsWith('mx-off'));
    // the stopped VMs first: what they keep on the host is part of the baseline the drain must come back to
    for (const v of stopped) {
      ids.set(v.name, await createVm({ name: v.name, pinHost: 'drn-01', interfaces: [{ network: v.net }] }));
      await stopVm(ids.get(v.name)!);
    }
    sourceBefore = hostSettings('drn-01');
    sourceDomainsBefore = domainsOn('drn-01');
    const running = names.filter((v) => !v.name.startsWith('mx-off'));
    const created = await Promise.all(
      running.map((v) =>
        createVm({ name: v.name, pinHost: 'drn-01', interfaces: [{ network: v.net, ...(v.lm ? { liveMigratable: true } : {}) }] }),
      ),
    );
    running.forEach((v, i) => ids.set(v.name, created[i]));
    expect(ids.size).toBe(20);
  }, 900_000);

  it('moves every running VM (VFs without failover cold), skips the stopped ones, and leaves nothing of the moved ones behind', async () => {
    const sourceVfs = await db.vfAllocation.findMany({ where: { vmId: { in: [...ids.values()] } }, include: { vf: true } });
    const op = await finished(await drain('drn-01', { strategy: 'LIVE_MIGRATE_IF_POSSIBLE', maxParallel: 4 }));
    expect([op.state, op.errorMessage, op.progress]).toEqual(['SUCCEEDED', null, 100]);
    const items = new Map(op.result.items.map((i) => [i.vmName, i]));
    for (const [k, [, , n, outcome, action]] of Object.entries(kinds))
      for (let i = 0; i < n; i++) {
        const name = `${k.replace('_', '-')}-${i}`;
        expect([name, items.get(name)?.outcome, items.get(name)?.action ?? null]).toEqual([name, outcome, action]);
      }
    expect(items.get('mx-off-0')?.code).toBe('VM_NOT_RUNNING');
    // the source: the stopped VMs' domains (and the earlier test's), its VF/IRQ/RPS settings as before the 18 came
    expect(domainsOn('drn-01')).toEqual(sourceDomainsBefore);
    expect(hostSettings('drn-01')).toEqual(sourceBefore);
    const moved = [...ids].filter(([n]) => !n.startsWith('mx-off')).map(([, id]) => id);
    for (const n of [...ids.keys()].filter((x) => !x.startsWith('mx-off'))) expect(domainsOn('drn-02')).toContain(n);
    const vms = await db.vm.findMany({ where: { id: { in: moved } }, include: { host: true } });
    expect(vms.map((v) => [v.name, v.state, v.host?.name]).sort()).toEqual(vms.map((v) => [v.name, 'RUNNING', 'drn-02']).sort());
    // the database: the moved VMs' CPU and VF rows only on the target, no reservation or migration left open
    const cpuRows = await db.cpuAllocation.findMany({ where: { vmId: { in: moved } }, include: { host: true } });
    expect(new Set(cpuRows.map((r) => r.host.name))).toEqual(new Set(['drn-02']));
    expect(cpuRows.filter((r) => r.migrationId !== null)).toEqual([]);
    const vfRows = await db.vfAllocation.findMany({
      where: { vmId: { in: moved } },
      include: { vf: { include: { nic: { include: { host: true } } } } },
    });
    expect(vfRows.map((r) => r.vf.nic.host.name)).toEqual(vfRows.map(() => 'drn-02'));
    expect(vfRows).toHaveLength(6);
    expect(sourceVfs.length).toBe(6);
    expect(await db.vmMigration.count({ where: { vmId: { in: moved }, active: true } })).toBe(0);
  }, 600_000);
});

describe('drain of a host holding HARD AFFINITY group members', () => {
  it('reports each member FAILED with HARD_AFFINITY_GROUP and leaves the group running where it is', async () => {
    expect((await c.api.rest('POST', `/api/v1/hosts/${await hostId('drn-01')}/undrain`)).status).toBe(200);
    const g = await c.api.gql(`mutation { createGroup(input: { name: "dr-pair", policy: AFFINITY }) { id enforcement } }`);
    expect(g.data).toMatchObject({ createGroup: { enforcement: 'HARD' } });
    const a = await createVm({ name: 'dr-pair-a', pinHost: 'drn-01', group: 'dr-pair', interfaces: [{ network: 'tenant-br' }] });
    const b = await createVm({ name: 'dr-pair-b', group: 'dr-pair', interfaces: [{ network: 'tenant-br' }] });
    const preview = await c.client.request<{ previewMigration: { possible: boolean; refusals: { code: string }[] } }>(
      `query ($id: ID!) { previewMigration(vmId: $id) { possible refusals { code } } }`,
      { id: a },
    );
    expect(preview.previewMigration).toMatchObject({
      possible: false,
      refusals: [{ code: 'HARD_AFFINITY_GROUP' }, { code: 'NO_TARGET_FITS' }],
    });
    const op = await finished(await drain('drn-01', { strategy: 'LIVE_MIGRATE_IF_POSSIBLE', maxParallel: 4 }));
    expect([op.state, op.errorCode]).toEqual(['FAILED', 'DRAIN_INCOMPLETE']);
    const items = new Map(op.result.items.map((i) => [i.vmName, i]));
    for (const n of ['dr-pair-a', 'dr-pair-b'])
      expect(items.get(n)).toMatchObject({ outcome: 'FAILED', code: 'HARD_AFFINITY_GROUP', operationId: null });
    expect(items.get('dr-pair-a')?.reason).toMatch(/group dr-pair/);
    expect(domainsOn('drn-01')).toEqual(expect.arrayContaining(['dr-pair-a', 'dr-pair-b']));
    const vms = await db.vm.findMany({ where: { id: { in: [a, b] } }, include: { host: true } });
    expect(vms.map((v) => [v.state, v.host?.name])).toEqual([
      ['RUNNING', 'drn-01'],
      ['RUNNING', 'drn-01'],
    ]);
  }, 300_000);
});
