import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostFactsSchema, NotFoundError, type HostFacts } from '@netpin/contracts';
import { DiscoveryRepository, SriovPolicyRepository, type Db, type SriovReconcileInput } from '@netpin/db';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { FactsBatcher } from '../apps/api/src/hosts/facts-batcher';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { planReconcile } from '../apps/api/src/sriov/sriov-plan';
import { randomUUID } from 'node:crypto';
import { testDb } from './support/seed';

/**
 * Issue 16: discovery results of several hosts are written together (applyFactsMany, one
 * transaction and one PlacementState hold; the API's FactsBatcher gathers them). A batch
 * must leave exactly the inventory that applying the same results one at a time leaves, and
 * a host whose result cannot be written must not cost the other hosts of its batch theirs.
 */

let db: Db;
let repo: DiscoveryRepository;

const mac = (i: number) => `52:54:00:00:00:${i.toString(16).padStart(2, '0')}`;

/** A host: 2 NUMA nodes x 4 CPUs, eth0, an SR-IOV PF with 4 VFs and 3 queue IRQs, one VF netdev. */
function facts(seed: number, changed = false): HostFacts {
  const cpus = Array.from({ length: changed ? 7 : 8 }, (_, cpu) => {
    const core = cpu >> 1;
    return { cpu, core, socket: cpu >> 2, node: cpu >> 2, siblings: [core * 2, core * 2 + 1] };
  });
  const vfs = Array.from({ length: changed ? 3 : 4 }, (_, index) => ({
    index,
    pciAddress: `0000:3b:0${2 + (index >> 3)}.${index & 7}`,
    mac: changed && index === 0 ? mac(200 + seed) : '00:00:00:00:00:00',
    vlan: index === 1 ? 100 + seed : 0,
    qos: 0,
    spoofChk: true,
    trust: index === 2,
    linkState: 'auto',
    maxTxRateMbps: 0,
    minTxRateMbps: 0,
  }));
  const nic = (name: string, pci: string, i: number) => ({
    name,
    pciAddress: pci,
    driver: 'ice',
    mac: mac(i),
    mtu: 1500,
    operState: 'up',
    speedMbps: 25000,
    numaNode: 0,
    vfOf: null,
    channels: null,
    rxQueues: 2,
    txQueues: 2,
    rps: [],
    irqs: [],
    sriov: null,
  });
  const pf = {
    ...nic('ens1f0', '0000:3b:00.0', 1),
    irqs: [0, 1, 2].map((q) => ({ irq: 100 + q, name: `ice-ens1f0-TxRx-${q}`, queue: q, affinity: changed && q === 2 ? [3] : [q] })),
    sriov: { totalVfs: 64, numVfs: vfs.length, vfs },
  };
  return hostFactsSchema.parse({
    cpus,
    numaNodes: [0, 1].map((id) => ({
      id,
      cpus: cpus.filter((c) => c.node === id).map((c) => c.cpu),
      memTotalKiB: (8 + seed + (changed && id === 1 ? 1 : 0)) << 20,
      memFreeKiB: 4 << 20,
      hugepages: [{ sizeKiB: 2048, total: seed, free: seed }],
    })),
    nics: [
      ...(changed ? [nic('eth2', '0000:01:00.2', 3)] : [nic('eth0', '0000:01:00.0', 2)]),
      pf,
      { ...nic('ens1f0v0', '0000:3b:02.0', 9), vfOf: { pf: 'ens1f0', index: 0 } },
    ],
    capabilities: {
      virtExtension: seed % 2 ? 'svm' : 'vmx',
      secondLevelPaging: true,
      iommu: true,
      iommuOnCmdline: true,
      kvm: true,
      vhostNet: true,
      vfio: true,
      ovs: false,
      hugepageSizesKiB: [2048],
    },
    pmdCpus: [seed % 8],
    bridges: [{ name: `br${seed}`, kind: 'LINUX' }],
  });
}

/** Facts PostgreSQL cannot store (memoryMiB beyond int): the statement writing them fails. */
function unwritable(): HostFacts {
  const f = facts(0);
  return { ...f, numaNodes: f.numaNodes.map((n) => ({ ...n, memTotalKiB: 2 ** 45 })) };
}

