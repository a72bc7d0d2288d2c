import {
  datapathDefinition,
  setUpBeyondApply,
  takesVf,
  REASON_CODES,
  type HostReason,
  type PlacementPlan,
  type PlanInterface,
  type Rejection,
  type VmInterfaceRequest,
  type VmRequest,
} from '@netpin/contracts';
import type { EvalContext, IoSet } from './context';
import { takesPmd, usesVhost } from './datapaths';
import type { PlacementIndex } from './engine';
import { hostStateFilter } from './host-filters';
import type { HostRt, NicRt } from './host-state';
import { assign, dedupe, interfaceOptions, type IfaceOption } from './interfaces';
import { ioNeeds, reserveIoCpus } from './node-fit';
import { nicIrqAndRps, planInterface } from './plan';
import type { PreparedRequest } from './request';

/**
 * NIC hot-plug: one more interface for a VM that is already placed, on the host it is on,
 * by the rules a create follows (the datapath per interface from the registry, a NUMA-local
 * VF when the VM's numaPolicy asks for one, else the fallback order), and without moving
 * anything the VM already holds: its CPUs, memory and other interfaces stay as they are.
 */
export type AttachResult = { ok: true; plan: PlacementPlan; iface: PlanInterface } | { ok: false; rejection: Rejection };

/**
 * The VM's plan with `iface` added (its index one past the VM's highest), or why not: the
 * same reason codes a create answers with, on the one host considered. Reads the index,
 * never changes it.
 */
export function planAttach(index: PlacementIndex, current: PlacementPlan, request: VmRequest, iface: VmInterfaceRequest): AttachResult {
  const k = current.interfaces.reduce((m, i) => Math.max(m, i.index + 1), 0);
  const prep = preparedFor(index, current, request, iface, k);
  const h = index.hostRt(current.hostId);
  if (!h) return reject(prep, current, [{ code: 'HOST_UNREACHABLE', detail: `${current.hostName} is no longer in the fleet` }]);
  const reasons: HostReason[] = [...prep.requestReasons];
  // only the host's state applies: pinHost and avoidHosts say where a VM may go, not what it may add
  const state = hostStateFilter(h, prep);
  if (state) reasons.push(state);
  if (reasons.length > 0) return reject(prep, current, reasons);
  const opts = interfaceOptions(h, prep, reasons);
  const home = current.numaNodes[0];
  const strict = current.numaPolicy === 'REQUIRED' && current.numaNodes.length === 1;
  const chosen = opts === null ? null : assign(index.ctx, h, opts, home, strict, prep, reasons);
  if (chosen === null) return reject(prep, current, reasons);
  const o = chosen.chosen[0];
  const io = ioFor(index.ctx, h, current, o, home, reasons);
  if (io === undefined) return reject(prep, current, reasons);
  return { ok: true, ...withInterface(index.ctx, h, prep, current, o, io) };
}

/** The one-interface request, its index and the details of its reasons set to `k`. */
function preparedFor(index: PlacementIndex, current: PlacementPlan, request: VmRequest, iface: VmInterfaceRequest, k: number) {
  const prep = index.prepare({ ...request, vmId: current.vmId, interfaces: [iface] });
  const renumber = (r: HostReason): HostReason => ({ ...r, detail: r.detail.replace(/^interface 0\b/, `interface ${k}`) });
  const ifaces = prep.ifaces.map((i) => ({ ...i, index: k, candidates: i.candidates.filter(setUpBeyondApply) }));
  return { ...prep, ifaces, requestReasons: prep.requestReasons.map(renumber) };
}

/**
 * The I/O CPU set the new interface's NIC needs: the VM's own on that node, the node's
 * shared one, or a fresh one claimed now. null: no NIC, no set; undefined: rejected (reasons added).
 */
function ioFor(
  ctx: EvalContext,
  h: HostRt,
  current: PlacementPlan,
  o: IfaceOption,
  home: number,
  out: HostReason[],
): IoSet | null | undefined {
  if (o.nic === null) return null;
  const node = o.node ?? home;
  const own = current.ioCpus.find((s) => s.node === node);
  if (own) return { node, cpus: own.cpus.map((c) => h.posOf(c) ?? -1), fresh: false };
  const needs = ioNeeds(ctx, h, [node]);
  if (needs.get(node) === 0) {
    out.push({ code: 'NO_CPU_FOR_NIC_IRQS', detail: `node ${node}: I/O CPU share is 0` });
    return undefined;
  }
  const sets = reserveIoCpus(h, [node], needs, new Set(), out, ctx.opts.sharedCpuRatio);
  return sets === null ? undefined : sets[0];
}

