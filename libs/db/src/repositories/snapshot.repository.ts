import { z } from 'zod';
import {
  CPU_OWNER_ROLES,
  fleetAllocationSchema,
  foreignDomainsSchema,
  HOST_STATES,
  hostBridgesSchema,
  hugepagePoolSchema,
  MACVTAP_MODES,
  NETWORK_KINDS,
  VIRT_TYPES,
  type FleetAllocation,
  type FleetCpuOwner,
  type FleetHost,
  type FleetNetwork,
  type FleetNic,
  type FleetSnapshot,
  type PagedHugepageSize,
} from '@netpin/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { readSnapshotRows, type CpuColumns, type HostRow, type NicRow, type SnapshotRows } from './snapshot-rows';

const PAGE_SIZES: Record<number, PagedHugepageSize> = { 2048: 'SIZE_2M', 1048576: 'SIZE_1G' };
const hugepagesSchema = z.array(hugepagePoolSchema).catch([]);
// a bridges value that does not parse counts as not discovered: placement then does not check bridges on that host
const bridgesSchema = hostBridgesSchema.nullable().catch(null);
// unparsable foreign domains count as none, as a host discovered before netpin read them
const foreignSchema = foreignDomainsSchema.catch([]);
const hostStateSchema = z.enum(HOST_STATES);
const virtTypeSchema = z.enum(VIRT_TYPES);
const roleSchema = z.enum(CPU_OWNER_ROLES);
const kindSchema = z.enum(NETWORK_KINDS);
const macvtapModeSchema = z.enum(MACVTAP_MODES).nullable().catch(null);

/**
 * Reads the inventory as the placement engine's fleet snapshot. CPU owners come from the
 * CpuAllocation rows (the database's word); memory, hugepages, bandwidth and I/O nodes
 * from the allocation each holding VM recorded with its plan.
 */
export class SnapshotRepository {
  constructor(private readonly db: Db) {}

  load(opts: { hostIds?: string[] } = {}): Promise<FleetSnapshot> {
    return loadSnapshot(this.db, opts);
  }
}

/** Also used inside a transaction (with the placement lock held) to read the exact fleet. */
export async function loadSnapshot(db: Db | Prisma.TransactionClient, opts: { hostIds?: string[] } = {}): Promise<FleetSnapshot> {
  const rows = await readSnapshotRows(db, opts.hostIds);
  const allocations: FleetAllocation[] = [];
  for (const raw of rows.allocations) {
    const a = fleetAllocationSchema.safeParse(raw);
    if (a.success) allocations.push(a.data);
  }
  const used = usedMemory(allocations);
  const cpuOwner = new Map(rows.cpuOwners.map((o) => [`${o.hostId}/${o.cpuId}`, { vmId: o.vmId, role: roleSchema.parse(o.role) }]));
  const vfOwner = new Map(rows.vfOwners.map((o) => [`${o.nicId}/${o.index}`, o.vmId]));
  const nicsByHost = new Map<string, FleetNic[]>();
  for (const n of rows.nics) {
    const list = nicsByHost.get(n.hostId) ?? [];
    list.push(toFleetNic(n, vfOwner));
    nicsByHost.set(n.hostId, list);
  }
  const hosts: FleetHost[] = [];
  for (const h of rows.hosts) {
    if (!h.nodes?.length) continue;
    hosts.push({
      id: h.id,
      name: h.name,
      state: hostStateSchema.parse(h.state),
      virtType: virtTypeSchema.parse(h.virtType),
      capabilities: { vmx: h.vmx, ept: h.ept, iommu: h.iommu, kvm: h.kvm, vhostNet: h.vhostNet, ovs: h.ovs },
      bridges: bridgesSchema.parse(h.bridges ?? null),
      foreignDomains: foreignSchema.parse(h.foreignDomains ?? []),
      numaNodes: toNumaNodes(h, used),
      cpus: toFleetCpus(h.id, rows.cpus.get(h.id), cpuOwner),
      nics: nicsByHost.get(h.id) ?? [],
    });
  }
  return { hosts, networks: toFleetNetworks(rows), allocations };
}

