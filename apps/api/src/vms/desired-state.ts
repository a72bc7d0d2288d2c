import {
  datapathDefinition,
  DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
  HOST_OPS_QUEUE,
  type MigrationEnd,
  type MigrationStrategy,
  type VmMigratePayload,
  vhostUserPortDesiredSchema,
  vdpaDeviceDesiredSchema,
  type HostRelease,
  type VmRebootPayload,
  type VmStopPayload,
  type HostTarget,
  type PlacementPlan,
  type VmApplyPayload,
  type VmDesiredState,
  type VmRequest,
  type VmTeardownPayload,
} from '@netpin/contracts';
import type { HostRecord, JobSpec } from '@netpin/db';
import { domainSpecFromPlan, renderDomain, renderInterfaceDevice, type InterfaceSpec } from '@netpin/libvirt-xml';

/** The agent's view of a host: how to reach it and which key to trust. */
export function hostTarget(h: HostRecord): HostTarget {
  return {
    id: h.id,
    name: h.name,
    address: h.address,
    port: h.port,
    user: h.sshUser,
    credentialRef: h.credentialRef,
    hostKeyFingerprint: h.hostKeyFingerprint,
    trustOnFirstUse: h.trustOnFirstUse,
  };
}

/** The VM a host job serves: its id (the domain's ownership mark) and its generation (the job's fence). */
export interface VmRef {
  id: string;
  generation: number;
}

/**
 * The VF's rates, as the datapath's module says its bandwidth is enforced: the minimum placement
 * promised becomes min_tx_rate, the cap max_tx_rate (0 = none).
 */
function vfRates(i: PlacementPlan['interfaces'][number]): { maxTxRateMbps: number; minTxRateMbps: number } {
  const bw = datapathDefinition(i.datapath).bandwidth;
  return {
    maxTxRateMbps: bw.max === 'VF_MAX_TX_RATE' ? i.maxBandwidthMbps : 0,
    minTxRateMbps: bw.min === 'VF_MIN_TX_RATE' ? i.minBandwidthMbps : 0,
  };
}

/**
 * Everything a plan asks of its host: VF attributes, IRQ affinity, RPS masks and the domain
 * XML. vm.apply converges the host to it; vm.verify and drift checks compare against it.
 */
export function desiredState(
  planned: PlacementPlan,
  request: VmRequest,
  vm: VmRef,
  host: Pick<HostRecord, 'virtType' | 'guestCpu'>,
): VmDesiredState {
  const plan = withHostSideVlans(planned);
  const vfs = plan.interfaces
    .flatMap((i) => (i.vf && i.nicName ? [{ ...i, vf: i.vf, nicName: i.nicName }] : []))
    .map((i) => ({
      pf: i.nicName as VmDesiredState['vfs'][number]['pf'],
      vfIndex: i.vf.index,
      mac: i.mac as VmDesiredState['vfs'][number]['mac'],
      vlan: (i.vlan ?? 0) as VmDesiredState['vfs'][number]['vlan'],
      vlanProtocol: i.vlanProtocol,
      spoofchk: true,
      trust: false,
      ...vfRates(i),
    }));
  return {
    vmId: vm.id,
    vmName: plan.vmName as VmDesiredState['vmName'],
    vmGeneration: vm.generation,
    domainXml: renderDomain(domainSpec(plan, request, vm, host)),
    vfs,
    irqAffinity: plan.irqAffinity.map((x) => ({ irq: x.irq, cpus: x.cpus })),
    rps: plan.rps.map((x) => ({ dev: x.nicName as VmDesiredState['rps'][number]['dev'], rxQueue: x.rxQueue, cpus: x.cpus })),
    vhostUserPorts: vhostUserPorts(planned),
    vdpaDevices: vdpaDevices(planned),
    start: true,
  };
}

function domainSpec(plan: PlacementPlan, request: VmRequest, vm: VmRef, host: Pick<HostRecord, 'virtType' | 'guestCpu'>) {
  return domainSpecFromPlan(plan, request, { uuid: vm.id, ownerVmId: vm.id, virtType: host.virtType, guestCpu: host.guestCpu });
}

/**
 * The `<interface>` of the plan with this MAC as `virsh attach-device` / `detach-device`
 * take it: exactly the element the VM's domain XML holds for it.
 */
export function interfaceDeviceXml(
  planned: PlacementPlan,
  request: VmRequest,
  vm: VmRef,
  host: Pick<HostRecord, 'virtType' | 'guestCpu'>,
  mac: string,
): string {
  const nics = domainSpec(withHostSideVlans(planned), request, vm, host).interfaces.filter((i) => i.mac === mac);
  // a failover pair is two devices with one MAC: hot-plug refuses it before a job is made
  if (nics.length !== 1) throw new Error(`the plan has ${nics.length} devices with MAC ${mac}, not one`);
  return renderInterfaceDevice(nics[0]);
}

