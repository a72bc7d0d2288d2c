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
  type SimFleet,
} from './support/processes';
import { testDb } from './support/seed';
import { topology } from './support/topology';

/**
 * Issue 5: crashes at the two dangerous moments of provisioning, with real processes and
 * SIGKILL. (a) the agent dies at a random moment while VMs are being applied; (b) an API
 * commits createVm calls and dies before its relay publishes them. Under
 * NETPIN_TEST_TOPOLOGY=cluster (Redis Cluster): 3 APIs share the createVm calls and 3 agents
 * the jobs; (a) kills one agent (the survivors and a new one converge), (b) every API.
 */
// 8 hosts x 16 VFs: room for the 100 + 10 SR-IOV VMs below
const HOSTS = 8;
const AGENT_CRASH_VMS = 100;
const RELAY_CRASH_VMS = 10;
// other test files share the database and may leave hosts registered: the shape avoids them
let avoidHosts: string[] = [];
const shape = (name: string) => ({ name, vcpus: 2, memoryMiB: 512, interfaces: [{ network: 'physnet0', datapath: 'SRIOV' }], avoidHosts });
// a short host-lock TTL so the dead agent's Redis host locks do not hold the new agent up for 30 s
const agentEnv = { NETPIN_AGENT_LOCK_TTL_MS: '5000', NETPIN_AGENT_JOB_LOCK_MS: '5000' };

const topo = topology({ apis: 1, agents: 1 });
const procs = new ProcessSet();
let sim: SimFleet;
let apis: ApiProcess[];
let db: Db;

async function opCounts(vmIds: string[]): Promise<Record<string, number>> {
  const rows = await db.operation.groupBy({ by: ['state'], _count: true, where: { kind: 'vm.create', targetId: { in: vmIds } } });
  return Object.fromEntries(rows.map((r) => [r.state, r._count]));
}

async function unsent(vmIds: string[]): Promise<number> {
  return db.outboxMessage.count({ where: { sentAt: null, operation: { targetId: { in: vmIds } } } });
}

async function expectConsistent(names: string[]): Promise<void> {
  const vms = await db.vm.findMany({ where: { name: { in: names } }, select: { name: true, state: true, holding: true, id: true } });
  expect(vms).toHaveLength(names.length);
  const bad = vms.filter((v) => !(v.state === 'RUNNING' && v.holding) && !(v.state === 'FAILED' && !v.holding));
  expect(bad, 'every VM is RUNNING, or FAILED and released').toEqual([]);
  // no lost operation: each VM's create operation finished, and nothing is left to publish
  const ops = await db.operation.findMany({
    where: { kind: 'vm.create', targetId: { in: vms.map((v) => v.id) } },
    select: { state: true },
  });
  expect(ops).toHaveLength(names.length);
  expect(ops.filter((o) => o.state !== 'SUCCEEDED' && o.state !== 'FAILED')).toEqual([]);
  const ids = vms.map((v) => v.id);
  expect(await db.operation.count({ where: { targetId: { in: ids }, state: { in: ['QUEUED', 'RUNNING'] } } })).toBe(0);
  expect(await unsent(ids)).toBe(0);
  // released VMs hold nothing; holding VMs hold exactly their VF
  const [alloc] = await db.$queryRaw<{ stray: bigint }[]>`SELECT
    (SELECT count(*) FROM "CpuAllocation" a JOIN "Vm" v ON v.id = a."vmId" WHERE NOT v.holding) + (SELECT count(*) FROM "VfAllocation" a JOIN "Vm" v ON v.id = a."vmId" WHERE NOT v.holding) AS stray`;
  expect(Number(alloc.stray)).toBe(0);
  const hosts = await hostsAgainstDatabase(db, sim);
  expect(hosts.leakedVfs, 'VFs configured on hosts that no RUNNING VM owns').toEqual([]);
  expect(hosts.strayDomains).toEqual([]);
  expect(hosts.missingDomains).toEqual([]);
  // every VM on this fleet has one VF: one per RUNNING VM on the hosts and in the database
  expect(hosts.vfsInUse).toBe(hosts.runningVms);
  const [vfRows] = await db.$queryRaw<
    { n: bigint }[]
  >`SELECT count(*) AS n FROM "VfAllocation" a JOIN "Vm" v ON v.id = a."vmId" JOIN "Host" h ON h.id = v."hostId"
    WHERE h.name = ANY(${sim.fleet.hosts.map((h) => h.hostname)}::text[])`;
  expect(Number(vfRows.n)).toBe(hosts.runningVms);
}

