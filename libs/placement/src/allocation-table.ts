import { CPU_OWNER_ROLES, PAGED_HUGEPAGE_SIZES, type FleetAllocation } from '@netpin/contracts';

/**
 * The allocations of the VMs placed on one host, kept for `release` and `toSnapshot`.
 * A full fleet holds hundreds of thousands of them, and as objects (a dozen arrays and a
 * small object per CPU, VF, node share) they were most of an index's heap, so each is
 * stored as one row of integers in the host's Int32Array: counts and numbers as they are,
 * a CPU as id × 8 + role, strings (NIC and group ids) as indices into the host's own short
 * string list. `get`, `values` and `delete` decode a row into a new FleetAllocation equal to
 * the one stored (same fields, same order in every array). An allocation that does not fit
 * that form (another host's id, a number past 32 bits) is kept as it was given.
 * Rows keep insertion order, as a Map would.
 */
export class AllocationTable {
  private readonly ids: string[] = [];
  private readonly names: string[] = [];
  /** Row r is data[start[r] .. start[r + 1]); start has ids.length + 1 entries in use. */
  private start: Int32Array<ArrayBuffer> = new Int32Array(4);
  private data: Int32Array<ArrayBuffer> = new Int32Array(0);
  /** NIC and group ids the rows name by index. */
  private readonly strs: string[] = [];
  /** Allocations kept as given (rare): their rows are empty. */
  private odd: Map<string, FleetAllocation> | null = null;

  constructor(private readonly hostId: string) {}

  get size(): number {
    return this.ids.length;
  }

  has(vmId: string): boolean {
    return this.ids.indexOf(vmId) >= 0;
  }

  get(vmId: string): FleetAllocation | undefined {
    const r = this.ids.indexOf(vmId);
    return r < 0 ? undefined : this.decode(r);
  }

  /** Record (or replace, in place) the VM's allocation. */
  set(a: FleetAllocation): void {
    const len = this.encode(a);
    const r = this.ids.indexOf(a.vmId);
    if (r >= 0) this.removeRow(r);
    const at = r >= 0 ? r : this.ids.length;
    this.insertRow(at, a, len);
  }

  delete(vmId: string): boolean {
    const r = this.ids.indexOf(vmId);
    if (r < 0) return false;
    this.removeRow(r);
    return true;
  }

  keys(): readonly string[] {
    return this.ids;
  }

  values(): FleetAllocation[] {
    return this.ids.map((_, r) => this.decode(r));
  }

  /** Whether `a` is what the table holds for a.vmId (equal fields, key order aside). */
  holds(a: FleetAllocation): boolean {
    const r = this.ids.indexOf(a.vmId);
    if (r < 0) return false;
    const odd = this.odd?.get(a.vmId);
    if (odd) return sameJson(odd, a);
    const len = this.encode(a);
    if (len < 0 || a.vmName !== this.names[r] || len !== this.start[r + 1] - this.start[r]) return false;
    for (let i = 0; i < len; i++) if (scratch[i] !== this.data[this.start[r] + i]) return false;
    return true;
  }

  private insertRow(at: number, a: FleetAllocation, len: number): void {
    const n = this.ids.length;
    const size = Math.max(0, len);
    if (len < 0) (this.odd ??= new Map()).set(a.vmId, a);
    if (this.start.length < n + 2) this.start = grow(this.start, n + 2);
    const from = this.start[at];
    const end = this.start[n];
    if (this.data.length < end + size) this.data = grow(this.data, end + size);
    this.data.copyWithin(from + size, from, end);
    this.data.set(scratch.subarray(0, size), from);
    for (let r = n + 1; r > at; r--) this.start[r] = this.start[r - 1] + size;
    this.ids.splice(at, 0, a.vmId);
    this.names.splice(at, 0, a.vmName);
  }

  private removeRow(r: number): void {
    const n = this.ids.length;
    const from = this.start[r];
    const size = this.start[r + 1] - from;
    this.data.copyWithin(from, from + size, this.start[n]);
    for (let k = r; k < n; k++) this.start[k] = this.start[k + 1] - size;
    this.odd?.delete(this.ids[r]);
    this.ids.splice(r, 1);
    this.names.splice(r, 1);
  }

