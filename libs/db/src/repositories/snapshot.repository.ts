import {
  fleetAllocationSchema,
  type CpuOwnerRole,
  type FleetAllocation,
  type FleetHost,
  type FleetNetwork,
  type FleetSnapshot,
  type PagedHugepageSize,
} from '@netpin/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import type { HugepagePool } from '../types';

const PAGE_SIZES: Record<number, PagedHugepageSize> = { 2048: 'SIZE_2M', 1048576: 'SIZE_1G' };

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

/** Also used inside a transaction (with the host locked) to re-check a plan. */
export async function loadSnapshot(db: Db | Prisma.TransactionClient, opts: { hostIds?: string[] } = {}): Promise<FleetSnapshot> {
  {
    const hostWhere = opts.hostIds ? { id: { in: opts.hostIds } } : {};
    const [hosts, networks, vms] = await Promise.all([
      db.host.findMany({
        where: hostWhere,
        orderBy: { name: 'asc' },
        include: {
          numaNodes: { orderBy: { index: 'asc' } },
          cpus: {
            orderBy: { cpuId: 'asc' },
            include: { allocation: { select: { vmId: true, role: true } }, numaNode: { select: { index: true } } },
          },
          nics: {
            orderBy: { name: 'asc' },
            include: {
              irqs: { orderBy: { queue: 'asc' } },
              vfs: { orderBy: { index: 'asc' }, include: { allocation: { select: { vmId: true } } } },
            },
          },
        },
      }),
      db.network.findMany({ orderBy: { name: 'asc' }, include: { nics: { select: { hostId: true, nicId: true } } } }),
      db.vm.findMany({
        orderBy: { id: 'asc' },
        where: { holding: true, hostId: opts.hostIds ? { in: opts.hostIds } : { not: null } },
        select: { plan: true },
      }),
    ]);

    const allocations: FleetAllocation[] = [];
    for (const v of vms) {
      const a = fleetAllocationSchema.safeParse((v.plan as { allocation?: unknown } | null)?.allocation);
      if (a.success) allocations.push(a.data);
    }
    const memUsed = new Map<string, number>();
    const pagesUsed = new Map<string, number>();
    for (const a of allocations) {
      for (const m of a.memory) memUsed.set(`${a.hostId}/${m.node}`, (memUsed.get(`${a.hostId}/${m.node}`) ?? 0) + m.mib);
      for (const h of a.hugepages)
        pagesUsed.set(`${a.hostId}/${h.node}/${h.size}`, (pagesUsed.get(`${a.hostId}/${h.node}/${h.size}`) ?? 0) + h.pages);
    }

    const fleetHosts: FleetHost[] = hosts
      .filter((h) => h.numaNodes.length > 0)
      .map((h) => ({
        id: h.id,
        name: h.name,
        state: h.state,
        virtType: h.virtType,
        capabilities: {
          vmx: h.capVmx || h.capSvm,
          ept: h.capEpt || h.capNpt,
          iommu: h.capIommu,
          kvm: h.capKvm,
          vhostNet: h.capVhostNet,
          ovs: h.capOvs,
        },
        numaNodes: h.numaNodes.map((n) => {
          const pools = ((n.hugepages ?? []) as unknown as HugepagePool[]).filter((p) => PAGE_SIZES[p.sizeKiB] && p.total > 0);
          const poolMiB = pools.reduce((s, p) => s + (p.total * p.sizeKiB) / 1024, 0);
          return {
            index: n.index,
            memoryMiB: n.memoryMiB,
            memoryFreeMiB: Math.max(0, Math.floor(n.memoryMiB - poolMiB - (memUsed.get(`${h.id}/${n.index}`) ?? 0))),
            hugepages: pools.map((p) => {
              const size = PAGE_SIZES[p.sizeKiB];
              return { size, total: p.total, free: Math.max(0, p.total - (pagesUsed.get(`${h.id}/${n.index}/${size}`) ?? 0)) };
            }),
          };
        }),
        cpus: h.cpus.map((c) => ({
          id: c.cpuId,
          socket: c.socket,
          core: c.core,
          numaNode: c.numaNode.index,
          siblings: c.siblings,
          reservedForHost: c.reservedForHost,
          owner: c.allocation ? { vmId: c.allocation.vmId, role: c.allocation.role as CpuOwnerRole } : null,
        })),
        nics: h.nics.map((n) => ({
          id: n.id,
          name: n.name,
          pciAddress: n.pciAddress,
          numaNode: n.numaNode ?? -1,
          speedMbps: n.speedMbps ?? 0,
          combinedQueues: { current: n.combinedQueues, max: n.maxCombinedQueues },
          queueIrqs: n.irqs.map((i) => ({ irq: i.irq, queue: i.queue })),
          sriovTotalVfs: n.sriovTotalVfs,
          sriovNumVfs: n.sriovNumVfs,
          vfs: n.vfs.map((v) => ({
            index: v.index,
            pciAddress: v.pciAddress ?? '',
            state: v.allocation ? 'ALLOCATED' : 'FREE',
            ownerVmId: v.allocation?.vmId ?? null,
          })),
        })),
      }));

    const fleetNetworks: FleetNetwork[] = networks.map((n) => {
      const byHost = new Map<string, string[]>();
      for (const m of n.nics) byHost.set(m.hostId, [...(byHost.get(m.hostId) ?? []), m.nicId]);
      return {
        id: n.id,
        name: n.name,
        kind: n.kind,
        bridge: n.bridge,
        physnet: n.physnet,
        vlan: n.vlan,
        macvtapMode: (n.macvtapMode as FleetNetwork['macvtapMode']) ?? null,
        hosts: [...byHost.entries()].map(([hostId, nicIds]) => ({ hostId, nicIds: nicIds.sort() })),
      };
    });

    return { hosts: fleetHosts, networks: fleetNetworks, allocations };
  }
}
