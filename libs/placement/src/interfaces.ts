import {
  datapathDefinition,
  takesVf,
  NETWORK_BRIDGE_KINDS,
  VF_KNOB_KEYWORDS,
  vfKnobRefusal,
  type Datapath,
  type FleetHostCapabilities,
  type FleetNetwork,
  type HostReason,
  type ReasonCode,
  type VfDriverNeed,
  type VmInterfaceRequest,
} from '@netpin/contracts';
import type { EvalContext } from './context';
import { pmdQueuesFor, rankOf, takesPmd } from './datapaths';
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
  const bridge = missingBridge(h, net);
  if (bridge) {
    why('BRIDGE_NOT_ON_HOST', bridge);
    return [];
  }
  const minBw = pi.req.minBandwidthMbps;
  const opts: IfaceOption[] = [];
  for (const d of pi.candidates) {
    const def = datapathDefinition(d);
    const missing = def.host.find((n) => !caps[n.capability]);
    if (missing) {
      why(missing.reason, missing.detail);
      continue;
    }
    const bridgeType = wrongBridgeType(h, net, d);
    if (bridgeType) {
      why(bridgeType.code, bridgeType.detail);
      continue;
    }
    if (takesPmd(d)) {
      // Served by the switch's PMD threads, not by a NIC: local to whichever node the VM gets (assign checks its PMD room).
      opts.push({ datapath: d, rank: rankOf(d), nic: null, node: null, backup: null });
      continue;
    }
    const carriers: (NicRt | null)[] = nics.length > 0 ? nics : [null];
    for (const nic of carriers) {
      if (takesVf(def.nicResource)) {
        if (!nic || nic.nic.sriovNumVfs === 0 || nic.nic.vfs.index.length === 0) {
          why('NO_SRIOV_NIC_FOR_NETWORK', `${nic?.nic.name ?? 'no NIC'} has no VFs`);
          continue;
        }
        if (def.nicResource === 'VDPA_VF' && !nic.nic.vdpaVfs) {
          why('NO_VDPA_VF_FOR_NETWORK', `${nic.nic.name}'s VFs are not vdpa management devices`);
          continue;
        }
        if (nic.freeVfs.length === 0) {
          why('NO_FREE_VF', `every VF of ${nic.nic.name} is taken`);
          continue;
        }
        const refused = vfDriverRefusal(d, nic, pi.req, net);
        if (refused) {
          why(refused.code, refused.detail);
          continue;
        }
      }
      const mtu = nic ? mtuRefusal(nic, net) : null;
      if (mtu) {
        why(mtu.code, mtu.detail);
        continue;
      }
      if (minBw > 0 && nic && nic.nic.speedMbps - nic.bwUsed < minBw) {
        why('NIC_BANDWIDTH_EXHAUSTED', `${nic.nic.name} has ${nic.nic.speedMbps - nic.bwUsed} Mb/s unpromised, ${minBw} asked`);
        continue;
      }
      const backup = pi.req.liveMigratable ? failoverBackup(d, caps) : null;
      opts.push({ datapath: d, rank: rankOf(d), nic, node: nic?.node ?? null, backup });
    }
  }
  return opts;
}

/**
 * Why the network's bridge is missing on the host (discovery found no bridge of its name and
 * kind), or null when it is there, the network has none, or the host's bridges are unknown.
 */
function missingBridge(h: HostRt, net: FleetNetwork): string | null {
  const kind = NETWORK_BRIDGE_KINDS[net.kind];
  const found = h.host.bridges;
  if (kind === undefined || net.bridge === null || found === null) return null;
  if (found.some((b) => b.name === net.bridge && b.kind === kind)) return null;
  const have = found.filter((b) => b.kind === kind).map((b) => b.name);
  return `${h.host.name} has no ${kind === 'OVS' ? 'OVS' : 'Linux'} bridge ${net.bridge} (found: ${have.length > 0 ? have.join(', ') : 'none'})`;
}

/**
 * Why the NIC cannot carry the network's MTU: above the most its driver takes, or above its
 * MTU now. A VF's MTU cannot exceed its PF's, a macvtap device takes its lower device's, and a
 * Linux bridge runs at its smallest port's, so whatever the datapath, a frame of the network's
 * MTU leaves the host only through a NIC set at least that high (docs/datapaths.md, "MTU").
 * A NIC discovery gave no figure for is not checked.
 */
