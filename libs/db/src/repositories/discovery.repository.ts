import { NotFoundError, type HostFacts, type NicFacts } from '@netpin/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { toHostRecord } from './host.repository';
import type { HostRecord } from '../types';
import { createOperation, type NewOperation, type OperationRecord } from './operation.repository';

type Tx = Prisma.TransactionClient;

/** CPU ids of the first `perNode` cores (lowest core ids, every thread) of each NUMA node. */
export function reservedCpus(facts: HostFacts, perNode: number): Set<number> {
  const out = new Set<number>();
  if (perNode <= 0) return out;
  const byNode = new Map<number, Map<string, number[]>>();
  for (const c of facts.cpus) {
    const cores = byNode.get(c.node) ?? new Map<string, number[]>();
    const key = `${c.socket}/${c.core}`;
    cores.set(key, [...(cores.get(key) ?? []), c.cpu]);
    byNode.set(c.node, cores);
  }
  for (const cores of byNode.values()) {
    // order cores by their lowest CPU id, the way the kernel numbers housekeeping CPUs
    const ordered = [...cores.values()].sort((a, b) => Math.min(...a) - Math.min(...b));
    // never reserve the only core of a node
    for (const cpus of ordered.slice(0, Math.min(perNode, ordered.length - 1))) for (const id of cpus) out.add(id);
  }
  return out;
}

