import { CPU_OWNER_ROLES, placementPlanSchema, type CpuOwnerRole, type PlacementPlan } from '@netpin/contracts';
import type { CpuRecord, NicIrqRecord, NicRecord, NumaNodeRecord, PlacedVmRecord, VfRecord } from '@netpin/db';

/**
 * A host's inventory as people should read it: discovery's snapshot overlaid with what the
 * plans of the VMs placed there applied since. Every CPU lists every role it plays (an I/O
 * CPU runs NIC IRQs and the vhost threads of several VMs), IRQs and VFs show the values a
 * plan set rather than what discovery read before, and each such value says where it comes
 * from and since when. Pure: the service feeds it repository records.
 */

export const VALUE_SOURCES = ['DISCOVERED', 'PLANNED', 'APPLIED', 'VERIFIED'] as const;
export type ValueSource = (typeof VALUE_SOURCES)[number];

export interface ValueStateView {
  source: ValueSource;
  /** When discovery read it, the plan was applied, or the host was last found in sync; null while only planned */
  at: Date | null;
  /** The VM whose plan set the value (null when discovered) */
  vmId: string | null;
  vmName: string | null;
}

export interface CpuUseView {
  role: CpuOwnerRole;
  vmId: string;
  vmName: string;
}

export interface CpuView extends Omit<CpuRecord, 'allocation'> {
  allocation: { vmId: string; vmName: string; role: CpuOwnerRole } | null;
  uses: CpuUseView[];
}

export interface NumaNodeView extends Omit<NumaNodeRecord, 'cpus'> {
  cpus: CpuView[];
}

export interface NicIrqView extends NicIrqRecord {
  discoveredAffinity: number[];
  /** The VM holding the CPUs the IRQ is pinned to: the same owner the CPU picture shows */
  ownerVmId: string | null;
  ownerVmName: string | null;
  state: ValueStateView;
}

export interface VfView extends VfRecord {
  discoveredMac: string | null;
  discoveredVlan: number;
  allocatedToVmName: string | null;
  state: ValueStateView;
}

export interface NicView extends Omit<NicRecord, 'irqs' | 'vfs'> {
  irqs: NicIrqView[];
  vfs: VfView[];
}

export interface TopologyView {
  numaNodes: NumaNodeView[];
  nics: NicView[];
}

interface Placed {
  vm: PlacedVmRecord;
  plan: PlacementPlan | null;
  state: ValueStateView;
}

/** What a VM's plan values are on the host: verified after the last apply, applied, or only planned. */
export function planState(vm: Pick<PlacedVmRecord, 'id' | 'name' | 'appliedAt' | 'verifiedAt'>): ValueStateView {
  const who = { vmId: vm.id, vmName: vm.name };
  if (vm.verifiedAt && (!vm.appliedAt || vm.verifiedAt >= vm.appliedAt)) return { source: 'VERIFIED', at: vm.verifiedAt, ...who };
  if (vm.appliedAt) return { source: 'APPLIED', at: vm.appliedAt, ...who };
  return { source: 'PLANNED', at: null, ...who };
}

function parsePlaced(vms: readonly PlacedVmRecord[]): Placed[] {
  return vms.map((vm) => {
    const parsed = placementPlanSchema.safeParse(vm.plan);
    return { vm, plan: parsed.success ? parsed.data : null, state: planState(vm) };
  });
}

export function buildTopologyView(
  inventory: { numaNodes: readonly NumaNodeRecord[]; nics: readonly NicRecord[]; lastDiscoveredAt: Date | null },
  vms: readonly PlacedVmRecord[],
): TopologyView {
  const placed = parsePlaced(vms);
  const names = new Map(vms.map((v) => [v.id, v.name]));
  const nameOf = (id: string) => names.get(id) ?? id;
  const owners = new Map<number, CpuRecord['allocation']>();
  for (const n of inventory.numaNodes) for (const c of n.cpus) owners.set(c.cpuId, c.allocation);
  const uses = cpuUses(inventory.numaNodes, placed, nameOf);
  const numaNodes = inventory.numaNodes.map((n) => ({
    ...n,
    cpus: n.cpus.map((c) => ({
      ...c,
      allocation: c.allocation ? { ...c.allocation, vmName: nameOf(c.allocation.vmId) } : null,
      uses: uses.get(c.cpuId) ?? [],
    })),
  }));
  const discovered: ValueStateView = { source: 'DISCOVERED', at: inventory.lastDiscoveredAt, vmId: null, vmName: null };
  const nics = inventory.nics.map((nic) => ({
    ...nic,
    irqs: irqViews(nic, placed, owners, discovered, nameOf),
    vfs: vfViews(nic, placed, discovered, nameOf),
  }));
  return { numaNodes, nics };
}