function mtuRefusal(nic: NicRt, net: FleetNetwork): HostReason | null {
  if (net.mtu === null) return null;
  const { maxMtu, mtu, name } = nic.nic;
  if (maxMtu !== null && maxMtu < net.mtu)
    return { code: 'NIC_MAX_MTU_BELOW_NETWORK', detail: `${name} takes at most MTU ${maxMtu}, the network has ${net.mtu}` };
  if (mtu !== null && mtu < net.mtu) return { code: 'NIC_MTU_BELOW_NETWORK', detail: `${name} has MTU ${mtu}, the network ${net.mtu}` };
  return null;
}

/** The datapath needs an OVS bridge of another datapath type than the network's bridge has on the host. */
function wrongBridgeType(h: HostRt, net: FleetNetwork, d: Datapath): HostReason | null {
  const need = datapathDefinition(d).ovsBridge;
  if (need === null || NETWORK_BRIDGE_KINDS[net.kind] !== 'OVS') return null;
  const found = h.host.bridges?.find((b) => b.name === net.bridge && b.kind === 'OVS');
  // an OVS bridge of unknown type (discovered before types were read) is the default, system
  const type = found === undefined ? 'unknown' : (found.datapathType ?? 'system');
  if (type === need.datapathType) return null;
  return {
    code: need.reason,
    detail: `${h.host.name}'s bridge ${net.bridge ?? '?'} has datapath_type ${type}, ${d} needs ${need.datapathType}`,
  };
}

/** The first VF knob the interface needs that the PF's driver refuses (VF_DRIVER_CAPABILITIES), as a reason. */
function vfDriverRefusal(d: Datapath, nic: NicRt, req: VmInterfaceRequest, net: FleetNetwork): HostReason | null {
  for (const need of datapathDefinition(d).vfDriverNeeds) {
    const value = vfDemand(need.field, req, net);
    if (value === null) continue;
    const refusal = vfKnobRefusal(nic.nic.driver, need.knob);
    if (!refusal) continue;
    const knob = VF_KNOB_KEYWORDS[need.knob];
    return {
      code: need.reason,
      detail: `${nic.nic.name}'s driver ${nic.nic.driver ?? '?'} refuses VF ${knob} (${refusal.errno}), needed for ${need.field} ${value}`,
    };
  }
  return null;
}

/** What the interface asks of a VF knob's field, or null when it asks nothing of it. */
function vfDemand(field: VfDriverNeed['field'], req: VmInterfaceRequest, net: FleetNetwork): string | null {
  switch (field) {
    case 'minBandwidthMbps':
      return req.minBandwidthMbps > 0 ? String(req.minBandwidthMbps) : null;
    case 'vlanProtocol':
      return net.vlanProtocol === 'DOT1AD' && (req.vlan ?? net.vlan ?? 0) > 0 ? '802.1ad' : null;
  }
}

