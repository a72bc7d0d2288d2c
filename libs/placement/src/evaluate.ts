import type { HostReason, ReasonCode } from '@netpin/contracts';
import type { PlacementOptions } from './config';
import { ioSetSize, pickSingle, selectIo, selectVcpus } from './cpu-select';
import type { HostRt, NodeRt } from './host-state';
import { assign, dedupe, interfaceOptions, type Assignment, type IfaceOption } from './interfaces';
import type { PreparedRequest } from './request';
import { hostKey, scoreChoice, type ScoreParts } from './weighers';

export interface EvalContext {
  opts: PlacementOptions;
  /** Largest packing key in the fleet: packing scores are measured against it. */
  maxKey: number;
}

/** Everything a plan needs, in positions; turned into a PlacementPlan only for the winner. */
export interface Choice {
  host: HostRt;
  home: number;
  nodes: number[];
  assignment: Assignment;
  vcpus: number[];
  isolation: number[];
  emulator: number | null;
  io: { node: number; cpus: number[]; fresh: boolean }[];
  shared: { node: number; vcpus: number }[];
  memory: { node: number; mib: number }[];
  hugepages: { node: number; pages: number }[];
  spanned: boolean;
  score: ScoreParts;
  homeEff: number;
}

export type HostEval = { ok: true; choice: Choice } | { ok: false; reasons: HostReason[] };

// Host filters: pure, cheap, each names its reason (docs/placement.md, "Filters and weighers").
type HostFilter = (h: HostRt, prep: PreparedRequest) => HostReason | null;

const pinFilter: HostFilter = (h, p) =>
  p.req.pinHost !== undefined && p.req.pinHost !== h.host.id && p.req.pinHost !== h.host.name
    ? { code: 'HOST_NOT_REQUESTED', detail: `request pins ${p.req.pinHost}` }
    : null;
const avoidFilter: HostFilter = (h, p) =>
  p.avoid.has(h.host.id) || p.avoid.has(h.host.name) ? { code: 'HOST_AVOIDED', detail: `${h.host.name} is in avoidHosts` } : null;
const stateFilter: HostFilter = (h) => {
  switch (h.host.state) {
    case 'READY':
      return null;
    case 'MAINTENANCE':
      return { code: 'HOST_IN_MAINTENANCE', detail: `${h.host.name} is in maintenance` };
    case 'UNREACHABLE':
      return { code: 'HOST_UNREACHABLE', detail: `${h.host.name} is unreachable` };
    case 'REGISTERED':
    case 'DISCOVERING':
      return { code: 'HOST_NOT_READY', detail: `${h.host.name} is ${h.host.state}` };
  }
};
// A host set to virtType QEMU emulates its guests (TCG) and needs neither VT-x nor /dev/kvm.
const virtFilter: HostFilter = (h) =>
  h.host.virtType === 'QEMU' || (h.host.capabilities.vmx && h.host.capabilities.kvm)
    ? null
    : { code: 'HOST_LACKS_VIRTUALIZATION', detail: `${h.host.name} lacks vmx or /dev/kvm (virtType KVM)` };

export const HOST_FILTERS: readonly HostFilter[] = [pinFilter, avoidFilter, stateFilter, virtFilter];

/**
 * Run every filter over one host and, if it passes, pick its best NUMA node.
 * `collectAll` keeps going after the first failure so explain() can list every reason.
 */
