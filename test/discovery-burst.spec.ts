import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_OPS_QUEUE, hostFactsSchema, type HostFacts } from '@netpin/contracts';
import { DiscoveryRepository, OperationRepository, type Db } from '@netpin/db';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { OutboxRelay } from '../apps/api/src/jobs/outbox.relay';
// eslint-disable-next-line @nx/enforce-module-boundaries
import type { JobQueues } from '../apps/api/src/jobs/queues';
import { randomUUID } from 'node:crypto';
import { ProcessSet, startSimFleet, type ApiProcess, type SimFleet } from './support/processes';
import { retireOtherHosts, testDb } from './support/seed';

/**
 * Issue 16: setting a provisioning fleet up failed before the first VM. (a) a discover
 * request and a discovery result being applied took the host row and the fleet-wide
 * PlacementState row in opposite orders (a deadlock); (b) 50 simultaneous discoverHost calls
 * waited on that lock with every pool connection held, and the rest failed after Prisma's
 * 2 s transaction maxWait, answered INTERNAL. A transaction holding PlacementState from the
 * test stands in for a long placement or result transaction on a busy machine, which makes
 * both deterministic. (c) the outbox relay held one transaction across a whole batch of
 * Redis publishes and ran past Prisma's 5 s interactive timeout on a loaded machine.
 */

const HOSTS = 50;
/** How long the stand-in transaction holds PlacementState while the burst arrives. */
const HOLD_MS = 4_000;

let db: Db;
let holder: Db;

/** A small host: 2 NUMA nodes of 4 CPUs (2 cores x 2 threads), no NICs. */
function facts(): HostFacts {
  const cpus = Array.from({ length: 8 }, (_, cpu) => {
    const core = cpu >> 1;
    return { cpu, core, socket: cpu >> 2, node: cpu >> 2, siblings: [core * 2, core * 2 + 1] };
  });
  return hostFactsSchema.parse({
    cpus,
    numaNodes: [0, 1].map((id) => ({
      id,
      cpus: cpus.filter((c) => c.node === id).map((c) => c.cpu),
      memTotalKiB: 8 << 20,
      memFreeKiB: 8 << 20,
      hugepages: [],
    })),
    nics: [],
    capabilities: {
      virtExtension: 'vmx',
      secondLevelPaging: true,
      iommu: false,
      iommuOnCmdline: false,
      kvm: true,
      vhostNet: true,
      vfio: false,
      ovs: false,
      hugepageSizesKiB: [2048],
    },
  });
}

/**
 * Hold the PlacementState row lock (as placement does) until the returned release is called.
 * Resolves once the lock is held.
 */
