import { domainNameSchema, ifNameSchema, macAddressSchema, pciAddressSchema, vlanIdSchema } from '@netpin/contracts';
import type { DomainSpec, InterfaceSpec } from './model';

/**
 * One DomainSpec per golden file (__golden__/<case>.xml): every datapath, every macvtap
 * mode, each tuning knob, and realistic combinations. Exported for tests and tools only.
 */
const name = (s: string) => domainNameSchema.parse(s);
const mac = (n: number) => macAddressSchema.parse(`52:54:00:6b:1a:${n.toString(16).padStart(2, '0')}`);
const ifn = (s: string) => ifNameSchema.parse(s);
const pci = (s: string) => pciAddressSchema.parse(s);
const vlan = (n: number) => vlanIdSchema.parse(n);

function base(n: string, interfaces: InterfaceSpec[], extra: Partial<DomainSpec> = {}): DomainSpec {
  return { name: name(n), memoryMiB: 2048, vcpus: 2, interfaces, ...extra };
}

const vhost = { name: 'vhost' } as const;

export const GOLDEN_CASES: Record<string, DomainSpec> = {
  sriov: base('sriov', [{ type: 'hostdev', mac: mac(0x10), pciAddress: pci('0000:3b:02.0'), vlan: vlan(100) }]),
  'sriov-failover-teaming': base('sriov-failover', [
    {
      type: 'bridge',
      mac: mac(0x11),
      bridge: ifn('br0'),
      model: 'virtio',
      driver: vhost,
      teaming: { type: 'persistent' },
      alias: 'ua-backup0',
    },
    { type: 'hostdev', mac: mac(0x11), pciAddress: pci('0000:3b:02.1'), teaming: { type: 'transient', persistent: 'ua-backup0' } },
  ]),
  'macvtap-bridge': base('macvtap-bridge', [
    { type: 'direct', mac: mac(0x20), sourceDev: ifn('ens1f1'), mode: 'bridge', model: 'virtio', driver: vhost },
  ]),
  'macvtap-vepa': base('macvtap-vepa', [
    { type: 'direct', mac: mac(0x21), sourceDev: ifn('ens1f1'), mode: 'vepa', model: 'virtio', driver: vhost },
  ]),
  'macvtap-private': base('macvtap-private', [
    { type: 'direct', mac: mac(0x22), sourceDev: ifn('ens1f1'), mode: 'private', model: 'virtio', driver: vhost },
  ]),
  'macvtap-passthrough': base('macvtap-passthrough', [
    { type: 'direct', mac: mac(0x23), sourceDev: ifn('ens1f1'), mode: 'passthrough', model: 'virtio', driver: vhost },
  ]),
  bridge: base('bridge', [{ type: 'bridge', mac: mac(0x30), bridge: ifn('br0'), model: 'virtio', driver: vhost }]),
  ovs: base('ovs', [
    { type: 'bridge', mac: mac(0x31), bridge: ifn('ovsbr0'), openvswitch: true, vlan: vlan(200), model: 'virtio', driver: vhost },
  ]),
  // a VLAN trunk on the OVS port: 100 and 200 tagged, 300 the guest's untagged traffic
  'ovs-trunk': base('ovs-trunk', [
    {
      type: 'bridge',
      mac: mac(0x34),
      bridge: ifn('ovsbr0'),
      openvswitch: true,
      trunk: { tags: [vlan(100), vlan(200), vlan(300)], native: { id: vlan(300), mode: 'untagged' } },
      model: 'virtio',
      driver: vhost,
    },
  ]),
  // a trunk whose native VLAN stays tagged towards the guest, on an emulated e1000
  'ovs-trunk-native-tagged': base('ovs-trunk-tagged', [
    {
      type: 'bridge',
      mac: mac(0x35),
      bridge: ifn('ovsbr0'),
      openvswitch: true,
      trunk: { tags: [vlan(10), vlan(4094)], native: { id: vlan(10), mode: 'tagged' } },
      model: 'e1000',
    },
  ]),
  // jumbo frames on vhost-user: QEMU's host_mtu (the OVS port's mtu_request is the agent's)
  'vhostuser-mtu': base(
    'vhostuser-mtu',
    [{ type: 'vhostuser', mac: mac(0x36), socketPath: '/var/lib/vhost_sockets/vhu0a1b2c3e', mode: 'server', model: 'virtio', mtu: 9000 }],
    { hugepageSizeKiB: 2048, memoryAccess: 'shared' },
  ),
  // OVS-DPDK: QEMU serves the socket, guest RAM on shared huge pages the switch maps.
  vhostuser: base(
    'vhostuser',
    [{ type: 'vhostuser', mac: mac(0x32), socketPath: '/var/lib/vhost_sockets/vhu0a1b2c3d', mode: 'server', model: 'virtio', queues: 2 }],
    { hugepageSizeKiB: 2048, memoryAccess: 'shared' },
  ),
  // vDPA: the vdpa device's character device; the NIC serves the virtio rings (4 queue pairs).
  vdpa: base('vdpa', [{ type: 'vdpa', mac: mac(0x33), sourceDev: '/dev/vhost-vdpa-0', model: 'virtio', queues: 4 }]),
  'virtio-userspace': base('virtio-userspace', [
    { type: 'bridge', mac: mac(0x40), bridge: ifn('br0'), model: 'virtio', driver: { name: 'qemu' } },
  ]),
  // 2 Gb/s transmit cap and jumbo frames on a tap; libvirt's rates are 1000 bytes/s each (125 per Mbit/s)
  'bandwidth-mtu-bridge': base('bw-bridge', [
    {
      type: 'bridge',
      mac: mac(0x32),
      bridge: ifn('br0'),
      mtu: 9000,
      model: 'virtio',
      driver: vhost,
      bandwidth: { outbound: { average: 250_000 } },
    },
  ]),
  'bandwidth-mtu-ovs': base('bw-ovs', [
    {
      type: 'bridge',
      mac: mac(0x33),
      bridge: ifn('ovsbr0'),
      openvswitch: true,
      vlan: vlan(200),
      mtu: 9000,
      model: 'virtio',
      driver: { name: 'vhost', queues: 2 },
      bandwidth: { inbound: { average: 125_000, peak: 250_000, burst: 1024 }, outbound: { average: 125_000 } },
    },
  ]),
  // macvtap takes its lower device's MTU (libvirt refuses <mtu> on type direct): bandwidth only
  'bandwidth-macvtap': base('bw-macvtap', [
    {
      type: 'direct',
      mac: mac(0x24),
      sourceDev: ifn('ens1f1'),
      mode: 'bridge',
      model: 'virtio',
      driver: vhost,
      bandwidth: { outbound: { average: 62_500, burst: 512 } },
    },
  ]),
  'mtu-e1000': base('mtu-e1000', [{ type: 'bridge', mac: mac(0x43), bridge: ifn('br0'), mtu: 9000, model: 'e1000' }]),
  e1000: base('e1000', [{ type: 'bridge', mac: mac(0x41), bridge: ifn('br0'), model: 'e1000' }]),
  rtl8139: base('rtl8139', [{ type: 'bridge', mac: mac(0x42), bridge: ifn('br0'), model: 'rtl8139' }]),
  multiqueue: base(
    'multiqueue',
    [{ type: 'direct', mac: mac(0x50), sourceDev: ifn('ens1f1'), mode: 'bridge', model: 'virtio', driver: { name: 'vhost', queues: 4 } }],
    { vcpus: 4 },
  ),
  'tuning-vcpupin-emulatorpin': base('pinned', [], {
    vcpus: 4,
    cputune: { vcpupins: [0, 1, 2, 3].map((v) => ({ vcpu: v, cpuset: [4 + v] })), emulatorpin: [2, 22] },
  }),
  'tuning-numatune': base('numatune', [], { numaMemory: { mode: 'strict', nodeset: [1] } }),
  'hugepages-2m': base('hugepages-2m', [], { hugepageSizeKiB: 2048 }),
  'hugepages-1g': base('hugepages-1g', [], { memoryMiB: 4096, hugepageSizeKiB: 1048576 }),
  'cpu-topology-numa-cell': base('cpu-topology', [], {
    vcpus: 4,
    memoryMiB: 4096,
    cpu: {
      mode: 'host-passthrough',
      topology: { sockets: 1, cores: 2, threads: 2 },
      cells: [{ id: 0, cpus: [0, 1, 2, 3], memoryMiB: 4096 }],
    },
  }),
  'combo-sriov-pinned-1g': {
    name: name('nfv-01'),
    uuid: '3f6d1c2a-8b4e-4f1a-9c7d-2e5b8a0f6c11',
    memoryMiB: 8192,
    vcpus: 4,
    hugepageSizeKiB: 1048576,
    cputune: {
      vcpupins: [
        { vcpu: 0, cpuset: [12] },
        { vcpu: 1, cpuset: [32] },
        { vcpu: 2, cpuset: [13] },
        { vcpu: 3, cpuset: [33] },
      ],
      emulatorpin: [11],
    },
    numaMemory: { mode: 'strict', nodeset: [1] },
    cpu: {
      mode: 'host-passthrough',
      topology: { sockets: 1, cores: 2, threads: 2 },
      cells: [{ id: 0, cpus: [0, 1, 2, 3], memoryMiB: 8192 }],
    },
    interfaces: [
      { type: 'hostdev', mac: mac(0x60), pciAddress: pci('0000:af:00.2'), vlan: vlan(310) },
      { type: 'hostdev', mac: mac(0x61), pciAddress: pci('0000:af:00.3'), vlan: vlan(311) },
    ],
  },
  'combo-macvtap-multiqueue-2m': {
    name: name('web-01'),
    memoryMiB: 4096,
    vcpus: 4,
    hugepageSizeKiB: 2048,
    cputune: { vcpupins: [0, 1, 2, 3].map((v) => ({ vcpu: v, cpuset: [2 + v] })), emulatorpin: [1] },
    numaMemory: { mode: 'strict', nodeset: [0] },
    interfaces: [
      { type: 'direct', mac: mac(0x70), sourceDev: ifn('ens1f1'), mode: 'bridge', model: 'virtio', driver: { name: 'vhost', queues: 4 } },
    ],
  },
  'combo-ovs-and-legacy': base('legacy-mix', [
    { type: 'bridge', mac: mac(0x80), bridge: ifn('ovsbr0'), openvswitch: true, model: 'virtio', driver: { name: 'vhost', queues: 2 } },
    { type: 'bridge', mac: mac(0x81), bridge: ifn('br0'), model: 'e1000' },
    { type: 'direct', mac: mac(0x82), sourceDev: ifn('eno1'), mode: 'vepa', model: 'rtl8139' },
  ]),
  // A named guest CPU model in a KVM domain: libvirt compares it with the host's CPU (check='partial'),
  // unlike the CPU it makes up when none is given or any custom CPU under TCG (check='none').
  'kvm-custom-cpu': base('custom-cpu', [{ type: 'bridge', mac: mac(0xa0), bridge: ifn('br0'), model: 'virtio' }], {
    vcpus: 1,
    memoryMiB: 256,
    cpu: { mode: 'custom', model: 'qemu64' },
  }),
  // A host without /dev/kvm (virtType QEMU) and a named guest CPU model, owned by netpin.
  'qemu-custom-cpu-owned': {
    virtType: 'qemu',
    name: name('tcg-01'),
    uuid: '0c4b1c7e-7d2a-4d6b-9b0f-5e2a1d3c4b5a',
    owner: { vmId: '0c4b1c7e-7d2a-4d6b-9b0f-5e2a1d3c4b5a' },
    memoryMiB: 256,
    vcpus: 1,
    cputune: { vcpupins: [{ vcpu: 0, cpuset: [1] }], emulatorpin: [0] },
    numaMemory: { mode: 'strict', nodeset: [0] },
    cpu: {
      mode: 'custom',
      model: 'qemu64',
      topology: { sockets: 1, cores: 1, threads: 1 },
      features: [{ name: 'svm', policy: 'disable' }],
      cells: [{ id: 0, cpus: [0], memoryMiB: 256 }],
    },
    interfaces: [{ type: 'bridge', mac: mac(0x90), bridge: ifn('br0'), model: 'virtio', driver: { name: 'qemu' } }],
  },
  // Nested KVM that cannot give guests IA32_ARCH_CAPABILITIES (QEMU aborts on MSR 0x10a).
  'passthrough-feature-disabled': base('nested-01', [], {
    vcpus: 2,
    cpu: { mode: 'host-passthrough', features: [{ name: 'arch-capabilities', policy: 'disable' }] },
  }),
};

/**
 * Goldens whose KVM pair (__golden__/libvirt-9.0) is not recorded: a machine without /dev/kvm
 * records only the QEMU TCG pair (__golden__/libvirt-9.0-tcg). `npm run realhost -- goldens`
 * on a machine with /dev/kvm writes the KVM pair, `-- goldens --tcg` the TCG one; then the
 * golden leaves this list (libvirt-xml's meaning.spec.ts fails while a listed golden has one).
 */
export const KVM_PAIR_NOT_RECORDED: ReadonlySet<string> = new Set<string>([]);
