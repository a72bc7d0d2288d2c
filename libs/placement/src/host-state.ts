import type {
  FleetAllocation,
  FleetCpu,
  FleetCpuOwner,
  FleetHost,
  FleetNetwork,
  FleetNic,
  FleetNumaNode,
  PagedHugepageSize,
} from '@netpin/contracts';

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
  ioUsers: Set<string>;
}

export interface NicRt {
  nic: FleetNic;
  /** NUMA node index, or null when the NIC has no NUMA affinity. */
  node: number | null;
  /** Free VF indices, ascending. */
  freeVfs: number[];
  vfPci: Map<number, string>;
  bwUsed: number;
}

export class HostRt {
  readonly cpuIds: number[];
  readonly posOfId = new Map<number, number>();
  readonly owner: (FleetCpuOwner | null)[];
  readonly reserved: boolean[];
  readonly cpuNode: number[];
  readonly nodes: NodeRt[];
  readonly nodeByIndex = new Map<number, NodeRt>();
  readonly nics: NicRt[];
  readonly nicById = new Map<string, NicRt>();
  /** networkId -> NICs carrying it here; present-but-empty means mapped without an uplink. */
  readonly netNics = new Map<string, NicRt[]>();
  readonly allocations = new Map<string, FleetAllocation>();
  /** Affinity group id -> members of it holding resources here. */
  readonly groupCount = new Map<string, number>();
  /** Bumped on every change: negative caches compare it. */
  version = 0;
  readonly threadsPerCore: number;

