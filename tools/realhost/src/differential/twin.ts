import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseHostSpec, type HostSpec } from '@netpin/hostsim';
import type { RealHostSpec } from '../realhost';

/**
 * The hostsim host that stands for a real host of the differential tests: the same CPUs
 * (this machine's, one NUMA node), the same NICs (name, PCI slot, driver, ids, queues, first
 * IRQ) and the same bridges. What the real host cannot have (SR-IOV, vhost-net, OVS, an
 * IOMMU) is off here too, so both answer the same question the same way.
 */
export function hostsimTwin(
  real: Pick<RealHostSpec, 'nics' | 'bridges'>,
  cpus = availableParallelism(),
  flags = machineCpuFlags(),
): HostSpec {
  return parseHostSpec({
    hostname: 'realtwin',
    kernelCmdline: 'BOOT_IMAGE=/vmlinuz root=/dev/vda ro',
    cpu: {
      modelName: 'QEMU Virtual CPU',
      sockets: 1,
      coresPerSocket: cpus,
      threadsPerCore: 1,
      flags,
    },
    numaNodes: [{ memoryMiB: 16384 }],
    iommu: false,
    vhostNet: false,
    kvm: existsSync('/dev/kvm'),
    ovs: false,
    irqbalance: false,
    nics: real.nics.map((n, i) => ({
      name: n.name,
      pciAddress: n.pci,
      driver: n.driver,
      pciId: `${n.vendor}:${n.device}`,
      numaNode: n.numaNode,
      mac: n.mac ?? `02:00:00:00:00:${(i + 1).toString(16).padStart(2, '0')}`,
      // the real tier's NICs are veths: maxmtu 65535
      maxMtu: 65535,
      maxCombined: n.queues,
      combined: n.queues,
      irqBase: n.firstIrq,
      irqNameStyle: 'intel',
    })),
    bridges: real.bridges.map((b) => ({ name: b.name, kind: 'linux', ports: b.uplink === undefined ? [] : [b.uplink] })),
  });
}

/** This machine's CPU flags (/proc/cpuinfo), which the real host shares. */
function machineCpuFlags(): string[] {
  const line = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
  return line.split(/\s+/).filter((f) => f !== '');
}
