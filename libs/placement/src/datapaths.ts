import { datapathDefinition, type Datapath, type DatapathCost, type NicModel } from '@netpin/contracts';

/**
 * Placement's reading of the datapath registry (@netpin/contracts datapaths): each fact is
 * declared in the datapath's own module; these helpers only derive what the engine needs.
 */
export { AUTO_ORDER, MAX_DATAPATH_RANK, connectionFor, datapathsForKind } from '@netpin/contracts';

export function rankOf(d: Datapath): number {
  return datapathDefinition(d).rank;
}

export function costOf(d: Datapath): DatapathCost {
  return { datapath: d, ...datapathDefinition(d).cost };
}

export function modelFor(d: Datapath): NicModel {
  const xml = datapathDefinition(d).xml;
  return xml.kind === 'hostdev' ? 'virtio' : xml.model;
}

/** In-kernel vhost backend: its threads run on the node's I/O CPUs. */
export function usesVhost(d: Datapath): boolean {
  const xml = datapathDefinition(d).xml;
  return xml.kind === 'emulated' && xml.driver === 'vhost';
}

/** Emulated models have one queue; the rest scale with vCPUs, bounded by NIC queues and the cap. */
export function queuesFor(d: Datapath, vcpus: number, nicQueues: number | null, cap: number): number {
  if (!datapathDefinition(d).multiqueue) return 1;
  return Math.max(1, Math.min(vcpus, nicQueues ?? vcpus, cap));
}