function sameInts(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** How long a discover request's transaction may wait (mostly queueing for PlacementState). */
const START_DISCOVERY_TIMEOUT_MS = 30_000;

/**
 * Persists what discovery found. Rows are matched by their natural keys (NUMA index, CPU
 * id, NIC name, VF index, IRQ number) and only changed rows are written, so allocation rows
 * that point at CPUs and VFs survive a rediscovery, and a rediscovery of an unchanged host
 * writes almost nothing.
 */
export class DiscoveryRepository {
  constructor(private readonly db: Db) {}

  /**
   * @param reservedCoresPerNode the first N cores of every NUMA node (all their threads) are
   *   kept for the host's own work (kernel, libvirtd, the agent) and never given to VMs.
   */
  async applyFacts(hostId: string, facts: HostFacts, observedFingerprint?: string, reservedCoresPerNode = 1): Promise<HostRecord> {
    return this.db.$transaction(
      async (tx) => {
        // Lock order (docs/architecture.md, "Lock order"): the host's row, then PlacementState.
        // A discover request updates the host row and its trigger then takes PlacementState;
        // writing inventory rows first (their triggers take PlacementState) and the host row
        // last was the opposite order: a deadlock whenever the two met.
        const host = await lockHost(tx, hostId);
        if (!host) throw new NotFoundError('host', hostId);
        // every read before the first write: the first write's trigger takes the fleet-wide
        // PlacementState lock, which placement and every other inventory writer wait for
        const rows = await readInventory(tx, hostId);
        await this.syncNumaAndCpus(tx, hostId, facts, reservedCpus(facts, reservedCoresPerNode), rows);
        await this.syncNics(tx, hostId, facts.nics, rows.nics);
        const c = facts.capabilities;
        const row = await tx.host.update({
          where: { id: hostId },
          data: {
            capVmx: c.virtExtension === 'vmx',
            capSvm: c.virtExtension === 'svm',
            capEpt: c.virtExtension === 'vmx' && c.secondLevelPaging,
            capNpt: c.virtExtension === 'svm' && c.secondLevelPaging,
            capIommu: c.iommu,
            capKvm: c.kvm,
            capVhostNet: c.vhostNet,
            capOvs: c.ovs,
            capOvsDpdk: c.ovsDpdk,
            capVhostVdpa: c.vhostVdpa,
            pmdCpus: facts.pmdCpus,
            bridges: facts.bridges,
            foreignDomains: facts.foreignDomains,
            lastDiscoveredAt: new Date(),
            state: host.state === 'MAINTENANCE' ? 'MAINTENANCE' : 'READY',
            stateReason: host.state === 'MAINTENANCE' ? host.stateReason : null,
            ...(observedFingerprint && !host.hostKeyFingerprint ? { hostKeyFingerprint: observedFingerprint } : {}),
          },
        });
        return toHostRecord(row);
      },
      { timeout: 60_000 },
    );
  }

  private async syncNumaAndCpus(tx: Tx, hostId: string, facts: HostFacts, reserved: Set<number>, rows: Inventory): Promise<void> {
    const { numaNodes: existing, cpus, heldCpuRowIds: held } = rows;
    const byIndex = new Map(existing.map((n) => [n.index, n]));
    const nodeIds = new Map<number, string>();
    for (const n of facts.numaNodes) {
      const data = { memoryMiB: Math.floor(n.memTotalKiB / 1024), hugepages: n.hugepages };
      const cur = byIndex.get(n.id);
      if (!cur) {
        const created = await tx.numaNode.create({ data: { hostId, index: n.id, ...data } });
        nodeIds.set(n.id, created.id);
      } else {
        nodeIds.set(n.id, cur.id);
        if (cur.memoryMiB !== data.memoryMiB || JSON.stringify(cur.hugepages) !== JSON.stringify(data.hugepages)) {
          await tx.numaNode.update({ where: { id: cur.id }, data });
        }
      }
    }
    const cpuById = new Map(cpus.map((c) => [c.cpuId, c]));
    const fresh: Prisma.CpuCreateManyInput[] = [];
    for (const c of facts.cpus) {
      const numaNodeId = nodeIds.get(c.node);
      if (!numaNodeId) continue; // a CPU on a node sysfs did not list: skip rather than invent a node
      const cur = cpuById.get(c.cpu);
      const data = { numaNodeId, socket: c.socket, core: c.core, siblings: c.siblings, reservedForHost: reserved.has(c.cpu) };
      if (!cur) fresh.push({ hostId, cpuId: c.cpu, ...data });
      else if (
        cur.numaNodeId !== numaNodeId ||
        cur.socket !== c.socket ||
        cur.core !== c.core ||
        !sameInts(cur.siblings, c.siblings) ||
        cur.reservedForHost !== data.reservedForHost
      ) {
        await tx.cpu.update({ where: { id: cur.id }, data });
      }
    }
    if (fresh.length) await tx.cpu.createMany({ data: fresh });
    const seenCpus = new Set(facts.cpus.map((c) => c.cpu));
    // a CPU that vanished but is still allocated stays: dropping it would silently cascade
    // the allocation away; the VM's verify reports the difference instead
    // (read before the PlacementState lock: the delete re-checks that no allocation appeared since)
    const goneCpus = cpus.filter((c) => !seenCpus.has(c.cpuId) && !held.has(c.id)).map((c) => c.id);
    if (goneCpus.length) await tx.cpu.deleteMany({ where: { id: { in: goneCpus }, allocation: { is: null } } });
    const seenNodes = new Set(facts.numaNodes.map((n) => n.id));
    const goneNodes = existing.filter((n) => !seenNodes.has(n.index)).map((n) => n.id);
    if (goneNodes.length) await tx.numaNode.deleteMany({ where: { id: { in: goneNodes } } });
  }

  private async syncNics(tx: Tx, hostId: string, nics: NicFacts[], existing: Inventory['nics']): Promise<void> {
    // VFs show up as netdevs of their own; they are inventoried under their PF.
    const pfs = nics.filter((n) => n.vfOf === null);
    const byName = new Map(existing.map((n) => [n.name, n]));
    for (const n of pfs) {
      const data = {
        pciAddress: n.pciAddress,
        driver: n.driver,
        vendorId: n.vendorId,
        deviceId: n.deviceId,
        numaNode: n.numaNode,
        speedMbps: n.speedMbps,
        mtu: n.mtu,
        maxMtu: n.maxMtu,
        linkState: n.operState,
        combinedQueues: n.channels?.combined ?? Math.max(1, n.rxQueues),
        maxCombinedQueues: n.channels?.maxCombined ?? Math.max(1, n.rxQueues),
        sriovTotalVfs: n.sriov?.totalVfs ?? 0,
        sriovNumVfs: n.sriov?.numVfs ?? 0,
        vdpaVfs: n.vdpaVfs,
      };
      let cur = byName.get(n.name);
      if (!cur) cur = { ...(await tx.nic.create({ data: { hostId, name: n.name, ...data } })), irqs: [], vfs: [] };
      else await tx.nic.update({ where: { id: cur.id }, data });
      const nicId = cur.id;

      const irqByNo = new Map(cur.irqs.map((i) => [i.irq, i]));
      const newIrqs: Prisma.NicIrqCreateManyInput[] = [];
      for (const i of n.irqs) {
        const affinity = i.affinity ?? [];
        const old = irqByNo.get(i.irq);
        if (!old) newIrqs.push({ nicId, irq: i.irq, queue: i.queue, label: i.name, affinity });
        else if (old.queue !== i.queue || old.label !== i.name || !sameInts(old.affinity, affinity)) {
          await tx.nicIrq.update({ where: { id: old.id }, data: { queue: i.queue, label: i.name, affinity } });
        }
      }
      if (newIrqs.length) await tx.nicIrq.createMany({ data: newIrqs });
      const seenIrqs = new Set(n.irqs.map((i) => i.irq));
      const goneIrqs = cur.irqs.filter((i) => !seenIrqs.has(i.irq)).map((i) => i.id);
      if (goneIrqs.length) await tx.nicIrq.deleteMany({ where: { id: { in: goneIrqs } } });

      const vfs = n.sriov?.vfs ?? [];
      const vfByIndex = new Map(cur.vfs.map((v) => [v.index, v]));
      const newVfs: Prisma.VfCreateManyInput[] = [];
      for (const v of vfs) {
        const data = {
          pciAddress: v.pciAddress,
          mac: v.mac,
          vlan: v.vlan,
          qos: v.qos,
          spoofchk: v.spoofChk ?? true,
          trust: v.trust ?? false,
          linkState: v.linkState ?? 'auto',
          minTxRateMbps: v.minTxRateMbps,
          maxTxRateMbps: v.maxTxRateMbps,
        };
        const old = vfByIndex.get(v.index);
        if (!old) newVfs.push({ nicId, index: v.index, ...data });
        else if (Object.entries(data).some(([k, val]) => old[k as keyof typeof data] !== val)) {
          await tx.vf.update({ where: { id: old.id }, data });
        }
      }
      if (newVfs.length) await tx.vf.createMany({ data: newVfs });
      const seenVfs = new Set(vfs.map((v) => v.index));
      // allocated VFs that vanished (numvfs reset by a reboot) stay until their VM lets go
      const goneVfs = cur.vfs.filter((v) => !seenVfs.has(v.index) && !v.allocation).map((v) => v.id);
      if (goneVfs.length) await tx.vf.deleteMany({ where: { id: { in: goneVfs }, allocation: { is: null } } });
    }
    const seenPfs = new Set<string>(pfs.map((n) => n.name));
    const gone = existing.filter((n) => !seenPfs.has(n.name) && !n.vfs.some((v) => v.allocation)).map((n) => n.id);
    if (gone.length) await tx.nic.deleteMany({ where: { id: { in: gone }, vfs: { none: { allocation: { isNot: null } } } } });
  }

  async markState(hostId: string, state: 'DISCOVERING' | 'UNREACHABLE' | 'READY', reason: string | null): Promise<void> {
    await this.db.host.update({ where: { id: hostId }, data: { state, stateReason: reason } });
  }

  /**
   * A discover request: the host goes DISCOVERING (unless in maintenance) in the same
   * transaction that records the operation and its outbox row, host row first. Marking it
   * after the commit let a fast result (READY) be overwritten by the late DISCOVERING.
   */
  async startDiscovery(hostId: string, op: NewOperation): Promise<OperationRecord> {
    return this.db.$transaction(
      async (tx) => {
        const host = await lockHost(tx, hostId);
        if (!host) throw new NotFoundError('host', hostId);
        if (host.state !== 'MAINTENANCE')
          await tx.host.update({ where: { id: hostId }, data: { state: 'DISCOVERING', stateReason: null } });
        return createOperation(tx, op);
      },
      // three short statements; the host update's trigger may queue for the fleet-wide
      // PlacementState lock behind placement and result transactions: that wait is the
      // request queueing, and must not hit the 5 s default and fail it
      { timeout: START_DISCOVERY_TIMEOUT_MS },
    );
  }
}

/** A host's inventory rows as they are before discovery writes (read under the host's row lock). */
async function readInventory(tx: Tx, hostId: string) {
  const [numaNodes, cpus, held, nics] = [
    await tx.numaNode.findMany({ where: { hostId } }),
    await tx.cpu.findMany({ where: { hostId } }),
    await tx.cpuAllocation.findMany({ where: { hostId }, select: { cpuRowId: true } }),
    await tx.nic.findMany({ where: { hostId }, include: { irqs: true, vfs: { include: { allocation: { select: { id: true } } } } } }),
  ];
  return { numaNodes, cpus, heldCpuRowIds: new Set(held.map((a) => a.cpuRowId)), nics };
}
type Inventory = Awaited<ReturnType<typeof readInventory>>;

interface LockedHost {
  state: string;
  stateReason: string | null;
  hostKeyFingerprint: string | null;
}

/**
 * The host's row, locked FOR NO KEY UPDATE until commit: what an UPDATE of the row takes, so
 * it serialises with markState and other discovery writers of the same host, but not with
 * the FOR KEY SHARE locks that inserting a host's VMs and allocations take.
 */
async function lockHost(tx: Tx, hostId: string): Promise<LockedHost | null> {
  const rows = await tx.$queryRaw<LockedHost[]>`
    SELECT state::text AS state, "stateReason", "hostKeyFingerprint" FROM "Host" WHERE id = ${hostId}::uuid FOR NO KEY UPDATE`;
  return rows[0] ?? null;
}
