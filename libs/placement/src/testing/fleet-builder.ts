import {
  ifNameSchema,
  vmRequestSchema,
  type HostBridgeKind,
  type FleetCpu,
  type FleetGroup,
  type GroupEnforcement,
  type GroupPolicy,
  type FleetHost,
  type FleetHostCapabilities,
  type FleetNetwork,
  type FleetNic,
  type FleetSnapshot,
  type HostState,
  type MacvtapMode,
  type NativeVlanMode,
  type NetworkKind,
  type OvsDatapathType,
  type VlanId,
  type VlanProtocol,
  type VmRequest,
  type VmRequestInput,
} from '@netpin/contracts';

/**
 * Small builder for placement fixtures, exported for other projects' tests:
 *
 *   fleet()
 *     .host({ name: 'h1', coresPerNode: 4, nics: [{ name: 'ens1f0', node: 1, vfs: 8 }] })
 *     .network('physnet-a', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] } })
 *     .build();
 *
 * CPU ids follow Linux's usual enumeration: first threads of every core, then the second
 * threads (so CPU c and c + cores are siblings), cores numbered node by node.
 */
export interface NicSpec {
  name: string;
  node: number;
  speedMbps?: number;
  /** The NIC's MTU now and the most its driver takes; unset = not discovered (not checked). */
  mtu?: number;
  maxMtu?: number;
  /** The PF's kernel driver; null (default) = not known to refuse any VF knob. */
  driver?: string | null;
  queues?: number;
  /** Configured VFs (sriovNumVfs); 0 = not an SR-IOV NIC. */
  vfs?: number;
  /** VF indices already taken by someone outside the snapshot's allocations. */
  takenVfs?: number[];
  /** Its VFs are vdpa management devices (mlx5_vdpa, ifcvf); set caps.vhostVdpa too. */
  vdpaVfs?: boolean;
}

export interface HostSpec {
  name: string;
  id?: string;
  state?: HostState;
  caps?: Partial<FleetHostCapabilities>;
  /** KVM (default) or QEMU (TCG emulation). */
  virtType?: FleetHost['virtType'];
  nodes?: number;
  coresPerNode?: number;
  threadsPerCore?: number;
  /** The first N cores of every node are reserved for the host OS. */
  reservedCoresPerNode?: number;
  memoryMiBPerNode?: number;
  hugepages2MPerNode?: number;
  hugepages1GPerNode?: number;
  nics?: NicSpec[];
  /** Bridges discovery found; unset = not discovered (placement does not check bridges then). */
  bridges?: { name: string; kind: HostBridgeKind; datapathType?: OvsDatapathType }[];
  /** OVS-DPDK's PMD CPUs (ids); set them with caps.ovsDpdk. */
  pmdCpus?: number[];
  /** Domains netpin did not define, with the CPUs and VF PCI addresses they hold. */
  foreignDomains?: FleetHost['foreignDomains'];
  /** Per node, CPUs (ids) already held by some other VM. */
  busyCpus?: number[];
}

export interface NetworkSpec {
  bridge?: string;
  physnet?: string;
  vlan?: number;
  macvtapMode?: MacvtapMode;
  mtu?: number;
  vlanProtocol?: VlanProtocol;
  trunkVlans?: number[];
  nativeVlan?: number;
  nativeVlanMode?: NativeVlanMode;
  /** host name -> NIC names carrying the network there ([] = bridge without uplink). */
  on: Record<string, string[]>;
}

const FULL_CAPS: FleetHostCapabilities = {
  vmx: true,
  ept: true,
  iommu: true,
  kvm: true,
  vhostNet: true,
  ovs: true,
  ovsDpdk: false,
  vhostVdpa: false,
};

export class FleetBuilder {
  private readonly hostList: FleetHost[] = [];
  private readonly networks: FleetNetwork[] = [];
  private readonly groups: FleetGroup[] = [];

  host(spec: HostSpec): this {
    this.hostList.push(buildHost(spec, this.hostList.length));
    return this;
  }

  /** Several identical hosts named prefix-0, prefix-1, ... */
  hosts(count: number, prefix: string, spec: Omit<HostSpec, 'name'> = {}): this {
    for (let i = 0; i < count; i++) this.host({ ...spec, name: `${prefix}-${i}` });
    return this;
  }

  network(name: string, kind: NetworkKind, spec: NetworkSpec): this {
    const hosts = Object.entries(spec.on).map(([hostName, nics]) => {
      const host = this.hostList.find((h) => h.name === hostName);
      if (!host) throw new Error(`fleet-builder: network ${name} maps unknown host ${hostName}`);
      return {
        hostId: host.id,
        nicIds: nics.map((n) => {
          const nic = host.nics.find((x) => x.name === n);
          if (!nic) throw new Error(`fleet-builder: host ${hostName} has no NIC ${n}`);
          return nic.id;
        }),
      };
    });
    this.networks.push({
      id: `net-${name}`,
      name,
      kind,
      bridge: spec.bridge ?? (kind === 'LINUX_BRIDGE' || kind === 'OVS_BRIDGE' ? `br-${name}`.slice(0, 15) : null),
      physnet: spec.physnet ?? (kind === 'SRIOV_PHYSNET' ? name : null),
      vlan: spec.vlan ?? null,
      macvtapMode: spec.macvtapMode ?? null,
      mtu: spec.mtu ?? null,
      vlanProtocol: spec.vlanProtocol ?? 'DOT1Q',
      trunkVlans: (spec.trunkVlans ?? []) as VlanId[],
      nativeVlan: (spec.nativeVlan ?? null) as VlanId | null,
      nativeVlanMode: spec.nativeVlanMode ?? 'UNTAGGED',
      hosts,
    });
    return this;
  }

