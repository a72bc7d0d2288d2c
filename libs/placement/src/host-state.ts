import type { FleetAllocation, FleetCpuOwner, FleetNetwork, FleetNumaNode, PagedHugepageSize } from '@netpin/contracts';
import {
  cpuPos,
  dropSlotIfUnused,
  NO_OWNER,
  ownerCell,
  ownerOf,
  roleIndex,
  VF_ALLOCATED,
  VF_FREE,
  vfPciAt,
  vfPos,
  vmSlot,
  type CompactHost,
  type CompactNic,
  type CpuColumns,
} from './compact';
import { AllocationTable } from './allocation-table';
import { FreeVfs } from './free-vfs';

/**
 * Mutable per-host working state the engine computes on. It is built from an immutable
 * snapshot and only ever mutated inside a PlacementIndex (or a throw-away copy of one),
 * so the public functions stay pure over their inputs.
 */
export interface NodeRt {
  index: number;
  /** CPU positions (into HostRt arrays) of the node, ascending CPU id. */
  cpus: number[];
  /** Cores of the node: sibling CPU positions, ascending by first CPU id. */
  cores: number[][];
  /** CPUs not reserved for the host. */
  usable: number;
  /** Usable CPUs nobody owns. */
  unowned: number;
  sharedUsed: number;
  memFree: number;
  huge: Record<PagedHugepageSize, number>;
  /** CPU ids of the node's I/O set (NIC IRQs + vhost threads); empty until first needed. */
  ioCpus: number[];
  /** VMs relying on the I/O set; a shared empty set until the first one (addIoUser). */
  ioUsers: ReadonlySet<string>;
  /** CPUs of the node the userspace switch's PMD threads run on (OVS-DPDK pmd-cpu-mask). */
  pmdCores: number;
  /** PMD slots (vhost-user queues) VMs already take on the node. */
  pmdUsed: number;
}

export interface NicRt {
  nic: CompactNic;
  /** NUMA node index, or null when the NIC has no NUMA affinity. */
  node: number | null;
  /** Free VF indices, ascending. */
  freeVfs: FreeVfs;
  bwUsed: number;
}

/** Per CPU layout and set of node indices: each node's CPU positions and cores (shared, never mutated). */
interface NodeLayout {
  cpus: Map<number, number[]>;
  cores: Map<number, number[][]>;
  threadsPerCore: number;
}
const layouts = new WeakMap<CpuColumns, Map<string, NodeLayout>>();

/**
 * Put each CPU on its node and group siblings into cores (positions, ascending). Hosts with
 * the same CpuColumns and nodes share the answer.
 */
function nodeLayout(c: CpuColumns, nodeIndices: readonly number[]): NodeLayout {
  const key = nodeIndices.join(',');
  const byNodes = layouts.get(c) ?? new Map<string, NodeLayout>();
  layouts.set(c, byNodes);
  const hit = byNodes.get(key);
  if (hit) return hit;
  const out: NodeLayout = {
    cpus: new Map(nodeIndices.map((i) => [i, []])),
    cores: new Map(nodeIndices.map((i) => [i, []])),
    threadsPerCore: 1,
  };
  const seenCore = new Set<number>();
  for (let pos = 0; pos < c.id.length; pos++) {
    const node = c.node[pos];
    const cpus = out.cpus.get(node);
    if (!cpus) continue;
    cpus.push(pos);
    if (seenCore.has(pos)) continue;
    const sibs = [...new Set([c.id[pos], ...c.sibling.subarray(c.sibStart[pos], c.sibStart[pos + 1])])]
      .map((s) => cpuPos(c, s))
      .filter((p) => p >= 0 && c.node[p] === node)
      .sort((a, b) => a - b);
    sibs.forEach((p) => seenCore.add(p));
    out.cores.get(node)?.push(sibs);
    out.threadsPerCore = Math.max(out.threadsPerCore, sibs.length);
  }
  byNodes.set(key, out);
  return out;
}

/**
 * A host's working state. It owns the CompactHost it is given: CPU and VF owners change
 * in its columns, so a placement's result can be read back (materializeHost) without a
 * second copy of the host.
 */