const byNum = (a: number, b: number) => a - b;

function withInterface(
  ctx: EvalContext,
  h: HostRt,
  prep: PreparedRequest,
  current: PlacementPlan,
  o: IfaceOption,
  io: IoSet | null,
): { plan: PlacementPlan; iface: PlanInterface } {
  const pi = prep.ifaces[0];
  const net = pi.network;
  const nic = o.nic;
  const vfIndex = nic && takesVf(datapathDefinition(o.datapath).nicResource) ? nic.freeVfs.at(0) : undefined;
  const vf = nic && vfIndex !== undefined ? { index: vfIndex, pciAddress: h.vfPci(nic, vfIndex) } : null;
  const ioIds = io ? io.cpus.map((p) => h.cpuIds[p]).sort(byNum) : [];
  const vcpuNodes = [...new Set(current.vcpuPins.flatMap((p) => p.cpus.map((c) => h.cpuNode[h.posOf(c) ?? -1])))].sort(byNum);
  const numaLocal = o.node === null || (vcpuNodes.length === 1 && vcpuNodes[0] === o.node);
  const iface = planInterface(ctx, prep, {
    option: o,
    iface: pi,
    vmId: current.vmId,
    vf,
    pmdCores: h.node(current.numaNodes[0]).pmdCores,
    numaLocal,
  });
  const vhost = [o.datapath, o.backup].some((d) => d !== null && usesVhost(d)) ? (io ? ioIds : current.emulatorCpus) : [];
  const penalty = numaLocal
    ? []
    : [`interface ${pi.index} (${net.name}): NIC ${nic?.nic.name} is on node ${o.node}, the VM's vCPUs on node(s) ${vcpuNodes.join(',')}`];
  const plan: PlacementPlan = {
    ...current,
    interfaces: [...current.interfaces, iface],
    vhostCpus: [...new Set([...current.vhostCpus, ...vhost])].sort(byNum),
    ioCpus:
      io && !current.ioCpus.some((s) => s.node === io.node)
        ? [...current.ioCpus, { node: io.node, cpus: ioIds, newlyAllocated: io.fresh }]
        : current.ioCpus,
    ...irqAndRpsWith(current, nic, ioIds),
    penalties: [...current.penalties, ...penalty],
    allocation: allocationWith(current, iface, nic, io, ioIds),
  };
  return { plan, iface };
}

/** IRQ affinity and RPS of a NIC the VM did not use yet: round-robin over the set, as a create plans them. */
function irqAndRpsWith(current: PlacementPlan, nic: NicRt | null, ioIds: number[]): Pick<PlacementPlan, 'irqAffinity' | 'rps'> {
  const used = current.irqAffinity.some((x) => x.nicId === nic?.nic.id) || current.rps.some((x) => x.nicId === nic?.nic.id);
  if (nic === null || used) return { irqAffinity: current.irqAffinity, rps: current.rps };
  const more = nicIrqAndRps(nic, ioIds);
  return { irqAffinity: [...current.irqAffinity, ...more.irqAffinity], rps: [...current.rps, ...more.rps] };
}

function allocationWith(
  current: PlacementPlan,
  iface: PlanInterface,
  nic: NicRt | null,
  io: IoSet | null,
  ioIds: number[],
): PlacementPlan['allocation'] {
  const a = current.allocation;
  const bandwidth = a.bandwidth.map((b) => (b.nicId === nic?.nic.id ? { ...b, mbps: b.mbps + iface.minBandwidthMbps } : b));
  if (nic && iface.minBandwidthMbps > 0 && !a.bandwidth.some((b) => b.nicId === nic.nic.id))
    bandwidth.push({ nicId: nic.nic.id, mbps: iface.minBandwidthMbps });
  const freshIo = io?.fresh ? ioIds.map((cpu) => ({ cpu, role: 'IRQ' as const })) : [];
  return {
    ...a,
    cpus: [...a.cpus, ...freshIo].sort((x, y) => x.cpu - y.cpu),
    vfs: iface.vf && nic ? [...a.vfs, { nicId: nic.nic.id, vfIndex: iface.vf.index }] : a.vfs,
    bandwidth,
    ioNodes: io && !a.ioNodes.includes(io.node) ? [...a.ioNodes, io.node].sort(byNum) : a.ioNodes,
    pmdQueues: withPmdQueues(a.pmdQueues, iface, current.numaNodes[0]),
  };
}

