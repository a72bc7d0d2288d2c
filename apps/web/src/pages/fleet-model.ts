import type { FleetQuery } from '@netpin/client/operations';

export type FleetHost = FleetQuery['hosts']['nodes'][number];

export interface NodeCapacity {
  index: number;
  cpusFree: number;
  /** CPUs a VM may be pinned to: all but the host-reserved ones */
  cpusTotal: number;
  cpusReserved: number;
  memoryMiB: number;
  hugepages: { sizeKiB: number; free: number; total: number }[];
  vfsFree: number;
  vfsTotal: number;
}

export interface HostSummary {
  host: FleetHost;
  nodes: NodeCapacity[];
  cpusFree: number;
  vfsFree: number;
  sriov: boolean;
}

export function summarize(host: FleetHost): HostSummary {
  const nodes = host.numaNodes
    .map((n): NodeCapacity => {
      const vfs = host.nics.filter((nic) => nic.numaNode === n.index).map((nic) => nic.vfCounts);
      return {
        index: n.index,
        cpusFree: n.cpuCounts.free,
        cpusTotal: n.cpuCounts.usable,
        cpusReserved: n.cpuCounts.reservedForHost,
        memoryMiB: n.memoryMiB,
        hugepages: n.hugepages.filter((h) => h.total > 0),
        vfsFree: vfs.reduce((s, v) => s + v.free, 0),
        vfsTotal: vfs.reduce((s, v) => s + v.configured, 0),
      };
    })
    .sort((a, b) => a.index - b.index);
  return {
    host,
    nodes,
    cpusFree: host.cpuCounts.free,
    // VFs on NICs without a NUMA node count for the host even if no node shows them.
    vfsFree: host.nics.reduce((s, n) => s + n.vfCounts.free, 0),
    sriov: host.nics.some((n) => n.sriovTotalVfs > 0),
  };
}

export type SortKey = 'name' | 'state' | 'cpusFree' | 'vfsFree';

export interface FleetFilter {
  text: string;
  state: string;
  sriovOnly: boolean;
}

export function filterAndSort(hosts: readonly HostSummary[], filter: FleetFilter, sort: SortKey, desc: boolean): HostSummary[] {
  const text = filter.text.trim().toLowerCase();
  const kept = hosts.filter((h) => {
    if (filter.state !== '' && h.host.state !== filter.state) return false;
    if (filter.sriovOnly && !h.sriov) return false;
    if (text === '') return true;
    const hay = [h.host.name, h.host.address, ...h.host.labels.map((l) => `${l.key}=${l.value}`)].join(' ').toLowerCase();
    return hay.includes(text);
  });
  const cmp = (a: HostSummary, b: HostSummary): number => {
    switch (sort) {
      case 'name':
        return a.host.name.localeCompare(b.host.name);
      case 'state':
        return a.host.state.localeCompare(b.host.state) || a.host.name.localeCompare(b.host.name);
      case 'cpusFree':
        return a.cpusFree - b.cpusFree || a.host.name.localeCompare(b.host.name);
      case 'vfsFree':
        return a.vfsFree - b.vfsFree || a.host.name.localeCompare(b.host.name);
    }
  };
  return kept.sort((a, b) => (desc ? -cmp(a, b) : cmp(a, b)));
}
