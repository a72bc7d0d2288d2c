import {
  CPU_OWNER_ROLES,
  VF_STATES,
  type CpuOwnerRole,
  type FleetAllocation,
  type FleetCpu,
  type FleetCpuOwner,
  type FleetHost,
  type FleetNetwork,
  type FleetNic,
  type FleetSnapshot,
  type FleetVf,
} from '@netpin/contracts';
import { Slab } from './slab';

/**
 * The fleet with its bulk in columns: a host keeps its host-, node- and NIC-level fields as
 * objects (the FleetHost ones, whatever they grow to), while its CPUs and VFs, hundreds per
 * host, are typed arrays indexed by position (ascending CPU id, ascending VF index). Owners
 * are numbers naming a slot of the host's `vms` table. Hosts with the same CPU layout share
 * one CpuColumns (CpuLayouts), so a fleet of identical servers stores it once.
 * FleetSnapshot objects are made from these only where a caller needs them (expandHost).
 */
export interface CpuColumns {
  readonly id: Int32Array;
  readonly socket: Int32Array;
  readonly core: Int32Array;
  readonly node: Int32Array;
  /** The CPU at position p has siblings sibling[sibStart[p]] .. sibling[sibStart[p + 1] - 1] (CPU ids, as recorded). */
  readonly sibStart: Int32Array;
  readonly sibling: Int32Array;
  /** 1 = reserved for the host. */
  readonly reserved: Uint8Array;
}

/** VF PCI addresses: `prefix` + the routing id first + (index - first index) × stride, else one string per VF. */
export type VfPci = { readonly prefix: string; readonly first: number; readonly stride: number } | readonly string[];

export interface VfColumns {
  /** VF indices, ascending. */
  readonly index: Int32Array;
  /** Index into VF_STATES. */
  readonly state: Uint8Array;
  /** Owner slot (CompactHost.vms), -1 = none. */
  readonly owner: Int32Array;
  readonly pci: VfPci;
}

export interface CompactNic extends Omit<FleetNic, 'vfs'> {
  readonly vfs: VfColumns;
}

export interface CompactHost extends Omit<FleetHost, 'cpus' | 'nics'> {
  readonly cpus: CpuColumns;
  /** Per CPU position: -1 = no owner, else slot × 8 + index into CPU_OWNER_ROLES. */
  readonly cpuOwner: Int32Array;
  /** VM ids the owner columns name by slot; null = a free slot. */
  readonly vms: (string | null)[];
  readonly nics: CompactNic[];
}

export interface CompactFleet {
  readonly compact: true;
  readonly hosts: CompactHost[];
  readonly networks: FleetNetwork[];
  readonly allocations: FleetAllocation[];
  /** Affinity groups a request may name (unset = none), as in FleetSnapshot. */
  readonly groups?: FleetSnapshot['groups'];
}

export const NO_OWNER = -1;
const ROLE_BITS = 8;
export const VF_FREE = VF_STATES.indexOf('FREE');
export const VF_ALLOCATED = VF_STATES.indexOf('ALLOCATED');

export function roleIndex(role: CpuOwnerRole): number {
  return CPU_OWNER_ROLES.indexOf(role);
}

/** The owner encoded in a cpuOwner cell. */
export function ownerOf(host: CompactHost, cell: number): FleetCpuOwner | null {
  if (cell < 0) return null;
  return { vmId: host.vms[Math.floor(cell / ROLE_BITS)] as string, role: CPU_OWNER_ROLES[cell % ROLE_BITS] };
}

export function ownerCell(slot: number, role: CpuOwnerRole): number {
  return slot * ROLE_BITS + roleIndex(role);
}

export function slotOfCell(cell: number): number {
  return cell < 0 ? -1 : Math.floor(cell / ROLE_BITS);
}

/** The host's slot for a VM id, taking a free one (or a new one) when it has none yet. */
export function vmSlot(host: CompactHost, vmId: string): number {
  const at = host.vms.indexOf(vmId);
  if (at >= 0) return at;
  const free = host.vms.indexOf(null);
  if (free >= 0) {
    host.vms[free] = vmId;
    return free;
  }
  host.vms.push(vmId);
  return host.vms.length - 1;
}