/** A vhost-user interface takes a PMD slot per queue on the VM's home node (where assign checked them). */
function withPmdQueues(
  had: PlacementPlan['allocation']['pmdQueues'],
  iface: PlanInterface,
  home: number,
): PlacementPlan['allocation']['pmdQueues'] {
  if (!takesPmd(iface.datapath)) return had;
  const q = iface.queues ?? 1;
  return had.some((p) => p.node === home)
    ? had.map((p) => (p.node === home ? { ...p, queues: p.queues + q } : p))
    : [...had, { node: home, queues: q }];
}

function reject(prep: PreparedRequest, current: PlacementPlan, reasons: HostReason[]): { ok: false; rejection: Rejection } {
  const all = dedupe(reasons);
  const codes = REASON_CODES.filter((c) => all.some((r) => r.code === c));
  const host = current.hostName;
  return {
    ok: false,
    rejection: {
      vmName: current.vmName,
      hostsConsidered: 1,
      requestReasons: prep.requestReasons,
      summary: codes.map((code) => ({ code, hosts: 1, examples: [host] })),
      message: `no interface fits ${current.vmName} on ${host}: ${all.map((r) => `${r.code} (${r.detail})`).join('; ')}`,
    },
  };
}

/**
 * The VM's plan without interface `index`: its VF and bandwidth go back, and the IRQ
 * affinity and RPS of its NIC, the I/O set of its node and its vhost CPUs are dropped when
 * no remaining interface of the VM needs them. Null when the VM has no such interface.
 */
export function planDetach(current: PlacementPlan, index: number): PlacementPlan | null {
  const gone = current.interfaces.find((i) => i.index === index);
  if (!gone) return null;
  const home = current.numaNodes[0];
  const rest = current.interfaces.filter((i) => i !== gone);
  const nicIds = new Set(rest.flatMap((i) => (i.nicId ? [i.nicId] : [])));
  const ioNodes = new Set(rest.flatMap((i) => (i.nicId ? [i.numaNode ?? home] : [])));
  const ioOf = (node: number) => current.ioCpus.find((s) => s.node === node)?.cpus ?? [];
  const vhost = rest.flatMap((i) =>
    [i, i.failoverBackup].some((n) => n?.vhost === true) ? (i.nicId ? ioOf(i.numaNode ?? home) : current.emulatorCpus) : [],
  );
  const a = current.allocation;
  const droppedIo = new Set(current.ioCpus.filter((s) => !ioNodes.has(s.node)).flatMap((s) => s.cpus));
  return {
    ...current,
    interfaces: rest,
    vhostCpus: [...new Set(vhost)].sort(byNum),
    ioCpus: current.ioCpus.filter((s) => ioNodes.has(s.node)),
    irqAffinity: current.irqAffinity.filter((x) => nicIds.has(x.nicId)),
    rps: current.rps.filter((x) => nicIds.has(x.nicId)),
    penalties: current.penalties.filter((p) => !p.startsWith(`interface ${index} (`)),
    allocation: {
      ...a,
      cpus: a.cpus.filter((c) => !(c.role === 'IRQ' && droppedIo.has(c.cpu))),
      vfs: a.vfs.filter((v) => !(gone.vf && v.nicId === gone.nicId && v.vfIndex === gone.vf.index)),
      bandwidth: a.bandwidth
        .map((b) => (b.nicId === gone.nicId ? { ...b, mbps: b.mbps - gone.minBandwidthMbps } : b))
        .filter((b) => b.mbps > 0),
      ioNodes: a.ioNodes.filter((n) => ioNodes.has(n)),
    },
  };
}
