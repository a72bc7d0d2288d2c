import { createDb, type Db } from '@netpin/db';

/**
 * Topology facts written straight into the inventory, standing in for discovery in
 * tests that are about the inventory API rather than the agent.
 */
export function testDb(): Db {
  return createDb(process.env.DATABASE_URL!);
}

/**
 * Every test file has a database of its own (test/support/setup-env.ts), but some files bring
 * up more than one simulated fleet: before a fleet starts, hosts left by an earlier one go to
 * MAINTENANCE so placement never picks a host whose simulator has stopped.
 */
export async function retireOtherHosts(): Promise<void> {
  const db = testDb();
  try {
    await db.host.updateMany({
      where: { state: { not: 'MAINTENANCE' } },
      data: { state: 'MAINTENANCE', stateReason: 'left by an earlier test file' },
    });
  } finally {
    await db.$disconnect();
  }
}

export async function seedTopology(
  db: Db,
  hostId: string,
  opts: { nodes?: number; cpusPerNode?: number; vfs?: number } = {},
): Promise<void> {
  const nodes = opts.nodes ?? 2;
  const per = opts.cpusPerNode ?? 4;
  for (let n = 0; n < nodes; n++) {
    const node = await db.numaNode.create({
      data: { hostId, index: n, memoryMiB: 65536, hugepages: [{ sizeKiB: 2048, total: 1024, free: 1024 }] },
    });
    await db.cpu.createMany({
      data: Array.from({ length: per }, (_, i) => {
        const cpuId = n * per + i;
        return {
          hostId,
          numaNodeId: node.id,
          cpuId,
          socket: n,
          core: Math.floor(i / 2),
          siblings: [cpuId - (i % 2), cpuId - (i % 2) + 1],
          reservedForHost: cpuId === 0,
        };
      }),
    });
    const nic = await db.nic.create({
      data: {
        hostId,
        name: `ens${n + 1}f0`,
        pciAddress: `0000:${(0x3b + n * 0x50).toString(16)}:00.0`,
        driver: 'ixgbe',
        numaNode: n,
        speedMbps: 10000,
        linkState: 'up',
        combinedQueues: 4,
        maxCombinedQueues: 8,
        sriovTotalVfs: opts.vfs ?? 8,
        sriovNumVfs: opts.vfs ?? 8,
      },
    });
    await db.nicIrq.createMany({
      data: Array.from({ length: 4 }, (_, q) => ({
        nicId: nic.id,
        irq: 100 + n * 10 + q,
        queue: q,
        label: `ens${n + 1}f0-TxRx-${q}`,
        affinity: [q],
      })),
    });
    await db.vf.createMany({
      data: Array.from({ length: opts.vfs ?? 8 }, (_, i) => ({
        nicId: nic.id,
        index: i,
        pciAddress: `0000:${(0x3b + n * 0x50).toString(16)}:10.${i % 8}`,
      })),
    });
  }
  await db.nic.create({ data: { hostId, name: 'eno1', pciAddress: '0000:01:00.0', driver: 'e1000e', numaNode: 0, speedMbps: 1000 } });
}
