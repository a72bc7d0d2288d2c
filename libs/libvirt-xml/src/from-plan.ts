import {
  CONNECTION_MTU,
  datapathDefinition,
  domainNameSchema,
  ifNameSchema,
  vdpaDeviceNameSchema,
  vdpaSourcePlaceholder,
  vhostVdpaPathSchema,
  macAddressSchema,
  pciAddressSchema,
  trunkVlanIdSchema,
  vlanIdSchema,
  type HugepageSize,
  type NativeVlanMode,
  type MacAddress,
  type PlacementPlan,
  type PlanInterface,
  type Datapath,
  type GuestCpuSetting,
  type VirtType,
  type VlanId,
  type VmRequest,
} from '@netpin/contracts';
import type { z } from 'zod';
import type {
  Bandwidth,
  BridgeInterface,
  CpuTune,
  DirectInterface,
  DomainSpec,
  GuestCpu,
  InterfaceSpec,
  NicDriver,
  NicModel,
  VhostUserInterface,
  VdpaInterface,
  VlanTrunk,
} from './model';

/**
 * The plan cannot be written as a domain without changing what it says (a VLAN on a
 * datapath libvirt cannot tag, a plan that contradicts its request, ...). Stable code so the
 * API and the agent can tell "the engine produced something unrenderable" from bad XML.
 */
export class PlanToDomainError extends Error {
  readonly code = 'PLAN_NOT_RENDERABLE';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'PlanToDomainError';
  }
}

export interface DomainFromPlanOptions {
  /** Written as given (lower-cased); without it libvirt generates one on define. */
  uuid?: string;
  /** Only 'q35': the renderer writes q35, and virtio failover (<teaming>) needs PCIe. */
  machine?: string;
  /**
   * The placed host's CPUs (FleetHost.cpus fits). The plan lists pinned CPU ids but not
   * which are hyperthread siblings, so without this only threadPolicy REQUIRE (whose pairs
   * the engine guarantees) yields a threads=2 guest topology; with it, PREFER plans that
   * got whole cores do too, and a pairing the host contradicts falls back to threads=1.
   */
  hostCpus?: readonly { id: number; siblings: readonly number[] }[];
  /** The host's settings (Host.virtType, Host.guestCpu); KVM with host-passthrough when absent. */
  virtType?: VirtType;
  guestCpu?: GuestCpuSetting;
  /** The VM the domain is defined for: written as netpin's ownership mark. */
  ownerVmId?: string;
}

const CPU_MODE_XML: Readonly<Record<GuestCpuSetting['mode'], GuestCpu['mode']>> = {
  HOST_PASSTHROUGH: 'host-passthrough',
  HOST_MODEL: 'host-model',
  CUSTOM: 'custom',
};

