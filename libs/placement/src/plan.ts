import type {
  CpuPolicy,
  Datapath,
  FleetAllocation,
  FleetNetwork,
  NetworkKind,
  PagedHugepageSize,
  PlacementPlan,
  PlanInterface,
  PlanTrunk,
} from '@netpin/contracts';
import { datapathDefinition, HUGEPAGE_MIB, takesVf, VHOST_USER_SOCKET_DIR, vfMgmtdev, NETPIN_VDPA_PREFIX } from '@netpin/contracts';
import { connectionFor, costOf, modelFor, queuesFor, takesPmd, usesVhost } from './datapaths';
import type { Choice, EvalContext } from './context';
import type { NicRt } from './host-state';
import type { IfaceOption } from './interfaces';
import type { PreparedInterface, PreparedRequest } from './request';
import { scoreBreakdown } from './weighers';

export type PlanNic = Omit<
  PlanInterface,
  | 'index'
  | 'networkId'
  | 'networkName'
  | 'mac'
  | 'vlan'
  | 'vlanProtocol'
  | 'trunk'
  | 'liveMigratable'
  | 'minBandwidthMbps'
  | 'maxBandwidthMbps'
  | 'mtu'
  | 'numaLocal'
  | 'failoverBackup'
  | 'cost'
>;

const byNum = (a: number, b: number) => a - b;
const isVf = (d: Datapath) => takesVf(datapathDefinition(d).nicResource);

/** Turn the winning choice into the plan libvirt-xml and host-ops consume. */
export function buildPlan(ctx: EvalContext, prep: PreparedRequest, c: Choice): PlacementPlan {
  const h = c.host;
  const req = prep.req;
  const id = (p: number) => h.cpuIds[p];
  const ioByNode = new Map(c.io.map((s) => [s.node, s.cpus.map(id).sort(byNum)]));
  const freshIo = new Set(c.io.filter((s) => s.fresh).flatMap((s) => s.cpus));
  const { vcpuPins, emulatorCpus } = cpuPins(c, req.cpuPolicy, freshIo);
  const nics = planInterfaces(ctx, prep, c, ioByNode, emulatorCpus);
  if (c.spanned && c.nodes.length > 1) nics.penalties.push(`VM spans NUMA nodes ${c.nodes.join(',')}`);
  const size = req.hugepages === 'NONE' ? null : (req.hugepages as PagedHugepageSize);
  return {
    vmId: prep.vmId,
    vmName: req.name,
    hostId: h.host.id,
    hostName: h.host.name,
    numaNodes: c.nodes,
    numaPolicy: req.numaPolicy,
    cpuPolicy: req.cpuPolicy,
    threadPolicy: req.threadPolicy,
    vcpuPins,
    isolatedSiblings: c.isolation.map(id).sort(byNum),
    emulatorCpus,
    vhostCpus: [...nics.vhostCpus].sort(byNum),
    ioCpus: c.io.map((s) => ({ node: s.node, cpus: s.cpus.map(id).sort(byNum), newlyAllocated: s.fresh })),
    memory: {
      mode: c.nodes.length > 1 ? 'interleave' : 'strict',
      perNode: size ? c.hugepages.map((x) => ({ node: x.node, mib: x.pages * HUGEPAGE_MIB[size] })) : c.memory,
      hugepages: req.hugepages,
      pagesPerNode: c.hugepages,
    },
    interfaces: nics.interfaces,
    ...irqAndRps(c, nics.usedNics, ioByNode),
    score: scoreBreakdown(ctx, c.score),
    penalties: nics.penalties,
    allocation: allocationOf(prep, c, nics, freshIo),
  };
}

