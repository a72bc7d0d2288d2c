import { datapathDefinition, type Datapath, type DatapathCost, type PlanNicModel } from '@netpin/contracts';

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

export function modelFor(d: Datapath): PlanNicModel {
  const xml = datapathDefinition(d).xml;
  return xml.kind === 'hostdev' ? 'vf' : xml.model;
}

/** In-kernel vhost backend: its threads run on the node's I/O CPUs. */
export function usesVhost(d: Datapath): boolean {
  const xml = datapathDefinition(d).xml;
  return xml.kind === 'emulated' && xml.driver === 'vhost';
}

/**
 * virtio queues: they scale with vCPUs, bounded by NIC queues and the cap; emulated models
 * have one. A passed-through VF has none of ours (its driver sets its queues).
 */
export function queuesFor(d: Datapath, vcpus: number, nicQueues: number | null, cap: number): number | null {
  const def = datapathDefinition(d);
  if (def.xml.kind === 'hostdev') return null;
  if (!def.multiqueue) return 1;
  return Math.max(1, Math.min(vcpus, nicQueues ?? vcpus, cap));
}

/** Its queues are polled by the userspace switch's PMD threads on the VM's node (vhost-user). */
export function takesPmd(d: Datapath): boolean {
  return datapathDefinition(d).switchResource.kind === 'PMD';
}

/**
 * Queues of a PMD-polled interface: one per vCPU, but no more than the node's PMD cores (a
 * queue is polled by one PMD; more queues than PMDs add no parallelism) nor the cap. Each takes a PMD slot.
 */
export function pmdQueuesFor(vcpus: number, pmdCores: number, cap: number): number {
  return Math.max(1, Math.min(vcpus, pmdCores, cap));
}
