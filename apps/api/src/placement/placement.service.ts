import { Inject, Injectable } from '@nestjs/common';
import {
  BadUserInputError,
  DomainError,
  parseInput,
  REASON_DESCRIPTIONS,
  vmRequestSchema,
  type PlacementPlan,
  type Rejection,
  type VmRequest,
} from '@netpin/contracts';
import { HostRepository, isUuid, SnapshotCache } from '@netpin/db';
import { capacityOn, explainOn, type CapacityReport as EngineCapacity, type PlacementIndex } from '@netpin/placement';
import { ApiMetrics } from '../metrics/api-metrics';
import type { CapacityReport, HostExplanation, PlacementPreview, RejectionView, VmInput, VmInterfaceInput } from './placement.model';
import type { PlanView } from './plan-view.model';

/** Nothing fits: 422 / PLACEMENT_REJECTED, with the per-reason summary in the error. */
export class PlacementRejectedError extends DomainError {
  constructor(readonly rejection: Rejection) {
    super('PLACEMENT_REJECTED', rejection.message, { summary: rejection.summary, requestReasons: rejection.requestReasons });
  }
}

/** GraphQL/REST input -> the engine's request (validated, field-named errors). */
export function toVmRequest(input: VmInput, vmId?: string): VmRequest {
  const raw = {
    name: input?.name,
    vmId,
    vcpus: input?.vcpus,
    memoryMiB: input?.memoryMiB,
    hugepages: input?.hugepages ?? undefined,
    cpuPolicy: input?.cpuPolicy ?? undefined,
    threadPolicy: input?.threadPolicy ?? undefined,
    emulatorThreads: input?.emulatorThreads ?? undefined,
    numaPolicy: input?.numaPolicy ?? undefined,
    guest: { virtio: input?.guestVirtio ?? true, vfDriver: input?.guestVfDriver ?? true },
    interfaces: (input?.interfaces ?? []).map(interfaceRaw),
    pinHost: input?.pinHost ?? undefined,
    group: input?.group ?? undefined,
    avoidHosts: input?.avoidHosts ?? undefined,
  };
  return parseInput(vmRequestSchema, raw);
}

/** One GraphQL/REST interface input as the raw object vmInterfaceRequestSchema parses (a create's, or a hot-plug's). */
export function interfaceRaw(i: VmInterfaceInput | null | undefined): Record<string, unknown> {
  return {
    network: i?.network,
    datapath: i?.datapath ?? undefined,
    liveMigratable: i?.liveMigratable ?? undefined,
    minBandwidthMbps: i?.minBandwidthMbps ?? undefined,
    maxBandwidthMbps: i?.maxBandwidthMbps ?? undefined,
    mac: i?.mac ?? undefined,
    vlan: i?.vlan ?? undefined,
  };
}

/**
 * A pinned host that is not in the inventory is the caller's mistake, not the fleet's
 * capacity: NOT_FOUND naming the field, rather than a rejection listing every other host.
 * A registered host whose topology was never discovered is not in the snapshot either:
 * FAILED_PRECONDITION says what to do about it.
 */
export async function assertPinHostKnown(index: PlacementIndex, request: VmRequest, hosts: HostRepository): Promise<void> {
  const pin = request.pinHost;
  if (pin === undefined || index.hostRt(pin)) return;
  const host = isUuid(pin) ? await hosts.findById(pin) : await hosts.findByName(pin);
  const details = { resource: 'host', key: pin, field: 'pinHost' };
  if (!host) throw new DomainError('NOT_FOUND', `pinHost: host ${pin} not found`, details);
  throw new DomainError(
    'FAILED_PRECONDITION',
    `pinHost: host ${host.name} has no discovered topology yet (state ${host.state}); run discoverHost first`,
    details,
  );
}

/** Request-level reasons that are the caller's input, not the fleet's capacity. */
export function rejectionToError(r: Rejection, request: VmRequest): DomainError {
  const unknown = r.requestReasons.find((x) => x.code === 'NETWORK_UNKNOWN');
  if (unknown) {
    const idx = request.interfaces.findIndex((i) => unknown.detail.includes(`"${i.network}"`) || unknown.detail.includes(i.network));
    return BadUserInputError.of(`interfaces.${Math.max(0, idx)}.network`, unknown.detail);
  }
  const group = r.requestReasons.find((x) => x.code === 'GROUP_UNKNOWN');
  if (group) return BadUserInputError.of('group', group.detail);
  return new PlacementRejectedError(r);
}