async function newHost(name: string, extra: { state?: 'MAINTENANCE'; hostKeyFingerprint?: string } = {}): Promise<string> {
  const h = await db.host.create({
    data: { name, address: '127.0.0.1', credentialRef: 'file:none', trustOnFirstUse: true, ...extra },
  });
  return h.id;
}

/** A host's inventory without row ids: what must be equal whichever way it was written. */
async function inventory(hostId: string): Promise<unknown> {
  const h = await db.host.findUniqueOrThrow({
    where: { id: hostId },
    include: {
      numaNodes: { orderBy: { index: 'asc' }, include: { cpus: { orderBy: { cpuId: 'asc' } } } },
      nics: { orderBy: { name: 'asc' }, include: { irqs: { orderBy: { irq: 'asc' } }, vfs: { orderBy: { index: 'asc' } } } },
    },
  });
  const strip = <T extends object>(o: T): Partial<T> =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !['id', 'hostId', 'nicId', 'numaNodeId'].includes(k))) as Partial<T>;
  return {
    host: {
      state: h.state,
      stateReason: h.stateReason,
      hostKeyFingerprint: h.hostKeyFingerprint,
      caps: [h.capVmx, h.capSvm, h.capEpt, h.capNpt, h.capIommu, h.capKvm, h.capVhostNet, h.capOvs, h.capOvsDpdk, h.capVhostVdpa],
      pmdCpus: h.pmdCpus,
      bridges: h.bridges,
      foreignDomains: h.foreignDomains,
      discovered: h.lastDiscoveredAt !== null,
    },
    numaNodes: h.numaNodes.map((n) => ({ ...strip(n), cpus: n.cpus.map(strip) })),
    nics: h.nics.map((n) => ({ ...strip(n), irqs: n.irqs.map(strip), vfs: n.vfs.map(strip) })),
  };
}

const counts = async (hostId: string) => ({
  cpus: await db.cpu.count({ where: { hostId } }),
  nics: await db.nic.count({ where: { hostId } }),
  vfs: await db.vf.count({ where: { nic: { hostId } } }),
});

beforeAll(() => {
  db = testDb();
  repo = new DiscoveryRepository(db);
});

afterAll(async () => {
  await db?.$disconnect();
});

describe('applyFactsMany', () => {
  /** Four kinds of host: plain, in maintenance, pinned key, key to pin on first use. */
  const kinds = [{}, { state: 'MAINTENANCE' as const }, { hostKeyFingerprint: 'SHA256:pinned' }, {}];

  it('leaves the same inventory as one host at a time: first discovery, then changed and unchanged hosts', async () => {
    const alone = await Promise.all(kinds.map((k, i) => newHost(`alone-${i}`, k)));
    const batched = await Promise.all(kinds.map((k, i) => newHost(`batched-${i}`, k)));
    const rounds = [kinds.map((_, i) => facts(i)), kinds.map((_, i) => facts(i, i % 2 === 0))];
    for (const round of rounds) {
      for (const [i, id] of alone.entries()) await repo.applyFacts(id, round[i], 'SHA256:observed', 1);
      const written = await repo.applyFactsMany(
        batched.map((hostId, i) => ({ hostId, facts: round[i], observedFingerprint: 'SHA256:observed' })),
        1,
      );
      expect([...written].sort()).toEqual([...batched].sort());
      for (const i of kinds.keys()) expect(await inventory(batched[i])).toEqual(await inventory(alone[i]));
    }
    // and that inventory is the facts' (not merely the same mistake twice)
    expect(await counts(batched[1])).toEqual({ cpus: 8, nics: 2, vfs: 4 });
    expect(await counts(batched[0])).toEqual({ cpus: 7, nics: 2, vfs: 3 });
    const first = (await inventory(batched[0])) as { host: { state: string; hostKeyFingerprint: string | null } };
    expect(first.host).toMatchObject({ state: 'READY', hostKeyFingerprint: 'SHA256:observed' });
    expect(await inventory(batched[1])).toMatchObject({ host: { state: 'MAINTENANCE' } });
    expect(await inventory(batched[2])).toMatchObject({ host: { hostKeyFingerprint: 'SHA256:pinned' } });
  }, 60_000);

  it('is all or nothing: one unwritable host and no host of the batch is written', async () => {
    const good = await newHost('all-or-nothing-good');
    const bad = await newHost('all-or-nothing-bad');
    await expect(
      repo.applyFactsMany([
        { hostId: good, facts: facts(1) },
        { hostId: bad, facts: unwritable() },
      ]),
    ).rejects.toThrow();
    expect(await counts(good)).toEqual({ cpus: 0, nics: 0, vfs: 0 });
  });

  it('skips a host that no longer exists and writes the others', async () => {
    const good = await newHost('skip-good');
    const gone = await newHost('skip-gone');
    await db.host.delete({ where: { id: gone } });
    const written = await repo.applyFactsMany([
      { hostId: good, facts: facts(1) },
      { hostId: gone, facts: facts(2) },
    ]);
    expect([...written]).toEqual([good]);
    expect(await counts(good)).toEqual({ cpus: 8, nics: 2, vfs: 4 });
  });
});

