import type { Datapath, HostReason, ReasonCode } from '@netpin/contracts';
import { DATAPATH_RANK, usesVhost } from './datapaths';
import type { HostRt, NicRt } from './host-state';
import type { PreparedInterface, PreparedRequest } from './request';

/** One way an interface could be connected on a host. */
export interface IfaceOption {
  datapath: Datapath;
  rank: number;
  nic: NicRt | null;
  node: number | null;
  /** For a live-migratable VF: the virtio datapath of the libvirt <teaming> backup. */
  backup: Datapath | null;
}

/**
 * Filters per interface: which datapaths this host can offer (section 2 "needs" column).
 * Options come out best first; an interface with none yields its reasons.
 */
export function interfaceOptions(h: HostRt, prep: PreparedRequest, reasons: HostReason[]): IfaceOption[][] | null {
  const out: IfaceOption[][] = [];
  let failed = false;
  for (const pi of prep.ifaces) {
    const local: HostReason[] = [];
    const opts = optionsFor(h, pi, local);
    if (opts.length === 0) {
      failed = true;
      reasons.push(...dedupe(local));
    }
    out.push(opts);
  }
  return failed ? null : out;
}

function optionsFor(h: HostRt, pi: PreparedInterface, reasons: HostReason[]): IfaceOption[] {
  const caps = h.host.capabilities;
  const net = pi.network;
  const nics = h.netNics.get(net.id);
  const why = (code: ReasonCode, detail: string) => reasons.push({ code, detail: `interface ${pi.index} (${net.name}): ${detail}` });
  if (nics === undefined || (nics.length === 0 && (net.kind === 'SRIOV_PHYSNET' || net.kind === 'MACVTAP'))) {
    why('NETWORK_NOT_ON_HOST', `no NIC on ${h.host.name} carries it`);
    return [];
  }
  if (net.kind === 'OVS_BRIDGE' && !caps.ovs) {
    why('OVS_UNAVAILABLE', 'host has no Open vSwitch');
    return [];
  }
  const minBw = pi.req.minBandwidthMbps;
  const opts: IfaceOption[] = [];
  for (const d of pi.candidates) {
    if (usesVhost(d) && !caps.vhostNet) {
      why('VHOST_NET_UNAVAILABLE', `${d} needs /dev/vhost-net`);
      continue;
    }
    if (d === 'SRIOV' && !caps.iommu) {
      why('IOMMU_DISABLED', 'SR-IOV needs VT-d');
      continue;
    }
    const carriers: (NicRt | null)[] = nics.length > 0 ? nics : [null];
    for (const nic of carriers) {
      if (d === 'SRIOV') {
        if (!nic || nic.nic.sriovNumVfs === 0 || nic.vfPci.size === 0) {
          why('NO_SRIOV_NIC_FOR_NETWORK', `${nic?.nic.name ?? 'no NIC'} has no VFs`);
          continue;
        }
        if (nic.freeVfs.length === 0) {
          why('NO_FREE_VF', `every VF of ${nic.nic.name} is taken`);
          continue;
        }
      }
      if (minBw > 0 && nic && nic.nic.speedMbps - nic.bwUsed < minBw) {
        why('NIC_BANDWIDTH_EXHAUSTED', `${nic.nic.name} has ${nic.nic.speedMbps - nic.bwUsed} Mb/s unpromised, ${minBw} asked`);
        continue;
      }
      const backup = d === 'SRIOV' && pi.req.liveMigratable ? (caps.vhostNet ? 'VHOST_MACVTAP' : 'VIRTIO_USERSPACE') : null;
      opts.push({ datapath: d, rank: DATAPATH_RANK[d], nic, node: nic?.node ?? null, backup });
    }
  }
  return opts;
}

/** Chosen option per interface for a given home node, with the NUMA penalty it costs. */
export interface Assignment {
  chosen: IfaceOption[];
  datapathScore: number;
  /** Interfaces whose NIC is not on the home node, each weighted 1 + its datapath rank. */
  remote: number;
}

/**
 * Pick each interface's option for home node `home`. REQUIRED keeps NICs on the home node;
 * otherwise the fastest datapath wins and locality only breaks ties within it.
 */
export function assign(
  opts: IfaceOption[][],
  home: number,
  strictNuma: boolean,
  prep: PreparedRequest,
  reasons: HostReason[],
): Assignment | null {
  const vfUse = new Map<NicRt, number>();
  const bwUse = new Map<NicRt, number>();
  const chosen: IfaceOption[] = [];
  let score = 0;
  let remote = 0;
  for (let i = 0; i < opts.length; i++) {
    const bw = prep.ifaces[i].req.minBandwidthMbps;
    let best: IfaceOption | null = null;
    let bestLocal = false;
    let vfShortLocally = false;
    for (const o of opts[i]) {
      const local = o.node === null || o.node === home;
      if (strictNuma && !local) continue;
      if (o.nic && o.datapath === 'SRIOV' && (vfUse.get(o.nic) ?? 0) >= o.nic.freeVfs.length) {
        if (local) vfShortLocally = true;
        continue;
      }
      if (o.nic && bw > 0 && o.nic.nic.speedMbps - o.nic.bwUsed - (bwUse.get(o.nic) ?? 0) < bw) continue;
      if (best === null || o.rank > best.rank || (o.rank === best.rank && local && !bestLocal)) {
        best = o;
        bestLocal = local;
      }
    }
    if (best === null) {
      const iface = prep.ifaces[i];
      const elsewhereVf = opts[i].some((o) => o.datapath === 'SRIOV' && o.node !== home && o.nic !== null && o.nic.freeVfs.length > 0);
      if (vfShortLocally || (strictNuma && elsewhereVf && opts[i].every((o) => o.datapath === 'SRIOV'))) {
        reasons.push({
          code: 'NO_FREE_VF_ON_NUMA_NODE',
          detail: `interface ${iface.index} (${iface.network.name}): no free VF on node ${home}`,
        });
      } else if (strictNuma) {
        reasons.push({
          code: 'NICS_ON_DIFFERENT_NUMA_NODES',
          detail: `interface ${iface.index} (${iface.network.name}): its NICs are not on node ${home}`,
        });
      } else {
        reasons.push({
          code: 'NO_FREE_VF',
          detail: `interface ${iface.index} (${iface.network.name}): VFs or bandwidth exhausted by the other interfaces`,
        });
      }
      return null;
    }
    if (best.nic && best.datapath === 'SRIOV') vfUse.set(best.nic, (vfUse.get(best.nic) ?? 0) + 1);
    if (best.nic && bw > 0) bwUse.set(best.nic, (bwUse.get(best.nic) ?? 0) + bw);
    // A remote fast interface costs more than a remote slow one: the VM's node follows its fastest NIC.
    if (!bestLocal) remote += 1 + best.rank;
    score += best.rank;
    chosen.push(best);
  }
  return { chosen, datapathScore: score, remote };
}

export function dedupe(reasons: HostReason[]): HostReason[] {
  const seen = new Set<string>();
  return reasons.filter((r) => {
    const k = `${r.code}|${r.detail}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