export function evaluateHost(ctx: EvalContext, h: HostRt, prep: PreparedRequest, collectAll: boolean): HostEval {
  const reasons: HostReason[] = [];
  for (const f of HOST_FILTERS) {
    const r = f(h, prep);
    if (r) {
      reasons.push(r);
      if (!collectAll) return { ok: false, reasons };
    }
  }
  const opts = interfaceOptions(h, prep, reasons);
  if (opts === null || (reasons.length > 0 && !collectAll)) return { ok: false, reasons: dedupe(reasons) };
  const policy = prep.req.numaPolicy;
  const nicNodes = [
    ...new Set(
      opts
        .flat()
        .map((o) => o.node)
        .filter((n): n is number => n !== null),
    ),
  ].sort((a, b) => a - b);
  const homes = policy === 'REQUIRED' && nicNodes.length > 0 ? nicNodes : h.nodes.map((n) => n.index);
  let best: Choice | null = null;
  const nodeReasons: HostReason[] = [];
  for (const home of homes) {
    const a = assign(opts, home, policy === 'REQUIRED', prep, nodeReasons);
    if (!a) continue;
    const c = onNode(ctx, h, prep, home, a, nicNodes.includes(home) && policy !== 'NONE', nodeReasons);
    if (c && (best === null || better(c, best, ctx))) best = c;
  }
  if (best === null && policy === 'NONE' && h.nodes.length > 1) {
    const a = assign(opts, h.nodes[0].index, false, prep, nodeReasons);
    if (a) best = spanNodes(ctx, h, prep, a, nodeReasons);
  }
  if (best && reasons.length === 0) return { ok: true, choice: best };
  return { ok: false, reasons: dedupe([...reasons, ...(best ? [] : nodeReasons)]) };
}

function better(a: Choice, b: Choice, ctx: EvalContext): boolean {
  if (a.score.total !== b.score.total) return a.score.total > b.score.total;
  // Within a host: best fit (fewest free CPUs left) for PACK, most room for SPREAD, then lower node.
  if (a.homeEff !== b.homeEff) return ctx.opts.strategy === 'PACK' ? a.homeEff < b.homeEff : a.homeEff > b.homeEff;
  return a.home < b.home;
}

function ioNodesOf(chosen: IfaceOption[], home: number): number[] {
  return [...new Set(chosen.filter((o) => o.nic !== null).map((o) => o.node ?? home))].sort((x, y) => x - y);
}

/** I/O sets still to claim: node -> size. */
function ioNeeds(ctx: EvalContext, h: HostRt, ioNodes: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of ioNodes) {
    const node = h.node(m);
    if (node.ioCpus.length === 0) out.set(m, ioSetSize(node, ctx.opts.ioCpusPerNode, ctx.opts.maxIoCpuShare));
  }
  return out;
}