/** Dedicated: one pCPU per vCPU. Shared: each vCPU floats over its node's CPUs that nobody holds. */
function cpuPins(c: Choice, policy: CpuPolicy, freshIo: Set<number>): Pick<PlacementPlan, 'vcpuPins' | 'emulatorCpus'> {
  const h = c.host;
  const id = (p: number) => h.cpuIds[p];
  if (policy === 'DEDICATED') {
    return {
      vcpuPins: c.vcpus.map((p, vcpu) => ({ vcpu, cpus: [id(p)] })),
      emulatorCpus: c.emulator !== null ? [id(c.emulator)] : c.vcpus.map(id).sort(byNum),
    };
  }
  // A shared VM floats over the node's CPUs that nobody holds (docs/placement.md "Shared CPUs").
  const pool = (node: number) => {
    const out: number[] = [];
    for (const p of h.node(node).cpus) if (h.isFree(p) && !freshIo.has(p)) out.push(h.cpuIds[p]);
    return out;
  };
  const vcpuPins: PlacementPlan['vcpuPins'] = [];
  const emulatorCpus: number[] = [];
  for (const s of c.shared) {
    const cpus = pool(s.node);
    emulatorCpus.push(...cpus);
    for (let i = 0; i < s.vcpus; i++) vcpuPins.push({ vcpu: vcpuPins.length, cpus });
  }
  // Nodes' CPU sets are disjoint, so the union only needs ordering.
  if (c.shared.length > 1) emulatorCpus.sort(byNum);
  return { vcpuPins, emulatorCpus };
}

interface PlannedNics {
  interfaces: PlanInterface[];
  vfs: FleetAllocation['vfs'];
  /** nicId -> Mb/s promised on it. */
  bandwidth: Map<string, number>;
  vhostCpus: Set<number>;
  usedNics: NicRt[];
  penalties: string[];
}

/** Each chosen option as a plan interface: its VF, its bandwidth promise, where its vhost threads run. */
function planInterfaces(
  ctx: EvalContext,
  prep: PreparedRequest,
  c: Choice,
  ioByNode: Map<number, number[]>,
  emulatorCpus: number[],
): PlannedNics {
  const out: PlannedNics = { interfaces: [], vfs: [], bandwidth: new Map(), vhostCpus: new Set(), usedNics: [], penalties: [] };
  const vfNext = new Map<NicRt, number>();
  const vcpuNodes = vcpuNodesOf(c);
  c.assignment.chosen.forEach((o, i) => {
    const pi = prep.ifaces[i];
    const net = pi.network;
    const nic = o.nic;
    let vf: PlanInterface['vf'] = null;
    if (isVf(o.datapath) && nic) {
      const k = vfNext.get(nic) ?? 0;
      vfNext.set(nic, k + 1);
      const index = nic.freeVfs.at(k) as number;
      vf = { index, pciAddress: c.host.vfPci(nic, index) };
      out.vfs.push({ nicId: nic.nic.id, vfIndex: index });
    }
    if (nic && !out.usedNics.includes(nic)) out.usedNics.push(nic);
    if (nic && pi.req.minBandwidthMbps > 0) out.bandwidth.set(nic.nic.id, (out.bandwidth.get(nic.nic.id) ?? 0) + pi.req.minBandwidthMbps);
    const ioNode = nic ? (o.node ?? c.home) : null;
    for (const d of [o.datapath, o.backup]) {
      if (d === null || !usesVhost(d)) continue;
      const set = ioNode !== null ? ioByNode.get(ioNode) : undefined;
      (set ?? emulatorCpus).forEach((x) => out.vhostCpus.add(x));
    }
    // Local means the NIC's node holds every vCPU: memory or an I/O set there is not enough.
    const numaLocal = o.node === null || (vcpuNodes.length === 1 && vcpuNodes[0] === o.node);
    if (!numaLocal)
      out.penalties.push(
        `interface ${pi.index} (${net.name}): NIC ${nic?.nic.name} is on node ${o.node}, the VM's vCPUs on node${vcpuNodes.length > 1 ? 's' : ''} ${vcpuNodes.join(',')}`,
      );
    out.interfaces.push(
      planInterface(ctx, prep, { option: o, iface: pi, vmId: prep.vmId, vf, pmdCores: c.host.node(c.home).pmdCores, numaLocal }),
    );
  });
  return out;
}