export class HostRt {
  readonly cpuIds: Int32Array;
  readonly reserved: Uint8Array;
  readonly cpuNode: Int32Array;
  readonly nodes: NodeRt[];
  readonly nics: NicRt[];
  readonly nicById = new Map<string, NicRt>();
  /** networkId -> NICs carrying it here; present-but-empty means mapped without an uplink. */
  readonly netNics = new Map<string, NicRt[]>();
  readonly allocations: AllocationTable;
  /** Affinity group id -> members of it holding resources here; null until the first (most hosts have none). */
  private groups: Map<string, number> | null = null;
  /** Bumped on every change: negative caches compare it. */
  version = 0;
  readonly threadsPerCore: number;

  constructor(
    readonly ord: number,
    readonly host: CompactHost,
    networks: readonly FleetNetwork[],
    allocations: readonly FleetAllocation[],
  ) {
    const cols = host.cpus;
    this.allocations = new AllocationTable(host.id);
    this.cpuIds = cols.id;
    this.cpuNode = cols.node;
    // CPUs pinned by domains netpin did not define, and the switch's PMD cores (they poll at
    // 100 %), are as unavailable as the host's own
    const foreign = [...host.foreignDomains.flatMap((d) => d.cpus), ...host.pmdCpus].map((id) => cpuPos(cols, id)).filter((p) => p >= 0);
    this.reserved = foreign.length ? cols.reserved.slice() : cols.reserved;
    for (const p of foreign) this.reserved[p] = 1;
    this.nodes = [...host.numaNodes].sort((a, b) => a.index - b.index).map(emptyNode);
    const layout = nodeLayout(
      cols,
      this.nodes.map((n) => n.index),
    );
    this.threadsPerCore = layout.threadsPerCore;
    for (const n of this.nodes) this.countNode(n, layout);
    for (const id of new Set(host.pmdCpus)) {
      const pos = cpuPos(cols, id);
      const node = pos < 0 ? undefined : this.nodeAt(cols.node[pos]);
      if (node) node.pmdCores++;
    }
    const foreignPci = new Set<string>(host.foreignDomains.flatMap((d) => d.pciDevices));
    this.nics = [...host.nics].sort((a, b) => byName(a.name, b.name)).map((nic) => this.nicRt(nic, foreignPci));
    for (const n of this.nics) this.nicById.set(n.nic.id, n);
    for (const net of networks) {
      const m = net.hosts.find((h) => h.hostId === host.id);
      if (!m) continue;
      const nics = m.nicIds.map((nid) => this.nicById.get(nid)).filter((n): n is NicRt => n !== undefined);
      this.netNics.set(
        net.id,
        nics.sort((a, b) => byName(a.nic.name, b.nic.name)),
      );
    }
    for (const a of allocations) if (a.hostId === host.id) this.countAllocation(a);
  }

  /** A node's CPUs and cores from the layout; its usable, unowned and I/O CPUs from this host's columns. */
  private countNode(node: NodeRt, layout: NodeLayout): void {
    node.cpus = layout.cpus.get(node.index) ?? [];
    node.cores = layout.cores.get(node.index) ?? [];
    const own = this.host.cpuOwner;
    const irq = roleIndex('IRQ');
    for (const pos of node.cpus) {
      if (!this.reserved[pos]) {
        node.usable++;
        if (own[pos] < 0) node.unowned++;
      }
      if (own[pos] >= 0 && own[pos] % 8 === irq) node.ioCpus.push(this.cpuIds[pos]);
    }
  }

  /** A VF passed through to a foreign domain (`foreignPci`) is not free, whatever the inventory says. */
  private nicRt(nic: CompactNic, foreignPci: ReadonlySet<string>): NicRt {
    const v = nic.vfs;
    const freeVfs = new FreeVfs(v.index.length);
    for (let k = 0; k < v.index.length; k++) {
      if (v.state[k] === VF_FREE && (foreignPci.size === 0 || !foreignPci.has(vfPciAt(v, k)))) freeVfs.push(v.index[k]);
    }
    return { nic, node: nic.numaNode >= 0 && this.nodeAt(nic.numaNode) !== undefined ? nic.numaNode : null, freeVfs, bwUsed: 0 };
  }

  /** Position of a CPU id, or undefined when the host has none. */
  posOf(cpuId: number): number | undefined {
    const p = cpuPos(this.host.cpus, cpuId);
    return p < 0 ? undefined : p;
  }

