import type { HostReason } from '@netpin/contracts';
import type { Choice, EvalContext } from './context';
import type { HostRt, NodeRt } from './host-state';
import type { Assignment } from './interfaces';
import { fillMemory, ioNeeds, ioNodesOf, reserveIoCpus, sharedRoom, takeEmulator, takenOn, takeVcpus } from './node-fit';
import type { PreparedRequest } from './request';
import { withScore } from './weighers';

/**
 * numaPolicy NONE when no single node fits: vCPUs and memory spread over nodes, the
 * emptiest first. Thread policies still hold within each node.
 */
export function spanNodes(ctx: EvalContext, h: HostRt, prep: PreparedRequest, a: Assignment, out: HostReason[]): Choice | null {
  const req = prep.req;
  const ratio = ctx.opts.sharedCpuRatio;
  const order = [...h.nodes].sort((x, y) => h.effFree(y, ratio) - h.effFree(x, ratio) || x.index - y.index);
  const home = order[0].index;
  const taken = new Set<number>();
  const ioNodes = ioNodesOf(a.chosen, home);
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
  for (const m of [...mem.memory, ...mem.hugepages]) cpus.used.add(m.node);
  const nodes = order.map((n) => n.index).filter((i) => cpus.used.has(i));
  return withScore(ctx, prep, {
    host: h,
    home: nodes[0] ?? home,
    nodes: nodes.length ? nodes : [home],
    assignment: a,
    vcpus: cpus.vcpus,
    isolation: cpus.isolation,
    emulator,
    io,
    shared: cpus.shared,
    memory: mem.memory,
    hugepages: mem.hugepages,
    spanned: true,
    score: { datapath: 0, numa: 0, packing: 0, total: 0 },
    homeEff: 0,
  });
}

interface SpreadVcpus {
  vcpus: number[];
  isolation: number[];
  shared: Choice['shared'];
  /** Nodes that got vCPUs. */
  used: Set<number>;
  /** vCPUs that did not fit. */
  left: number;
}

/** vCPUs over `order`, each node taking as many as it can: shared-pool slots, or dedicated threads. */
function spreadVcpus(h: HostRt, prep: PreparedRequest, order: readonly NodeRt[], taken: Set<number>, ratio: number): SpreadVcpus {
  const req = prep.req;
  const out: SpreadVcpus = { vcpus: [], isolation: [], shared: [], used: new Set(), left: req.vcpus };
  const per = req.threadPolicy === 'ISOLATE' ? h.threadsPerCore : 1;
  for (const n of order) {
    if (out.left === 0) break;
    const takenHere = takenOn(h, taken, n.index);
    if (req.cpuPolicy === 'SHARED') {
      const k = Math.min(out.left, Math.max(0, sharedRoom(n, takenHere, ratio)));
      if (k > 0) {
        out.shared.push({ node: n.index, vcpus: k });
        out.used.add(n.index);
        out.left -= k;
      }
      continue;
    }
    for (let k = Math.min(out.left, Math.floor((h.effFree(n, ratio) - takenHere) / per)); k > 0; k--) {
      const sel = takeVcpus(h, n, k, req.threadPolicy, taken);
      if (typeof sel === 'string') continue;
      out.vcpus.push(...sel.vcpus);
      out.isolation.push(...sel.isolation);
      out.used.add(n.index);
      out.left -= k;
      break;
    }
  }
  return out;
}
