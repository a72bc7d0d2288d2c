import { Inject, Injectable } from '@nestjs/common';
import {
  HostRepository,
  isUuid,
  LookupRepository,
  type CpuRecord,
  type HostPlacementContext,
  type HostRecord,
  type NicRecord,
  type NumaNodeRecord,
  type PlacedVmRecord,
  type VfRecord,
} from '@netpin/db';
import type { CpuCounts, HostDetail, PlacedVm, VfCounts } from './host.model';
import { toHostView } from './host.service';
import { buildTopologyView, planState, type NicView, type NumaNodeView } from './topology-view';

export interface HostTopology {
  numaNodes: (NumaNodeView & { cpuCounts: CpuCounts })[];
  nics: (NicView & { vfCounts: VfCounts })[];
  vms: PlacedVm[];
  cpuCounts: CpuCounts;
}

/** The one definition of free CPUs, shared by the fleet page, `hosts list` and metrics readers. */
export function cpuCounts(cpus: readonly Pick<CpuRecord, 'reservedForHost' | 'allocation'>[]): CpuCounts {
  const reservedForHost = cpus.filter((c) => c.reservedForHost).length;
  const allocated = cpus.filter((c) => c.allocation !== null).length;
  const total = cpus.length;
  return {
    total,
    reservedForHost,
    usable: total - reservedForHost,
    allocated,
    free: cpus.filter((c) => !c.reservedForHost && !c.allocation).length,
  };
}

export function vfCounts(vfs: readonly Pick<VfRecord, 'allocatedToVmId'>[]): VfCounts {
  const allocated = vfs.filter((v) => v.allocatedToVmId !== null).length;
  return { configured: vfs.length, allocated, free: vfs.length - allocated };
}

export function toPlacedVm(vm: PlacedVmRecord): PlacedVm {
  return { id: vm.id, name: vm.name, state: vm.state, planState: planState(vm) };
}

/** What the topology view needs besides the inventory: the placed VMs and the inventory's age. */
export type PlacementContext = HostPlacementContext;

export function assembleTopology(numaNodes: NumaNodeRecord[], nics: NicRecord[], ctx: PlacementContext): HostTopology {
  const view = buildTopologyView({ numaNodes, nics, lastDiscoveredAt: ctx.lastDiscoveredAt }, ctx.vms);
  return {
    numaNodes: view.numaNodes.map((n) => ({ ...n, cpuCounts: cpuCounts(n.cpus) })),
    nics: view.nics.map((n) => ({ ...n, vfCounts: vfCounts(n.vfs) })),
    vms: ctx.vms.map(toPlacedVm),
    cpuCounts: cpuCounts(view.numaNodes.flatMap((n) => n.cpus)),
  };
}

/** Hosts' inventory overlaid with the plans of the VMs placed on them (topology-view.ts). */
@Injectable()
export class TopologyService {
  constructor(
    @Inject(HostRepository) private readonly hosts: HostRepository,
    @Inject(LookupRepository) private readonly lookups: LookupRepository,
  ) {}

  async contexts(hostIds: readonly string[]): Promise<Map<string, PlacementContext>> {
    return this.lookups.placementContexts(hostIds);
  }

  /** REST detail: the host with its topology, by id or name. */
  async detail(ref: string): Promise<HostDetail> {
    const host: HostRecord = await this.hosts.get(isUuid(ref) ? { id: ref } : { name: ref });
    const ids = [host.id];
    const [nodes, nics, contexts] = await Promise.all([
      this.hosts.numaNodesByHostIds(ids),
      this.hosts.nicsByHostIds(ids),
      this.contexts(ids),
    ]);
    const ctx = contexts.get(host.id) ?? { lastDiscoveredAt: host.lastDiscoveredAt, vms: [] };
    return { ...toHostView(host), ...assembleTopology(nodes.get(host.id) ?? [], nics.get(host.id) ?? [], ctx) };
  }
}