  /** Who holds the CPU at a position (null = nobody). */
  owner(pos: number): FleetCpuOwner | null {
    return ownerOf(this.host, this.host.cpuOwner[pos]);
  }

  /** PCI address of one of a NIC's VFs ('' when unknown). */
  vfPci(nic: NicRt, index: number): string {
    const k = vfPos(nic.nic.vfs, index);
    return k < 0 ? '' : vfPciAt(nic.nic.vfs, k);
  }

  /**
   * An allocation already in the snapshot: its CPUs, memory and VFs are reflected in the
   * host's own fields, so only what the host does not record is counted here.
   */
  private countAllocation(a: FleetAllocation): void {
    this.allocations.set(a);
    for (const s of a.sharedVcpus) {
      const node = this.nodeAt(s.node);
      if (node) node.sharedUsed += s.vcpus;
    }
    for (const b of a.bandwidth) {
      const nic = this.nicById.get(b.nicId);
      if (nic) nic.bwUsed += b.mbps;
    }
    for (const io of a.ioNodes) {
      const node = this.nodeAt(io);
      if (node) addIoUser(node, a.vmId);
    }
    for (const p of a.pmdQueues) {
      const node = this.nodeAt(p.node);
      if (node) node.pmdUsed += p.queues;
    }
    this.countGroup(a, 1);
  }

  private countGroup(a: FleetAllocation, by: 1 | -1): void {
    if (a.group === null) return;
    const groups = (this.groups ??= new Map());
    const n = (groups.get(a.group) ?? 0) + by;
    if (n > 0) groups.set(a.group, n);
    else groups.delete(a.group);
  }

  /** Usable CPUs a dedicated placement may still take on a node without squeezing the shared pool. */
  effFree(node: NodeRt, ratio: number): number {
    return node.unowned - Math.ceil(node.sharedUsed / ratio - 1e-9);
  }

  isFree(pos: number): boolean {
    return this.reserved[pos] === 0 && this.host.cpuOwner[pos] < 0;
  }

  /** Record an allocation (already validated by the caller). */
  apply(a: FleetAllocation): void {
    const slot = vmSlot(this.host, a.vmId);
    for (const c of a.cpus) {
      const pos = this.posOf(c.cpu);
      if (pos === undefined) continue;
      this.host.cpuOwner[pos] = ownerCell(slot, c.role);
      const node = this.nodeAt(this.cpuNode[pos]);
      if (!node) continue;
      if (!this.reserved[pos]) node.unowned--;
      if (c.role === 'IRQ') node.ioCpus.push(c.cpu);
    }
    for (const s of a.sharedVcpus) this.node(s.node).sharedUsed += s.vcpus;
    for (const m of a.memory) this.node(m.node).memFree -= m.mib;
    for (const h of a.hugepages) this.node(h.node).huge[h.size] -= h.pages;
    for (const v of a.vfs) {
      const nic = this.nicById.get(v.nicId);
      if (!nic) continue;
      // in place (FreeVfs): a new array per change was old-generation garbage for every SR-IOV placement
      nic.freeVfs.remove(v.vfIndex);
      this.setVf(nic, v.vfIndex, VF_ALLOCATED, slot);
    }
    for (const b of a.bandwidth) {
      const nic = this.nicById.get(b.nicId);
      if (nic) nic.bwUsed += b.mbps;
    }
    for (const io of a.ioNodes) addIoUser(this.node(io), a.vmId);
    this.countGroup(a, 1);
    for (const p of a.pmdQueues) this.node(p.node).pmdUsed += p.queues;
    this.allocations.set(a);
    this.version++;
  }

  private setVf(nic: NicRt, index: number, state: number, slot: number): void {
    const k = vfPos(nic.nic.vfs, index);
    if (k < 0) return;
    nic.nic.vfs.state[k] = state;
    nic.nic.vfs.owner[k] = slot;
  }

