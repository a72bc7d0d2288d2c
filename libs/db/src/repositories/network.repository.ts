import {
  BadUserInputError,
  ConflictError,
  fleetNetworkSchema,
  NETWORK_BRIDGE_KINDS,
  NotFoundError,
  type CreateNetworkInput,
  type HostBridge,
  type MapNetworkInput,
  type NetworkKind,
  type UpdateNetworkInput,
} from '@netpin/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { mapPrismaError } from '../prisma-errors';
import type { NetworkRecord } from '../types';
import { stored } from '../stored-json';
import { isUuid } from './host.repository';

const include = { nics: { include: { host: { select: { name: true } }, nic: { select: { name: true } } } } } as const;
type NetworkRow = Prisma.NetworkGetPayload<{ include: typeof include }>;

/** The VLAN protocol and trunk columns, parsed where read. */
const networkVlanSchema = fleetNetworkSchema.pick({ vlanProtocol: true, trunkVlans: true, nativeVlan: true, nativeVlanMode: true });

function toNetworkRecord(r: NetworkRow): NetworkRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    bridge: r.bridge,
    physnet: r.physnet,
    vlan: r.vlan,
    macvtapMode: r.macvtapMode,
    mtu: r.mtu,
    ...networkVlanSchema.parse({
      vlanProtocol: r.vlanProtocol,
      trunkVlans: r.trunkVlans,
      nativeVlan: r.nativeVlan,
      nativeVlanMode: r.nativeVlanMode,
    }),
    createdAt: r.createdAt,
    mappings: r.nics
      .map((m) => ({ hostId: m.hostId, hostName: m.host.name, nicId: m.nicId, nicName: m.nic.name }))
      .sort((a, b) => a.hostName.localeCompare(b.hostName) || a.nicName.localeCompare(b.nicName)),
  };
}

/** "Linux bridge br0" / "OVS bridge br-int"; null when the network kind names no bridge. */
function bridgeWanted(
  kind: NetworkKind,
  bridge: string | null | undefined,
): { kind: HostBridge['kind']; name: string; text: string } | null {
  const k = NETWORK_BRIDGE_KINDS[kind];
  if (k === undefined || !bridge) return null;
  return { kind: k, name: bridge, text: `${k === 'OVS' ? 'OVS' : 'Linux'} bridge ${bridge}` };
}

const hasBridge = (found: HostBridge[], want: { kind: HostBridge['kind']; name: string }): boolean =>
  found.some((b) => b.kind === want.kind && b.name === want.name);

export class NetworkRepository {
  constructor(private readonly db: Db) {}

  /**
   * A bridge network must name a bridge some host has: refused (field bridge) when hosts'
   * bridges are known and none has it. With no host discovered yet, nothing can be checked.
   */
  private async checkBridgeExists(input: CreateNetworkInput): Promise<void> {
    const want = bridgeWanted(input.kind, input.bridge);
    if (!want) return;
    const hosts = await this.db.host.findMany({ select: { name: true, bridges: true } });
    const known = hosts.flatMap((h) => stored.bridges(h.bridges, h.name) ?? []);
    const discovered = hosts.some((h) => h.bridges !== null);
    if (discovered && !hasBridge(known, want)) {
      throw BadUserInputError.of('bridge', `no discovered host has a ${want.text}; create it on the hosts and rediscover them first`);
    }
  }

  async create(input: CreateNetworkInput): Promise<NetworkRecord> {
    await this.checkBridgeExists(input);
    try {
      const row = await this.db.network.create({
        data: {
          name: input.name,
          kind: input.kind,
          bridge: input.bridge ?? null,
          physnet: input.physnet ?? null,
          vlan: input.vlan ?? null,
          macvtapMode: input.macvtapMode ?? null,
          mtu: input.mtu ?? null,
          vlanProtocol: input.vlanProtocol ?? 'DOT1Q',
          trunkVlans: input.trunkVlans ?? [],
          nativeVlan: input.nativeVlan ?? null,
          nativeVlanMode: input.nativeVlanMode ?? 'UNTAGGED',
        },
        include,
      });
      return toNetworkRecord(row);
    } catch (e) {
      mapPrismaError(e, 'network', input.name);
    }
  }

  async list(): Promise<NetworkRecord[]> {
    const rows = await this.db.network.findMany({ orderBy: { name: 'asc' }, include });
    return rows.map(toNetworkRecord);
  }