const HUGEPAGE_KIB: Readonly<Record<Exclude<HugepageSize, 'NONE'>, number>> = { SIZE_2M: 2048, SIZE_1G: 1048576 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function valid<S extends z.ZodType>(path: string, schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new PlanToDomainError(path, r.error.issues.map((i) => i.message).join('; '));
  return r.data;
}

const sortedUnique = (xs: readonly number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);

/**
 * PlacementPlan -> DomainSpec: exactly what the plan decided, nothing chosen here. Pure and
 * deterministic (no uuid unless given). Throws PlanToDomainError where the plan is
 * inconsistent with the request or asks for something the domain model cannot carry.
 */
export function domainSpecFromPlan(plan: PlacementPlan, request: VmRequest, opts: DomainFromPlanOptions = {}): DomainSpec {
  if (plan.vmName !== request.name) throw new PlanToDomainError('plan.vmName', `plan is for ${plan.vmName}, request for ${request.name}`);
  if (opts.machine !== undefined && opts.machine !== 'q35')
    throw new PlanToDomainError('opts.machine', `only q35 is rendered, got ${opts.machine}`);
  if (plan.memory.hugepages !== request.hugepages)
    throw new PlanToDomainError('plan.memory.hugepages', `plan says ${plan.memory.hugepages}, request ${request.hugepages}`);
  const planned = plan.memory.perNode.reduce((s, n) => s + n.mib, 0);
  if (planned !== request.memoryMiB)
    throw new PlanToDomainError('plan.memory.perNode', `plan places ${planned} MiB, request asks ${request.memoryMiB}`);

  const vcpus = plan.vcpuPins.length;
  if (vcpus !== request.vcpus) throw new PlanToDomainError('plan.vcpuPins', `${vcpus} pins for ${request.vcpus} vCPUs`);
  const spec: DomainSpec = {
    name: valid('plan.vmName', domainNameSchema, plan.vmName),
    memoryMiB: request.memoryMiB,
    vcpus,
    interfaces: [],
  };
  if (opts.uuid !== undefined) {
    const uuid = opts.uuid.toLowerCase();
    if (!UUID.test(uuid)) throw new PlanToDomainError('opts.uuid', 'must be an RFC 4122 UUID');
    spec.uuid = uuid;
  }
  if (opts.ownerVmId !== undefined) {
    const vmId = opts.ownerVmId.toLowerCase();
    if (!UUID.test(vmId)) throw new PlanToDomainError('opts.ownerVmId', 'must be an RFC 4122 UUID');
    spec.owner = { vmId };
  }
  if (opts.virtType === 'QEMU') spec.virtType = 'qemu';
  if (plan.memory.hugepages !== 'NONE') spec.hugepageSizeKiB = HUGEPAGE_KIB[plan.memory.hugepages];
  if (plan.interfaces.some((i) => datapathDefinition(i.datapath).memory.kind === 'SHARED_HUGEPAGES')) {
    if (plan.memory.hugepages === 'NONE')
      throw new PlanToDomainError('plan.memory.hugepages', 'a vhost-user interface needs the guest on shared huge pages');
    spec.memoryAccess = 'shared';
  }
  spec.cputune = cputune(plan);
  // Bound even under numaPolicy NONE on a single node: the engine charged this VM's memory
  // (and huge pages) to exactly these nodes (plan.memory.perNode, allocation.memory), so
  // letting the kernel place it elsewhere would spend memory the engine still counts as
  // free there, and would split vCPUs (pinned on the node) from their memory, the
  // cross-interconnect traffic docs/datapaths.md, "CPUs, interrupts and NUMA" warns about. The mode is
  // the plan's: strict on one node, interleave when the VM spans nodes.
  spec.numaMemory = { mode: plan.memory.mode, nodeset: sortedUnique(plan.numaNodes) };
  spec.cpu = guestCpu(plan, request.memoryMiB, opts);
  for (const iface of plan.interfaces) spec.interfaces.push(...interfaces(iface));
  return spec;
}

function cputune(plan: PlacementPlan): CpuTune {
  const seen = new Set<number>();
  const vcpupins = [...plan.vcpuPins]
    .sort((a, b) => a.vcpu - b.vcpu)
    .map((p, k) => {
      const path = `plan.vcpuPins[vcpu ${p.vcpu}]`;
      if (p.vcpu !== k || seen.has(p.vcpu)) throw new PlanToDomainError(path, 'vCPU ids must be 0..n-1, each pinned once');
      seen.add(p.vcpu);
      if (p.cpus.length === 0) throw new PlanToDomainError(path, 'empty CPU set');
      // Dedicated means one exclusive pCPU per vCPU; a set here would let vCPUs share.
      if (plan.cpuPolicy === 'DEDICATED' && p.cpus.length !== 1)
        throw new PlanToDomainError(path, `a dedicated vCPU takes one CPU, got ${p.cpus.length}`);
      return { vcpu: p.vcpu, cpuset: sortedUnique(p.cpus) };
    });
  return plan.emulatorCpus.length > 0 ? { vcpupins, emulatorpin: sortedUnique(plan.emulatorCpus) } : { vcpupins };
}

/**
 * One socket, one guest NUMA cell holding every vCPU and all memory (the VM's host nodes
 * are the plan's business, not the guest's). threads=2 only where vCPUs 2k and 2k+1 really
 * sit on sibling hyperthreads, so the guest scheduler is never told a false SMT layout.
 */
function guestCpu(plan: PlacementPlan, memoryMiB: number, opts: DomainFromPlanOptions): GuestCpu {
  const vcpus = plan.vcpuPins.length;
  const threads = siblingPairs(plan, opts.hostCpus) ? 2 : 1;
  const setting = opts.guestCpu ?? { mode: 'HOST_PASSTHROUGH', model: null, features: [] };
  return {
    mode: CPU_MODE_XML[setting.mode],
    ...(setting.model ? { model: setting.model } : {}),
    topology: { sockets: 1, cores: vcpus / threads, threads },
    ...(setting.features.length > 0 ? { features: setting.features.map((f) => ({ name: f.name, policy: f.policy })) } : {}),
    cells: [{ id: 0, cpus: Array.from({ length: vcpus }, (_, v) => v), memoryMiB }],
  };
}

function siblingPairs(plan: PlacementPlan, hostCpus: DomainFromPlanOptions['hostCpus']): boolean {
  const pins = [...plan.vcpuPins].sort((a, b) => a.vcpu - b.vcpu);
  if (plan.cpuPolicy !== 'DEDICATED' || pins.length === 0 || pins.length % 2 !== 0) return false;
  // ISOLATE keeps the siblings idle, so its vCPUs are one per core by construction.
  if (plan.threadPolicy === 'ISOLATE') return false;
  if (hostCpus === undefined) return plan.threadPolicy === 'REQUIRE';
  const siblings = new Map(hostCpus.map((c) => [c.id, c.siblings]));
  for (let k = 0; k < pins.length; k += 2) {
    const a = pins[k].cpus[0];
    const b = pins[k + 1].cpus[0];
    if (a === b || !(siblings.get(a) ?? []).includes(b)) return false;
  }
  return true;
}

type PlanNic = NonNullable<PlanInterface['failoverBackup']>;

/** The plan interface as one libvirt interface, or the persistent+transient teaming pair. */
function interfaces(iface: PlanInterface): InterfaceSpec[] {
  const path = `plan.interfaces[${iface.index}]`;
  const mac = valid(`${path}.mac`, macAddressSchema, iface.mac);
  const vlan = iface.vlan === null ? undefined : valid(`${path}.vlan`, vlanIdSchema, iface.vlan);
  if (iface.connection === 'VHOSTUSER') return [vhostUser(path, iface, mac, vlan)];
  if (iface.connection === 'VDPA') return [vdpa(path, iface, mac)];
  const tagging = { vlan, trunk: trunkOf(path, iface) };
  if (iface.connection !== 'HOSTDEV') {
    if (iface.failoverBackup !== null)
      throw new PlanToDomainError(`${path}.failoverBackup`, 'only an SR-IOV (HOSTDEV) interface has a failover backup');
    return [emulated(path, iface, mac, tagging, iface)];
  }
  // libvirt refuses trunks on a VF ("vlan trunking is not supported by SR-IOV network devices"); placement never plans one
  if (tagging.trunk !== undefined) throw new PlanToDomainError(`${path}.trunk`, 'a VF takes one VLAN, not a trunk');
  if (iface.vf === null) throw new PlanToDomainError(`${path}.vf`, 'a HOSTDEV interface needs its VF');
  const vf = {
    type: 'hostdev' as const,
    mac,
    pciAddress: valid(`${path}.vf.pciAddress`, pciAddressSchema, iface.vf.pciAddress),
    ...(vlan !== undefined ? { vlan } : {}),
  };
  if (iface.failoverBackup === null) return [vf];
  // libvirt <teaming>: the virtio member is persistent and named by a user alias the
  // transient VF refers to; both must carry the same MAC for the guest's failover driver.
  // The alias comes from the plan's interface index, so re-rendering never renames it.
  const alias = `ua-backup${iface.index}`;
  // the backup carries the interface's traffic while the VF is unplugged: the same cap holds
  const backup = emulated(`${path}.failoverBackup`, iface.failoverBackup, mac, tagging, iface);
  return [
    { ...backup, alias, teaming: { type: 'persistent' } },
    { ...vf, teaming: { type: 'transient', persistent: alias } },
  ];
}

type Limits = Pick<PlanInterface, 'maxBandwidthMbps' | 'mtu'>;

/** The plan's trunk in libvirt's terms (VLANs ascending, the native one among them), or undefined. */
function trunkOf(path: string, iface: PlanInterface): VlanTrunk | undefined {
  if (iface.trunk === null) return undefined;
  const { vlans, native } = iface.trunk;
  const tags = vlans.map((v, k) => valid(`${path}.trunk.vlans[${k}]`, trunkVlanIdSchema, v));
  return {
    tags: [...tags].sort((a, b) => a - b),
    ...(native
      ? { native: { id: valid(`${path}.trunk.native.vlan`, trunkVlanIdSchema, native.vlan), mode: NATIVE_MODE[native.mode] } }
      : {}),
  };
}

const NATIVE_MODE: Readonly<Record<NativeVlanMode, 'untagged' | 'tagged'>> = { UNTAGGED: 'untagged', TAGGED: 'tagged' };

function emulated(
  path: string,
  nic: PlanNic,
  mac: MacAddress,
  { vlan, trunk }: { vlan: VlanId | undefined; trunk: VlanTrunk | undefined },
  limits: Limits,
): DirectInterface | BridgeInterface {
  if (nic.sourceDevice === null) throw new PlanToDomainError(`${path}.sourceDevice`, `${nic.connection} needs a source device`);
  const source = valid(`${path}.sourceDevice`, ifNameSchema, nic.sourceDevice);
  const common = { mac, ...emulatedNic(path, nic), ...bandwidthOf(nic.datapath, limits) };
  // libvirt sets <mtu> on a tap only; a macvtap device has its NIC's MTU, which placement checked
  const mtu = limits.mtu !== null && CONNECTION_MTU[nic.connection] === 'LIBVIRT_MTU' ? { mtu: limits.mtu } : {};
  // libvirt tags guest traffic only on hostdev VFs and OVS ports here; dropping the VLAN
  // would put the guest on the untagged network, so refuse instead.
  const noVlan = () => {
    if (vlan !== undefined) throw new PlanToDomainError(`${path}.vlan`, `VLAN ${vlan} cannot be tagged on a ${nic.connection} interface`);
    if (trunk !== undefined)
      throw new PlanToDomainError(`${path}.trunk`, `a VLAN trunk cannot be carried on a ${nic.connection} interface`);
  };
  switch (nic.connection) {
    case 'MACVTAP':
      noVlan();
      return { type: 'direct', sourceDev: source, mode: nic.macvtapMode ?? 'bridge', ...common };
    case 'BRIDGE':
      noVlan();
      return { type: 'bridge', bridge: source, ...mtu, ...common };
    case 'OVS':
      return {
        type: 'bridge',
        bridge: source,
        openvswitch: true,
        ...(vlan !== undefined ? { vlan } : {}),
        ...(trunk !== undefined ? { trunk } : {}),
        ...mtu,
        ...common,
      };
    case 'HOSTDEV':
    case 'VHOSTUSER':
    case 'VDPA':
      throw new PlanToDomainError(
        `${path}.connection`,
        `a failover backup must be a tap or macvtap virtio interface, not ${nic.connection}`,
      );
  }
}

/** libvirt's bandwidth unit as tc applies it: 1000 bytes/s, so 125 per Mbit/s (model.ts, Bandwidth). */
export const LIBVIRT_RATE_PER_MBPS = 125;

/**
 * maxBandwidthMbps as the datapath's module says the host enforces it: on a tap or macvtap,
 * libvirt's outbound average (the guest's transmit, as a VF's max_tx_rate). The minimum has
 * nothing to render there (RESERVED_ONLY: libvirt's floor is refused on these types).
 */
function bandwidthOf(d: Datapath, limits: Limits): { bandwidth?: Bandwidth } {
  if (limits.maxBandwidthMbps === 0 || datapathDefinition(d).bandwidth.max !== 'LIBVIRT_OUTBOUND') return {};
  return { bandwidth: { outbound: { average: limits.maxBandwidthMbps * LIBVIRT_RATE_PER_MBPS } } };
}

/**
 * vDPA: the source is the placeholder of the plan's vdpa device (vdpaSourcePlaceholder), which
 * the agent replaces with its /dev/vhost-vdpa-N once the device exists. The VLAN and rates are
 * the VF's, set through its PF (desired state `vfs`), and the MTU the device's (`vdpa dev add
 * mtu`): libvirt 9.0 refuses <mtu> on type vdpa and does not apply <vlan> or <bandwidth> there.
 */
function vdpa(path: string, iface: PlanInterface, mac: MacAddress): VdpaInterface {
  if (iface.vdpa === null) throw new PlanToDomainError(`${path}.vdpa`, 'a VDPA interface needs its vdpa device');
  if (iface.vf === null) throw new PlanToDomainError(`${path}.vf`, 'a VDPA interface needs the VF its device is made on');
  if (iface.failoverBackup !== null) throw new PlanToDomainError(`${path}.failoverBackup`, 'a vDPA interface has no failover backup');
  const xml = datapathDefinition(iface.datapath).xml;
  if (xml.kind !== 'emulated' || xml.driver !== 'vhost-vdpa' || iface.model !== 'virtio')
    throw new PlanToDomainError(`${path}.datapath`, `${iface.datapath} is not a vDPA datapath`);
  const device = valid(`${path}.vdpa.device`, vdpaDeviceNameSchema, iface.vdpa.device);
  const queues = iface.queues !== null && iface.queues > 1 ? { queues: iface.queues } : {};
  return { type: 'vdpa', mac, sourceDev: vdpaSourcePlaceholder(device), model: 'virtio', ...queues };
}

/**
 * vhost-user: QEMU serves the socket (mode server) the OVS dpdkvhostuserclient port connects
 * to. The VLAN or trunk is the OVS port's tag/trunks/vlan_mode, set by the agent (desired
 * state), never in the XML. The network's MTU is `<mtu>` (QEMU's host_mtu, what the guest is
 * told; libvirt 9.0 defines it on type vhostuser) and the port's mtu_request (the agent).
 */
function vhostUser(path: string, iface: PlanInterface, mac: MacAddress, vlan: VlanId | undefined): VhostUserInterface {
  if (iface.vhostUser === null) throw new PlanToDomainError(`${path}.vhostUser`, 'a VHOSTUSER interface needs its port and socket');
  if (vlan !== undefined) throw new PlanToDomainError(`${path}.vlan`, 'the VLAN of a vhost-user interface is its OVS port tag, not XML');
  if (iface.trunk !== null) throw new PlanToDomainError(`${path}.trunk`, 'the trunk of a vhost-user interface is its OVS port, not XML');
  if (iface.failoverBackup !== null) throw new PlanToDomainError(`${path}.failoverBackup`, 'a vhost-user interface has no failover backup');
  const xml = datapathDefinition(iface.datapath).xml;
  if (xml.kind !== 'emulated' || xml.driver !== 'vhost-user' || iface.model !== 'virtio')
    throw new PlanToDomainError(`${path}.datapath`, `${iface.datapath} is not a vhost-user datapath`);
  const queues = iface.queues !== null && iface.queues > 1 ? { queues: iface.queues } : {};
  const mtu = iface.mtu !== null && CONNECTION_MTU.VHOSTUSER === 'LIBVIRT_MTU' ? { mtu: iface.mtu } : {};
  return { type: 'vhostuser', mac, socketPath: iface.vhostUser.socketPath, mode: 'server', model: 'virtio', ...queues, ...mtu };
}

/**
 * Model and backend driver as the datapath's module declares them (@netpin/contracts
 * datapaths, `xml`): vhost with the plan's queue count, qemu for userspace virtio, none for
 * emulated models. queues=1 is libvirt's default single queue, so it is left out as libvirt
 * itself does. A plan whose model or vhost flag contradicts its datapath is refused.
 */
function emulatedNic(path: string, nic: PlanNic): { model: NicModel; driver?: NicDriver } {
  const xml = datapathDefinition(nic.datapath).xml;
  if (xml.kind !== 'emulated') throw new PlanToDomainError(`${path}.datapath`, `${nic.datapath} is not an emulated NIC`);
  if (nic.model !== xml.model)
    throw new PlanToDomainError(`${path}.model`, `${nic.datapath} has model ${xml.model}, plan says ${nic.model}`);
  if (nic.vhost !== (xml.driver === 'vhost'))
    throw new PlanToDomainError(`${path}.vhost`, `${nic.datapath} ${xml.driver === 'vhost' ? 'runs on' : 'does not use'} vhost-net`);
  switch (xml.driver) {
    case null:
      return { model: xml.model };
    case 'qemu':
      return { model: xml.model, driver: { name: 'qemu' } };
    case 'vhost':
      return {
        model: xml.model,
        driver: nic.queues !== null && nic.queues > 1 ? { name: 'vhost', queues: nic.queues } : { name: 'vhost' },
      };
    case 'vhost-user':
      throw new PlanToDomainError(`${path}.connection`, `${nic.datapath} is served over a vhost-user socket, not a ${nic.connection} tap`);
    case 'vhost-vdpa':
      throw new PlanToDomainError(`${path}.connection`, `${nic.datapath} is served by a vdpa device, not a ${nic.connection} tap`);
  }
}

/**
 * The domain XML with each vDPA placeholder source (`dev="/run/netpin/vdpa/NAME"`, as
 * renderDomain writes it) replaced by the device's /dev/vhost-vdpa-N from `paths` (by device
 * name). A placeholder without a path is refused (libvirt must never see one), or with `keep`
 * left as it is (a comparison with the defined domain then reports it).
 */
export function resolveVdpaSources(domainXml: string, paths: ReadonlyMap<string, string>, missing: 'refuse' | 'keep' = 'refuse'): string {
  return domainXml.replace(/ dev="\/run\/netpin\/vdpa\/([A-Za-z0-9][A-Za-z0-9_.-]*)"/g, (all, name: string) => {
    const path = paths.get(name);
    if (path === undefined && missing === 'keep') return all;
    if (path === undefined || !vhostVdpaPathSchema.safeParse(path).success)
      throw new PlanToDomainError('domainXml', `no /dev/vhost-vdpa-N known for vdpa device ${name}`);
    return ` dev="${path}"`;
  });
}