beforeAll(async () => {
  db = testDb();
  sim = await startSimFleet({ count: HOSTS, profile: 'dual-socket-sriov', namePrefix: 'cs' });
  [apis] = await Promise.all([
    Promise.all(Array.from({ length: topo.apis }, (_, i) => procs.spawnApi(`api-${i + 1}`))),
    Promise.all(Array.from({ length: topo.agents }, (_, i) => procs.spawnAgent(`agent-setup-${i}`, sim.stateDir, agentEnv))),
  ]);
  await registerFleet(apis[0], sim, 8);
  avoidHosts = await otherHosts(db, sim);
}, topo.slow * 240_000);

afterAll(async () => {
  await procs.killAll();
  await sim?.stop();
  await db?.$disconnect();
});

describe('crash safety', () => {
  it(
    `(a) kill -9 of the agent during ${AGENT_CRASH_VMS} provisionings: a new agent converges every VM and leaks nothing`,
    async () => {
      const names = Array.from({ length: AGENT_CRASH_VMS }, (_, i) => `crash-a-${String(i).padStart(3, '0')}`);
      const t0 = Date.now();
      // placement is serialised, so the calls are accepted one after another while the agent
      // already applies the first ones; the kill lands in that stream
      const creating = Promise.all(names.map((n, i) => createVm(apis[i % apis.length], i % 2 ? 'graphql' : 'rest', shape(n))));
      // "a random moment": after somewhere between 10% and 60% of the VMs finished their apply
      const killAfter = Math.floor(AGENT_CRASH_VMS * (0.1 + Math.random() * 0.5));
      const mineIds = async () =>
        (await db.vm.findMany({ where: { name: { startsWith: 'crash-a-' } }, select: { id: true } })).map((v) => v.id);
      for (;;) {
        const c = await opCounts(await mineIds());
        if ((c.SUCCEEDED ?? 0) + (c.RUNNING ?? 0) + (c.FAILED ?? 0) >= killAfter) break;
        if (Date.now() - t0 > topo.slow * 120_000) throw new Error(`agent made no progress: ${JSON.stringify(c)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // one of them (with several, the survivors take over its stalled jobs alongside the new agent)
      const agent = procs.agents()[Math.floor(Math.random() * topo.agents)];
      await agent.kill('SIGKILL');
      const atKill = await opCounts(await mineIds());
      const finishedAtKill = (atKill.SUCCEEDED ?? 0) + (atKill.FAILED ?? 0);
      console.log(
        `${agent.name} killed after ${Date.now() - t0} ms (target ${killAfter} applied) with vm.create operations ${JSON.stringify(atKill)}`,
      );
      expect(finishedAtKill, 'the kill happened while work was still pending').toBeLessThan(AGENT_CRASH_VMS);

      const results = await creating;
      expect(results.filter((r) => r.kind !== 'accepted')).toEqual([]);
      const ids = results.map((r) => r.vmId!);
      const t1 = Date.now();
      await procs.spawnAgent('agent-after-crash', sim.stateDir, agentEnv);
      await waitConverged(db, sim, topo.slow * 150_000);
      console.log(`converged ${Date.now() - t1} ms after the new agent started; outcome ${JSON.stringify(await opCounts(ids))}`);
      await expectConsistent(names);
      expect(await db.vm.count({ where: { name: { in: names }, state: 'RUNNING' } })).toBeGreaterThan(0);
    },
    topo.slow * 300_000,
  );

  it(
    `(b) an API that committed ${RELAY_CRASH_VMS} createVm calls and died before publishing: a fresh API publishes them and they run`,
    async () => {
      // only the crashing API may be alive, or another relay would publish its rows at once
      await Promise.all(apis.map((a) => a.kill('SIGKILL')));
      const paused = await procs.spawnApi('api-relay-paused', { NETPIN_TEST_RELAY_PAUSED: '1' });
      const names = Array.from({ length: RELAY_CRASH_VMS }, (_, i) => `crash-b-${i}`);
      const results = await Promise.all(names.map((n, i) => createVm(paused, i % 2 ? 'graphql' : 'rest', shape(n))));
      expect(results.filter((r) => r.kind !== 'accepted')).toEqual([]);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await unsent(results.map((r) => r.vmId!))).toBe(RELAY_CRASH_VMS);
      expect(await db.vm.count({ where: { name: { in: names }, state: 'PENDING' } })).toBe(RELAY_CRASH_VMS);
      await paused.kill('SIGKILL');

      const t0 = Date.now();
      await Promise.all(Array.from({ length: topo.apis }, (_, i) => procs.spawnApi(`api-after-crash-${i}`)));
      await waitConverged(db, sim, topo.slow * 120_000);
      console.log(`relay crash: ${RELAY_CRASH_VMS} VMs converged ${Date.now() - t0} ms after the fresh API started`);
      expect(await db.vm.count({ where: { name: { in: names }, state: 'RUNNING' } })).toBe(RELAY_CRASH_VMS);
      await expectConsistent(names);
    },
    topo.slow * 240_000,
  );
});
