import { NotFoundError, type HostFacts, type NicFacts } from '@netpin/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { toHostRecord } from './host.repository';
import type { HostRecord } from '../types';
import { createOperation, type NewOperation, type OperationRecord } from './operation.repository';
import {
  deleteFreeCpus,
  deleteFreeNics,
  deleteFreeVfs,
  deleteIrqs,
  deleteNumaNodes,
  insertCpus,
  insertIrqs,
  insertNics,
  insertNumaNodes,
  insertVfs,
  readInventory,
  updateCpus,
  updateIrqs,
  updateNics,
  updateNumaNodes,
  updateVfs,
  type CpuData,
  type Inventory,
  type IrqData,
  type IrqRow,
  type NicData,
  type NicRow,
  type VfData,
} from './discovery-rows';

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
    const { numaNodes: existing, cpus } = rows;
    const byIndex = new Map(existing.map((n) => [n.index, n]));
    const nodeIds = new Map<number, string>();
    const freshNodes: { index: number; memoryMiB: number; hugepages: unknown }[] = [];
    const changedNodes: { id: string; memoryMiB: number; hugepages: unknown }[] = [];
    for (const n of facts.numaNodes) {
      const data = { memoryMiB: Math.floor(n.memTotalKiB / 1024), hugepages: n.hugepages };
      const cur = byIndex.get(n.id);
      if (!cur) freshNodes.push({ index: n.id, ...data });
      else {
        nodeIds.set(n.id, cur.id);
        if (cur.memoryMiB !== data.memoryMiB || JSON.stringify(cur.hugepages) !== JSON.stringify(data.hugepages))
          changedNodes.push({ id: cur.id, ...data });
      }
    }
    for (const created of await insertNumaNodes(tx, hostId, freshNodes)) nodeIds.set(created.index, created.id);
    await updateNumaNodes(tx, changedNodes);
    const cpuById = new Map(cpus.map((c) => [c.cpuId, c]));
    const fresh: CpuData[] = [];
    const changed: (Omit<CpuData, 'cpuId'> & { id: string })[] = [];
    for (const c of facts.cpus) {
      const numaNodeId = nodeIds.get(c.node);
      if (!numaNodeId) continue; // a CPU on a node sysfs did not list: skip rather than invent a node
      const cur = cpuById.get(c.cpu);
      const data = { numaNodeId, socket: c.socket, core: c.core, siblings: c.siblings, reservedForHost: reserved.has(c.cpu) };
      if (!cur) fresh.push({ cpuId: c.cpu, ...data });
      else if (
        cur.numaNodeId !== numaNodeId ||
        cur.socket !== c.socket ||
        cur.core !== c.core ||
        !sameInts(cur.siblings, c.siblings) ||
        cur.reservedForHost !== data.reservedForHost
      ) {
        changed.push({ id: cur.id, ...data });
      }
    }
    await updateCpus(tx, changed);
    await insertCpus(tx, hostId, fresh);
    const seenCpus = new Set(facts.cpus.map((c) => c.cpu));
    // a CPU that vanished but is still allocated stays: dropping it would silently cascade
    // the allocation away; the VM's verify reports the difference instead
    // (read before the PlacementState lock: the delete re-checks that no allocation appeared since)
    await deleteFreeCpus(
      tx,
      cpus.filter((c) => !seenCpus.has(c.cpuId) && !c.held).map((c) => c.id),
    );
    const seenNodes = new Set(facts.numaNodes.map((n) => n.id));
    await deleteNumaNodes(
      tx,
      existing.filter((n) => !seenNodes.has(n.index)).map((n) => n.id),
    );
  }

  private async syncNics(tx: Tx, hostId: string, nics: NicFacts[], existing: Inventory['nics']): Promise<void> {
    // VFs show up as netdevs of their own; they are inventoried under their PF.
    const pfs = nics.filter((n) => n.vfOf === null);
    const byName = new Map(existing.map((n) => [n.name, n]));
    const fresh = pfs.filter((n) => !byName.has(n.name));
    await updateNics(
      tx,
      pfs.flatMap((n) => {
        const cur = byName.get(n.name);
        return cur ? [{ id: cur.id, ...nicData(n) }] : [];
      }),
    );
    const created = new Map(
      (
        await insertNics(
          tx,
          hostId,
          fresh.map((n) => ({ name: n.name, ...nicData(n) })),
        )
      ).map((c) => [c.name, c.id]),
    );
    const irqs = { fresh: [] as IrqData[], changed: [] as Omit<IrqRow, 'irq'>[], gone: [] as string[] };
    const vfs = {
      fresh: [] as (VfData & { nicId: string; index: number })[],
      changed: [] as (VfData & { id: string })[],
      gone: [] as string[],
    };
    for (const n of pfs) {
      const cur = byName.get(n.name) ?? { id: created.get(n.name) ?? '', name: n.name, irqs: [], vfs: [] };
      diffIrqs(cur, n, irqs);
      diffVfs(cur, n, vfs);
    }
    await updateIrqs(tx, irqs.changed);
    await insertIrqs(tx, irqs.fresh);
    await deleteIrqs(tx, irqs.gone);
    await updateVfs(tx, vfs.changed);
    await insertVfs(tx, vfs.fresh);
    // allocated VFs that vanished (numvfs reset by a reboot) stay until their VM lets go
    await deleteFreeVfs(tx, vfs.gone);
    const seenPfs = new Set<string>(pfs.map((n) => n.name));
    await deleteFreeNics(
      tx,
      existing.filter((n) => !seenPfs.has(n.name) && !n.vfs.some((v) => v.allocated)).map((n) => n.id),
    );
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

/** The Nic columns discovery writes for a PF. */
function nicData(n: NicFacts): NicData {
  return {
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
}

/** A PF's IRQ rows to add, change and drop (matched by IRQ number). */
function diffIrqs(cur: NicRow, n: NicFacts, out: { fresh: IrqData[]; changed: Omit<IrqRow, 'irq'>[]; gone: string[] }): void {
  const irqByNo = new Map(cur.irqs.map((i) => [i.irq, i]));
  for (const i of n.irqs) {
    const affinity = i.affinity ?? [];
    const old = irqByNo.get(i.irq);
    if (!old) out.fresh.push({ nicId: cur.id, irq: i.irq, queue: i.queue, label: i.name, affinity });
    else if (old.queue !== i.queue || old.label !== i.name || !sameInts(old.affinity, affinity))
      out.changed.push({ id: old.id, queue: i.queue, label: i.name, affinity });
  }
  const seen = new Set(n.irqs.map((i) => i.irq));
  for (const i of cur.irqs) if (!seen.has(i.irq)) out.gone.push(i.id);
}

/** A PF's VF rows to add, change and drop (matched by VF index); allocated VFs are never dropped. */
function diffVfs(
  cur: NicRow,
  n: NicFacts,
  out: { fresh: (VfData & { nicId: string; index: number })[]; changed: (VfData & { id: string })[]; gone: string[] },
): void {
  const vfs = n.sriov?.vfs ?? [];
  const vfByIndex = new Map(cur.vfs.map((v) => [v.index, v]));
  for (const v of vfs) {
    const data: VfData = {
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
    if (!old) out.fresh.push({ nicId: cur.id, index: v.index, ...data });
    else if (Object.entries(data).some(([k, val]) => old[k as keyof VfData] !== val)) out.changed.push({ id: old.id, ...data });
  }
  const seen = new Set(vfs.map((v) => v.index));
  for (const v of cur.vfs) if (!seen.has(v.index) && !v.allocated) out.gone.push(v.id);
}
