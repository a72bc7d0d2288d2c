/** Tunables of the engine. Every default is explained in docs/placement.md. */
export interface PlacementOptions {
  /** Upper bound on virtio/VF queues per interface (multiqueue = min(vCPUs, NIC queues, cap)). */
  multiqueueCap: number;
  /** CPUs a node sets aside for NIC IRQs and vhost threads the first time a VM uses a NIC on it. */
  ioCpusPerNode: number;
  /** Never more than this share of a node's usable CPUs goes to IRQ/vhost work (at least 1 CPU). */
  maxIoCpuShare: number;
  /**
   * vhost-user queues one OVS-DPDK PMD core polls before throughput per VM drops below the
   * kernel datapath's (docs/placement.md "PMD capacity"); a node's PMD capacity is its PMD cores × this.
   */
  pmdQueuesPerCore: number;
  /** Shared-policy vCPUs allowed per non-dedicated CPU of a node. */
  sharedCpuRatio: number;
  /** PACK fills the fullest host that fits first; SPREAD the emptiest. */
  strategy: 'PACK' | 'SPREAD';
  /** Weigher weights; defaults make datapath >> NUMA locality >> soft group rules >> packing. */
  weights: { datapath: number; numa: number; group: number; packing: number };
  /** How many example hosts a rejection lists per reason. */
  rejectionExamples: number;
}

export const DEFAULT_PLACEMENT_OPTIONS: Readonly<PlacementOptions> = Object.freeze({
  multiqueueCap: 8,
  ioCpusPerNode: 2,
  maxIoCpuShare: 0.25,
  pmdQueuesPerCore: 4,
  sharedCpuRatio: 4,
  strategy: 'PACK',
  weights: Object.freeze({ datapath: 1_000_000, numa: 10_000, group: 1_000, packing: 1 }),
  rejectionExamples: 3,
}) as Readonly<PlacementOptions>;

export function resolveOptions(o: Partial<PlacementOptions> = {}): PlacementOptions {
  return { ...DEFAULT_PLACEMENT_OPTIONS, ...o, weights: { ...DEFAULT_PLACEMENT_OPTIONS.weights, ...o.weights } };
}
