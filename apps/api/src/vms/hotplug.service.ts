import { Inject, Injectable } from '@nestjs/common';
import {
  BadUserInputError,
  ConflictError,
  DEFAULT_DETACH_TIMEOUT_SECONDS,
  MAX_DEVICE_RELEASE_TIMEOUT_MS,
  NotFoundError,
  parseInput,
  setUpBeyondApply,
  vmInterfaceRequestSchema,
  type OperationResult,
  type PlacementPlan,
  type VmInterfaceRequest,
} from '@netpin/contracts';
import {
  HostRepository,
  hotplugTargetOf,
  ProvisioningRepository,
  type HostRecord,
  type NewOperation,
  type OperationOutcome,
  type OperationRecord,
  type VmWithPlan,
} from '@netpin/db';
import { generatedMac, planAttach } from '@netpin/placement';
import { randomUUID } from 'node:crypto';
import { OutboxRelay } from '../jobs/outbox.relay';
import { VfClaims } from '../jobs/vf-claims';
import { VmFencing } from '../jobs/vm-fencing';
import { ApiMetrics } from '../metrics/api-metrics';
import { OperationEvents } from '../operations/operation.events';
import type { Operation } from '../operations/operation.model';
import { announceOperation } from '../operations/operation.service';
import type { VmInterfaceInput } from '../placement/placement.model';
import { interfaceRaw, PlacementRejectedError } from '../placement/placement.service';
import { SriovReconciler } from '../sriov/sriov.reconciler';
import { attachJob, detachJob } from './hotplug-jobs';
import { stalledError } from './stalled';

/** Operation kinds this service starts and finishes. */
export const HOTPLUG_OPERATION_KINDS = ['vm.attachInterface', 'vm.detachInterface'] as const;
export const isHotplugKind = (k: string): boolean => (HOTPLUG_OPERATION_KINDS as readonly string[]).includes(k);

const ATTEMPTS = 3;

type Placed = VmWithPlan & { plan: PlacementPlan; hostId: string };

/**
 * NIC hot-plug: attachInterface places one more interface on the VM's current host (the
 * rules of a create, nothing the VM holds moves) and reserves it in the transaction that
 * records the operation; detachInterface unplugs one and releases it once the host gave it
 * back. One hot-plug at a time per VM, on a RUNNING VM (live and in its definition) or a
 * STOPPED one that kept its host (its definition only).
 */
@Injectable()
export class HotplugService {
  constructor(
    @Inject(HostRepository) private readonly hosts: HostRepository,
    @Inject(ProvisioningRepository) private readonly prov: ProvisioningRepository,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(OperationEvents) private readonly events: OperationEvents,
    @Inject(SriovReconciler) private readonly sriov: SriovReconciler,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(VfClaims) private readonly vfClaims: VfClaims,
    @Inject(VmFencing) private readonly fencing: VmFencing,
  ) {}