/** What makes one interface of a plan besides the request: the chosen option, its VF, where the VM runs. */
export interface InterfaceChoice {
  option: IfaceOption;
  iface: PreparedInterface;
  vmId: string;
  vf: PlanInterface['vf'];
  /** PMD cores on the VM's home node. */
  pmdCores: number;
  numaLocal: boolean;
}

/**
 * One interface of a plan, written out field by field: built as `{ ...planNic(), index, ... }`
 * V8 made a new hidden class (map and descriptors) for nearly every interface, ~9 KB of
 * old-space garbage a placement.
 */
export function planInterface(ctx: EvalContext, prep: PreparedRequest, x: InterfaceChoice): PlanInterface {
  const { option: o, iface: pi, vf } = x;
  const net = pi.network;
  const connection = connectionFor(net.kind, o.datapath);
  const main = planNic(ctx, prep, o.datapath, net.kind, o.nic, net.bridge, net.macvtapMode, vf, x.pmdCores);
  const vlan = vlanOf(pi.req, net);
  const vhostUser = connection === 'VHOSTUSER' ? vhostUserPort(x.vmId, pi.index) : null;
  const vdpa = connection === 'VDPA' && vf ? vdpaDevice(x.vmId, pi.index, vf.pciAddress) : null;
  return {
    connection: main.connection,
    datapath: main.datapath,
    model: main.model,
    vhost: main.vhost,
    nicId: main.nicId,
    nicName: main.nicName,
    pfPciAddress: main.pfPciAddress,
    vf: main.vf,
    sourceDevice: main.sourceDevice,
    macvtapMode: main.macvtapMode,
    queues: main.queues,
    numaNode: main.numaNode,
    vhostUser,
    vdpa,
    index: pi.index,
    networkId: net.id,
    networkName: net.name,
    mac: pi.req.mac ?? generatedMac(x.vmId, pi.index),
    vlan: vlan.vlan,
    vlanProtocol: vlan.vlanProtocol,
    trunk: vlan.trunk,
    liveMigratable: pi.req.liveMigratable,
    minBandwidthMbps: pi.req.minBandwidthMbps,
    maxBandwidthMbps: pi.req.maxBandwidthMbps,
    mtu: net.mtu,
    numaLocal: x.numaLocal,
    failoverBackup: o.backup ? withoutPorts(planNic(ctx, prep, o.backup, net.kind, o.nic, net.bridge, net.macvtapMode, null, 0)) : null,
    cost: costOf(o.datapath),
  };
}

/** A failover backup: planNic's fields and no vhost-user port or vdpa device, in one literal as above. */
function withoutPorts(n: Omit<PlanNic, 'vhostUser' | 'vdpa'>): PlanNic {
  return {
    connection: n.connection,
    datapath: n.datapath,
    model: n.model,
    vhost: n.vhost,
    nicId: n.nicId,
    nicName: n.nicName,
    pfPciAddress: n.pfPciAddress,
    vf: n.vf,
    sourceDevice: n.sourceDevice,
    macvtapMode: n.macvtapMode,
    queues: n.queues,
    numaNode: n.numaNode,
    vhostUser: null,
    vdpa: null,
  };
}

/** The interface's VLAN: its own (an access port), else the network's access VLAN or trunk. */
export function vlanOf(
  req: PreparedRequest['req']['interfaces'][number],
  net: FleetNetwork,
): Pick<PlanInterface, 'vlan' | 'vlanProtocol' | 'trunk'> {
  return { vlan: req.vlan ?? net.vlan, vlanProtocol: net.vlanProtocol, trunk: req.vlan === undefined ? trunkOf(net) : null };
}

