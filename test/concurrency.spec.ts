import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import {
  createVm,
  hostsAgainstDatabase,
  otherHosts,
  ProcessSet,
  registerFleet,
  startSimFleet,
  waitConverged,
  type ApiProcess,
  type CreateOutcome,
  type SimFleet,
} from './support/processes';
import { testDb } from './support/seed';
import { topology } from './support/topology';

/**
 * Issue 5: many concurrent createVm calls through real API processes (two; three with three
 * agents on a Redis Cluster under NETPIN_TEST_TOPOLOGY=cluster) onto a fleet
 * with a known capacity. 15 dual-socket hosts with 10 VFs per PF (20 per host) and a shape
 * that needs one SR-IOV VF: exactly 300 fit, limited by VFs, with CPUs to spare.
 */
const HOSTS = 15;
const CAPACITY = 300;
const CALLS = 500;
// other test files share the database and may leave hosts registered: the shape avoids them
let avoidHosts: string[] = [];
const shape = (name: string) => ({ name, vcpus: 2, memoryMiB: 512, interfaces: [{ network: 'physnet0', datapath: 'SRIOV' }], avoidHosts });

const topo = topology({ apis: 2, agents: 2 });
const procs = new ProcessSet();
let sim: SimFleet;
let apis: ApiProcess[];
let db: Db;

beforeAll(async () => {
  db = testDb();
  sim = await startSimFleet({ count: HOSTS, profile: 'dual-socket-sriov', namePrefix: 'cc' });
  apis = await Promise.all(Array.from({ length: topo.apis }, (_, i) => procs.spawnApi(`api-${i}`)));
  await Promise.all(Array.from({ length: topo.agents }, (_, i) => procs.spawnAgent(`agent-${i}`, sim.stateDir)));
  await registerFleet(apis[0], sim, 10);
  avoidHosts = await otherHosts(db, sim);
}, topo.slow * 240_000);

afterAll(async () => {
  await procs.killAll();
  await sim?.stop();
  await db?.$disconnect();
});