  private str(s: string): number {
    const i = this.strs.indexOf(s);
    if (i >= 0) return i;
    this.strs.push(s);
    return this.strs.length - 1;
  }

  /** The allocation's row into `scratch`; its length, or -1 when it is kept as given. */
  private encode(a: FleetAllocation): number {
    if (a.hostId !== this.hostId || typeof a.vmName !== 'string' || !Array.isArray(a.pmdQueues) || a.group === undefined) return -1;
    const w = new RowWriter();
    w.list(a.cpus, (c) => {
      const role = CPU_OWNER_ROLES.indexOf(c.role);
      return role >= 0 && Number.isInteger(c.cpu) && Math.abs(c.cpu) < 1 << 27 && w.int(c.cpu * 8 + role);
    });
    w.list(a.sharedVcpus, (s) => w.int(s.node) && w.int(s.vcpus));
    w.list(a.memory, (m) => w.int(m.node) && w.int(m.mib));
    w.list(
      a.hugepages,
      (h) => w.int(h.node) && PAGED_HUGEPAGE_SIZES.includes(h.size) && w.int(PAGED_HUGEPAGE_SIZES.indexOf(h.size)) && w.int(h.pages),
    );
    w.list(a.vfs, (v) => w.int(this.str(v.nicId)) && w.int(v.vfIndex));
    w.list(a.bandwidth, (b) => w.int(this.str(b.nicId)) && w.int(b.mbps));
    w.list(a.ioNodes, (n) => w.int(n));
    w.int(a.group === null ? -1 : this.str(a.group));
    w.list(a.pmdQueues, (p) => w.int(p.node) && w.int(p.queues));
    return w.ok ? w.at : -1;
  }

  private decode(r: number): FleetAllocation {
    const odd = this.odd?.get(this.ids[r]);
    if (odd) return odd;
    const d = this.data;
    let i = this.start[r];
    const list = <T>(item: () => T): T[] => {
      const out: T[] = [];
      for (let n = d[i++]; n > 0; n--) out.push(item());
      return out;
    };
    const cpus = list(() => {
      const x = d[i++];
      return { cpu: x >> 3, role: CPU_OWNER_ROLES[x & 7] };
    });
    const sharedVcpus = list(() => ({ node: d[i++], vcpus: d[i++] }));
    const memory = list(() => ({ node: d[i++], mib: d[i++] }));
    const hugepages = list(() => ({ node: d[i++], size: PAGED_HUGEPAGE_SIZES[d[i++]], pages: d[i++] }));
    const vfs = list(() => ({ nicId: this.strs[d[i++]], vfIndex: d[i++] }));
    const bandwidth = list(() => ({ nicId: this.strs[d[i++]], mbps: d[i++] }));
    const ioNodes = list(() => d[i++]);
    const g = d[i++];
    const pmdQueues = list(() => ({ node: d[i++], queues: d[i++] }));
    return {
      vmId: this.ids[r],
      vmName: this.names[r],
      hostId: this.hostId,
      cpus,
      sharedVcpus,
      memory,
      hugepages,
      vfs,
      bandwidth,
      ioNodes,
      group: g < 0 ? null : this.strs[g],
      pmdQueues,
    };
  }
}

/** Rows are written here first (one allocation at a time, never re-entered). */
let scratch: Int32Array<ArrayBuffer> = new Int32Array(256);

/** Appends int32 values to `scratch`; `ok` turns false on anything else (the row is then not used). */
class RowWriter {
  at = 0;
  ok = true;

  int(v: number): boolean {
    if ((v | 0) !== v || Object.is(v, -0)) return (this.ok = false);
    if (this.at >= scratch.length) scratch = grow(scratch, this.at + 1);
    scratch[this.at++] = v;
    return true;
  }

  /** The length, then each item (`put` writes it and answers whether it could). */
  list<T>(items: readonly T[], put: (x: T) => boolean): void {
    if (!Array.isArray(items)) {
      this.ok = false;
      return;
    }
    this.int(items.length);
    for (const x of items) if (!put(x)) this.ok = false;
  }
}

function grow(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(need, Math.ceil(a.length * 1.5) + 4));
  b.set(a);
  return b;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