  /** Undo an allocation; hands the node's I/O CPUs to the next user, or frees them. */
  release(vmId: string): FleetAllocation | null {
    const a = this.allocations.get(vmId);
    if (!a) return null;
    const own = this.host.cpuOwner;
    for (const c of a.cpus) {
      if (c.role === 'IRQ') continue;
      const pos = this.posOf(c.cpu);
      if (pos === undefined) continue;
      own[pos] = NO_OWNER;
      if (!this.reserved[pos]) this.node(this.cpuNode[pos]).unowned++;
    }
    for (const s of a.sharedVcpus) this.node(s.node).sharedUsed -= s.vcpus;
    for (const m of a.memory) this.node(m.node).memFree += m.mib;
    for (const h of a.hugepages) this.node(h.node).huge[h.size] += h.pages;
    for (const v of a.vfs) {
      const nic = this.nicById.get(v.nicId);
      if (!nic) continue;
      nic.freeVfs.insert(v.vfIndex);
      this.setVf(nic, v.vfIndex, VF_FREE, NO_OWNER);
    }
    for (const b of a.bandwidth) {
      const nic = this.nicById.get(b.nicId);
      if (nic) nic.bwUsed -= b.mbps;
    }
    for (const p of a.pmdQueues) this.node(p.node).pmdUsed -= p.queues;
    for (const io of a.ioNodes) this.releaseIo(this.node(io), vmId);
    this.countGroup(a, -1);
    this.allocations.delete(vmId);
    dropSlotIfUnused(this.host, this.host.vms.indexOf(vmId));
    this.version++;
    return a;
  }

  /** The VM no longer relies on the node's I/O CPUs: they pass to the next user, or are freed. */
  private releaseIo(node: NodeRt, vmId: string): void {
    const own = this.host.cpuOwner;
    if (node.ioUsers.has(vmId)) (node.ioUsers as Set<string>).delete(vmId);
    const heir = nextIoOwner(node.ioUsers);
    const heirCell = heir === null ? NO_OWNER : ownerCell(vmSlot(this.host, heir), 'IRQ');
    for (const cpu of node.ioCpus) {
      const pos = this.posOf(cpu);
      if (pos === undefined) continue;
      if (heir === null) {
        own[pos] = NO_OWNER;
        if (!this.reserved[pos]) node.unowned++;
      } else if (this.owner(pos)?.vmId === vmId) {
        own[pos] = heirCell;
      }
    }
    if (heir === null) node.ioCpus = [];
  }

  /** Affinity group id -> members of it holding resources here. */
  get groupCount(): ReadonlyMap<string, number> {
    return this.groups ?? NO_GROUPS;
  }

  /** The NUMA node with this index (a host has a few: a scan, no Map per host). */
  nodeAt(index: number): NodeRt | undefined {
    for (const n of this.nodes) if (n.index === index) return n;
    return undefined;
  }

  node(index: number): NodeRt {
    const n = this.nodeAt(index);
    if (!n) throw new Error(`host ${this.host.name} has no NUMA node ${index}`);
    return n;
  }
}

/**
 * Shared empty collections a host or node starts with (~180 bytes per Map or Set: most
 * hosts have no affinity groups and most nodes no I/O users). Nothing adds to them: the
 * fields are read-only types, and the first write swaps in a collection of its own.
 */
const NO_GROUPS: ReadonlyMap<string, number> = new Map();
const NO_IO_USERS: ReadonlySet<string> = new Set();

function addIoUser(node: NodeRt, vmId: string): void {
  if (node.ioUsers === NO_IO_USERS) node.ioUsers = new Set();
  (node.ioUsers as Set<string>).add(vmId);
}

function emptyNode(n: FleetNumaNode): NodeRt {
  return {
    index: n.index,
    cpus: [],
    cores: [],
    usable: 0,
    unowned: 0,
    sharedUsed: 0,
    memFree: n.memoryFreeMiB,
    huge: {
      SIZE_2M: n.hugepages.find((p) => p.size === 'SIZE_2M')?.free ?? 0,
      SIZE_1G: n.hugepages.find((p) => p.size === 'SIZE_1G')?.free ?? 0,
    },
    ioCpus: [],
    ioUsers: NO_IO_USERS,
    pmdCores: 0,
    pmdUsed: 0,
  };
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Deterministic heir of a node's I/O CPUs: the smallest remaining vmId. */
export function nextIoOwner(users: Iterable<string>): string | null {
  let best: string | null = null;
  for (const u of users) if (best === null || u < best) best = u;
  return best;
}
