import type { HostReason, ReasonCode, ThreadPolicy } from '@netpin/contracts';
import type { EvalContext, IoSet } from './context';
import { ioSetSize, pickSingle, selectIo, selectVcpus, type VcpuChoice } from './cpu-select';
import type { HostRt, NodeRt } from './host-state';
import type { IfaceOption } from './interfaces';
import type { PreparedRequest } from './request';

/**
 * CPU, I/O-set and memory steps on NUMA nodes, shared by single-node placement
 * (single-node.ts) and numaPolicy NONE spanning (span.ts). Positions index HostRt arrays;
 * `taken` holds the positions this evaluation has already used.
 */
type Taken = Set<number>;

/** Nodes whose I/O set the VM relies on: those of its chosen NICs (a NIC without NUMA affinity counts as home). */
export function ioNodesOf(chosen: IfaceOption[], home: number): number[] {
  return [...new Set(chosen.filter((o) => o.nic !== null).map((o) => o.node ?? home))].sort((x, y) => x - y);
}

/** I/O sets still to claim: node -> size. */
export function ioNeeds(ctx: EvalContext, h: HostRt, ioNodes: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of ioNodes) {
    const node = h.node(m);
    if (node.ioCpus.length === 0) out.set(m, ioSetSize(node, ctx.opts.ioCpusPerNode, ctx.opts.maxIoCpuShare));
  }
  return out;
}

/**
 * Reserve CPUs for NIC IRQ/RPS work on every NUMA node that carries a chosen NIC: nodes
 * that already have I/O CPUs reuse them, the others get `needs` fresh ones (added to
 * `taken`). With `effRatio` set, a node must also have that many effective free CPUs.
 */
export function reserveIoCpus(
  h: HostRt,
  ioNodes: Iterable<number>,
  needs: Map<number, number>,
  taken: Taken,
  out: HostReason[],
  effRatio: number | null,
): IoSet[] | null {
  const io: IoSet[] = [];
  for (const m of ioNodes) {
    const n = h.node(m);
    const size = needs.get(m);
    if (size === undefined) {
      io.push({ node: m, cpus: n.ioCpus.map((c) => h.posOf(c) ?? -1), fresh: false });
      continue;
    }
    const cpus = selectIo(h, n, size, taken);
    if (!cpus || (effRatio !== null && h.effFree(n, effRatio) < size)) {
      out.push({ code: 'NO_CPU_FOR_NIC_IRQS', detail: `node ${m}: no ${size} free CPUs for NIC IRQs` });
      return null;
    }
    cpus.forEach((p) => taken.add(p));
    io.push({ node: m, cpus, fresh: true });
  }
  return io;
}

/** How many positions of `taken` sit on node `index`. */
export function takenOn(h: HostRt, taken: Taken, index: number): number {
  let k = 0;
  for (const p of taken) if (h.cpuNode[p] === index) k++;
  return k;
}

/** Shared vCPUs the node's pool can still take when `reserved` more of its CPUs become owned. */
export function sharedRoom(node: NodeRt, reserved: number, ratio: number): number {
  return Math.floor((node.unowned - reserved) * ratio - node.sharedUsed);
}

/** Dedicated vCPU threads on one node under a thread policy; on success they join `taken`. */
export function takeVcpus(h: HostRt, node: NodeRt, k: number, policy: ThreadPolicy, taken: Taken): VcpuChoice | ReasonCode {
  const sel = selectVcpus(h, node, k, policy, taken);
  if (typeof sel !== 'string') [...sel.vcpus, ...sel.isolation].forEach((p) => taken.add(p));
  return sel;
}

/**
 * The isolated emulator thread: the first of `nodes` with a CPU left. With `effRatio` set a
 * node must also keep one effective free CPU after what this evaluation took there.
 */
export function takeEmulator(h: HostRt, nodes: readonly NodeRt[], taken: Taken, effRatio: number | null): number | null {
  for (const n of nodes) {
    if (effRatio !== null && h.effFree(n, effRatio) - takenOn(h, taken, n.index) < 1) continue;
    const p = pickSingle(h, n, taken);
    if (p !== null) {
      taken.add(p);
      return p;
    }
  }
  return null;
}

export function pagesFor(prep: PreparedRequest): number {
  return prep.req.hugepages === 'SIZE_1G' ? prep.req.memoryMiB / 1024 : prep.req.hugepages === 'SIZE_2M' ? prep.req.memoryMiB / 2 : 0;
}

/** Whether the whole VM's memory (or huge pages) fits on one node. */
export function memoryOn(node: NodeRt, prep: PreparedRequest): HostReason | null {
  const req = prep.req;
  if (req.hugepages === 'NONE') {
    return node.memFree >= req.memoryMiB
      ? null
      : { code: 'MEMORY_ON_NODE', detail: `node ${node.index}: ${node.memFree} MiB free, ${req.memoryMiB} asked` };
  }
  const pages = pagesFor(prep);
  return node.huge[req.hugepages] >= pages
    ? null
    : { code: 'HUGEPAGES_ON_NODE', detail: `node ${node.index}: ${node.huge[req.hugepages]} free ${req.hugepages} pages, ${pages} needed` };
}

export interface MemoryShares {
  memory: { node: number; mib: number }[];
  hugepages: { node: number; pages: number }[];
  /** MiB (or pages) that did not fit. */
  left: number;
}

/** The VM's memory (or huge pages) taken from `nodes` in order, each as far as it has room. */
export function fillMemory(prep: PreparedRequest, nodes: readonly NodeRt[]): MemoryShares {
  const req = prep.req;
  const out: MemoryShares = { memory: [], hugepages: [], left: req.hugepages === 'NONE' ? req.memoryMiB : pagesFor(prep) };
  for (const n of nodes) {
    if (out.left === 0) break;
    const avail = req.hugepages === 'NONE' ? n.memFree : n.huge[req.hugepages];
    const k = Math.min(out.left, Math.max(0, avail));
    if (k === 0) continue;
    if (req.hugepages === 'NONE') out.memory.push({ node: n.index, mib: k });
    else out.hugepages.push({ node: n.index, pages: k });
    out.left -= k;
  }
  return out;
}
