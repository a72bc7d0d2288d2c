/**
 * The synthetic fleet and VM mix of the placement benchmark (placement.ts) and of the results
 * digest (placement-digest.ts), which adds irregular hosts to the same fleet.
 */
import { vmRequestSchema, type FleetNetwork, type NetworkKind, type VmRequest } from '@netpin/contracts';
import { buildHost, compactHost, CpuLayouts, type CompactFleet, type CompactHost, type HostSpec } from '@netpin/placement';

/**
 * Networks of every kind; hosts: 2 sockets/nodes, 32 cores x 2 threads per node, two SR-IOV
 * PFs (64 VFs) on different nodes and one plain NIC. Each host goes into columns as soon as
 * it is built (as the API's loader does), so the objects of one host at a time exist.
 * `irregular`: every 7th host has 16 cores per node, every 5th 8 VFs on its first PF, and
 * every 11th is in no network (the digest's fleet).
 */
export function syntheticFleet(n: number, opts: { irregular?: boolean } = {}): CompactFleet {
  const layouts = new CpuLayouts();
  const hosts: CompactHost[] = [];
  const odd = (i: number, every: number, at: number): boolean => opts.irregular === true && i % every === at;
  for (let i = 0; i < n; i++) {
    const name = `host-${String(i).padStart(5, '0')}`;
    const spec: HostSpec = {
      name,
      nodes: 2,
      coresPerNode: odd(i, 7, 3) ? 16 : 32,
      threadsPerCore: 2,
      reservedCoresPerNode: 1,
      memoryMiBPerNode: 256 * 1024,
      hugepages1GPerNode: 96,
      nics: [
        { name: 'ens1f0', node: 0, vfs: odd(i, 5, 1) ? 8 : 64, queues: 16 },
        { name: 'ens2f0', node: 1, vfs: 64, queues: 16 },
        { name: 'eno1', node: 0, queues: 8 },
      ],
    };
    hosts.push(compactHost(buildHost(spec, i), layouts));
  }
  const network = (name: string, kind: NetworkKind, nics: string[]): FleetNetwork => ({
    id: `net-${name}`,
    name,
    kind,
    bridge: kind === 'LINUX_BRIDGE' || kind === 'OVS_BRIDGE' ? `br-${name}` : null,
    physnet: kind === 'SRIOV_PHYSNET' ? name : null,
    vlan: null,
    macvtapMode: null,
    mtu: null,
    vlanProtocol: 'DOT1Q',
    trunkVlans: [],
    nativeVlan: null,
    nativeVlanMode: 'UNTAGGED',
    hosts: hosts.filter((_, i) => !odd(i, 11, 4)).map((h) => ({ hostId: h.id, nicIds: nics.map((nic) => `${h.name}/${nic}`) })),
  });
  const networks = [
    network('physnet-a', 'SRIOV_PHYSNET', ['ens1f0', 'ens2f0']),
    network('mvt', 'MACVTAP', ['eno1']),
    network('lbr', 'LINUX_BRIDGE', ['eno1']),
    network('ovs', 'OVS_BRIDGE', ['eno1']),
  ];
  return { compact: true, hosts, networks, allocations: [] };
}

/**
 * The mix, each shape parsed once: a request is its shape with the VM's name. Parsing every
 * request inside the fill made the bench's own zod objects most of what the process promoted
 * to the old generation (V8 pretenured their allocation sites), which the RSS figure then
 * counted as the placement library's.
 */
const SHAPES: readonly VmRequest[] = [
  vmRequestSchema.parse({
    name: 'shape-shared',
    vcpus: 4,
    memoryMiB: 8192,
    cpuPolicy: 'SHARED',
    numaPolicy: 'PREFERRED',
    interfaces: [{ network: 'lbr' }],
  }),
  vmRequestSchema.parse({
    name: 'shape-dedicated',
    vcpus: 8,
    memoryMiB: 16384,
    hugepages: 'SIZE_1G',
    cpuPolicy: 'DEDICATED',
    numaPolicy: 'REQUIRED',
    interfaces: [{ network: 'physnet-a' }, { network: 'physnet-a', datapath: 'VHOST_MACVTAP' }],
  }),
  vmRequestSchema.parse({
    name: 'shape-e1000',
    vcpus: 2,
    memoryMiB: 2048,
    cpuPolicy: 'SHARED',
    numaPolicy: 'NONE',
    guest: { virtio: false, vfDriver: false },
    interfaces: [{ network: 'ovs' }],
  }),
];

/** 60% 4-vCPU shared vhost, 30% 8-vCPU dedicated SR-IOV + vhost, 10% 2-vCPU e1000. */
export function request(i: number): VmRequest {
  const slot = i % 10;
  // `vm-<digits>` is a valid domain name by construction (domainNameSchema's regex)
  return { ...SHAPES[slot < 6 ? 0 : slot < 9 ? 1 : 2], name: `vm-${i}` as VmRequest['name'] };
}
