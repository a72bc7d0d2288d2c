import {
  datapathDefinition,
  GUEST_NEED_REASONS,
  type Datapath,
  type FleetNetwork,
  type HostReason,
  type VmRequest,
} from '@netpin/contracts';
import { AUTO_ORDER, connectionFor, datapathsForKind, rankOf } from './datapaths';
import type { GroupLookup, GroupSpread, PreparedGroup } from './groups';

export interface PreparedInterface {
  index: number;
  req: VmRequest['interfaces'][number];
  network: FleetNetwork;
  /** Datapaths to try on a host, best first. */
  candidates: Datapath[];
}

/** Everything about a request that does not depend on a host, computed once per placement. */
export interface PreparedRequest {
  req: VmRequest;
  vmId: string;
  ifaces: PreparedInterface[];
  requestReasons: HostReason[];
  /** Best datapath score any host could give: the bound the search prunes with. */
  idealDatapath: number;
  /** Same shape => same answer on an unchanged host; keys negative caches. */
  shapeKey: string;
  /** CPUs a single node must at least have free (dedicated), before I/O CPUs and ISOLATE siblings: a lower bound. */
  minNodeCpus: number;
  avoid: Set<string>;
  /** The affinity group the VM joins, with where its members are now; null without one. */
  group: PreparedGroup | null;
}

/** What prepareRequest reads of the fleet besides networks: the groups and where their members run. */
export interface GroupContext {
  groups: GroupLookup;
  spread: (groupId: string) => GroupSpread;
}

const NO_GROUPS: GroupContext = {
  groups: { byId: new Map(), byName: new Map() },
  spread: () => ({ hosts: 0, maxOnHost: 0 }),
};

export interface NetworkLookup {
  byId: Map<string, FleetNetwork>;
  byName: Map<string, FleetNetwork>;
}

export function networkLookup(networks: readonly FleetNetwork[]): NetworkLookup {
  return { byId: new Map(networks.map((n) => [n.id, n])), byName: new Map(networks.map((n) => [n.name, n])) };
}

export function prepareRequest(req: VmRequest, nets: NetworkLookup, groups: GroupContext = NO_GROUPS): PreparedRequest {
  const requestReasons: HostReason[] = [];
  const group = prepareGroup(req, groups, requestReasons);
  const ifaces: PreparedInterface[] = [];
  req.interfaces.forEach((i, index) => {
    const network = nets.byId.get(i.network) ?? nets.byName.get(i.network);
    if (!network) {
      requestReasons.push({ code: 'NETWORK_UNKNOWN', detail: `interface ${index}: no network "${i.network}"` });
      return;
    }
    const possible = datapathsForKind(network.kind);
    let candidates: Datapath[];
    if (i.datapath === 'AUTO') {
      const guestOk = AUTO_ORDER.filter((d) => possible.includes(d)).filter((d) => guestCan(req, i.liveMigratable, d) === null);
      candidates = guestOk.filter((d) => vlanCan(network, i, d) === null);
      const vlan = guestOk.length > 0 && candidates.length === 0 ? vlanCan(network, i, guestOk[0]) : null;
      if (vlan !== null) {
        requestReasons.push({ code: vlan.code, detail: `interface ${index}: no datapath on ${network.name} can: ${vlan.detail}` });
        return;
      }
    } else {
      const d: Datapath = i.datapath;
      if (!possible.includes(d)) {
        requestReasons.push({ code: 'DATAPATH_NOT_SUPPORTED_BY_NETWORK', detail: `interface ${index}: ${d} on a ${network.kind} network` });
        return;
      }
      const guest = guestCan(req, i.liveMigratable, d);
      if (guest !== null) {
        requestReasons.push({ code: guest, detail: `interface ${index}: ${d}` });
        return;
      }
      const vlan = vlanCan(network, i, d);
      if (vlan !== null) {
        requestReasons.push({ code: vlan.code, detail: `interface ${index}: ${vlan.detail}` });
        return;
      }
      candidates = [d];
    }
    ifaces.push({ index, req: i, network, candidates });
  });
  const idealDatapath = ifaces.reduce((s, i) => s + (i.candidates.length ? rankOf(i.candidates[0]) : 0), 0);
  const emu = req.cpuPolicy === 'DEDICATED' && req.emulatorThreads === 'ISOLATE' ? 1 : 0;
  const minNodeCpus = req.cpuPolicy === 'DEDICATED' ? req.vcpus + emu : 0;
  // hard affinity refuses memberless hosts only once the group has members somewhere: a fleet-wide fact the key carries
  const groupKey = group ? { id: group.def.id, placed: group.spread.hosts > 0 } : null;
  const shapeKey = `${JSON.stringify(req, shapeFields(req))}|${JSON.stringify(groupKey)}`;
  return {
    req,
    vmId: req.vmId ?? req.name,
    ifaces,
    requestReasons,
    idealDatapath,
    shapeKey,
    minNodeCpus,
    avoid: new Set(req.avoidHosts),
    group,
  };
}

