import type { HostReason, ReasonCode } from '@netpin/contracts';
import type { Choice, EvalContext } from './context';
import type { HostRt, NodeRt } from './host-state';
import type { Assignment } from './interfaces';
import { fillMemory, ioNeeds, ioNodesOf, memoryOn, reserveIoCpus, takeEmulator, takeVcpus } from './node-fit';
import type { PreparedRequest } from './request';
import { withScore } from './weighers';

/**
 * The VM on one NUMA node `home`: every check first (so explain() lists them all), then the
 * I/O set, the vCPUs, the emulator thread and the memory, in that order.
 */
export function onNode(
  ctx: EvalContext,
  h: HostRt,
  prep: PreparedRequest,
  home: number,
  a: Assignment,
  nicHome: boolean,
  out: HostReason[],
): Choice | null {
  const node = h.node(home);
  const cpuReason: ReasonCode = nicHome ? 'INSUFFICIENT_DEDICATED_CPUS_ON_NIC_NODE' : 'INSUFFICIENT_DEDICATED_CPUS';
  const ioNodes = ioNodesOf(a.chosen, home);
  const needs = ioNeeds(ctx, h, ioNodes);
  const reasons = nodeShortfalls(ctx, h, prep, node, needs, cpuReason);
  if (reasons.length > 0) {
    out.push(...reasons);
    return null;
  }
  const taken = new Set<number>();
  const io = reserveIoCpus(h, ioNodes, needs, taken, out, null);
  if (!io) return null;
  const cpus = prep.req.cpuPolicy === 'DEDICATED' ? dedicatedCpus(h, prep, node, taken, cpuReason, out) : noCpus;
  if (!cpus) return null;
  const mem = fillMemory(prep, [node]);
  return withScore(ctx, prep, {
    host: h,
    home,
    nodes: [home],
    assignment: a,
    vcpus: cpus.vcpus,
    isolation: cpus.isolation,
    emulator: cpus.emulator,
    io,
    shared: prep.req.cpuPolicy === 'SHARED' ? [{ node: home, vcpus: prep.req.vcpus }] : [],
    memory: mem.memory,
    hugepages: mem.hugepages,
    spanned: false,
    score: { datapath: 0, numa: 0, group: 0, packing: 0, total: 0 },
    homeEff: h.effFree(node, ctx.opts.sharedCpuRatio),
  });
}

const noCpus = { vcpus: [], isolation: [], emulator: null };

/** Every reason the node cannot take the VM: I/O sets, CPUs (dedicated or shared pool), memory. */
function nodeShortfalls(
  ctx: EvalContext,
  h: HostRt,
  prep: PreparedRequest,
  node: NodeRt,
  needs: Map<number, number>,
  cpuReason: ReasonCode,
): HostReason[] {
  const req = prep.req;
  const ratio = ctx.opts.sharedCpuRatio;
  const reasons: HostReason[] = [];
  for (const [m, size] of needs) {
    const n = h.node(m);
    if (size === 0) reasons.push({ code: 'NO_CPU_FOR_NIC_IRQS', detail: `node ${m}: I/O CPU share is 0` });
    else if (m !== node.index && h.effFree(n, ratio) < size)
      reasons.push({ code: 'NO_CPU_FOR_NIC_IRQS', detail: `node ${m}: ${h.effFree(n, ratio)} free CPUs, ${size} needed for NIC IRQs` });
  }
  const homeIo = needs.get(node.index) ?? 0;
  if (req.cpuPolicy === 'DEDICATED') {
    const siblings = req.threadPolicy === 'ISOLATE' ? req.vcpus * (h.threadsPerCore - 1) : 0;
    const need = prep.minNodeCpus + siblings + homeIo;
    const have = h.effFree(node, ratio);
    if (have < need) reasons.push({ code: cpuReason, detail: `node ${node.index}: ${have} free CPUs, ${need} needed` });
  } else if (node.sharedUsed + req.vcpus > (node.unowned - homeIo) * ratio) {
    reasons.push({
      code: 'INSUFFICIENT_SHARED_CPU_CAPACITY',
      detail: `node ${node.index}: ${node.sharedUsed}/${(node.unowned - homeIo) * ratio} shared vCPUs used, ${req.vcpus} more asked`,
    });
  }
  const mem = memoryOn(node, prep);
  if (mem) reasons.push(mem);
  return reasons;
}

/** Dedicated vCPUs (and ISOLATE siblings) on the node, then the isolated emulator thread if asked for. */
function dedicatedCpus(
  h: HostRt,
  prep: PreparedRequest,
  node: NodeRt,
  taken: Set<number>,
  cpuReason: ReasonCode,
  out: HostReason[],
): Pick<Choice, 'vcpus' | 'isolation' | 'emulator'> | null {
  const req = prep.req;
  const sel = takeVcpus(h, node, req.vcpus, req.threadPolicy, taken);
  if (typeof sel === 'string') {
    out.push({
      code: sel === 'INSUFFICIENT_DEDICATED_CPUS' ? cpuReason : sel,
      detail: `node ${node.index}: ${req.vcpus} vCPUs with threadPolicy ${req.threadPolicy}`,
    });
    return null;
  }
  // field by field: a spread of `sel` made V8 allocate a new hidden class on most calls
  if (req.emulatorThreads !== 'ISOLATE') return { vcpus: sel.vcpus, isolation: sel.isolation, emulator: null };
  const emulator = takeEmulator(h, [node], taken, null);
  if (emulator === null) {
    out.push({ code: cpuReason, detail: `node ${node.index}: no CPU left for the isolated emulator thread` });
    return null;
  }
  return { vcpus: sel.vcpus, isolation: sel.isolation, emulator };
}