function onNode(
  ctx: EvalContext,
  h: HostRt,
  prep: PreparedRequest,
  home: number,
  a: Assignment,
  nicHome: boolean,
  out: HostReason[],
): Choice | null {
  const req = prep.req;
  const node = h.node(home);
  const ratio = ctx.opts.sharedCpuRatio;
  const cpuReason: ReasonCode = nicHome ? 'INSUFFICIENT_DEDICATED_CPUS_ON_NIC_NODE' : 'INSUFFICIENT_DEDICATED_CPUS';
  const reasons: HostReason[] = [];
  const ioNodes = ioNodesOf(a.chosen, home);
  const needs = ioNeeds(ctx, h, ioNodes);
  for (const [m, size] of needs) {
    const n = h.node(m);
    if (size === 0) reasons.push({ code: 'NO_CPU_FOR_NIC_IRQS', detail: `node ${m}: I/O CPU share is 0` });
    else if (m !== home && h.effFree(n, ratio) < size)
      reasons.push({ code: 'NO_CPU_FOR_NIC_IRQS', detail: `node ${m}: ${h.effFree(n, ratio)} free CPUs, ${size} needed for NIC IRQs` });
  }
  const homeIo = needs.get(home) ?? 0;
  if (req.cpuPolicy === 'DEDICATED') {
    const siblings = req.threadPolicy === 'ISOLATE' ? req.vcpus * (h.threadsPerCore - 1) : 0;
    const need = prep.minNodeCpus + siblings + homeIo;
    const have = h.effFree(node, ratio);
    if (have < need) reasons.push({ code: cpuReason, detail: `node ${home}: ${have} free CPUs, ${need} needed` });
  } else if (node.sharedUsed + req.vcpus > (node.unowned - homeIo) * ratio) {
    reasons.push({
      code: 'INSUFFICIENT_SHARED_CPU_CAPACITY',
      detail: `node ${home}: ${node.sharedUsed}/${(node.unowned - homeIo) * ratio} shared vCPUs used, ${req.vcpus} more asked`,
    });
  }
  const mem = memoryOn(node, prep);
  if (mem) reasons.push(mem);
  if (reasons.length > 0) {
    out.push(...reasons);
    return null;
  }
  const taken = new Set<number>();
  const io = reserveIoCpus(h, ioNodes, needs, taken, out, null);
  if (!io) return null;
  let vcpus: number[] = [];
  let isolation: number[] = [];
  let emulator: number | null = null;
  if (req.cpuPolicy === 'DEDICATED') {
    const sel = selectVcpus(h, node, req.vcpus, req.threadPolicy, taken);
    if (typeof sel === 'string') {
      out.push({
        code: sel === 'INSUFFICIENT_DEDICATED_CPUS' ? cpuReason : sel,
        detail: `node ${home}: ${req.vcpus} vCPUs with threadPolicy ${req.threadPolicy}`,
      });
      return null;
    }
    vcpus = sel.vcpus;
    isolation = sel.isolation;
    [...vcpus, ...isolation].forEach((p) => taken.add(p));
    if (req.emulatorThreads === 'ISOLATE') {
      emulator = pickSingle(h, node, taken);
      if (emulator === null) {
        out.push({ code: cpuReason, detail: `node ${home}: no CPU left for the isolated emulator thread` });
        return null;
      }
      taken.add(emulator);
    }
  }
  const choice: Choice = {
    host: h,
    home,
    nodes: [home],
    assignment: a,
    vcpus,
    isolation,
    emulator,
    io,
    shared: req.cpuPolicy === 'SHARED' ? [{ node: home, vcpus: req.vcpus }] : [],
    memory: req.hugepages === 'NONE' ? [{ node: home, mib: req.memoryMiB }] : [],
    hugepages: req.hugepages === 'NONE' ? [] : [{ node: home, pages: pagesFor(prep) }],
    spanned: false,
    score: { datapath: 0, numa: 0, packing: 0, total: 0 },
    homeEff: h.effFree(node, ratio),
  };
  choice.score = scoreChoice(ctx, prep, choice, hostKey(h, ratio));
  return choice;
}

/**
 * Reserve CPUs for NIC IRQ/RPS work on every NUMA node that carries a chosen NIC: nodes
 * that already have I/O CPUs reuse them, the others get `needs` fresh ones (added to
 * `taken`). With `effRatio` set, a node must also have that many effective free CPUs.
 */