/** The first failover backup the host can run, for a datapath that migrates only with one. */
function failoverBackup(d: Datapath, caps: FleetHostCapabilities): Datapath | null {
  const lm = datapathDefinition(d).liveMigration;
  if (lm.kind !== 'FAILOVER') return null;
  return lm.backups.find((b) => datapathDefinition(b).host.every((n) => caps[n.capability])) ?? null;
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
  ctx: EvalContext,
  h: HostRt,
  opts: IfaceOption[][],
  home: number,
  strictNuma: boolean,
  prep: PreparedRequest,
  reasons: HostReason[],
): Assignment | null {
  const vfUse = new Map<NicRt, number>();
  const bwUse = new Map<NicRt, number>();
  const pmd = { used: 0, short: null as HostReason | null };
  const chosen: IfaceOption[] = [];
  let score = 0;
  let remote = 0;
  for (let i = 0; i < opts.length; i++) {
    const bw = prep.ifaces[i].req.minBandwidthMbps;
    let best: IfaceOption | null = null;
    let bestLocal = false;
    let vfShortLocally = false;
    let bwShort = false;
    pmd.short = null;
    for (const o of opts[i]) {
      const local = o.node === null || o.node === home;
      if (strictNuma && !local) continue;
      if (takesPmd(o.datapath)) {
        pmd.short = pmdShortfall(ctx, h, home, pmd.used, prep, i, o.datapath);
        if (pmd.short) continue;
      }
      if (o.nic && isVf(o.datapath) && (vfUse.get(o.nic) ?? 0) >= o.nic.freeVfs.length) {
        if (local) vfShortLocally = true;
        continue;
      }
      if (o.nic && bw > 0 && o.nic.nic.speedMbps - o.nic.bwUsed - (bwUse.get(o.nic) ?? 0) < bw) {
        bwShort = true;
        continue;
      }
      if (best === null || o.rank > best.rank || (o.rank === best.rank && local && !bestLocal)) {
        best = o;
        bestLocal = local;
      }
    }
    if (best === null && pmd.short) {
      reasons.push(pmd.short);
      return null;
    }
    if (best === null) {
      reasons.push(unassignable(opts[i], prep.ifaces[i], home, strictNuma, vfShortLocally, bwShort));
      return null;
    }
    if (best.nic && isVf(best.datapath)) vfUse.set(best.nic, (vfUse.get(best.nic) ?? 0) + 1);
    if (best.nic && bw > 0) bwUse.set(best.nic, (bwUse.get(best.nic) ?? 0) + bw);
    if (takesPmd(best.datapath)) pmd.used += pmdQueuesFor(prep.req.vcpus, h.node(home).pmdCores, ctx.opts.multiqueueCap);
    // A remote fast interface costs more than a remote slow one: the VM's node follows its fastest NIC.
    if (!bestLocal) remote += 1 + best.rank;
    score += best.rank;
    chosen.push(best);
  }
  return { chosen, datapathScore: score, remote };
}

/** Why no option of an interface is left for home node `home` once the VM's other interfaces took theirs. */
function unassignable(
  opts: IfaceOption[],
  iface: PreparedInterface,
  home: number,
  strictNuma: boolean,
  vfShortLocally: boolean,
  bwShort: boolean,
): HostReason {
  const where = `interface ${iface.index} (${iface.network.name})`;
  const elsewhereVf = opts.some((o) => isVf(o.datapath) && o.node !== home && o.nic !== null && o.nic.freeVfs.length > 0);
  if (bwShort) return { code: 'NIC_BANDWIDTH_EXHAUSTED', detail: `${where}: bandwidth exhausted by the other interfaces` };
  if (vfShortLocally || (strictNuma && elsewhereVf && opts.every((o) => isVf(o.datapath))))
    return { code: 'NO_FREE_VF_ON_NUMA_NODE', detail: `${where}: no free VF on node ${home}` };
  if (strictNuma) return { code: 'NICS_ON_DIFFERENT_NUMA_NODES', detail: `${where}: its NICs are not on node ${home}` };
  return { code: 'NO_FREE_VF', detail: `${where}: VFs exhausted by the other interfaces` };
}

/**
 * Why the home node's PMD cores cannot poll this interface's queues on top of `used` (taken
 * by the VM's earlier interfaces): no PMD core there, or its slots are taken.
 */
function pmdShortfall(
  ctx: EvalContext,
  h: HostRt,
  home: number,
  used: number,
  prep: PreparedRequest,
  i: number,
  d: Datapath,
): HostReason | null {
  const node = h.node(home);
  const iface = prep.ifaces[i];
  const res = datapathDefinition(d).switchResource;
  if (res.kind !== 'PMD') return null;
  const where = `interface ${iface.index} (${iface.network.name}): node ${home}`;
  if (node.pmdCores === 0) return { code: res.noPmd, detail: `${where} has no PMD core` };
  const need = pmdQueuesFor(prep.req.vcpus, node.pmdCores, ctx.opts.multiqueueCap);
  const free = node.pmdCores * ctx.opts.pmdQueuesPerCore - node.pmdUsed - used;
  if (free >= need) return null;
  return {
    code: res.exhausted,
    detail: `${where}: ${node.pmdCores} PMD cores × ${ctx.opts.pmdQueuesPerCore} queues, ${Math.max(0, free)} free, ${need} needed`,
  };
}

function isVf(d: Datapath): boolean {
  return takesVf(datapathDefinition(d).nicResource);
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