  /** An affinity group (id `grp-<name>`); maxPerHost defaults to 1 for hard anti-affinity, as the API's. */
  group(name: string, policy: GroupPolicy, opts: { enforcement?: GroupEnforcement; maxPerHost?: number } = {}): this {
    const enforcement = opts.enforcement ?? 'HARD';
    const maxPerHost = policy === 'ANTI_AFFINITY' && enforcement === 'HARD' ? (opts.maxPerHost ?? 1) : null;
    this.groups.push({ id: `grp-${name}`, name, policy, enforcement, maxPerHost });
    return this;
  }

  build(): FleetSnapshot {
    return {
      hosts: [...this.hostList],
      networks: [...this.networks],
      allocations: [],
      ...(this.groups.length ? { groups: [...this.groups] } : {}),
    };
  }
}

export function fleet(): FleetBuilder {
  return new FleetBuilder();
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

export function buildHost(spec: HostSpec, seq = 0): FleetHost {
  const nodes = spec.nodes ?? 2;
  const cores = spec.coresPerNode ?? 4;
  const threads = spec.threadsPerCore ?? 2;
  const reserved = spec.reservedCoresPerNode ?? 0;
  const totalCores = nodes * cores;
  const busy = new Set(spec.busyCpus ?? []);
  const cpus: FleetCpu[] = [];
  for (let t = 0; t < threads; t++) {
    for (let n = 0; n < nodes; n++) {
      for (let c = 0; c < cores; c++) {
        const core = n * cores + c;
        const id = t * totalCores + core;
        cpus.push({
          id,
          socket: n,
          core,
          numaNode: n,
          siblings: Array.from({ length: threads }, (_, k) => k * totalCores + core),
          reservedForHost: c < reserved,
          owner: busy.has(id) ? { vmId: 'other-vm', role: 'VCPU' } : null,
        });
      }
    }
  }
  const nics: FleetNic[] = (spec.nics ?? []).map((n, i) => {
    const bus = 0x10 + seq * 8 + i;
    const vfs = n.vfs ?? 0;
    const queues = n.queues ?? 8;
    const taken = new Set(n.takenVfs ?? []);
    return {
      id: `${spec.name}/${n.name}`,
      name: n.name,
      pciAddress: `0000:${hex(bus % 256, 2)}:00.0`,
      driver: n.driver ?? null,
      numaNode: n.node,
      speedMbps: n.speedMbps ?? 25_000,
      mtu: n.mtu ?? null,
      maxMtu: n.maxMtu ?? null,
      combinedQueues: { current: queues, max: Math.max(queues, 64) },
      queueIrqs: Array.from({ length: queues }, (_, q) => ({ irq: 100 + i * 100 + q, queue: q })),
      sriovTotalVfs: Math.max(vfs, 64),
      sriovNumVfs: vfs,
      vdpaVfs: n.vdpaVfs ?? false,
      vfs: Array.from({ length: vfs }, (_, v) => ({
        index: v,
        pciAddress: `0000:${hex((bus + 0x80) % 256, 2)}:${hex(Math.floor(v / 8) % 32, 2)}.${v % 8}`,
        state: taken.has(v) ? ('ALLOCATED' as const) : ('FREE' as const),
        ownerVmId: taken.has(v) ? 'other-vm' : null,
      })),
    };
  });
  const mem = spec.memoryMiBPerNode ?? 65_536;
  return {
    id: spec.id ?? `id-${spec.name}`,
    name: spec.name,
    state: spec.state ?? 'READY',
    virtType: spec.virtType ?? 'KVM',
    capabilities: { ...FULL_CAPS, ...spec.caps },
    bridges: spec.bridges?.map((b) => ({ name: ifNameSchema.parse(b.name), kind: b.kind, datapathType: b.datapathType ?? null })) ?? null,
    pmdCpus: spec.pmdCpus ?? [],
    foreignDomains: spec.foreignDomains ?? [],
    numaNodes: Array.from({ length: nodes }, (_, index) => ({
      index,
      memoryMiB: mem,
      memoryFreeMiB: mem,
      hugepages: [
        { size: 'SIZE_2M' as const, total: spec.hugepages2MPerNode ?? 0, free: spec.hugepages2MPerNode ?? 0 },
        { size: 'SIZE_1G' as const, total: spec.hugepages1GPerNode ?? 0, free: spec.hugepages1GPerNode ?? 0 },
      ],
    })),
    cpus,
    nics,
  };
}

/** A parsed VM request with test-friendly defaults (2 dedicated vCPUs, 2 GiB, no interfaces). */
export function vm(input: Partial<VmRequestInput> = {}): VmRequest {
  return vmRequestSchema.parse({ name: 'vm1', vcpus: 2, memoryMiB: 2048, ...input });
}