  async get(ref: { id?: string | null; name?: string | null }): Promise<NetworkRecord> {
    const row = ref.id
      ? isUuid(ref.id)
        ? await this.db.network.findUnique({ where: { id: ref.id }, include })
        : null
      : ref.name
        ? await this.db.network.findUnique({ where: { name: ref.name }, include })
        : null;
    if (!row) throw new NotFoundError('network', ref.id ?? ref.name ?? '(none)');
    return toNetworkRecord(row);
  }

  /** Delete a network; refused while any VM that is not DELETED has an interface on it. */
  async remove(id: string): Promise<NetworkRecord> {
    return this.db.$transaction(async (tx) => {
      const row = isUuid(id) ? await tx.network.findUnique({ where: { id }, include }) : null;
      if (!row) throw new NotFoundError('network', id);
      const inUse = await tx.vmInterface.count({ where: { networkId: id, vm: { state: { not: 'DELETED' } } } });
      if (inUse > 0) throw new ConflictError(`network ${row.name} is used by ${inUse} VM interface(s)`, { interfaces: inUse });
      await tx.vmInterface.deleteMany({ where: { networkId: id } });
      await tx.network.delete({ where: { id } });
      return toNetworkRecord(row);
    });
  }

  /** Record that `nic` on `host` carries `network`. SR-IOV networks need an SR-IOV capable NIC. */
  async mapToNic(input: MapNetworkInput): Promise<NetworkRecord> {
    const network = await this.db.network.findUnique({ where: { name: input.network } });
    if (!network) throw new NotFoundError('network', input.network);
    const host = await this.db.host.findUnique({ where: { name: input.host } });
    if (!host) throw new NotFoundError('host', input.host);
    const nic = await this.db.nic.findUnique({ where: { hostId_name: { hostId: host.id, name: input.nic } } });
    if (!nic) throw new NotFoundError('nic', `${input.host}/${input.nic}`);
    if (network.kind === 'SRIOV_PHYSNET' && nic.sriovTotalVfs === 0) {
      throw BadUserInputError.of('nic', `${input.nic} on ${input.host} has no SR-IOV capability; an SRIOV_PHYSNET network needs a PF`);
    }
    if (network.mtu !== null && nic.maxMtu !== null && nic.maxMtu < network.mtu) {
      throw BadUserInputError.of(
        'nic',
        `${input.nic} on ${input.host} takes at most MTU ${nic.maxMtu}; ${input.network} has MTU ${network.mtu}`,
      );
    }
    const want = bridgeWanted(network.kind, network.bridge);
    const found = stored.bridges(host.bridges, host.name);
    if (want && found !== null && !hasBridge(found, want)) {
      throw BadUserInputError.of(
        'host',
        `${input.host} has no ${want.text} (discovery found none); create it there and rediscover the host first`,
      );
    }
    try {
      await this.db.networkNic.create({ data: { networkId: network.id, hostId: host.id, nicId: nic.id } });
    } catch (e) {
      mapPrismaError(e, 'mapping', `${input.network} -> ${input.host}/${input.nic}`);
    }
    return this.get({ id: network.id });
  }

  /**
   * Change the network's MTU. Refused (field mtu) when a NIC that carries it takes less
   * (discovery's maxmtu). Interfaces placed before keep the MTU their plan recorded.
   */
  async update(input: UpdateNetworkInput): Promise<NetworkRecord> {
    return this.db.$transaction(async (tx) => {
      const row = await tx.network.findUnique({
        where: { name: input.network },
        include: { nics: { include: { nic: true, host: true } } },
      });
      if (!row) throw new NotFoundError('network', input.network);
      const mtu = input.mtu;
      const short = mtu === null ? [] : row.nics.filter((m) => m.nic.maxMtu !== null && m.nic.maxMtu < mtu);
      if (short.length > 0) {
        const names = short.map((m) => `${m.host.name}/${m.nic.name} (max ${m.nic.maxMtu})`).join(', ');
        throw BadUserInputError.of('mtu', `MTU ${mtu} is above what NICs carrying ${input.network} take: ${names}`);
      }
      const updated = await tx.network.update({ where: { id: row.id }, data: { mtu }, include });
      return toNetworkRecord(updated);
    });
  }

  async unmapNic(input: MapNetworkInput): Promise<NetworkRecord> {
    const network = await this.get({ name: input.network });
    const m = network.mappings.find((x) => x.hostName === input.host && x.nicName === input.nic);
    if (!m) throw new NotFoundError('mapping', `${input.network} -> ${input.host}/${input.nic}`);
    await this.db.networkNic.delete({ where: { networkId_nicId: { networkId: network.id, nicId: m.nicId } } });
    return this.get({ id: network.id });
  }
}
