import { z } from 'zod';

/**
 * LIVE: the guest keeps running while libvirt copies it to the target (tap-based interfaces
 * as they are; an SR-IOV VF only with its virtio failover partner, unplugged for the copy and
 * a target VF plugged after). COLD: stopped on the source, defined from the target plan on the
 * target and started there.
 */
export const MIGRATION_STRATEGIES = ['LIVE', 'COLD'] as const;
export type MigrationStrategy = (typeof MIGRATION_STRATEGIES)[number];

/** migrateVm / previewMigration input: without a target, placement chooses one (never the VM's own host). */
export const migrateVmInputSchema = z.object({
  targetHost: z.string().min(1).max(253).optional(),
  strategy: z.enum(MIGRATION_STRATEGIES).default('LIVE'),
});
export type MigrateVmInput = z.output<typeof migrateVmInputSchema>;

/**
 * Steps of a vm.migrate job, in order, as its progress events name them. LIVE: reserve (target
 * host settings: IRQ affinity, RPS, VFs of tap-less interfaces), unplug (failover VFs), transfer
 * (virsh migrate), plug (the target VFs), verify, release (the source's VFs, IRQ, RPS). COLD:
 * stop replaces unplug and start replaces plug.
 */
export const MIGRATION_STEPS = {
  LIVE: ['reserve', 'unplug', 'transfer', 'plug', 'verify', 'release'],
  COLD: ['reserve', 'stop', 'transfer', 'start', 'verify', 'release'],
} as const satisfies Record<MigrationStrategy, readonly string[]>;

/**
 * Why a VM cannot move the way it was asked to (previewMigration's refusals, migrateVm's
 * CONFLICT details.reason). Datapath-specific ones come from the datapath modules
 * (liveMigration of libs/contracts/src/datapaths/*).
 */
export const MIGRATION_REFUSALS = {
  VM_NOT_RUNNING: 'only a RUNNING VM can be migrated',
  TARGET_IS_SOURCE: 'the target host is the host the VM runs on',
  NO_TARGET_FITS: 'no other host fits the VM (see the rejection)',
  HARD_AFFINITY_GROUP: 'a member of a HARD AFFINITY group cannot move alone: the group keeps it on the host its members share',
  HOST_DEVICE_NOT_MOVED:
    "vm.migrate does not make this interface's host device (a vdpa device) on a target: the VM stays where it is; delete and create it to move it",
} as const;
export type MigrationRefusalCode = keyof typeof MIGRATION_REFUSALS;
