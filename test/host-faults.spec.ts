import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_OPS_QUEUE, hostJobId } from '@netpin/contracts';
import type { Db } from '@netpin/db';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

/**
 * Faults on the host side, end to end through the API: each ends in a typed error with
 * nothing left half-applied, or in a retry that converges.
 */
let c: Cluster;
let db: Db;

const CREATE = `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`;

async function create(name: string): Promise<{ vmId: string; opId: string }> {
  const r = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(CREATE, {
    input: { name, pinHost: 'fault-01', vcpus: 2, memoryMiB: 1024, interfaces: [{ network: 'physnet0' }] },
  });
  return { vmId: r.createVm.vm.id, opId: r.createVm.operation.id };
}

/**
 * The agent's job lock and host lock (30 s each by default), short here so that a slowed-down
 * create outlives both several times over without minutes of latency: the locks must be renewed
 * while the job runs, or the job is run a second time (crash-safety.spec.ts uses the same 5 s).
 */
const LOCK_MS = 5000;

beforeAll(async () => {
  db = testDb();
  c = await startCluster({
    profiles: ['small-one-node'],
    namePrefix: 'fault',
    vfsPerPf: 4,
    agentEnv: { NETPIN_AGENT_JOB_LOCK_MS: String(LOCK_MS), NETPIN_AGENT_LOCK_TTL_MS: String(LOCK_MS) },
  });
}, 180_000);
afterAll(async () => {
  await c?.stop();
  await db?.$disconnect();
});

describe('SSH and host faults', () => {
  it('a command failing halfway through vm.apply fails the VM with the code and stderr, then tears down and releases it', async () => {
    const host = c.fleet.hosts[0];
    host.setFaults({
      failCommands: [
        {
          pattern: 'virsh start',
          exitCode: 1,
          stderr: 'error: Failed to start domain: internal error: process exited while connecting to monitor',
        },
      ],
    });
    const { vmId, opId } = await create('fault-start');
    const op = await c.client.waitForOperation(opId, 60_000);
    expect(op.state).toBe('FAILED');
    expect(op.errorCode).toBe('COMMAND_FAILED');
    expect(op.errorStderr).toContain('process exited while connecting to monitor');
    await c.client.waitIdle(60_000);
    host.setFaults({});
    const vm = await db.vm.findUniqueOrThrow({ where: { id: vmId } });
    expect(vm).toMatchObject({ state: 'FAILED', holding: false, errorCode: 'COMMAND_FAILED' });
    expect(await db.vfAllocation.count({ where: { vmId } })).toBe(0);
    expect(await db.cpuAllocation.count({ where: { vmId } })).toBe(0);
    const s = host.state();
    expect(s.domains.find((d) => d.name === 'fault-start')).toBeUndefined();
    for (const n of s.nics) for (const vf of n.vfs) expect(vf.mac).toBe('00:00:00:00:00:00');
  });

  it('latency on every command slows provisioning down past the job and host locks, but it converges, run once', async () => {
    const host = c.fleet.hosts[0];
    const latencyMs = 600;
    host.clearLog();
    host.setFaults({ latencyMs });
    try {
      const started = Date.now();
      const { opId } = await create('fault-slow');
      // a hang guard, not a speed check: a create and its verify take about 20 host commands
      // (12 s at 0.6 s each); speed lives in the benchmarks
      const op = await c.client.waitForOperation(opId, 120_000);
      expect(op.state).toBe('SUCCEEDED');
      // the premise: every command was slowed down, and the job ran past two lock periods
      const log = host.state().commandLog;
      expect(log.every((e) => e.durationMs >= latencyMs - 5)).toBe(true);
      expect(Date.now() - started).toBeGreaterThan(2 * LOCK_MS);
      // run once: a job lock that lapsed would have had the job seen as stalled and run again
      const queue = new Queue(HOST_OPS_QUEUE, { connection: { url: process.env.REDIS_URL }, prefix: process.env.NETPIN_QUEUE_PREFIX });
      try {
        const job = await queue.getJob(hostJobId(opId));
        expect({ attemptsMade: job?.attemptsMade, stalledCounter: job?.stalledCounter }).toEqual({ attemptsMade: 1, stalledCounter: 0 });
      } finally {
        await queue.close();
      }
    } finally {
      host.setFaults({});
    }
  }, 150_000);

  it('a dropped connection in the middle of apply is retried and converges', async () => {
    const host = c.fleet.hosts[0];
    host.clearLog();
    host.setFaults({ dropAfterCommands: 4 });
    const { opId } = await create('fault-drop');
    const op = await c.client.waitForOperation(opId, 90_000);
    expect(op.state).toBe('SUCCEEDED');
    expect(host.state().domains.find((d) => d.name === 'fault-drop')?.state).toBe('running');
  }, 120_000);

  it('a changed host key fails closed: HOST_KEY_MISMATCH, host UNREACHABLE, no command ran', async () => {
    const host = c.fleet.hosts[0];
    const { hosts } = await c.client.request<{ hosts: { nodes: { id: string; name: string }[] } }>(
      `{ hosts(filter: { state: READY }) { nodes { id name } } }`,
    );
    const id = hosts.nodes.find((h) => h.name === 'fault-01')!.id;
    host.changeHostKey();
    host.clearLog();
    // the agent keeps pooled connections: a fresh connection is what sees the new key
    for (const a of c.agents) await a.transports.close();
    const { discoverHost } = await c.client.request<{ discoverHost: { id: string } }>(
      `mutation ($id: ID!) { discoverHost(id: $id) { id } }`,
      { id },
    );
    const op = await c.client.waitForOperation(discoverHost.id, 60_000);
    expect(op.state).toBe('FAILED');
    expect(op.errorCode).toBe('HOST_KEY_MISMATCH');
    const { host: h } = await c.client.request<{ host: { state: string; stateReason: string } }>(
      `query ($id: ID) { host(id: $id) { state stateReason } }`,
      { id },
    );
    expect(h.state).toBe('UNREACHABLE');
    expect(h.stateReason).toMatch(/HOST_KEY_MISMATCH/);
    expect(host.state().commandLog).toEqual([]);
  });
});