  async attachInterface(vmId: string, input: VmInterfaceInput | null | undefined, requestId: string): Promise<Operation> {
    const iface = toInterfaceRequest(input);
    if (!(await this.prov.vmWithPlan(vmId))) throw new NotFoundError('vm', vmId);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const op = await this.attachOnce(vmId, iface, requestId);
      if (op) return op;
    }
    throw new ConflictError(`attaching an interface to VM ${vmId} kept conflicting with concurrent requests; retry`, {
      attempts: ATTEMPTS,
    });
  }

  private async attachOnce(vmId: string, iface: VmInterfaceRequest, requestId: string): Promise<Operation | null> {
    const operationId = randomUUID();
    let claimed: { hostId: string; plan: PlacementPlan } | null = null;
    const r = await this.prov
      .beginAttachInterface({
        vmId,
        decide: (vm, open) => assertHotpluggable(vm, open),
        place: (index, vm) => planAttach(index, vm.plan, vm.request, iface),
        // a MAC the caller named is theirs (a clash is CONFLICT); a generated one is drawn again
        freshMac: (index, n) => (iface.mac ? null : generatedMac(vmId, index, n)),
        request: iface,
        operation: (vm, plan, added, host) => ({
          id: operationId,
          kind: 'vm.attachInterface',
          targetType: 'vm',
          targetId: vmId,
          requestId,
          result: { target: { index: added.index, mac: added.mac } },
          job: attachJob(host, plan, vm.request, vm, added, { operationId, requestId }, vm.state === 'RUNNING'),
        }),
        beforeCommit: async (plan) => {
          const added = { ...plan, interfaces: plan.interfaces.slice(-1) };
          await this.vfClaims.claim(vmId, added);
          claimed = { hostId: plan.hostId, plan: added };
        },
      })
      .catch(async (e: unknown) => {
        await this.vfClaims.release(vmId, (claimed as { plan: PlacementPlan } | null)?.plan ?? null);
        throw e;
      });
    if (r.kind === 'allocation-conflict') {
      await this.vfClaims.release(vmId, (claimed as { plan: PlacementPlan } | null)?.plan ?? null);
      return null;
    }
    if (r.kind === 'rejected') {
      this.metrics.rejected('attach', r.rejection);
      const unknown = r.rejection.requestReasons.find((x) => x.code === 'NETWORK_UNKNOWN');
      if (unknown) throw BadUserInputError.of('input.network', unknown.detail);
      throw new PlacementRejectedError(r.rejection);
    }
    return this.announce(r.operation);
  }

  async detachInterface(vmId: string, interfaceId: string, requestId: string, timeoutSeconds?: number | null): Promise<Operation> {
    const releaseTimeoutMs = parseTimeout(timeoutSeconds);
    const current = await this.prov.vmWithPlan(vmId);
    if (!current) throw new NotFoundError('vm', vmId);
    const host = current.hostId ? await this.hosts.findById(current.hostId) : null;
    const others = host ? await this.prov.holdingPlansOnHost(host.id, vmId) : [];
    const operationId = randomUUID();
    const operation = await this.prov.beginDetachInterface(vmId, (vm, open) => {
      const placed = assertHotpluggable(vm, open);
      const target = vm.interfaces.find((i) => i.id === interfaceId);
      if (!target) throw new NotFoundError('interface', interfaceId);
      if (!host || host.id !== placed.hostId) throw new ConflictError(`vm ${vm.name} moved while the detach was being decided; retry`);
      const ids = { operationId, requestId, releaseTimeoutMs };
      const job = detachJob(host, placed, vm, target.index, others, ids);
      if (!job) throw new NotFoundError('interface', interfaceId);
      return detachOperation(operationId, vmId, requestId, { index: target.index, mac: target.mac ?? '' }, job);
    });
    return this.announce(operation);
  }

  private announce(operation: OperationRecord): Operation {
    return announceOperation(this.relay, this.events, operation);
  }

  /**
   * An agent result for a hot-plug. An attach that succeeded is done; one that failed is
   * cleaned up by a detach of the same interface (a follow-up of it), which releases it
   * once the host gave it back. A detach (or clean-up) that succeeded releases the interface;
   * one that failed leaves it with the VM (its host still has it), the error on the operation.
   */
  async onResult(
    op: OperationRecord,
    result: OperationResult,
    outcome: OperationOutcome,
    vm: VmWithPlan,
    host: HostRecord | null,
  ): Promise<OperationRecord | null> {
    const target = hotplugTargetOf(op);
    const kept = { ...outcome, result: { target, ...(result.data ? { data: result.data } : {}) } };
    if (op.kind === 'vm.attachInterface') {
      if (result.status === 'SUCCEEDED') return this.prov.finishOperation(op.id, kept);
      return this.prov.finishOperation(op.id, kept, { followUps: await this.cleanUp(op, vm, host, target.index, result.requestId) });
    }
    if (result.status !== 'SUCCEEDED') return this.prov.finishOperation(op.id, kept);
    const gone = vm.plan?.interfaces.find((i) => i.index === target.index) ?? null;
    const done = await this.prov.finishOperation(op.id, kept, { removeInterface: { vmId: vm.id, index: target.index } });
    if (done && gone?.vf && gone.nicId && vm.plan) {
      await this.vfClaims.release(vm.id, { ...vm.plan, interfaces: [gone] });
      this.sriov.vfsReleased([{ nicId: gone.nicId, index: gone.vf.index }]);
    }
    return done;
  }

  /**
   * The reaper found this hot-plug stuck (its agent died, its job is gone). It fails with the
   * reaper's reason and the VM gets a new generation (the stuck job, should it wake, stops at
   * its next step with STALE_JOB). An attach or detach the caller asked for is then followed,
   * once, by a detach of its interface, as a failed attach is: it unplugs it if the host has it
   * and, once the host gave it back, releases its VF, I/O CPUs, rows and plan entry (the VM
   * keeps its state). A follow-up stuck itself is only failed: the VM keeps the interface and
   * what it holds (the host may still have it) until a detach is asked again.
   */
  async reap(op: OperationRecord, why: string): Promise<{ failed: OperationRecord | null; followUp: string | null }> {
    const vm = await this.prov.vmWithPlan(op.targetId);
    const host = vm?.hostId ? await this.hosts.findById(vm.hostId) : null;
    const generation = (vm?.generation ?? 0) + 1;
    const followUps =
      vm && op.parentId === null
        ? await this.cleanUp(op, { ...vm, generation }, host, hotplugTargetOf(op).index, op.requestId ?? `reaper-${op.id}`)
        : [];
    const next = followUps[0]?.id;
    const error = stalledError(
      `${why}; ${next ? `operation ${next} detaches the interface and releases it` : 'the interface stays with the VM (detach it again)'}`,
    );
    const failed = await this.prov.finishOperation(
      op.id,
      { state: 'FAILED', error },
      vm ? { vm: { id: vm.id, generation }, followUps } : {},
    );
    if (failed && vm) await this.fencing.raise(vm.id, generation);
    return { failed, followUp: failed ? (next ?? null) : null };
  }

  private async cleanUp(
    op: OperationRecord,
    vm: VmWithPlan,
    host: HostRecord | null,
    index: number,
    requestId: string,
  ): Promise<NewOperation[]> {
    if (!host || !vm.plan) return [];
    const id = randomUUID();
    const ids = { operationId: id, requestId, releaseTimeoutMs: DEFAULT_DETACH_TIMEOUT_SECONDS * 1000 };
    // IRQs and RPS queues another VM on the host relies on stay as they are
    const others = await this.prov.holdingPlansOnHost(host.id, vm.id);
    const job = detachJob(host, { plan: vm.plan, request: vm.request }, vm, index, others, ids);
    if (!job) return [];
    const target = vm.plan.interfaces.find((i) => i.index === index);
    return [{ ...detachOperation(id, vm.id, requestId, { index, mac: target?.mac ?? '' }, job), parentId: op.id }];
  }
}