export function toPlanView(p: PlacementPlan): PlanView {
  return {
    hostId: p.hostId,
    hostName: p.hostName,
    numaNodes: p.numaNodes,
    vcpuPins: p.vcpuPins,
    emulatorCpus: p.emulatorCpus,
    vhostCpus: p.vhostCpus,
    isolatedSiblings: p.isolatedSiblings,
    memoryMode: p.memory.mode,
    hugepages: p.memory.hugepages,
    interfaces: p.interfaces.map((i) => ({
      index: i.index,
      networkName: i.networkName,
      datapath: i.datapath,
      model: i.model,
      queues: i.queues,
      nicName: i.nicName,
      vfIndex: i.vf?.index ?? null,
      sourceDevice: i.sourceDevice,
      mac: i.mac,
      vlan: i.vlan,
      vlanProtocol: i.vlanProtocol,
      trunkVlans: i.trunk?.vlans ?? [],
      nativeVlan: i.trunk?.native?.vlan ?? null,
      numaNode: i.numaNode,
      numaLocal: i.numaLocal,
      failover: i.failoverBackup !== null,
      minBandwidthMbps: i.minBandwidthMbps,
      maxBandwidthMbps: i.maxBandwidthMbps,
      mtu: i.mtu,
      vhostUserPort: i.vhostUser?.port ?? null,
      vhostUserSocket: i.vhostUser?.socketPath ?? null,
      vdpaDevice: i.vdpa?.device ?? null,
      vdpaMgmtdev: i.vdpa?.mgmtdev ?? null,
      cost: i.cost,
    })),
    pmdQueues: p.allocation.pmdQueues,
    irqAffinity: p.irqAffinity.map((x) => ({ irq: x.irq, nicName: x.nicName, queue: x.queue, cpus: x.cpus })),
    rps: p.rps.map((x) => ({ nicName: x.nicName, rxQueue: x.rxQueue, cpus: x.cpus })),
    score: p.score,
    penalties: p.penalties,
  };
}

export function toRejectionView(r: Rejection): RejectionView {
  return { message: r.message, hostsConsidered: r.hostsConsidered, summary: r.summary, requestReasons: r.requestReasons };
}

function toCapacityView(c: EngineCapacity): CapacityReport {
  const pairs = (m: Record<string, number>) => Object.entries(m).map(([datapaths, count]) => ({ datapaths, count }));
  return {
    total: c.total,
    byDatapath: pairs(c.byDatapath),
    perHost: c.perHost.map((h) => ({ hostId: h.hostId, hostName: h.hostName, count: h.count, byDatapath: pairs(h.byDatapath) })),
    requestReasons: c.requestReasons,
    refusals: c.refusals.map((r) => ({ ...r, examples: [] })),
  };
}

/** Read-only placement: preview, explain, capacity. Nothing here writes. */
@Injectable()
export class PlacementService {
  constructor(
    @Inject(SnapshotCache) private readonly snapshots: SnapshotCache,
    @Inject(HostRepository) private readonly hosts: HostRepository,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
  ) {}

  private async index(): Promise<PlacementIndex> {
    return (await this.snapshots.read()).index;
  }

  async preview(input: VmInput): Promise<PlacementPreview> {
    const request = toVmRequest(input, `preview-${input?.name ?? 'vm'}`);
    await assertPinHostKnown(await this.index(), request, this.hosts);
    const r = await this.metrics.timePlacement('preview', async () => (await this.index()).place(request));
    if (r.ok) return { fits: true, plan: toPlanView(r.plan), rejection: null };
    this.metrics.rejected('preview', r.rejection);
    const err = rejectionToError(r.rejection, request);
    if (err instanceof BadUserInputError) throw err;
    return { fits: false, plan: null, rejection: toRejectionView(r.rejection) };
  }

  async explain(input: VmInput, host: string): Promise<HostExplanation> {
    const request = toVmRequest(input, `explain-${input?.name ?? 'vm'}`);
    const e = await this.metrics.timePlacement('explain', async () => explainOn(await this.index(), request, host));
    return { hostId: e.hostId, hostName: e.hostName, fits: e.fits, reasons: e.reasons };
  }

  async capacity(input: VmInput): Promise<CapacityReport> {
    const request = toVmRequest(input, `capacity-${input?.name ?? 'vm'}`);
    await assertPinHostKnown(await this.index(), request, this.hosts);
    return toCapacityView(await this.metrics.timePlacement('capacity', async () => capacityOn(await this.index(), request)));
  }

  describe(code: keyof typeof REASON_DESCRIPTIONS): string {
    return REASON_DESCRIPTIONS[code];
  }
}
