import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
  type OperationResult,
  type PlacementPlan,
  type VmRequest,
} from '@netpin/contracts';
import {
  HostRepository,
  OperationRepository,
  ProvisioningRepository,
  SnapshotCache,
  type CreatePlacedResult,
  type CreatePlacedVm,
  type NewOperation,
  type OperationOutcome,
  type OperationRecord,
  type VmWithPlan,
} from '@netpin/db';
import { PlanToDomainError } from '@netpin/libvirt-xml';
import { generatedMac, type PlacementResult } from '@netpin/placement';
import { createHash, randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { OutboxRelay } from '../jobs/outbox.relay';
import { VfClaims } from '../jobs/vf-claims';
import { VmFencing } from '../jobs/vm-fencing';
import { ApiMetrics } from '../metrics/api-metrics';
import { OperationEvents } from '../operations/operation.events';
import { SriovReconciler } from '../sriov/sriov.reconciler';
import { toOperationView } from '../operations/operation.service';
import type { Operation } from '../operations/operation.model';
import { assertPinHostKnown, rejectionToError, toVmRequest } from '../placement/placement.service';
import type { CreateVmPayload, VmInput } from '../placement/placement.model';
import { decideDelete, FORCE_DELETE_KIND } from './delete-decision';
import { REAP_VERIFY_KIND } from './reaper.service';
import { applyJob, teardownJob } from './desired-state';
import { HostBacklog } from './host-backlog';
import { HotplugService, isHotplugKind } from './hotplug.service';
import { isMigrateKind, MigrationService } from './migration.service';
import { isPowerKind, PowerService } from './power.service';
import { toVmView } from './vm.service';

const MAX_PLACEMENT_ATTEMPTS = 6;
/**
 * Placement transactions this process lets wait for the fleet lock at a time. The lock lets
 * one through anyway; more waiters would only park pool connections that the result
 * consumer, the relay and reads need, so a burst queues in memory instead.
 */
const PLACEMENT_SLOTS = 2;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** What both create paths write: fresh VM and operation ids, the stored request and its vm.apply job. */
function newCreate(
  request: VmRequest,
  requestHash: string,
  idempotencyKey: string | null | undefined,
  requestId: string,
): Omit<CreatePlacedVm, 'place'> {
  const vmId = randomUUID();
  const req: VmRequest = { ...request, vmId };
  const operationId = randomUUID();
  return {
    vmId,
    name: request.name,
    request: req,
    operation: { id: operationId, kind: 'vm.create', idempotencyKey: idempotencyKey ?? null, requestHash, requestId },
    job: (plan, host) => applyJob(host, plan, req, { id: vmId, generation: 0 }, operationId, requestId, 'vm.apply'),
  };
}

/**
 * The main job: createVm places, then writes VM + allocations + operation + outbox in one
 * transaction; results coming back from the agent move the VM through its states.
 */
@Injectable()
export class ProvisioningService {
  private readonly logger = new Logger(ProvisioningService.name);
  private readonly placementSlots = pLimit(PLACEMENT_SLOTS);
  /** createAt runs one at a time: each places on the view the previous one left. */
  private readonly atSlot = pLimit(1);
  /** This process's creates still waiting for their host's apply, per host (placement leaves busy hosts out). */
  private readonly backlog = new HostBacklog();

  constructor(
    @Inject(HostRepository) private readonly hosts: HostRepository,
    @Inject(SnapshotCache) private readonly cache: SnapshotCache,
    @Inject(ProvisioningRepository) private readonly prov: ProvisioningRepository,
    @Inject(OperationRepository) private readonly ops: OperationRepository,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(OperationEvents) private readonly events: OperationEvents,
    @Inject(SriovReconciler) private readonly sriov: SriovReconciler,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(VmFencing) private readonly fencing: VmFencing,
    @Inject(VfClaims) private readonly vfClaims: VfClaims,
    @Inject(PowerService) private readonly power: PowerService,
    @Inject(HotplugService) private readonly hotplug: HotplugService,
    @Inject(MigrationService) private readonly migration: MigrationService,
  ) {}

  async createVm(input: VmInput, idempotencyKey: string | null | undefined, requestId: string): Promise<CreateVmPayload> {
    if (idempotencyKey != null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw BadUserInputError.of('idempotencyKey', 'must be 1-128 letters, digits, "_", ".", ":" or "-"');
    }
    const request = toVmRequest(input);
    const requestHash = createHash('sha256').update(stableJson(request)).digest('hex');
    if (idempotencyKey) {
      const replay = await this.replay(idempotencyKey, requestHash);
      if (replay) return replay;
    }
    return this.metrics.timePlacement('create', () => this.placeAndCreate(request, requestHash, idempotencyKey, requestId));
  }

  /** Place (outside, then under the fleet lock) and write; the decision the placement histogram times. */
  private async placeAndCreate(
    request: VmRequest,
    requestHash: string,
    idempotencyKey: string | null | undefined,
    requestId: string,
  ): Promise<CreateVmPayload> {
    const fast = await this.createAt(request, requestHash, idempotencyKey, requestId);
    if (fast) return fast;
    // a first placement outside the lock answers bad input and a full fleet without queueing
    const { index } = await this.cache.read();
    await assertPinHostKnown(index, request, this.hosts);
    const first = index.place({ ...request, vmId: randomUUID() });
    if (!first.ok) {
      this.metrics.rejected('create', first.rejection);
      throw rejectionToError(first.rejection, request);
    }
    for (let attempt = 1; attempt <= MAX_PLACEMENT_ATTEMPTS; attempt++) {
      const created = await this.createOnce(request, requestHash, idempotencyKey, requestId);
      if (created) return created;
      this.logger.debug({ attempt, vm: request.name }, 'placement lost a race; retrying');
    }
    throw new ConflictError(`placement of ${request.name} kept conflicting with concurrent requests; retry`, {
      attempts: MAX_PLACEMENT_ATTEMPTS,
    });
  }

  /**
   * The create in one statement on this process's view of the fleet, one at a time per process
   * (ProvisioningRepository.createPlacedVmAt); null when the locked path must decide.
   */
  private async createAt(
    request: VmRequest,
    requestHash: string,
    idempotencyKey: string | null | undefined,
    requestId: string,
  ): Promise<CreateVmPayload | null> {
    const c = newCreate(request, requestHash, idempotencyKey, requestId);
    const { vmId, request: req } = c;
    const created = await this.atSlot(() =>
      this.prov.createPlacedVmAt(
        {
          ...c,
          place: (index) => {
            const r = this.backlog.place(index, req);
            return r.ok ? r.plan : null;
          },
        },
        { claimFree: (plan) => this.vfClaims.claimFree(vmId, plan), release: (plan) => this.vfClaims.release(vmId, plan) },
      ),
    ).catch((e: unknown) => this.createFailed(e, idempotencyKey, requestHash));
    if (created.kind === 'replay') return created.payload;
    if (created.kind !== 'created') return null;
    return this.announceCreated(created);
  }

  /** A create that was written, by either path: counted against its host, its job relayed and its operation told. */
  private announceCreated(created: Extract<CreatePlacedResult, { kind: 'created' }>): CreateVmPayload {
    this.backlog.add(created.plan.hostId, created.operation.id);
    this.relay.kick();
    this.events.broadcast(created.operation);
    return { vm: toVmView(created.vm), operation: toOperationView(created.operation) };
  }

  /** One placement under the fleet lock: the created VM, or null when a concurrent write won a CPU or VF (try again). */
  private async createOnce(
    request: VmRequest,
    requestHash: string,
    idempotencyKey: string | null | undefined,
    requestId: string,
  ): Promise<CreateVmPayload | null> {
    const c = newCreate(request, requestHash, idempotencyKey, requestId);
    const { vmId, request: req } = c;
    let decided: PlacementResult | null = null;
    let claimed: PlacementPlan | null = null;
    const created = await this.placementSlots(() =>
      this.prov.createPlacedVm({
        ...c,
        place: (index) => {
          decided = this.backlog.place(index, req);
          return decided.ok ? decided.plan : null;
        },
        // a MAC the request named is the caller's; a generated one may be drawn again
        freshMac: (index, n) => (req.interfaces[index]?.mac ? null : generatedMac(vmId, index, n)),
        // the agent's configureSriov guard reads these under the host lock
        beforeCommit: async (plan) => {
          await this.vfClaims.claim(vmId, plan);
          claimed = plan;
        },
      }),
    ).catch(async (e: unknown) => {
      await this.vfClaims.release(vmId, claimed);
      return this.createFailed(e, idempotencyKey, requestHash);
    });
    if (created.kind !== 'created') await this.vfClaims.release(vmId, claimed);
    if (created.kind === 'replay') return created.payload;
    if (created.kind === 'created') return this.announceCreated(created);
    // the fleet read under the lock is the truth: nothing fits, and this is why
    const r = decided as PlacementResult | null;
    if (created.kind === 'no-longer-fits' && r && !r.ok) {
      this.metrics.rejected('create', r.rejection);
      throw rejectionToError(r.rejection, request);
    }
    return null;
  }

  /** A write that threw: bad XML is the caller's input; a lost race on the idempotency key answers like a replay. */
  private async createFailed(
    e: unknown,
    idempotencyKey: string | null | undefined,
    requestHash: string,
  ): Promise<{ kind: 'replay'; payload: CreateVmPayload }> {
    if (e instanceof PlanToDomainError)
      throw BadUserInputError.of(`interfaces`, `the plan cannot be expressed in libvirt XML: ${e.message}`);
    // two requests with one key raced: the loser answers like a replay. Its VM row (same
    // name) is written before its operation row, so the loser may trip on either constraint.
    const constraint = e instanceof ConflictError ? String(e.details.constraint ?? '') : '';
    if (idempotencyKey && (constraint.includes('idempotencyKey') || constraint.includes('activeName'))) {
      const replay = await this.replay(idempotencyKey, requestHash);
      if (replay) return { kind: 'replay', payload: replay };
    }
    throw e;
  }

  private async replay(key: string, requestHash: string): Promise<CreateVmPayload | null> {
    const op = await this.ops.findByIdempotencyKey(key);
    if (!op) return null;
    if (op.requestHash !== requestHash)
      throw new ConflictError('idempotency key was used with a different request', { field: 'idempotencyKey' });
    const vm = await this.prov.vmWithPlan(op.targetId);
    if (!vm) throw new NotFoundError('vm', op.targetId);
    return { vm: toVmView(vm), operation: toOperationView(op) };
  }

  /** Delete a VM (force: in any state, see decideDelete); resolves with the delete operation. */
  async deleteVm(vmId: string, requestId: string, force = false): Promise<Operation> {
    const current = await this.prov.vmWithPlan(vmId);
    if (!current) throw new NotFoundError('vm', vmId);
    const host = current.hostId ? await this.hosts.findById(current.hostId) : null;
    const others = current.hostId ? await this.prov.holdingPlansOnHost(current.hostId, vmId) : [];
    const operationId = randomUUID();
    const { operation, vm: deleted } = await this.prov.beginDelete(vmId, (vm) =>
      decideDelete(vm, { operationId, requestId, force, host, others }),
    );
    if (!deleted.holding) await this.vfClaims.release(vmId, current.plan);
    this.relay.kick();
    this.events.broadcast(operation);
    // every job made for the VM before is stale: cancelled if queued (forced: every open operation ends)
    for (const ended of await this.fencing.supersede(vmId, deleted.generation, operationId, force)) this.events.broadcast(ended);
    return toOperationView(operation);
  }

  /** Route an agent result for a VM operation. Returns the updated operation, or null if it was already final. */
  async onResult(
    op: OperationRecord,
    result: OperationResult,
    /** The VM and its host as read with the operation (ProvisioningRepository.forResult); read here when not given. */
    read?: Awaited<ReturnType<ProvisioningRepository['vmWithHost']>>,
  ): Promise<OperationRecord | null> {
    // a create's apply answered: its host has one job fewer waiting for it
    if (op.kind === 'vm.create') this.backlog.done(op.id);
    const outcome: OperationOutcome = {
      state: result.status,
      steps: result.steps,
      result: result.data ?? null,
      error: result.error ? { code: result.error.code, message: result.error.message, stderr: result.error.stderr ?? null } : undefined,
    };
    const found = read !== undefined ? read : await this.prov.vmWithHost(op.targetId);
    if (!found) return this.prov.finishOperation(op.id, outcome);
    // a job made for an older generation (the VM was deleted since) did nothing: the VM's
    // current lifecycle is another operation's business
    if (result.error?.code === 'STALE_JOB') return this.staleResult(op, outcome);
    const { vm, host } = found;
    const requestId = result.requestId;

    switch (op.kind) {
      case 'vm.create':
        return this.applied(op, result, outcome, vm, host);
      case 'vm.verify': {
        const data = result.kind === 'vm.verify' ? result.data : undefined;
        if (result.status === 'SUCCEEDED' && data?.inSync) {
          return this.prov.finishOperation(op.id, outcome, {
            vm: { id: vm.id, state: vm.state === 'DELETING' ? undefined : 'RUNNING', error: null },
            parent: op.parentId ? { id: op.parentId, outcome: { state: 'SUCCEEDED' } } : undefined,
          });
        }
        const diff = data?.diff ?? [];
        const error = outcome.error ?? {
          code: 'VERIFY_MISMATCH',
          message: `host differs from the plan in ${diff.length} field(s): ${diff
            .slice(0, 5)
            .map((d) => d.field)
            .join(', ')}`,
        };
        return this.failAndTearDown(op, { ...outcome, state: 'FAILED', error }, vm, host, requestId, op.parentId);
      }
      case FORCE_DELETE_KIND:
        return this.forceDeleted(op, outcome, vm);
      case REAP_VERIFY_KIND:
        return this.reapVerified(op, result, outcome, vm, host);
      case 'vm.teardown':
      case 'vm.delete': {
        const deleting = op.kind === 'vm.delete';
        if (result.status === 'SUCCEEDED') {
          const done = await this.prov.finishOperation(op.id, outcome, {
            vm: { id: vm.id, state: deleting ? 'DELETED' : undefined, release: true },
          });
          if (done) await this.vfClaims.release(vm.id, vm.plan);
          // VFs released (reset to clean defaults by the teardown): SR-IOV policies get a pass
          if (done)
            this.sriov.vfsReleased(
              (vm.plan?.interfaces ?? []).flatMap((i) => (i.vf && i.nicId ? [{ nicId: i.nicId, index: i.vf.index }] : [])),
            );
          return done;
        }
        // the host may still hold the VF and CPUs: keep them allocated until a delete succeeds
        return this.prov.finishOperation(op.id, outcome, { vm: { id: vm.id, state: 'FAILED', error: outcome.error } });
      }
      default:
        if (isPowerKind(op.kind)) return this.power.onResult(op, result, outcome, vm, host);
        if (isHotplugKind(op.kind)) return this.hotplug.onResult(op, result, outcome, vm, host);
        if (isMigrateKind(op.kind)) return this.migration.onResult(op, result, outcome);
        this.logger.warn({ kind: op.kind }, 'result for an operation kind this service does not handle');
        return this.prov.finishOperation(op.id, outcome);
    }
  }

  /** A create's vm.apply answered: a vm.verify follows (the create stays RUNNING), or the VM fails and is torn down. */
  private async applied(
    op: OperationRecord,
    result: OperationResult,
    outcome: OperationOutcome,
    vm: VmWithPlan,
    host: Awaited<ReturnType<HostRepository['findById']>>,
  ): Promise<OperationRecord | null> {
    const requestId = result.requestId;
    if (result.status === 'SUCCEEDED' && host && vm.plan) {
      const verifyId = randomUUID();
      const verify = applyJob(host, vm.plan, vm.request, vm, verifyId, requestId, 'vm.verify');
      return this.prov.finishOperation(
        op.id,
        { ...outcome, state: 'RUNNING' },
        { followUps: [{ id: verifyId, kind: 'vm.verify', targetType: 'vm', targetId: vm.id, parentId: op.id, requestId, job: verify }] },
      );
    }
    return this.failAndTearDown(op, outcome, vm, host, requestId, op.id);
  }

  /**
   * The reaper's verify of a stuck provisioning answered: the host as planned, the VM is
   * RUNNING and the stuck operation (and the create it served) SUCCEEDED; anything else
   * fails them and tears the VM down, as a failed create. A VM deleted meanwhile is left alone.
   */
  private async reapVerified(
    op: OperationRecord,
    result: OperationResult,
    outcome: OperationOutcome,
    vm: VmWithPlan,
    host: Awaited<ReturnType<HostRepository['findById']>>,
  ): Promise<OperationRecord | null> {
    if (vm.state !== 'PENDING' && vm.state !== 'PROVISIONING') return this.prov.finishOperation(op.id, outcome);
    const data = result.kind === 'vm.verify' ? result.data : undefined;
    const stuck = op.parentId ? await this.ops.get(op.parentId) : null;
    if (result.status === 'SUCCEEDED' && data?.inSync) {
      const done = await this.prov.finishOperation(op.id, outcome, {
        vm: { id: vm.id, state: 'RUNNING', error: null },
        parent: stuck ? { id: stuck.id, outcome: { state: 'SUCCEEDED' } } : undefined,
      });
      if (stuck?.parentId) await this.prov.finishOperation(stuck.parentId, { state: 'SUCCEEDED' });
      return done;
    }
    const error = outcome.error ?? {
      code: 'VERIFY_MISMATCH',
      message: `reaper: the host differs from the plan in ${data?.diff.length ?? 0} field(s) after the operation stalled`,
    };
    const done = await this.failAndTearDown(op, { ...outcome, state: 'FAILED', error }, vm, host, result.requestId, op.parentId);
    if (stuck?.parentId) await this.prov.finishOperation(stuck.parentId, { state: 'FAILED', error });
    return done;
  }

  /**
   * A forced delete's teardown finished: the VM is released and DELETED whatever the outcome.
   * A failed teardown (host gone since, a command refused) is said in the operation's error.
   */
  private async forceDeleted(op: OperationRecord, outcome: OperationOutcome, vm: VmWithPlan): Promise<OperationRecord | null> {
    const error = outcome.error && {
      ...outcome.error,
      message: `teardown failed, released in the database only (forced delete; the host may still hold the domain): ${outcome.error.message}`,
    };
    const done = await this.prov.finishOperation(op.id, { ...outcome, error }, { vm: { id: vm.id, state: 'DELETED', release: true } });
    if (done) {
      await this.vfClaims.release(vm.id, vm.plan);
      this.sriov.vfsReleased((vm.plan?.interfaces ?? []).flatMap((i) => (i.vf && i.nicId ? [{ nicId: i.nicId, index: i.vf.index }] : [])));
    }
    return done;
  }

  /** A stale job's result: its operation (and an open parent) fail with STALE_JOB; the VM is left as it is. */
  private staleResult(op: OperationRecord, outcome: OperationOutcome): Promise<OperationRecord | null> {
    return this.prov.finishOperation(op.id, outcome, {
      parent: op.parentId ? { id: op.parentId, outcome: { state: 'FAILED', error: outcome.error } } : undefined,
    });
  }

  private async failAndTearDown(
    op: OperationRecord,
    outcome: OperationOutcome,
    vm: VmWithPlan,
    host: Awaited<ReturnType<HostRepository['findById']>>,
    requestId: string,
    parentId: string | null,
  ): Promise<OperationRecord | null> {
    const followUps: NewOperation[] = [];
    const vmId = vm.id;
    // the teardown serves a new generation: jobs made before it are stale
    const generation = vm.generation + 1;
    if (host) {
      const teardownId = randomUUID();
      // what the VM changed goes back to the host's own values, except IRQs and RPS queues
      // another VM on the host still relies on (its plan keeps them as they are)
      const others = await this.prov.holdingPlansOnHost(host.id, vmId);
      const job = teardownJob(host, vm.plan, { id: vmId, generation }, vm.name, teardownId, requestId, others);
      followUps.push({ id: teardownId, kind: 'vm.teardown', targetType: 'vm', targetId: vmId, parentId, requestId, job });
    }
    return this.prov.finishOperation(op.id, outcome, {
      vm: { id: vmId, state: 'FAILED', error: outcome.error ?? null, release: !host, generation },
      parent: parentId && parentId !== op.id ? { id: parentId, outcome: { state: 'FAILED', error: outcome.error } } : undefined,
      followUps,
    });
  }
}