/** Memory (MiB) and hugepages each host node has promised, by "host/node" and "host/node/size". */
function usedMemory(allocations: FleetAllocation[]): Map<string, number> {
  const used = new Map<string, number>();
  const add = (k: string, v: number) => used.set(k, (used.get(k) ?? 0) + v);
  for (const a of allocations) {
    for (const m of a.memory) add(`${a.hostId}/${m.node}`, m.mib);
    for (const h of a.hugepages) add(`${a.hostId}/${h.node}/${h.size}`, h.pages);
  }
  return used;
}

function toNumaNodes(h: HostRow, used: Map<string, number>): FleetHost['numaNodes'] {
  return (h.nodes ?? []).map(([index, memoryMiB, hugepages]) => {
    const pools = hugepagesSchema.parse(hugepages).filter((p) => PAGE_SIZES[p.sizeKiB] && p.total > 0);
    const poolMiB = pools.reduce((s, p) => s + (p.total * p.sizeKiB) / 1024, 0);
    return {
      index,
      memoryMiB,
      memoryFreeMiB: Math.max(0, Math.floor(memoryMiB - poolMiB - (used.get(`${h.id}/${index}`) ?? 0))),
      hugepages: pools.map((p) => {
        const size = PAGE_SIZES[p.sizeKiB];
        return { size, total: p.total, free: Math.max(0, p.total - (used.get(`${h.id}/${index}/${size}`) ?? 0)) };
      }),
    };
  });
}

function toFleetCpus(hostId: string, c: CpuColumns | undefined, owners: Map<string, FleetCpuOwner>): FleetHost['cpus'] {
  if (!c) return [];
  return c.id.map((id, i) => ({
    id,
    socket: c.socket[i],
    core: c.core[i],
    numaNode: c.node[i],
    siblings: c.siblings[i] ?? [],
    reservedForHost: c.reserved[i],
    owner: owners.get(`${hostId}/${id}`) ?? null,
  }));
}

function toFleetNic(n: NicRow, vfOwner: Map<string, string>): FleetNic {
  return {
    id: n.id,
    name: n.name,
    pciAddress: n.pciAddress,
    driver: n.driver,
    numaNode: n.numaNode ?? -1,
    speedMbps: n.speedMbps ?? 0,
    mtu: n.mtu,
    maxMtu: n.maxMtu,
    combinedQueues: { current: n.combinedQueues, max: n.maxCombinedQueues },
    queueIrqs: (n.irqs ?? []).map(([irq, queue]) => ({ irq, queue })),
    sriovTotalVfs: n.sriovTotalVfs,
    sriovNumVfs: n.sriovNumVfs,
    vfs: (n.vfIndex ?? []).map((index, k) => {
      const owner = vfOwner.get(`${n.id}/${index}`) ?? null;
      return { index, pciAddress: n.vfPci?.[k] ?? '', state: owner ? ('ALLOCATED' as const) : ('FREE' as const), ownerVmId: owner };
    }),
  };
}

function toFleetNetworks(rows: SnapshotRows): FleetNetwork[] {
  const byNetwork = new Map<string, Map<string, string[]>>();
  for (const m of rows.networkNics) {
    const byHost = byNetwork.get(m.networkId) ?? new Map<string, string[]>();
    byHost.set(m.hostId, [...(byHost.get(m.hostId) ?? []), m.nicId]);
    byNetwork.set(m.networkId, byHost);
  }
  return rows.networks.map((n) => ({
    id: n.id,
    name: n.name,
    kind: kindSchema.parse(n.kind),
    bridge: n.bridge,
    physnet: n.physnet,
    vlan: n.vlan,
    macvtapMode: macvtapModeSchema.parse(n.macvtapMode),
    mtu: n.mtu,
    hosts: [...(byNetwork.get(n.id) ?? new Map<string, string[]>()).entries()].map(([hostId, nicIds]) => ({
      hostId,
      nicIds: nicIds.sort(),
    })),
  }));
}