describe(`${CALLS} concurrent createVm calls through ${topo.apis} API processes (${topo.name} Redis) onto a fleet that fits ${CAPACITY}`, () => {
  const firstTry = new Map<string, CreateOutcome>();
  const accepted = new Map<string, string>();
  let burstMs = 0;

  it(`the capacity query says exactly ${CAPACITY}`, async () => {
    const { capacity } = await apis[1].client.request<{ capacity: { total: number; perHost: { count: number }[] } }>(
      `query ($input: VmInput!) { capacity(input: $input) { total perHost { hostName count } } }`,
      { input: shape('probe') },
    );
    expect(capacity.total).toBe(CAPACITY);
    expect(capacity.perHost.map((h) => h.count)).toEqual(Array(HOSTS).fill(CAPACITY / HOSTS));
  });

  it(
    `accepts exactly ${CAPACITY}, rejects the rest with PLACEMENT_REJECTED and a summary, and never answers 5xx`,
    async () => {
      // every 5th call carries an Idempotency-Key; 10 of those are sent twice in the same burst
      const calls = Array.from({ length: CALLS }, (_, i) => ({
        i,
        name: `cc-${String(i).padStart(3, '0')}`,
        key: i % 5 === 0 ? `cc-key-${i}` : undefined,
      }));
      const dups = calls.filter((c) => c.key).slice(0, 10);
      const t0 = Date.now();
      const [results, dupResults] = await Promise.all([
        Promise.all(calls.map((c) => createVm(apis[c.i % apis.length], (c.i >> 1) % 2 ? 'graphql' : 'rest', shape(c.name), c.key))),
        Promise.all(dups.map((c) => createVm(apis[(c.i + 1) % apis.length], 'graphql', shape(c.name), c.key))),
      ]);
      burstMs = Date.now() - t0;
      calls.forEach((c, k) => firstTry.set(c.name, results[k]));

      const all = [...results, ...dupResults];
      const errors = all.filter((r) => r.kind === 'error');
      expect(errors.slice(0, 5), 'no answer other than accepted or PLACEMENT_REJECTED').toEqual([]);
      expect(all.filter((r) => r.status >= 500)).toHaveLength(0);
      for (const r of all.filter((x) => x.kind === 'rejected')) {
        expect(r.summary.length).toBeGreaterThan(0);
        expect(r.summary[0].hosts).toBeGreaterThan(0);
      }
      for (const [k, r] of results.entries()) if (r.kind === 'accepted') accepted.set(calls[k].name, r.vmId!);
      // a duplicate is either the same VM, or (when its twin was rejected) the only one with that name
      for (const [k, d] of dupResults.entries()) {
        if (d.kind !== 'accepted') continue;
        const twin = accepted.get(dups[k].name);
        if (twin) expect(d.vmId).toBe(twin);
        else accepted.set(dups[k].name, d.vmId!);
      }
      expect(accepted.size).toBe(CAPACITY);
      expect(new Set(accepted.values()).size).toBe(CAPACITY);
      expect(results.filter((r) => r.kind === 'rejected').length).toBeGreaterThanOrEqual(CALLS - CAPACITY - dups.length);
      expect(await db.vm.count({ where: { name: { startsWith: 'cc-' } } })).toBe(CAPACITY);
      console.log(`burst: ${all.length} calls answered in ${burstMs} ms (${((1000 * all.length) / burstMs).toFixed(0)} calls/s)`);
    },
    topo.slow * 240_000,
  );

  it(
    `all ${CAPACITY} reach RUNNING and the database agrees with the hosts`,
    async () => {
      const t0 = Date.now();
      await waitConverged(db, sim, topo.slow * 240_000);
      const provisionMs = Date.now() - t0 + burstMs;
      const states = await db.vm.groupBy({ by: ['state'], _count: true, where: { name: { startsWith: 'cc-' } } });
      expect(states.map((s) => [s.state, s._count])).toEqual([['RUNNING', CAPACITY]]);
      console.log(
        `provisioning: ${CAPACITY} VMs RUNNING ${provisionMs} ms after the burst began (${((1000 * CAPACITY) / provisionMs).toFixed(1)} VMs/s)`,
      );

      const fleetHosts = sim.fleet.hosts.map((h) => h.hostname);
      const dupCpu = await db.$queryRaw<
        { n: bigint }[]
      >`SELECT count(*) AS n FROM (SELECT "cpuRowId" FROM "CpuAllocation" GROUP BY "cpuRowId" HAVING count(*) > 1) x`;
      const dupVf = await db.$queryRaw<
        { n: bigint }[]
      >`SELECT count(*) AS n FROM (SELECT "vfId" FROM "VfAllocation" GROUP BY "vfId" HAVING count(*) > 1) x`;
      expect([Number(dupCpu[0].n), Number(dupVf[0].n)]).toEqual([0, 0]);
      const owners = await db.$queryRaw<{ role: string; n: bigint; notRunning: bigint }[]>`
      SELECT a.role::text AS role, count(*) AS n, count(*) FILTER (WHERE v.state <> 'RUNNING' OR NOT v.holding) AS "notRunning"
      FROM "CpuAllocation" a JOIN "Vm" v ON v.id = a."vmId" JOIN "Host" h ON h.id = a."hostId" WHERE h.name = ANY(${fleetHosts}::text[])
      GROUP BY a.role ORDER BY a.role::text`;
      // 2 vCPUs per VM; each NUMA node's I/O set (2 CPUs) is held by one of its VMs
      expect(owners.map((o) => [o.role, Number(o.n), Number(o.notRunning)])).toEqual([
        ['IRQ', HOSTS * 2 * 2, 0],
        ['VCPU', CAPACITY * 2, 0],
      ]);
      const vfs = await db.$queryRaw<{ n: bigint; notRunning: bigint }[]>`
      SELECT count(*) AS n, count(*) FILTER (WHERE v.state <> 'RUNNING' OR NOT v.holding) AS "notRunning" FROM "VfAllocation" a JOIN "Vm" v ON v.id = a."vmId"
      JOIN "Host" h ON h.id = v."hostId" WHERE h.name = ANY(${fleetHosts}::text[])`;
      expect([Number(vfs[0].n), Number(vfs[0].notRunning)]).toEqual([CAPACITY, 0]);

      // on the hosts: one running domain per VM, and every VF with a MAC is a running VM's VF
      const hosts = await hostsAgainstDatabase(db, sim);
      expect(hosts).toMatchObject({ leakedVfs: [], strayDomains: [], missingDomains: [], vfsInUse: CAPACITY, runningVms: CAPACITY });
    },
    topo.slow * 300_000,
  );

  it('re-sent keyed requests return the same VM or are rejected again, and create nothing', async () => {
    const keyed = [...firstTry.entries()].filter(([name]) => Number(name.slice(3)) % 5 === 0);
    const sample = [
      ...keyed.filter(([, r]) => r.kind === 'accepted').slice(0, 5),
      ...keyed.filter(([, r]) => r.kind === 'rejected').slice(-5),
    ];
    expect(sample).toHaveLength(10);
    for (const [name, first] of sample) {
      const again = await createVm(apis[1], 'rest', shape(name), `cc-key-${Number(name.slice(3))}`);
      if (accepted.has(name)) {
        expect(again).toMatchObject({ kind: 'accepted', status: 202, vmId: accepted.get(name) });
        if (first.kind === 'accepted') expect(again.operationId).toBe(first.operationId);
      } else {
        expect(again).toMatchObject({ kind: 'rejected', status: 422, code: 'PLACEMENT_REJECTED' });
      }
    }
    expect(await db.vm.count({ where: { name: { startsWith: 'cc-' } } })).toBe(CAPACITY);
  });
});

describe('idempotency under concurrency', () => {
  it(
    '20 concurrent createVm with one Idempotency-Key and one body make exactly one VM',
    async () => {
      // the SR-IOV capacity is used up; a VM without interfaces still fits on the spare CPUs
      const input = { name: 'idem-race', vcpus: 1, memoryMiB: 512, avoidHosts };
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => createVm(apis[i % apis.length], (i >> 2) % 3 ? 'rest' : 'graphql', input, 'idem-race-key')),
      );
      expect(results.filter((r) => r.kind !== 'accepted')).toEqual([]);
      expect(new Set(results.map((r) => r.vmId)).size).toBe(1);
      expect(new Set(results.map((r) => r.operationId)).size).toBe(1);
      expect(await db.vm.count({ where: { name: 'idem-race' } })).toBe(1);
      expect(await db.operation.count({ where: { idempotencyKey: 'idem-race-key' } })).toBe(1);
      const op = await apis[0].client.waitForOperation(results[0].operationId!, topo.slow * 60_000);
      expect(op.state).toBe('SUCCEEDED');
      expect((await db.vm.findUniqueOrThrow({ where: { id: results[0].vmId! } })).state).toBe('RUNNING');
    },
    topo.slow * 90_000,
  );
});