async function holdPlacementLock(): Promise<{ release: () => void; done: Promise<unknown> }> {
  let release: () => void = () => undefined;
  const released = new Promise<void>((r) => (release = r));
  let locked: () => void = () => undefined;
  const isLocked = new Promise<void>((r) => (locked = r));
  const done = holder.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM "PlacementState" WHERE "id" = 1 FOR UPDATE`;
      locked();
      await released;
    },
    { timeout: 120_000 },
  );
  await Promise.race([isLocked, done]);
  return { release, done };
}

/** Resolves once `n` sessions of this database wait for a lock. */
async function lockWaiters(n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    if (Number(rows[0].n) >= n) return;
    if (Date.now() > deadline) throw new Error(`fewer than ${n} sessions wait for a lock`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function newHost(name: string): Promise<string> {
  const h = await db.host.create({ data: { name, address: '127.0.0.1', credentialRef: 'file:none', trustOnFirstUse: true } });
  return h.id;
}

beforeAll(() => {
  db = testDb();
  holder = testDb();
});

afterAll(async () => {
  await db?.$disconnect();
  await holder?.$disconnect();
});

describe('a discover request racing a discovery result being applied', () => {
  const race = async (name: string, discover: (repo: DiscoveryRepository, hostId: string) => Promise<unknown>) => {
    const repo = new DiscoveryRepository(db);
    const hostId = await newHost(name);
    const lock = await holdPlacementLock();
    // the result gets in first and waits for PlacementState; then the request arrives
    const apply = repo.applyFacts(hostId, facts(), undefined, 1);
    await lockWaiters(1);
    const request = discover(repo, hostId);
    await lockWaiters(2);
    lock.release();
    await lock.done;
    const [a, r] = await Promise.allSettled([apply, request]);
    expect(a.status === 'rejected' ? String(a.reason) : 'applied').toBe('applied');
    expect(r.status === 'rejected' ? String(r.reason) : 'marked').toBe('marked');
    const host = await db.host.findUniqueOrThrow({ where: { id: hostId } });
    expect(await db.cpu.count({ where: { hostId } })).toBe(8);
    return host;
  };

  it('markState waits for the result instead of deadlocking with it', async () => {
    const host = await race('race-mark', (repo, id) => repo.markState(id, 'DISCOVERING', null));
    // the request came after the result: its state stands until its own result
    expect(host.state).toBe('DISCOVERING');
  }, 60_000);

  it('startDiscovery (the discoverHost transaction) waits for the result too, and records its operation', async () => {
    const opId = randomUUID();
    const host = await race('race-start', (repo, id) =>
      repo.startDiscovery(id, {
        id: opId,
        kind: 'host.discover',
        targetType: 'host',
        targetId: id,
        job: { queue: 'q', name: 'host.discover', payload: {} },
      }),
    );
    expect(host.state).toBe('DISCOVERING');
    expect(await db.outboxMessage.count({ where: { operationId: opId } })).toBe(1);
  }, 60_000);
});

describe(`${HOSTS} simultaneous discoverHost calls while placement holds its lock`, () => {
  const procs = new ProcessSet();
  let sim: SimFleet;
  let api: ApiProcess;
  const ids: string[] = [];

  beforeAll(async () => {
    await retireOtherHosts();
    sim = await startSimFleet({ count: HOSTS, profile: 'small-one-node', namePrefix: 'burst' });
    api = await procs.spawnApi('api-burst');
    await procs.spawnAgent('agent-burst', sim.stateDir);
    for (const e of sim.entries) {
      const r = await api.rest('POST', '/api/v1/hosts', {
        name: e.name,
        address: e.address,
        port: e.port,
        sshUser: e.user,
        credentialRef: e.credentialRef,
        hostKeyFingerprint: e.fingerprint,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids.push(r.body.id);
    }
  }, 240_000);

  afterAll(async () => {
    await procs.killAll();
    await sim?.stop();
  });

  it('all are accepted (they queue; none is answered INTERNAL), and every host ends READY', async () => {
    const lock = await holdPlacementLock();
    const DISCOVER = `mutation ($id: ID!) { discoverHost(id: $id) { id state } }`;
    const calls = ids.map((id, i) => (i % 2 ? api.rest('POST', `/api/v1/hosts/${id}/discover`) : api.gql(DISCOVER, { id })));
    await new Promise((r) => setTimeout(r, HOLD_MS));
    lock.release();
    await lock.done;
    const answers = await Promise.all(calls);
    const refused = answers.filter((a) => (a.status !== 200 && a.status !== 202) || a.body?.errors);
    expect(refused.map((a) => JSON.stringify(a.body).slice(0, 200))).toEqual([]);
    const opIds = answers.map((a, i) => (i % 2 ? a.body.id : a.body.data.discoverHost.id) as string);
    expect(new Set(opIds).size).toBe(HOSTS);

    const deadline = Date.now() + 180_000;
    for (;;) {
      const open = await db.operation.count({ where: { id: { in: opIds }, state: { in: ['QUEUED', 'RUNNING'] } } });
      if (open === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const ops = await db.operation.groupBy({ by: ['state'], _count: true, where: { id: { in: opIds } } });
    expect(ops.map((o) => [o.state, o._count])).toEqual([['SUCCEEDED', HOSTS]]);
    const hosts = await db.host.groupBy({ by: ['state'], _count: true, where: { id: { in: ids } } });
    expect(hosts.map((h) => [h.state, h._count])).toEqual([['READY', HOSTS]]);
  }, 240_000);
});

describe('the outbox relay with slow publishes (a loaded Redis or event loop)', () => {
  const ROWS = 120;
  const PUBLISH_MS = 60;

  it(`publishes ${ROWS} rows, each once, and marks them all sent: no transaction spans the publishes`, async () => {
    const hostId = await newHost('relay-slow');
    const host = await db.host.findUniqueOrThrow({ where: { id: hostId } });
    const opIds: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      const id = randomUUID();
      opIds.push(id);
      const payload = {
        operationId: id,
        requestId: 'relay-test',
        host: {
          id,
          name: host.name,
          address: '127.0.0.1',
          port: 22,
          user: 'root',
          credentialRef: 'file:none',
          hostKeyFingerprint: null,
          trustOnFirstUse: true,
        },
      };
      await new OperationRepository(db).create({
        id,
        kind: 'host.discover',
        targetType: 'host',
        targetId: hostId,
        job: { queue: HOST_OPS_QUEUE, name: 'host.discover', payload },
      });
    }
    const published: string[] = [];
    const queues = {
      async publish(jobs: { operationId: string }[]) {
        // as slow as one publish after another on a loaded machine
        await new Promise((r) => setTimeout(r, PUBLISH_MS * jobs.length));
        published.push(...jobs.map((j) => j.operationId));
      },
    } as unknown as JobQueues;
    const relay = new OutboxRelay(new OperationRepository(db), queues, { background: true });
    relay.kick();
    const deadline = Date.now() + 60_000;
    while ((await db.outboxMessage.count({ where: { operationId: { in: opIds }, sentAt: null } })) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      relay.kick();
    }
    await relay.onModuleDestroy();
    expect(await db.outboxMessage.count({ where: { operationId: { in: opIds }, sentAt: null } })).toBe(0);
    // a rolled-back batch would have been published again on the next pass
    expect(published.filter((id) => opIds.includes(id)).sort()).toEqual([...opIds].sort());
  }, 120_000);
});
