import type { IfName, PciAddress } from '@netpin/contracts';
import { uintArg } from './command';
import { HostCommandArgumentError } from './errors';

/**
 * Every host path netpin reads or writes. Each is built only from branded values or
 * checked integers, so no path component can contain '/', '..' or shell syntax.
 */
export const hostPaths = {
  nodeCpulist: (node: number) => `/sys/devices/system/node/node${uintArg('node', node)}/cpulist`,
  nodeMeminfo: (node: number) => `/sys/devices/system/node/node${uintArg('node', node)}/meminfo`,
  nodeHugepages: (node: number, sizeKiB: number, file: 'nr_hugepages' | 'free_hugepages') =>
    `/sys/devices/system/node/node${uintArg('node', node)}/hugepages/hugepages-${uintArg('sizeKiB', sizeKiB)}kB/${file}`,
  cpuTopology: (cpu: number, file: 'core_id' | 'physical_package_id' | 'thread_siblings_list') =>
    `/sys/devices/system/cpu/cpu${uintArg('cpu', cpu)}/topology/${file}`,
  netDeviceFile: (ifName: IfName, file: 'uevent' | 'numa_node' | 'sriov_totalvfs' | 'sriov_numvfs' | 'vendor' | 'device') =>
    `/sys/class/net/${ifName}/device/${file}`,
  netSpeed: (ifName: IfName) => `/sys/class/net/${ifName}/speed`,
  sriovNumVfs: (ifName: IfName) => `/sys/class/net/${ifName}/device/sriov_numvfs`,
  virtfn: (ifName: IfName, vf: number) => `/sys/class/net/${ifName}/device/virtfn${uintArg('vf', vf)}`,
  rpsCpus: (ifName: IfName, queue: number) => `/sys/class/net/${ifName}/queues/rx-${uintArg('queue', queue)}/rps_cpus`,
  irqAffinityList: (irq: number) => `/proc/irq/${uintArg('irq', irq)}/smp_affinity_list`,
  /** The CPUs online ("0-63"): how many there are is what lscpu -p counts, and an RPS mask's width. */
  cpusOnline: '/sys/devices/system/cpu/online',
  pciDevice: (pci: PciAddress) => `/sys/bus/pci/devices/${pci}`,
  /**
   * netpin's state on a host: what a resource held before netpin first changed it, so that
   * teardown restores exactly that (one file per IRQ, RPS queue and VF).
   */
  baselineDir: '/var/lib/netpin/baseline',
  irqBaseline: (irq: number) => `/var/lib/netpin/baseline/irq-${uintArg('irq', irq)}`,
  rpsBaseline: (ifName: IfName, queue: number) => `/var/lib/netpin/baseline/rps-${ifName}-rx-${uintArg('queue', queue)}`,
  vfBaseline: (pf: IfName, vf: number) => `/var/lib/netpin/baseline/vf-${pf}-${uintArg('vf', vf)}`,
  /** A migration's domain XML files on the source host (virsh migrate reads them there); removed after. */
  migrateDir: '/var/lib/netpin/migrate',
  migrateXml: (vmId: string, which: 'live' | 'persistent') => {
    if (!/^[0-9a-f-]{36}$/.test(vmId)) throw new HostCommandArgumentError('vmId', `not a VM id: ${vmId}`);
    return `/var/lib/netpin/migrate/${vmId}.${which}.xml`;
  },
  procInterrupts: '/proc/interrupts',
  procCmdline: '/proc/cmdline',
  procCpuinfo: '/proc/cpuinfo',
  iommuClass: '/sys/class/iommu',
  devKvm: '/dev/kvm',
  devVhostNet: '/dev/vhost-net',
  devVfio: '/dev/vfio/vfio',
  /** The vhost_vdpa driver on the vdpa bus: present when the module is loaded. */
  vhostVdpaDriver: '/sys/bus/vdpa/drivers/vhost_vdpa',
  virtioVdpaDriver: '/sys/bus/vdpa/drivers/virtio_vdpa',
  /** A vdpa device's sysfs directory: bound to vhost_vdpa it holds `vhost-vdpa-N` (its /dev/vhost-vdpa-N). */
  vdpaDevice(name: string): string {
    return `/sys/bus/vdpa/devices/${name}`;
  },
  ovsVsctl: '/usr/bin/ovs-vsctl',
  ovsDbSock: '/run/openvswitch/db.sock',
} as const;

/** Huge page sizes discovery looks for (2 MiB and 1 GiB on x86_64). */
export const HUGEPAGE_SIZES_KIB = [2048, 1048576] as const;