/**
 * JSON.stringify's replacer for the shape key: the request without what names the VM (name,
 * vmId, its interfaces' MACs) and without its group (the key adds where the group stands).
 * No copy of the request is made: spreading one (~20 fields) made V8 allocate new hidden
 * classes in the old generation on every placement.
 */
function shapeFields(req: VmRequest): (this: unknown, key: string, value: unknown) => unknown {
  return function (this: unknown, key, value) {
    if (this === req && (key === 'name' || key === 'vmId' || key === 'group')) return undefined;
    if (key === 'mac' && req.interfaces.includes(this as VmRequest['interfaces'][number])) return undefined;
    return value;
  };
}

function prepareGroup(req: VmRequest, ctx: GroupContext, reasons: HostReason[]): PreparedGroup | null {
  if (req.group === undefined) return null;
  const def = ctx.groups.byId.get(req.group) ?? ctx.groups.byName.get(req.group);
  if (!def) {
    reasons.push({ code: 'GROUP_UNKNOWN', detail: `no affinity group "${req.group}"` });
    return null;
  }
  return { def, spread: ctx.spread(def.id) };
}

/**
 * The network's VLAN as datapath `d` would carry it (host independent): a trunk only where the
 * datapath's module lists the connection (vlanTrunk), 802.1ad only where it lists the protocol.
 * An interface's own vlan makes it an access port, so the network's trunk does not apply.
 */
function vlanCan(net: FleetNetwork, i: VmRequest['interfaces'][number], d: Datapath): HostReason | null {
  const def = datapathDefinition(d);
  const connection = connectionFor(net.kind, d);
  if (i.vlan === undefined && net.trunkVlans.length > 0 && (connection === null || def.vlanTrunk[connection] === undefined))
    return { code: 'VLAN_TRUNK_UNSUPPORTED', detail: `${d} cannot carry ${net.name}'s VLAN trunk (${connection ?? 'no'} connection)` };
  const vlan = i.vlan ?? net.vlan;
  if (vlan !== null && vlan > 0 && !def.vlanProtocols.includes(net.vlanProtocol))
    return { code: 'VLAN_PROTOCOL_UNSUPPORTED', detail: `${d} cannot tag ${net.name}'s VLAN ${vlan} as ${net.vlanProtocol}` };
  return null;
}

/** Guest-side conditions (host independent): the datapath's guest drivers, its memory, then its live-migration needs. */
function guestCan(req: VmRequest, liveMigratable: boolean, d: Datapath): HostReason['code'] | null {
  const def = datapathDefinition(d);
  for (const need of def.guest) if (!req.guest[need]) return GUEST_NEED_REASONS[need];
  // a userspace switch maps the guest's RAM: only huge pages, shared, can be (the XML asks for access mode shared)
  if (def.memory.kind === 'SHARED_HUGEPAGES' && req.hugepages === 'NONE') return def.memory.reason;
  // libvirt <teaming> needs a virtio persistent interface to fail over to.
  if (liveMigratable && def.liveMigration.kind === 'FAILOVER' && !req.guest.virtio) return def.liveMigration.reason;
  // a datapath that never migrates live cannot serve an interface that must
  if (liveMigratable && def.liveMigration.kind === 'COLD_ONLY') return def.liveMigration.reason;
  return null;
}
