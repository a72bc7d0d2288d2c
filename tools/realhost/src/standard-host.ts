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