/** The network's trunk with its native VLAN among the trunk's VLANs, or null when it is no trunk. */
function trunkOf(net: FleetNetwork): PlanTrunk | null {
  if (net.trunkVlans.length === 0) return null;
  const native = net.nativeVlan === null ? null : { vlan: net.nativeVlan, mode: net.nativeVlanMode };
  const vlans = [...new Set([...net.trunkVlans, ...(native ? [native.vlan] : [])])].sort(byNum);
  return { vlans, native };
}

/** NUMA nodes the VM's vCPUs run on, ascending. */
function vcpuNodesOf(c: Choice): number[] {
  const nodes = c.shared.length > 0 ? c.shared.map((s) => s.node) : c.vcpus.map((p) => c.host.cpuNode[p]);
  return [...new Set(nodes)].sort(byNum);
}

/** Every queue IRQ of a used NIC round-robin over its node's I/O set; RPS of every rx queue is the set. */
function irqAndRps(c: Choice, usedNics: NicRt[], ioByNode: Map<number, number[]>): Pick<PlacementPlan, 'irqAffinity' | 'rps'> {
  const irqAffinity: PlacementPlan['irqAffinity'] = [];
  const rps: PlacementPlan['rps'] = [];
  for (const nic of usedNics) {
    const one = nicIrqAndRps(nic, ioByNode.get(nic.node ?? c.home) ?? []);
    irqAffinity.push(...one.irqAffinity);
    rps.push(...one.rps);
  }
  return { irqAffinity, rps };
}

/** One NIC's queue IRQs round-robin over the I/O CPU ids `cpus`, and RPS of each rx queue on all of them. */
export function nicIrqAndRps(nic: NicRt, cpus: readonly number[]): Pick<PlacementPlan, 'irqAffinity' | 'rps'> {
  if (cpus.length === 0) return { irqAffinity: [], rps: [] };
  const irqAffinity = [...nic.nic.queueIrqs]
    .sort((a, b) => a.queue - b.queue || a.irq - b.irq)
    .map((q, i) => ({ nicId: nic.nic.id, nicName: nic.nic.name, irq: q.irq, queue: q.queue, cpus: [cpus[i % cpus.length]] }));
  const rxQueues = nic.nic.combinedQueues.current || nic.nic.combinedQueues.max || 1;
  const rps = Array.from({ length: rxQueues }, (_, q) => ({ nicId: nic.nic.id, nicName: nic.nic.name, rxQueue: q, cpus: [...cpus] }));
  return { irqAffinity, rps };
}

/** Exactly what applyPlan records and releaseVm gives back. */
function allocationOf(prep: PreparedRequest, c: Choice, nics: PlannedNics, freshIo: Set<number>): FleetAllocation {
  const id = (p: number) => c.host.cpuIds[p];
  const size = prep.req.hugepages === 'NONE' ? null : (prep.req.hugepages as PagedHugepageSize);
  return {
    vmId: prep.vmId,
    vmName: prep.req.name,
    hostId: c.host.host.id,
    cpus: [
      ...c.vcpus.map((p) => ({ cpu: id(p), role: 'VCPU' as const })),
      ...c.isolation.map((p) => ({ cpu: id(p), role: 'ISOLATION' as const })),
      ...(c.emulator !== null ? [{ cpu: id(c.emulator), role: 'EMULATOR' as const }] : []),
      ...[...freshIo].map((p) => ({ cpu: id(p), role: 'IRQ' as const })),
    ].sort((a, b) => a.cpu - b.cpu),
    sharedVcpus: c.shared,
    memory: c.memory,
    hugepages: size ? c.hugepages.map((x) => ({ node: x.node, size, pages: x.pages })) : [],
    vfs: nics.vfs,
    bandwidth: [...nics.bandwidth].map(([nicId, mbps]) => ({ nicId, mbps })),
    ioNodes: c.io.map((s) => s.node),
    group: prep.group?.def.id ?? null,
    pmdQueues: pmdQueuesOf(c, nics.interfaces),
  };
}

