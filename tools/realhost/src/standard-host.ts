import type { RealHostSpec } from './realhost';

/**
 * The host every real-tier test uses: two 4-queue NICs on NUMA node 0 (ens3 free for
 * macvtap, ens4 the uplink of Linux bridge br0), as a small real hypervisor would have.
 */
export const STANDARD_HOST: Omit<RealHostSpec, 'name' | 'index' | 'stateDir'> = {
  nics: [
    { name: 'ens3', pci: '0000:3b:00.0', driver: 'igb', vendor: '8086', device: '1533', numaNode: 0, queues: 4, firstIrq: 120 },
    { name: 'ens4', pci: '0000:3b:00.1', driver: 'igb', vendor: '8086', device: '1533', numaNode: 0, queues: 4, firstIrq: 124 },
  ],
  bridges: [{ name: 'br0', uplink: 'ens4' }],
};

/**
 * A migration target: the standard host plus ens5, a free NIC for macvtap, so a guest's
 * macvtap can have another parent on the target than on the source (migration.spec.ts).
 */
export const MIGRATION_TARGET_HOST: Omit<RealHostSpec, 'name' | 'index' | 'stateDir'> = {
  nics: [
    ...STANDARD_HOST.nics,
    { name: 'ens5', pci: '0000:5e:00.0', driver: 'igb', vendor: '8086', device: '1533', numaNode: 0, queues: 2, firstIrq: 128 },
  ],
  bridges: STANDARD_HOST.bridges,
};