  constructor(
    readonly ord: number,
    readonly host: FleetHost,
    networks: readonly FleetNetwork[],
    allocations: readonly FleetAllocation[],
  ) {
    // CPUs pinned by domains netpin did not define are as unavailable as the host's own
    const foreignCpus = new Set(host.foreignDomains.flatMap((d) => d.cpus));
    const cpus = [...host.cpus].sort((a, b) => a.id - b.id).map((c) => (foreignCpus.has(c.id) ? { ...c, reservedForHost: true } : c));
    this.cpuIds = cpus.map((c) => c.id);
    cpus.forEach((c, i) => this.posOfId.set(c.id, i));
    this.owner = cpus.map((c) => c.owner);
    this.reserved = cpus.map((c) => c.reservedForHost);
    this.cpuNode = cpus.map((c) => c.numaNode);
    this.nodes = [...host.numaNodes].sort((a, b) => a.index - b.index).map(emptyNode);
    for (const n of this.nodes) this.nodeByIndex.set(n.index, n);
    this.threadsPerCore = this.indexCpus(cpus);
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

  /** Put each CPU on its node (usable, unowned, I/O set) and group siblings into cores; returns threads per core. */
  private indexCpus(cpus: readonly FleetCpu[]): number {
    let maxThreads = 1;
    const seenCore = new Set<number>();
    cpus.forEach((c, pos) => {
      const node = this.nodeByIndex.get(c.numaNode);
      if (!node) return;
      node.cpus.push(pos);
      if (!c.reservedForHost) {
        node.usable++;
        if (c.owner === null) node.unowned++;
      }
      if (c.owner?.role === 'IRQ') node.ioCpus.push(c.id);
      if (seenCore.has(pos)) return;
      const sibs = [...new Set([c.id, ...c.siblings])]
        .map((s) => this.posOfId.get(s))
        .filter((p): p is number => p !== undefined && this.cpuNode[p] === c.numaNode)
        .sort((a, b) => a - b);
      sibs.forEach((p) => seenCore.add(p));
      node.cores.push(sibs);
      maxThreads = Math.max(maxThreads, sibs.length);
    });
    return maxThreads;
  }

  /** A VF passed through to a foreign domain (`foreignPci`) is not free, whatever the inventory says. */
  private nicRt(nic: FleetNic, foreignPci: ReadonlySet<string>): NicRt {
    return {
      nic,
      node: nic.numaNode >= 0 && this.nodeByIndex.has(nic.numaNode) ? nic.numaNode : null,
      freeVfs: nic.vfs
        .filter((v) => v.state === 'FREE' && !foreignPci.has(v.pciAddress))
        .map((v) => v.index)
        .sort((a, b) => a - b),
      vfPci: new Map(nic.vfs.map((v) => [v.index, v.pciAddress])),
      bwUsed: 0,
    };
  }

  /**
   * An allocation already in the snapshot: its CPUs, memory and VFs are reflected in the
   * host's own fields, so only what the host does not record is counted here.
   */
  private countAllocation(a: FleetAllocation): void {
    this.allocations.set(a.vmId, a);
    for (const s of a.sharedVcpus) {
      const node = this.nodeByIndex.get(s.node);
      if (node) node.sharedUsed += s.vcpus;
    }
    for (const b of a.bandwidth) {
      const nic = this.nicById.get(b.nicId);
      if (nic) nic.bwUsed += b.mbps;
    }
    for (const io of a.ioNodes) this.nodeByIndex.get(io)?.ioUsers.add(a.vmId);
    this.countGroup(a, 1);
  }

  private countGroup(a: FleetAllocation, by: 1 | -1): void {
    if (a.group === null) return;
    const n = (this.groupCount.get(a.group) ?? 0) + by;
    if (n > 0) this.groupCount.set(a.group, n);
    else this.groupCount.delete(a.group);
  }

  /** Usable CPUs a dedicated placement may still take on a node without squeezing the shared pool. */
  effFree(node: NodeRt, ratio: number): number {
    return node.unowned - Math.ceil(node.sharedUsed / ratio - 1e-9);
  }

  isFree(pos: number): boolean {
    return !this.reserved[pos] && this.owner[pos] === null;
  }

  /** Record an allocation (already validated by the caller). */
  apply(a: FleetAllocation): void {
    for (const c of a.cpus) {
      const pos = this.posOfId.get(c.cpu);
      if (pos === undefined) continue;
      this.owner[pos] = { vmId: a.vmId, role: c.role };
      const node = this.nodeByIndex.get(this.cpuNode[pos]);
      if (!node) continue;
      if (!this.reserved[pos]) node.unowned--;
      if (c.role === 'IRQ') node.ioCpus.push(c.cpu);
    }
    for (const s of a.sharedVcpus) this.node(s.node).sharedUsed += s.vcpus;
    for (const m of a.memory) this.node(m.node).memFree -= m.mib;
    for (const h of a.hugepages) this.node(h.node).huge[h.size] -= h.pages;
    for (const v of a.vfs) {
      const nic = this.nicById.get(v.nicId);
      if (nic) nic.freeVfs = nic.freeVfs.filter((i) => i !== v.vfIndex);
    }
    for (const b of a.bandwidth) {
      const nic = this.nicById.get(b.nicId);
      if (nic) nic.bwUsed += b.mbps;
    }
    for (const io of a.ioNodes) this.node(io).ioUsers.add(a.vmId);
    this.countGroup(a, 1);
    this.allocations.set(a.vmId, a);
    this.version++;
  }

  /** Undo an allocation; hands the node's I/O CPUs to the next user, or frees them. */
  release(vmId: string): FleetAllocation | null {
    const a = this.allocations.get(vmId);
    if (!a) return null;
    for (const c of a.cpus) {
      if (c.role === 'IRQ') continue;
      const pos = this.posOfId.get(c.cpu);
      if (pos === undefined) continue;
      this.owner[pos] = null;
      if (!this.reserved[pos]) this.node(this.cpuNode[pos]).unowned++;
    }
    for (const s of a.sharedVcpus) this.node(s.node).sharedUsed -= s.vcpus;
    for (const m of a.memory) this.node(m.node).memFree += m.mib;
    for (const h of a.hugepages) this.node(h.node).huge[h.size] += h.pages;
    for (const v of a.vfs) {
      const nic = this.nicById.get(v.nicId);
      if (nic) nic.freeVfs = [...nic.freeVfs, v.vfIndex].sort((x, y) => x - y);
    }
    for (const b of a.bandwidth) {
      const nic = this.nicById.get(b.nicId);
      if (nic) nic.bwUsed -= b.mbps;
    }
    for (const io of a.ioNodes) {
      const node = this.node(io);
      node.ioUsers.delete(vmId);
      const heir = nextIoOwner(node.ioUsers);
      for (const cpu of node.ioCpus) {
        const pos = this.posOfId.get(cpu);
        if (pos === undefined) continue;
        if (heir === null) {
          this.owner[pos] = null;
          if (!this.reserved[pos]) node.unowned++;
        } else if (this.owner[pos]?.vmId === vmId) {
          this.owner[pos] = { vmId: heir, role: 'IRQ' };
        }
      }
      if (heir === null) node.ioCpus = [];
    }
    this.countGroup(a, -1);
    this.allocations.delete(vmId);
    this.version++;
    return a;
  }

  node(index: number): NodeRt {
    const n = this.nodeByIndex.get(index);
    if (!n) throw new Error(`host ${this.host.name} has no NUMA node ${index}`);
    return n;
  }
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
    ioUsers: new Set<string>(),
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