describe('FactsBatcher with the repository', () => {
  it('writes results arriving together in one batch; a failing host loses only its own result', async () => {
    const batches: number[] = [];
    const batcher = new FactsBatcher(
      (items) => {
        batches.push(items.length);
        return repo.applyFactsMany(items, 1);
      },
      (hostId) => new NotFoundError('host', hostId),
    );
    const ids = await Promise.all([0, 1, 2, 3, 4].map((i) => newHost(`batcher-${i}`)));
    const gone = await newHost('batcher-gone');
    await db.host.delete({ where: { id: gone } });
    const results = await Promise.allSettled([
      ...ids.map((hostId, i) => batcher.apply({ hostId, facts: i === 2 ? unwritable() : facts(i) })),
      batcher.apply({ hostId: gone, facts: facts(9) }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected']);
    expect(String((results[5] as PromiseRejectedResult).reason)).toMatch(/host/);
    // one batch of all six, then each alone after it failed
    expect(batches).toEqual([6, 1, 1, 1, 1, 1, 1]);
    for (const i of [0, 1, 3, 4]) expect(await counts(ids[i])).toEqual({ cpus: 8, nics: 2, vfs: 4 });
    expect(await counts(ids[2])).toEqual({ cpus: 0, nics: 0, vfs: 0 });
    const states = await db.host.findMany({ where: { id: { in: ids } }, select: { id: true, state: true } });
    expect(
      states
        .filter((s) => s.state === 'READY')
        .map((s) => s.id)
        .sort(),
    ).toEqual([0, 1, 3, 4].map((i) => ids[i]).sort());
  }, 60_000);
});

describe('SR-IOV reconcile after a discovery', () => {
  it('reads and writes only the discovered hosts; the other hosts keep their targets', async () => {
    const policies = new SriovPolicyRepository(db);
    await db.sriovPolicy.create({ data: { name: 'scope', hostNamePattern: 'sriov-scope-*', pfNamePattern: 'ens1f*', numVfs: 4 } });
    const [a, b] = await Promise.all(['sriov-scope-a', 'sriov-scope-b'].map((n) => newHost(n)));
    await repo.applyFactsMany([
      { hostId: a, facts: facts(1) },
      { hostId: b, facts: facts(2) },
    ]);
    const seen: SriovReconcileInput[] = [];
    const decide = (input: SriovReconcileInput) => {
      seen.push(input);
      return planReconcile(input, { retryFailed: false, requestId: 'test', newId: randomUUID });
    };
    await policies.reconcile(decide);
    const before = await db.sriovPolicyTarget.findMany({ where: { hostId: b } });
    expect(before).toHaveLength(1);
    await policies.reconcile(decide, [a]);
    expect(seen[1].hosts.map((h) => h.host.id)).toEqual([a]);
    expect(seen[1].targets.map((t) => t.hostId)).toEqual([a]);
    expect(await db.sriovPolicyTarget.findMany({ where: { hostId: b } })).toEqual(before);
    expect(await db.sriovPolicyTarget.count({ where: { hostId: a } })).toBe(1);
  }, 60_000);
});