/** The plan's vhost-user interfaces as OVS ports to create, each with the interface's VLAN as the port's tag. */
function vhostUserPorts(plan: PlacementPlan): VmDesiredState['vhostUserPorts'] {
  return plan.interfaces.flatMap((i) =>
    i.vhostUser && i.sourceDevice
      ? [
          vhostUserPortDesiredSchema.parse({
            bridge: i.sourceDevice,
            port: i.vhostUser.port,
            socketPath: i.vhostUser.socketPath,
            vlan: i.trunk === null ? i.vlan : null,
            trunk: i.trunk,
            mtu: i.mtu,
            maxRateMbps: i.maxBandwidthMbps,
          }),
        ]
      : [],
  );
}

/**
 * The plan's vDPA interfaces as vdpa devices to create on their VFs' management devices: the
 * guest MAC, one queue pair per planned queue, the network's MTU. (The VF's VLAN and rates are
 * its `vfs` entry, set through the PF.)
 */
function vdpaDevices(plan: PlacementPlan): VmDesiredState['vdpaDevices'] {
  return plan.interfaces.flatMap((i) =>
    i.vdpa
      ? [vdpaDeviceDesiredSchema.parse({ name: i.vdpa.device, mgmtdev: i.vdpa.mgmtdev, mac: i.mac, maxVqp: i.queues ?? 1, mtu: i.mtu })]
      : [],
  );
}

/**
 * libvirt can tag a VLAN only on a VF (hostdev) or an OVS port it plugs a tap into. On a
 * Linux bridge or a macvtap parent the VLAN belongs to the host: the bridge or parent device
 * is the one on that VLAN (docs/placement.md); a vhost-user port is tagged by the agent
 * (vhostUserPorts). The guest interface itself stays untagged there.
 */
function withHostSideVlans(plan: PlacementPlan): PlacementPlan {
  const hostSide = (c: string): boolean => c === 'BRIDGE' || c === 'MACVTAP' || c === 'VHOSTUSER';
  // a vhost-user port's trunk is the agent's too; a Linux bridge or macvtap one placement never plans (from-plan refuses it)
  return {
    ...plan,
    interfaces: plan.interfaces.map((i) =>
      hostSide(i.connection) ? { ...i, vlan: null, trunk: i.connection === 'VHOSTUSER' ? null : i.trunk } : i,
    ),
  };
}

export function applyJob(
  host: HostRecord,
  plan: PlacementPlan,
  request: VmRequest,
  vm: VmRef,
  operationId: string,
  requestId: string,
  jobName: 'vm.apply' | 'vm.verify',
): JobSpec {
  const payload: VmApplyPayload = { operationId, requestId, host: hostTarget(host), ...desiredState(plan, request, vm, host) };
  return { queue: HOST_OPS_QUEUE, name: jobName, payload };
}

/**
 * What a VM gives back to its host: every VF (to its baseline, else clean defaults), and the
 * IRQs and RPS queues no other VM on the host still relies on.
 */
export function hostRelease(plan: PlacementPlan | null, otherPlans: PlacementPlan[]): HostRelease {
  const stillUsed = new Set(otherPlans.flatMap((p) => p.irqAffinity.map((x) => x.irq)));
  const stillRps = new Set(otherPlans.flatMap((p) => p.rps.map((x) => `${x.nicName}/${x.rxQueue}`)));
  return {
    vfs: (plan?.interfaces ?? []).flatMap((i) =>
      i.vf && i.nicName ? [{ pf: i.nicName as HostRelease['vfs'][number]['pf'], vfIndex: i.vf.index }] : [],
    ),
    irqs: (plan?.irqAffinity ?? []).map((x) => x.irq).filter((irq) => !stillUsed.has(irq)),
    rps: (plan?.rps ?? [])
      .filter((x) => !stillRps.has(`${x.nicName}/${x.rxQueue}`))
      .map((x) => ({ dev: x.nicName as HostRelease['rps'][number]['dev'], rxQueue: x.rxQueue })),
    vhostUserPorts: plan ? vhostUserPorts(plan).map((p) => ({ bridge: p.bridge, port: p.port })) : [],
    vdpaDevices: plan ? vdpaDevices(plan).map((d) => d.name) : [],
  };
}

/**
 * Teardown: destroy/undefine the domain and give back what `hostRelease` lists.
 * `vm.generation` is the new one the teardown raises the VM to (and its fence on the host).
 */
