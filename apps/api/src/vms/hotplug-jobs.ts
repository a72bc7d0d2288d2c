import {
  HOST_OPS_QUEUE,
  type PlacementPlan,
  type PlanInterface,
  type VmAttachInterfacePayload,
  type VmDetachInterfacePayload,
  type VmRequest,
} from '@netpin/contracts';
import type { HostRecord, JobSpec } from '@netpin/db';
import { planDetach } from '@netpin/placement';
import { desiredState, hostRelease, hostTarget, interfaceDeviceXml, type VmRef } from './desired-state';

type Ids = { operationId: string; requestId: string };
type Host = HostRecord;

/**
 * vm.attachInterface: the VM's whole desired state with the interface (`plan`, `request`),
 * so the agent converges VFs, IRQ affinity and RPS as vm.apply would, and the one device to
 * plug. `running`: the domain runs (plug live and in the definition) or is shut off (the
 * definition only).
 */
export function attachJob(
  host: Host,
  plan: PlacementPlan,
  request: VmRequest,
  vm: VmRef,
  iface: PlanInterface,
  ids: Ids,
  running: boolean,
): JobSpec {
  const payload: VmAttachInterfacePayload = {
    ...ids,
    host: hostTarget(host),
    ...desiredState(plan, request, vm, host),
    start: running,
    deviceXml: interfaceDeviceXml(plan, request, vm, host, iface.mac),
    mac: iface.mac as VmAttachInterfacePayload['mac'],
  };
  return { queue: HOST_OPS_QUEUE, name: 'vm.attachInterface', payload };
}

/** The plan and request without interface `index` (request interface k is the plan's k-th). */
export function withoutInterface(
  plan: PlacementPlan,
  request: VmRequest,
  index: number,
): { plan: PlacementPlan; request: VmRequest } | null {
  const k = plan.interfaces.findIndex((i) => i.index === index);
  const next = planDetach(plan, index);
  if (k < 0 || next === null) return null;
  return { plan: next, request: { ...request, interfaces: request.interfaces.filter((_, j) => j !== k) } };
}

/**
 * vm.detachInterface: unplug interface `index` of the VM (`plan`, `request` as the VM has
 * them now) and give back its VF and the IRQs and RPS queues that neither the VM's other
 * interfaces nor another VM on the host (`others`) rely on. Also the clean-up of a failed attach.
 */
export function detachJob(
  host: Host,
  current: { plan: PlacementPlan; request: VmRequest },
  vm: VmRef,
  index: number,
  others: PlacementPlan[],
  ids: Ids & { releaseTimeoutMs: number },
): JobSpec | null {
  const after = withoutInterface(current.plan, current.request, index);
  const gone = current.plan.interfaces.find((i) => i.index === index);
  if (!after || !gone) return null;
  const payload: VmDetachInterfacePayload = {
    operationId: ids.operationId,
    requestId: ids.requestId,
    host: hostTarget(host),
    vmId: vm.id,
    vmName: current.plan.vmName as VmDetachInterfacePayload['vmName'],
    vmGeneration: vm.generation,
    domainXml: desiredState(after.plan, after.request, vm, host).domainXml,
    deviceXml: interfaceDeviceXml(current.plan, current.request, vm, host, gone.mac),
    mac: gone.mac as VmDetachInterfacePayload['mac'],
    release: hostRelease({ ...current.plan, interfaces: [gone] }, [after.plan, ...others]),
    releaseTimeoutMs: ids.releaseTimeoutMs,
  };
  return { queue: HOST_OPS_QUEUE, name: 'vm.detachInterface', payload };
}