const ROLE_RANK = new Map(CPU_OWNER_ROLES.map((r, i) => [r, i]));

/** The CPU's accounted owner and role first, then every other role a placed VM's plan gives it. */
function cpuUses(nodes: readonly NumaNodeRecord[], placed: readonly Placed[], nameOf: (id: string) => string): Map<number, CpuUseView[]> {
  const out = new Map<number, CpuUseView[]>();
  const add = (cpu: number, role: CpuOwnerRole, vmId: string) => {
    const list = out.get(cpu) ?? [];
    if (!list.some((u) => u.role === role && u.vmId === vmId)) list.push({ role, vmId, vmName: nameOf(vmId) });
    out.set(cpu, list);
  };
  for (const n of nodes) for (const c of n.cpus) if (c.allocation) add(c.cpuId, c.allocation.role, c.allocation.vmId);
  for (const { vm, plan } of placed) {
    if (!plan) continue;
    // a shared VM's emulator (and vhost without an I/O set) floats over CPUs nobody holds: no use to draw
    const floating = new Set(plan.cpuPolicy === 'SHARED' ? plan.emulatorCpus : []);
    for (const cpu of plan.vhostCpus) if (!floating.has(cpu)) add(cpu, 'VHOST', vm.id);
    for (const cpu of plan.emulatorCpus) if (!floating.has(cpu)) add(cpu, 'EMULATOR', vm.id);
  }
  for (const [cpu, list] of out) {
    const [first, ...rest] = list;
    rest.sort((a, b) => (ROLE_RANK.get(a.role) ?? 0) - (ROLE_RANK.get(b.role) ?? 0) || a.vmName.localeCompare(b.vmName));
    out.set(cpu, first ? [first, ...rest] : rest);
  }
  return out;
}

/** The plan that set each IRQ last: plans are applied in order, so the newest apply is on the host. */
function irqPins(placed: readonly Placed[]): Map<string, { cpus: number[]; p: Placed }> {
  const byApply = [...placed].sort((a, b) => applyOrder(a) - applyOrder(b));
  const pins = new Map<string, { cpus: number[]; p: Placed }>();
  for (const p of byApply) for (const a of p.plan?.irqAffinity ?? []) pins.set(`${a.nicId}:${a.irq}`, { cpus: a.cpus, p });
  return pins;
}

function applyOrder(p: Placed): number {
  return (p.vm.appliedAt ?? p.vm.createdAt).getTime();
}

function irqViews(
  nic: NicRecord,
  placed: readonly Placed[],
  owners: ReadonlyMap<number, CpuRecord['allocation']>,
  discovered: ValueStateView,
  nameOf: (id: string) => string,
): NicIrqView[] {
  const pins = irqPins(placed);
  return nic.irqs.map((irq) => {
    const pin = pins.get(`${nic.id}:${irq.irq}`);
    if (!pin) return { ...irq, discoveredAffinity: irq.affinity, ownerVmId: null, ownerVmName: null, state: discovered };
    const held = pin.cpus.map((c) => owners.get(c)).find((a) => a?.role === 'IRQ');
    const owner = held?.vmId ?? pin.p.vm.id;
    return {
      ...irq,
      affinity: pin.cpus,
      discoveredAffinity: irq.affinity,
      ownerVmId: owner,
      ownerVmName: nameOf(owner),
      state: pin.p.state,
    };
  });
}

function vfViews(nic: NicRecord, placed: readonly Placed[], discovered: ValueStateView, nameOf: (id: string) => string): VfView[] {
  const byVm = new Map(placed.map((p) => [p.vm.id, p]));
  return nic.vfs.map((vf) => {
    const seen = { discoveredMac: vf.mac, discoveredVlan: vf.vlan };
    const holder = vf.allocatedToVmId ? byVm.get(vf.allocatedToVmId) : undefined;
    const iface = holder?.plan?.interfaces.find((i) => i.nicId === nic.id && i.vf?.index === vf.index);
    const allocatedToVmName = vf.allocatedToVmId ? nameOf(vf.allocatedToVmId) : null;
    if (!holder || !iface) return { ...vf, ...seen, allocatedToVmName, state: discovered };
    return { ...vf, ...seen, mac: iface.mac, vlan: iface.vlan ?? 0, allocatedToVmName, state: holder.state };
  });
}
