import type { HostReason } from '@netpin/contracts';
import type { Choice, EvalContext } from './context';
import type { HostRt, NodeRt } from './host-state';
import { assign, type Assignment, type IfaceOption } from './interfaces';
import { fillMemory, ioNeeds, ioNodesOf, reserveIoCpus, sharedRoom, takeEmulator, takenOn, takeVcpus } from './node-fit';
import type { PreparedRequest } from './request';
import { withScore } from './weighers';

/**
 * numaPolicy NONE when no single node fits: vCPUs and memory spread over nodes, the
 * emptiest first. Thread policies still hold within each node. The interfaces are chosen
 * for the node that ends up holding most of the vCPUs (so a VF comes from a PF there when
 * one is free): each node is tried as that node, emptiest first, until the vCPUs agree.
 * When none agrees (the NIC's I/O set costs its node the majority), the emptiest-first
 * attempt is kept; its interfaces are then reported remote.
 */
export function spanNodes(ctx: EvalContext, h: HostRt, prep: PreparedRequest, opts: IfaceOption[][], out: HostReason[]): Choice | null {
  const ratio = ctx.opts.sharedCpuRatio;
  const order = [...h.nodes].sort((x, y) => h.effFree(y, ratio) - h.effFree(x, ratio) || x.index - y.index);
  let fallback: Choice | null = null;
  for (const [k, home] of order.entries()) {
    // Reasons of the natural attempt (emptiest node first) are the ones explain() reports.
    const reasons: HostReason[] = k === 0 ? out : [];
    const a = assign(ctx, h, opts, home.index, false, prep, reasons);
    if (!a) continue;
    const c = spanFrom(ctx, h, prep, [home, ...order.filter((n) => n !== home)], a, reasons);
    if (c && c.home === home.index) return c;
    fallback ??= c;
  }
  return fallback;
}

/** The VM over `order` (the intended vCPU home first): I/O sets, vCPUs, emulator thread, memory. */
function spanFrom(ctx: EvalContext, h: HostRt, prep: PreparedRequest, order: NodeRt[], a: Assignment, out: HostReason[]): Choice | null {
  const req = prep.req;
  const ratio = ctx.opts.sharedCpuRatio;
  const taken = new Set<number>();
  const ioNodes = ioNodesOf(a.chosen, order[0].index);
  // spanning places vCPUs on every node afterwards: a node must also keep its effective free CPUs
  const io = reserveIoCpus(h, ioNodes, ioNeeds(ctx, h, ioNodes), taken, out, ratio);
  if (!io) return null;
  const cpus = spreadVcpus(h, prep, order, taken, ratio);
  if (cpus.left > 0) {
    out.push({
      code: req.cpuPolicy === 'SHARED' ? 'INSUFFICIENT_SHARED_CPU_CAPACITY' : 'INSUFFICIENT_DEDICATED_CPUS',
      detail: `${cpus.left} vCPUs do not fit even across nodes`,
    });
    return null;
  }
  let emulator: number | null = null;
  if (req.cpuPolicy === 'DEDICATED' && req.emulatorThreads === 'ISOLATE') {
    emulator = takeEmulator(h, order, taken, ratio);
    if (emulator === null) {
      out.push({ code: 'INSUFFICIENT_DEDICATED_CPUS', detail: 'no CPU left for the isolated emulator thread' });
      return null;
    }
  }
  const mem = fillMemory(prep, order);
  if (mem.left > 0) {
    out.push({
      code: req.hugepages === 'NONE' ? 'INSUFFICIENT_MEMORY' : 'HUGEPAGES_ON_NODE',
      detail: 'memory does not fit even across nodes',
    });
    return null;
  }
  const home = mostVcpus(cpus.perNode, order);
  const used = new Set([...cpus.perNode.keys(), ...mem.memory.map((m) => m.node), ...mem.hugepages.map((m) => m.node)]);
  return withScore(ctx, prep, {
    host: h,
    home,
    nodes: [home, ...order.map((n) => n.index).filter((i) => i !== home && used.has(i))],
    assignment: a,
    vcpus: cpus.vcpus,
    isolation: cpus.isolation,
    emulator,
    io,
    shared: cpus.shared,
    memory: mem.memory,
    hugepages: mem.hugepages,
    spanned: true,
    score: { datapath: 0, numa: 0, group: 0, packing: 0, total: 0 },
    homeEff: 0,
  });
}

/** The node holding most vCPUs; ties go to the earlier node of `order`. */
function mostVcpus(perNode: Map<number, number>, order: readonly NodeRt[]): number {
  let best = order[0].index;
  for (const n of order) if ((perNode.get(n.index) ?? 0) > (perNode.get(best) ?? 0)) best = n.index;
  return best;
}

interface SpreadVcpus {
  vcpus: number[];
  isolation: number[];
  shared: Choice['shared'];
  /** vCPUs per node. */
  perNode: Map<number, number>;
  /** vCPUs that did not fit. */
  left: number;
}

/** vCPUs over `order`, each node taking as many as it can: shared-pool slots, or dedicated threads. */
function spreadVcpus(h: HostRt, prep: PreparedRequest, order: readonly NodeRt[], taken: Set<number>, ratio: number): SpreadVcpus {
  const req = prep.req;
  const out: SpreadVcpus = { vcpus: [], isolation: [], shared: [], perNode: new Map(), left: req.vcpus };
  const per = req.threadPolicy === 'ISOLATE' ? h.threadsPerCore : 1;
  for (const n of order) {
    if (out.left === 0) break;
    const takenHere = takenOn(h, taken, n.index);
    if (req.cpuPolicy === 'SHARED') {
      const k = Math.min(out.left, Math.max(0, sharedRoom(n, takenHere, ratio)));
      if (k > 0) {
        out.shared.push({ node: n.index, vcpus: k });
        out.perNode.set(n.index, k);
        out.left -= k;
      }
      continue;
    }
    for (let k = Math.min(out.left, Math.floor((h.effFree(n, ratio) - takenHere) / per)); k > 0; k--) {
      const sel = takeVcpus(h, n, k, req.threadPolicy, taken);
      if (typeof sel === 'string') continue;
      out.vcpus.push(...sel.vcpus);
      out.isolation.push(...sel.isolation);
      out.perNode.set(n.index, k);
      out.left -= k;
      break;
    }
  }
  return out;
}