function reserveIoCpus(
  h: HostRt,
  ioNodes: Iterable<number>,
  needs: Map<number, number>,
  taken: Set<number>,
  out: HostReason[],
  effRatio: number | null,
): Choice['io'] | null {
  const io: Choice['io'] = [];
  for (const m of ioNodes) {
    const n = h.node(m);
    const size = needs.get(m);
    if (size === undefined) {
      io.push({ node: m, cpus: n.ioCpus.map((c) => h.posOfId.get(c) ?? -1), fresh: false });
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

function pagesFor(prep: PreparedRequest): number {
  return prep.req.hugepages === 'SIZE_1G' ? prep.req.memoryMiB / 1024 : prep.req.hugepages === 'SIZE_2M' ? prep.req.memoryMiB / 2 : 0;
}

function memoryOn(node: NodeRt, prep: PreparedRequest): HostReason | null {
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

/**
 * numaPolicy NONE when no single node fits: vCPUs and memory spread over nodes, the
 * emptiest first. Thread policies still hold within each node.
 */
function spanNodes(ctx: EvalContext, h: HostRt, prep: PreparedRequest, a: Assignment, out: HostReason[]): Choice | null {
  const req = prep.req;
  const ratio = ctx.opts.sharedCpuRatio;
  const order = [...h.nodes].sort((x, y) => h.effFree(y, ratio) - h.effFree(x, ratio) || x.index - y.index);
  const home = order[0].index;
  const taken = new Set<number>();
  const ioNodes = ioNodesOf(a.chosen, home);
  const needs = ioNeeds(ctx, h, ioNodes);
  // spanning places vCPUs on every node afterwards: a node must also keep its effective free CPUs
  const io = reserveIoCpus(h, ioNodes, needs, taken, out, ratio);
  if (!io) return null;
  const used = new Set<number>();
  const vcpus: number[] = [];
  const isolation: number[] = [];
  const shared: Choice['shared'] = [];
  let rem = req.vcpus;
  for (const n of order) {
    if (rem === 0) break;
    const takenHere = [...taken].filter((p) => h.cpuNode[p] === n.index).length;
    if (req.cpuPolicy === 'SHARED') {
      const room = Math.floor((n.unowned - takenHere) * ratio - n.sharedUsed);
      const k = Math.min(rem, Math.max(0, room));
      if (k > 0) {
        shared.push({ node: n.index, vcpus: k });
        used.add(n.index);
        rem -= k;
      }
      continue;
    }
    const per = req.threadPolicy === 'ISOLATE' ? h.threadsPerCore : 1;
    for (let k = Math.min(rem, Math.floor((h.effFree(n, ratio) - takenHere) / per)); k > 0; k--) {
      const sel = selectVcpus(h, n, k, req.threadPolicy, taken);
      if (typeof sel === 'string') continue;
      vcpus.push(...sel.vcpus);
      isolation.push(...sel.isolation);
      [...sel.vcpus, ...sel.isolation].forEach((p) => taken.add(p));
      used.add(n.index);
      rem -= k;
      break;
    }
  }
  if (rem > 0) {
    out.push({
      code: req.cpuPolicy === 'SHARED' ? 'INSUFFICIENT_SHARED_CPU_CAPACITY' : 'INSUFFICIENT_DEDICATED_CPUS',
      detail: `${rem} vCPUs do not fit even across nodes`,
    });
    return null;
  }
  let emulator: number | null = null;
  if (req.cpuPolicy === 'DEDICATED' && req.emulatorThreads === 'ISOLATE') {
    for (const n of order) {
      const takenHere = [...taken].filter((p) => h.cpuNode[p] === n.index).length;
      if (h.effFree(n, ratio) - takenHere < 1) continue;
      emulator = pickSingle(h, n, taken);
      if (emulator !== null) break;
    }
    if (emulator === null) {
      out.push({ code: 'INSUFFICIENT_DEDICATED_CPUS', detail: 'no CPU left for the isolated emulator thread' });
      return null;
    }
    taken.add(emulator);
  }
  const memory: Choice['memory'] = [];
  const hugepages: Choice['hugepages'] = [];
  let memRem = req.hugepages === 'NONE' ? req.memoryMiB : pagesFor(prep);
  for (const n of order) {
    if (memRem === 0) break;
    const avail = req.hugepages === 'NONE' ? n.memFree : n.huge[req.hugepages];
    const k = Math.min(memRem, Math.max(0, avail));
    if (k === 0) continue;
    if (req.hugepages === 'NONE') memory.push({ node: n.index, mib: k });
    else hugepages.push({ node: n.index, pages: k });
    used.add(n.index);
    memRem -= k;
  }
  if (memRem > 0) {
    out.push({
      code: req.hugepages === 'NONE' ? 'INSUFFICIENT_MEMORY' : 'HUGEPAGES_ON_NODE',
      detail: 'memory does not fit even across nodes',
    });
    return null;
  }
  const nodes = order.map((n) => n.index).filter((i) => used.has(i));
  const choice: Choice = {
    host: h,
    home: nodes[0] ?? home,
    nodes: nodes.length ? nodes : [home],
    assignment: a,
    vcpus,
    isolation,
    emulator,
    io,
    shared,
    memory,
    hugepages,
    spanned: true,
    score: { datapath: 0, numa: 0, packing: 0, total: 0 },
    homeEff: 0,
  };
  choice.score = scoreChoice(ctx, prep, choice, hostKey(h, ratio));
  return choice;
}