function detachOperation(
  id: string,
  vmId: string,
  requestId: string,
  target: { index: number; mac: string },
  job: NewOperation['job'],
): NewOperation {
  return { id, kind: 'vm.detachInterface', targetType: 'vm', targetId: vmId, requestId, result: { target }, job };
}

/** A VM whose interfaces may change now: RUNNING, or STOPPED holding its host; no other hot-plug open. */
function assertHotpluggable(vm: VmWithPlan, open: number): Placed {
  const placed = (vm.state === 'RUNNING' || vm.state === 'STOPPED') && vm.holding && vm.plan !== null && vm.hostId !== null;
  if (!placed) {
    const detail = vm.state === 'STOPPED' && !vm.holding ? ' (it gave its resources back: start it first)' : '';
    throw new ConflictError(`vm ${vm.name} cannot change its interfaces while ${vm.state}${detail}`, { state: vm.state });
  }
  if (open > 0) throw new ConflictError(`vm ${vm.name} is already attaching or detaching an interface; wait for it`, { state: vm.state });
  return vm as Placed;
}

function toInterfaceRequest(input: VmInterfaceInput | null | undefined): VmInterfaceRequest {
  const iface = parseInput(vmInterfaceRequestSchema, interfaceRaw(input), 'input');
  // a VF with its virtio failover partner is two devices that must be plugged as a pair
  if (iface.liveMigratable)
    throw BadUserInputError.of(
      'input.liveMigratable',
      'a live-migratable (failover pair) interface cannot be hot-plugged; add it at create',
    );
  if (iface.datapath !== 'AUTO' && !setUpBeyondApply(iface.datapath))
    throw BadUserInputError.of(
      'input.datapath',
      `a ${iface.datapath} interface cannot be hot-plugged (its host device is made at define); add it at create`,
    );
  return iface;
}

function parseTimeout(seconds: number | null | undefined): number {
  const s = seconds ?? DEFAULT_DETACH_TIMEOUT_SECONDS;
  if (!Number.isInteger(s) || s < 0 || s * 1000 > MAX_DEVICE_RELEASE_TIMEOUT_MS)
    throw BadUserInputError.of('timeoutSeconds', `must be an integer from 0 to ${MAX_DEVICE_RELEASE_TIMEOUT_MS / 1000}`);
  return s * 1000;
}