/** Free a slot nothing refers to any more (after a release). */
export function dropSlotIfUnused(host: CompactHost, slot: number): void {
  if (slot < 0 || slot >= host.vms.length) return;
  for (const cell of host.cpuOwner) if (slotOfCell(cell) === slot) return;
  for (const nic of host.nics) for (const o of nic.vfs.owner) if (o === slot) return;
  host.vms[slot] = null;
}

/** Position of a CPU id (-1 when the host has none): ids are ascending, usually 0..n-1. */
export function cpuPos(cols: CpuColumns, cpuId: number): number {
  const ids = cols.id;
  if (cpuId < ids.length && ids[cpuId] === cpuId) return cpuId;
  return binarySearch(ids, cpuId);
}

/** Position of a VF index in a NIC's columns (-1 when absent). */
export function vfPos(vfs: VfColumns, index: number): number {
  const first = vfs.index.length > 0 ? vfs.index[0] : 0;
  const k = index - first;
  if (k >= 0 && k < vfs.index.length && vfs.index[k] === index) return k;
  return binarySearch(vfs.index, index);
}

function binarySearch(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] === x) return mid;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** PCI address of the VF at position k. */
export function vfPciAt(vfs: VfColumns, k: number): string {
  const p = vfs.pci;
  if (isPciList(p)) return p[k] ?? '';
  return formatRid(p.prefix, p.first + (vfs.index[k] - vfs.index[0]) * p.stride);
}

function isPciList(p: VfPci): p is readonly string[] {
  return Array.isArray(p);
}