/** PMD slots the VM's vhost-user interfaces take: one per queue, on the home node (where assign checked them). */
function pmdQueuesOf(c: Choice, interfaces: readonly PlanInterface[]): FleetAllocation['pmdQueues'] {
  const queues = interfaces.filter((i) => takesPmd(i.datapath)).reduce((s, i) => s + (i.queues ?? 1), 0);
  return queues > 0 ? [{ node: c.home, queues }] : [];
}

export function planNic(
  ctx: EvalContext,
  prep: PreparedRequest,
  d: Datapath,
  kind: NetworkKind,
  nic: NicRt | null,
  bridge: string | null,
  macvtapMode: PlanInterface['macvtapMode'],
  vf: PlanInterface['vf'],
  /** PMD cores on the VM's home node: they bound a PMD-polled interface's queues. */
  pmdCores: number,
): Omit<PlanNic, 'vhostUser' | 'vdpa'> {
  const connection = connectionFor(kind, d);
  // Candidates come from datapathsForKind, so only a broken registry gets here.
  if (connection === null) throw new Error(`datapath ${d} cannot be connected on a ${kind} network`);
  // A PMD-polled interface is bounded by the home node's PMD cores, as a NIC's by its queues.
  const nicQueues = takesPmd(d) ? pmdCores : nic ? nic.nic.combinedQueues.current || nic.nic.combinedQueues.max || null : null;
  return {
    connection,
    datapath: d,
    model: modelFor(d),
    vhost: usesVhost(d),
    nicId: nic?.nic.id ?? null,
    nicName: nic?.nic.name ?? null,
    pfPciAddress: nic?.nic.pciAddress ?? null,
    vf,
    sourceDevice: connection === 'BRIDGE' || connection === 'OVS' || connection === 'VHOSTUSER' ? bridge : (nic?.nic.name ?? null),
    macvtapMode: connection === 'MACVTAP' ? (macvtapMode ?? 'bridge') : null,
    queues: queuesFor(d, prep.req.vcpus, nicQueues, ctx.opts.multiqueueCap),
    numaNode: nic?.node ?? null,
  };
}

function fnv1a(s: string): number {
  let x = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    x ^= s.charCodeAt(i);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x;
}

/** Locally administered-looking QEMU MAC (52:54:00) from FNV-1a of vmId + interface index. */
export function generatedMac(vmId: string, index: number, attempt = 0): string {
  const x = fnv1a(attempt === 0 ? `${vmId}#${index}` : `${vmId}#${index}#${attempt}`);
  const b = [(x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff];
  return `52:54:00:${b.map((v) => v.toString(16).padStart(2, '0')).join(':')}`;
}

/**
 * The OVS port of a vhost-user interface, `vhu` + FNV-1a of vmId + index (11 characters, a
 * valid interface name), and the socket QEMU creates for it (the port connects as client).
 */
export function vhostUserPort(vmId: string, index: number): NonNullable<PlanInterface['vhostUser']> {
  const port = `vhu${fnv1a(`${vmId}#${index}#vhu`).toString(16).padStart(8, '0')}`;
  return { port, socketPath: `${VHOST_USER_SOCKET_DIR}/${port}` };
}

/**
 * The vdpa device of a vDPA interface, `vdp` + FNV-1a of vmId + index (its name is netpin's
 * mark), on the management device its VF registered as (`pci/<VF address>`).
 */
export function vdpaDevice(vmId: string, index: number, vfPciAddress: string): NonNullable<PlanInterface['vdpa']> {
  return {
    device: `${NETPIN_VDPA_PREFIX}${fnv1a(`${vmId}#${index}#vdpa`).toString(16).padStart(8, '0')}`,
    mgmtdev: vfMgmtdev(vfPciAddress),
  };
}