export function teardownJob(
  host: HostRecord,
  plan: PlacementPlan | null,
  vm: VmRef,
  vmName: string,
  operationId: string,
  requestId: string,
  otherPlans: PlacementPlan[],
): JobSpec {
  const payload: VmTeardownPayload = {
    operationId,
    requestId,
    host: hostTarget(host),
    vmId: vm.id,
    vmName: vmName as VmTeardownPayload['vmName'],
    vmGeneration: vm.generation,
    ...hostRelease(plan, otherPlans),
  };
  return { queue: HOST_OPS_QUEUE, name: 'vm.teardown', payload };
}

/**
 * Stop: graceful shutdown with a timeout, then forced; with `release`, what `hostRelease` lists
 * goes back too. `vm.generation` is the new one the stop raises the VM to: a job made before
 * it (a drift repair that would start the domain again) is stale.
 */
export function stopJob(
  host: HostRecord,
  vm: VmRef & { name: string },
  ids: { operationId: string; requestId: string },
  timeoutSeconds: number,
  release: HostRelease | null,
): JobSpec {
  const payload: VmStopPayload = {
    ...ids,
    host: hostTarget(host),
    vmId: vm.id,
    vmName: vm.name as VmStopPayload['vmName'],
    vmGeneration: vm.generation,
    shutdownTimeoutMs: timeoutSeconds * 1000,
    ...(release ? { release } : {}),
  };
  return { queue: HOST_OPS_QUEUE, name: 'vm.stop', payload };
}

export function rebootJob(host: HostRecord, vm: VmRef & { name: string }, ids: { operationId: string; requestId: string }): JobSpec {
  const payload: VmRebootPayload = {
    ...ids,
    host: hostTarget(host),
    vmId: vm.id,
    vmName: vm.name as VmRebootPayload['vmName'],
    vmGeneration: vm.generation,
  };
  return { queue: HOST_OPS_QUEUE, name: 'vm.reboot', payload };
}

/**
 * The libvirt URI the other host's libvirtd reaches this one at for a migration (qemu+ssh to
 * its SSH endpoint: the hosts need keys to each other, docs/deploy.md "Migration").
 */
export function migrationUri(h: HostRecord): string {
  const address = h.address.includes(':') ? `[${h.address}]` : h.address;
  return `qemu+ssh://${h.sshUser}@${address}:${h.port}/system`;
}

/**
 * One host's side of a migration, from that host's plan: its definition, the definition
 * without the failover VFs (what a live copy carries: they are unplugged for it), the VF
 * members alone (for detach/attach), the host settings, and what leaving that host gives back.
 */
export function migrationEnd(
  plan: PlacementPlan,
  request: VmRequest,
  vm: VmRef,
  host: HostRecord,
  otherPlans: PlacementPlan[],
): MigrationEnd {
  const state = desiredState(plan, request, vm, host);
  const spec = domainSpecFromPlan(withHostSideVlans(plan), request, {
    uuid: vm.id,
    ownerVmId: vm.id,
    virtType: host.virtType,
    guestCpu: host.guestCpu,
  });
  const isFailoverVf = (i: InterfaceSpec) => i.type === 'hostdev' && i.teaming?.type === 'transient';
  const persistentAliases = spec.interfaces.flatMap((i) => (i.alias ? [i.alias] : []));
  return {
    domainXml: state.domainXml,
    liveXml: renderDomain({ ...spec, interfaces: spec.interfaces.filter((i) => !isFailoverVf(i)) }),
    vfs: state.vfs,
    irqAffinity: state.irqAffinity,
    rps: state.rps,
    vhostUserPorts: state.vhostUserPorts,
    failoverVfs: spec.interfaces.filter(isFailoverVf).map((i) => ({
      mac: i.mac as MigrationEnd['failoverVfs'][number]['mac'],
      deviceXml: renderInterfaceDevice(i, persistentAliases),
    })),
    release: hostRelease(plan, otherPlans),
  };
}

export interface MigrationJobInput {
  ids: { operationId: string; requestId: string };
  vm: VmRef & { name: string };
  strategy: MigrationStrategy;
  source: { host: HostRecord; end: MigrationEnd };
  target: { host: HostRecord; end: MigrationEnd };
}

export function migrateJob(m: MigrationJobInput): JobSpec {
  const payload: VmMigratePayload = {
    ...m.ids,
    host: hostTarget(m.source.host),
    target: hostTarget(m.target.host),
    vmId: m.vm.id,
    vmName: m.vm.name as VmMigratePayload['vmName'],
    vmGeneration: m.vm.generation,
    strategy: m.strategy,
    shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_SECONDS * 1000,
    destUri: migrationUri(m.target.host),
    sourceUri: migrationUri(m.source.host),
    source: m.source.end,
    dest: m.target.end,
  };
  return { queue: HOST_OPS_QUEUE, name: 'vm.migrate', payload };
}