const PCI_TAIL = /^(.*)([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;

function parseRid(addr: string): { prefix: string; rid: number } | null {
  const m = PCI_TAIL.exec(addr);
  if (!m) return null;
  return { prefix: m[1], rid: (parseInt(m[2], 16) << 8) | (parseInt(m[3], 16) << 3) | parseInt(m[4], 16) };
}

export function formatRid(prefix: string, rid: number): string {
  const bus = (rid >> 8) & 0xff;
  const dev = (rid >> 3) & 0x1f;
  return `${prefix}${bus < 16 ? '0' : ''}${bus.toString(16)}:${dev < 16 ? '0' : ''}${dev.toString(16)}.${rid & 7}`;
}

/**
 * VF addresses as a rule when they follow one (SR-IOV gives VF n the routing id first VF
 * offset + n × stride past the PF's, so they almost always do), else as they are.
 * The rule is kept only when it reproduces every address exactly.
 */
export function vfPciRule(index: ArrayLike<number>, addrs: readonly string[]): VfPci {
  if (addrs.length === 0) return [];
  const a = parseRid(addrs[0]);
  const b = addrs.length > 1 ? parseRid(addrs[1]) : null;
  if (!a || (addrs.length > 1 && (!b || b.prefix !== a.prefix || index[1] === index[0]))) return [...addrs];
  const stride = b ? (b.rid - a.rid) / (index[1] - index[0]) : 1;
  if (!Number.isInteger(stride)) return [...addrs];
  const rule = { prefix: a.prefix, first: a.rid, stride };
  for (let k = 0; k < addrs.length; k++) {
    const rid = rule.first + (index[k] - index[0]) * stride;
    if (rid < 0 || rid > 0xffff || formatRid(rule.prefix, rid) !== addrs[k]) return [...addrs];
  }
  return rule;
}

/** Elements per slab chunk: a host's small columns are views into chunks this big. */
const SLAB_CHUNK = 1 << 16;

/**
 * What a fleet's hosts have alike, kept once: CPU layouts (one per server model), VF index
 * columns and queue-IRQ lists. It also hands out the hosts' small mutable columns (CPU
 * owners, VF states and owners) as views into shared chunks: a typed array with a buffer
 * of its own costs ~200 bytes of heap and a malloc'd backing store besides its data, more
 * than the data of most of these columns.
 */
export class CpuLayouts {
  private readonly seen = new Map<number, CpuColumns[]>();
  private readonly vfIndices = new Map<string, Int32Array>();
  private readonly irqLists = new Map<string, FleetNic['queueIrqs']>();
  private readonly int32 = new Slab((n) => new Int32Array(n), SLAB_CHUNK);
  private readonly uint8 = new Slab((n) => new Uint8Array(n), SLAB_CHUNK);

  /** The stored layout equal to `c`, else `c` itself (a copy of it with `copy`, for scratch columns) from now on. */
  intern(c: CpuColumns, copy = false): CpuColumns {
    const h = hashColumns(c);
    const list = this.seen.get(h) ?? [];
    const hit = list.find((x) => COLUMNS.every((k) => sameInts(x[k], c[k])));
    if (hit) return hit;
    const kept = copy ? copyColumns(c) : c;
    list.push(kept);
    this.seen.set(h, list);
    return kept;
  }

  /** A VF index column equal to `index` (never changed: NICs alike share it). */
  vfIndex(index: Int32Array): Int32Array {
    const key = index.join(',');
    const hit = this.vfIndices.get(key);
    if (hit) return hit;
    this.vfIndices.set(key, index);
    return index;
  }

  /** A frozen queue-IRQ list equal to `list` (NICs alike share it). */
  irqs(list: FleetNic['queueIrqs']): FleetNic['queueIrqs'] {
    const key = list.map((q) => `${q.irq}:${q.queue}`).join(',');
    let hit = this.irqLists.get(key);
    if (!hit) {
      hit = Object.freeze(list.map((q) => Object.freeze({ irq: q.irq, queue: q.queue }))) as FleetNic['queueIrqs'];
      this.irqLists.set(key, hit);
    }
    return hit;
  }

  /** n int32 cells (filled with `fill`), a view into a shared chunk. */
  ints(n: number, fill = 0): Int32Array {
    return this.int32.take(n, fill);
  }

  /** n byte cells (filled with `fill`), a view into a shared chunk. */
  bytes(n: number, fill = 0): Uint8Array {
    return this.uint8.take(n, fill);
  }
}

const COLUMNS = ['id', 'socket', 'core', 'node', 'sibStart', 'sibling', 'reserved'] as const;

function hashColumns(c: CpuColumns): number {
  let h = 0x811c9dc5;
  for (const k of COLUMNS) {
    const a = c[k];
    h = Math.imul(h ^ a.length, 16777619);
    for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a[i], 16777619);
  }
  return h >>> 0;
}

function sameInts(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function copyColumns(c: CpuColumns): CpuColumns {
  return {
    id: c.id.slice(),
    socket: c.socket.slice(),
    core: c.core.slice(),
    node: c.node.slice(),
    sibStart: c.sibStart.slice(),
    sibling: c.sibling.slice(),
    reserved: c.reserved.slice(),
  };
}

/** A FleetHost's CPUs as columns (ascending id). */
export function cpuColumns(cpus: readonly FleetCpu[]): CpuColumns {
  const sorted = [...cpus].sort((a, b) => a.id - b.id);
  const n = sorted.length;
  const sibStart = new Int32Array(n + 1);
  sorted.forEach((c, i) => (sibStart[i + 1] = sibStart[i] + c.siblings.length));
  return {
    id: Int32Array.from(sorted, (c) => c.id),
    socket: Int32Array.from(sorted, (c) => c.socket),
    core: Int32Array.from(sorted, (c) => c.core),
    node: Int32Array.from(sorted, (c) => c.numaNode),
    sibStart,
    sibling: Int32Array.from(sorted.flatMap((c) => c.siblings)),
    reserved: Uint8Array.from(sorted, (c) => (c.reservedForHost ? 1 : 0)),
  };
}

/** A FleetHost in columns; the result shares nothing mutable with the input. */
export function compactHost(host: FleetHost, layouts: CpuLayouts = new CpuLayouts()): CompactHost {
  const { cpus, nics, ...rest } = host;
  const byId = [...cpus].sort((a, b) => a.id - b.id);
  const out: CompactHost = {
    ...rest,
    cpus: layouts.intern(cpuColumns(cpus)),
    cpuOwner: layouts.ints(byId.length, NO_OWNER),
    vms: [],
    nics: [],
  };
  byId.forEach((c, i) => {
    if (c.owner) out.cpuOwner[i] = ownerCell(vmSlot(out, c.owner.vmId), c.owner.role);
  });
  for (const nic of nics) out.nics.push(compactNic(out, nic, layouts));
  return out;
}

/**
 * Field by field: a spread (`{ ...nic, vfs }`) gave every NIC a hidden class of its own
 * (~1.6 KB of maps and descriptors each); the type makes a field FleetNic gains show up here.
 */
function compactNic(host: CompactHost, nic: FleetNic, layouts: CpuLayouts): CompactNic {
  const sorted = [...nic.vfs].sort((a, b) => a.index - b.index);
  const index = layouts.vfIndex(Int32Array.from(sorted, (v) => v.index));
  const state = layouts.bytes(sorted.length);
  const owner = layouts.ints(sorted.length, NO_OWNER);
  sorted.forEach((v, k) => {
    state[k] = VF_STATES.indexOf(v.state);
    if (v.ownerVmId !== null) owner[k] = vmSlot(host, v.ownerVmId);
  });
  const pci = vfPciRule(
    index,
    sorted.map((v) => v.pciAddress),
  );
  return {
    id: nic.id,
    name: nic.name,
    pciAddress: nic.pciAddress,
    driver: nic.driver,
    numaNode: nic.numaNode,
    speedMbps: nic.speedMbps,
    mtu: nic.mtu,
    maxMtu: nic.maxMtu,
    combinedQueues: nic.combinedQueues,
    queueIrqs: layouts.irqs(nic.queueIrqs),
    sriovTotalVfs: nic.sriovTotalVfs,
    sriovNumVfs: nic.sriovNumVfs,
    vdpaVfs: nic.vdpaVfs,
    vfs: { index, state, owner, pci },
  } satisfies Record<keyof FleetNic, unknown>;
}

/** The FleetHost a CompactHost describes (new objects). */
export function expandHost(host: CompactHost): FleetHost {
  const { cpus: c, cpuOwner, vms, nics, ...rest } = host;
  void vms;
  const cpus: FleetCpu[] = [];
  for (let p = 0; p < c.id.length; p++) {
    cpus.push({
      id: c.id[p],
      socket: c.socket[p],
      core: c.core[p],
      numaNode: c.node[p],
      siblings: Array.from(c.sibling.subarray(c.sibStart[p], c.sibStart[p + 1])),
      reservedForHost: c.reserved[p] === 1,
      owner: ownerOf(host, cpuOwner[p]),
    });
  }
  return { ...rest, cpus, nics: nics.map((nic) => expandNic(host, nic)) };
}

function expandNic(host: CompactHost, nic: CompactNic): FleetNic {
  const { vfs, ...rest } = nic;
  const out: FleetVf[] = [];
  for (let k = 0; k < vfs.index.length; k++) {
    const o = vfs.owner[k];
    out.push({
      index: vfs.index[k],
      pciAddress: vfPciAt(vfs, k),
      state: VF_STATES[vfs.state[k]],
      ownerVmId: o < 0 ? null : (host.vms[o] as string),
    });
  }
  return { ...rest, vfs: out };
}

/** A private copy: the mutable columns (owners, VF states) copied, the layout shared. */
export function cloneHost(host: CompactHost): CompactHost {
  return {
    ...host,
    cpuOwner: host.cpuOwner.slice(),
    vms: [...host.vms],
    nics: host.nics.map((n) => ({ ...n, vfs: { ...n.vfs, state: n.vfs.state.slice(), owner: n.vfs.owner.slice() } })),
  };
}

export function compactFleet(snapshot: FleetSnapshot): CompactFleet {
  const layouts = new CpuLayouts();
  return {
    compact: true,
    hosts: snapshot.hosts.map((h) => compactHost(h, layouts)),
    networks: snapshot.networks,
    allocations: snapshot.allocations,
    ...(snapshot.groups ? { groups: snapshot.groups } : {}),
  };
}

export function isCompact(f: FleetSnapshot | CompactFleet): f is CompactFleet {
  return 'compact' in f && f.compact === true;
}

export function expandFleet(f: CompactFleet): FleetSnapshot {
  return { hosts: f.hosts.map(expandHost), networks: f.networks, allocations: f.allocations, ...(f.groups ? { groups: f.groups } : {}) };
}
