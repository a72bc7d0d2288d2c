import { Inject, Injectable } from '@nestjs/common';
import {
  BadUserInputError,
  ConflictError,
  datapathDefinition,
  DomainError,
  MIGRATION_REFUSALS,
  MIGRATION_STEPS,
  migrateVmInputSchema,
  NotFoundError,
  parseInput,
  setUpBeyondApply,
  type MigrateVmInput as MigrateInput,
  type OperationResult,
  type PlacementPlan,
  type VmRequest,
} from '@netpin/contracts';
import {
  HostRepository,
  MigrationRepository,
  ProvisioningRepository,
  SnapshotCache,
  type ActiveMigration,
  type HostRecord,
  type MigrationEnding,
  type NewOperation,
  type OperationOutcome,
  type OperationRecord,
  type VmWithPlan,
} from '@netpin/db';
import type { PlacementIndex, PlacementResult } from '@netpin/placement';
import { randomUUID } from 'node:crypto';
import { OutboxRelay } from '../jobs/outbox.relay';
import { VfClaims } from '../jobs/vf-claims';
import { VmFencing } from '../jobs/vm-fencing';
import { ApiMetrics } from '../metrics/api-metrics';
import { OperationEvents } from '../operations/operation.events';
import type { Operation } from '../operations/operation.model';
import { toOperationView } from '../operations/operation.service';
import { rejectionToError, toPlanView, toRejectionView } from '../placement/placement.service';
import { SriovReconciler } from '../sriov/sriov.reconciler';
import { applyJob, migrateJob, migrationEnd, teardownJob } from './desired-state';
import type { MigrateVmInput, MigrationPreview, MigrationRefusal } from './migration.model';
import { withOwnMacs } from './power.service';
import { stalledError } from './stalled';

export const MIGRATE_KIND = 'vm.migrate';
/** The reaper's vm.verify of a stuck migration's source host; this service ends the migration on its result. */
export const MIGRATE_REAP_KIND = 'vm.migrateReapVerify';
/** The retry of a landed migration's release on the source (a vm.teardown job there, child of the migration). */
export const MIGRATE_CLEANUP_KIND = 'vm.migrateCleanup';
const MAX_PLACEMENT_ATTEMPTS = 6;

/**
 * migrateVm and previewMigration (docs/architecture.md "Migration"). A migration is one
 * operation with one agent job (vm.migrate) against the source host, the target's lock held
 * too. Its target is placed like a create (the VM's request, its MACs kept, the source
 * avoided) and reserved in the transaction that records it (MigrationRepository); the agent's
 * result lands it or rolls it back. `moveVm` is the entry point a host drain calls per VM.
 */
@Injectable()
export class MigrationService {
  constructor(
    @Inject(HostRepository) private readonly hosts: HostRepository,
    @Inject(SnapshotCache) private readonly cache: SnapshotCache,
    @Inject(ProvisioningRepository) private readonly prov: ProvisioningRepository,
    @Inject(MigrationRepository) private readonly migrations: MigrationRepository,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(OperationEvents) private readonly events: OperationEvents,
    @Inject(SriovReconciler) private readonly sriov: SriovReconciler,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(VmFencing) private readonly fencing: VmFencing,
    @Inject(VfClaims) private readonly vfClaims: VfClaims,
  ) {}

  /** Where migrateVm would take the VM and why, or why it cannot move; changes and reserves nothing. */
  async previewMigration(vmId: string, input: MigrateVmInput | null | undefined): Promise<MigrationPreview> {
    const opts = parseMigrateInput(input);
    const vm = await this.load(vmId);
    const index = (await this.cache.read()).index;
    assertTargetKnown(index, opts.targetHost);
    const refusals = refusalsOf(vm, opts, index);
    const source = vm.hostId ? index.hostRt(vm.hostId) : undefined;
    const base = { vmId, strategy: opts.strategy, steps: [...MIGRATION_STEPS[opts.strategy]], refusals };
    const sourceHost = source ? { id: source.host.id, name: source.host.name } : null;
    if (!vm.hostId || refusals.some((r) => r.code === 'TARGET_IS_SOURCE'))
      return { ...base, possible: false, sourceHost, targetHost: null, plan: null, rejection: null };
    const r = index.place(migrationRequest(vm, randomUUID(), opts.targetHost));
    if (!r.ok) {
      const why = { code: 'NO_TARGET_FITS', message: r.rejection.message, interfaceIndex: null };
      return {
        ...base,
        refusals: [...refusals, why],
        possible: false,
        sourceHost,
        targetHost: null,
        plan: null,
        rejection: toRejectionView(r.rejection),
      };
    }
    const targetHost = { id: r.plan.hostId, name: r.plan.hostName };
    return { ...base, possible: refusals.length === 0, sourceHost, targetHost, plan: toPlanView(r.plan), rejection: null };
  }

  /** Start moving a VM (GraphQL/REST migrateVm). */
  async migrateVm(vmId: string, input: MigrateVmInput | null | undefined, requestId: string): Promise<Operation> {
    return this.moveVm(vmId, parseMigrateInput(input), requestId);
  }

  /**
   * Move one VM to another host with the given strategy (and target, else placement's
   * choice): the operation, or a typed error (CONFLICT with details.reason = a refusal
   * code, PLACEMENT_REJECTED when no other host fits, NOT_FOUND). What a host drain calls per VM.
   */
  async moveVm(vmId: string, opts: MigrateInput, requestId: string): Promise<Operation> {
    const vm = await this.load(vmId);
    const first = (await this.cache.read()).index;
    assertTargetKnown(first, opts.targetHost);
    throwRefusals(refusalsOf(vm, opts, first));
    const firstTry = first.place(migrationRequest(vm, randomUUID(), opts.targetHost));
    if (!firstTry.ok) {
      this.metrics.rejected('migrate', firstTry.rejection);
      throw rejectionToError(firstTry.rejection, vm.request);
    }
    for (let attempt = 1; attempt <= MAX_PLACEMENT_ATTEMPTS; attempt++) {
      const op = await this.beginOnce(vm, opts, requestId);
      if (op) return op;
    }
    throw new ConflictError(`placement of ${vm.name} kept conflicting with concurrent requests; retry`, {
      attempts: MAX_PLACEMENT_ATTEMPTS,
    });
  }

  /** One placement and reservation under the VM row lock and the fleet lock; null when a concurrent write won a CPU or VF. */
  private async beginOnce(current: VmWithPlan, opts: MigrateInput, requestId: string): Promise<Operation | null> {
    const vmId = current.id;
    const operationId = randomUUID();
    let decided: PlacementResult | null = null;
    let claimed: PlacementPlan | null = null;
    const r = await this.migrations
      .beginMigration({
        vmId,
        migrationId: operationId,
        strategy: opts.strategy,
        decide: (vm) => throwRefusals(refusalsOf(vm, opts, null)),
        request: (vm) => migrationRequest(vm, operationId, opts.targetHost),
        place: (index, req) => {
          decided = index.place(req);
          return decided.ok ? decided.plan : null;
        },
        operation: async (m) => ({
          id: operationId,
          kind: MIGRATE_KIND,
          targetType: 'vm',
          targetId: vmId,
          requestId,
          job: await this.job(m, opts, { operationId, requestId }),
        }),
        beforeCommit: async (plan) => {
          await this.vfClaims.claim(vmId, { ...plan, allocation: { ...plan.allocation, vmId } });
          claimed = plan;
        },
      })
      .catch(async (e: unknown) => {
        await this.vfClaims.release(vmId, claimed);
        throw e;
      });
    if (r.kind === 'begun') {
      this.relay.kick();
      this.events.broadcast(r.operation);
      // jobs made for the VM before (a drift repair on the source) are stale now
      for (const cancelled of await this.fencing.supersede(vmId, r.vm.generation, operationId, false, `VM ${vmId} is migrating`))
        this.events.broadcast(cancelled);
      return toOperationView(r.operation);
    }
    await this.vfClaims.release(vmId, claimed);
    const d = decided as PlacementResult | null;
    if (r.kind === 'no-longer-fits' && d && !d.ok) throw rejectionToError(d.rejection, current.request);
    return null;
  }

  private async job(
    m: { vm: VmWithPlan; source: HostRecord; target: HostRecord; targetPlan: PlacementPlan; generation: number },
    opts: MigrateInput,
    ids: { operationId: string; requestId: string },
  ) {
    if (!m.vm.plan) throw new ConflictError(`vm ${m.vm.name} has no plan to migrate`, { state: m.vm.state });
    const vm = { id: m.vm.id, name: m.vm.name, generation: m.generation };
    const onSource = await this.prov.holdingPlansOnHost(m.source.id, m.vm.id);
    const onTarget = await this.prov.holdingPlansOnHost(m.target.id, m.vm.id);
    return migrateJob({
      ids,
      vm,
      strategy: opts.strategy,
      source: { host: m.source, end: migrationEnd(m.vm.plan, m.vm.request, vm, m.source, onSource) },
      target: { host: m.target, end: migrationEnd(m.targetPlan, m.vm.request, vm, m.target, onTarget) },
    });
  }

  private async load(vmId: string): Promise<VmWithPlan> {
    const vm = await this.prov.vmWithPlan(vmId);
    if (!vm) throw new NotFoundError('vm', vmId);
    return vm;
  }

  /**
   * The agent's result. Landed (or failed only in the source's clean-up): the VM is on the
   * target with the target plan and the source's allocations and VF claims go. Rolled back
   * (or failed before any step): the target's reservation goes and the VM runs on its source.
   * A rollback that failed too: the VM is FAILED holding both, with the error. Landed with the
   * source's release failed: the operation stays FAILED (the step and the host's stderr) and a
   * child `vm.migrateCleanup` retries the release there (domain definition, VFs, IRQ, RPS).
   */
  async onResult(op: OperationRecord, result: OperationResult, outcome: OperationOutcome): Promise<OperationRecord | null> {
    if (op.kind === MIGRATE_REAP_KIND) return this.reapVerified(op, result, outcome);
    const m = await this.migrations.active(op.id);
    if (!m) return this.prov.finishOperation(op.id, outcome);
    const vm = await this.prov.vmWithPlan(m.vmId);
    const ending = endingOf(result, outcome);
    const cleanup = ending.kind === 'landed' && result.status !== 'SUCCEEDED' && vm ? [await this.sourceCleanup(op, m, vm)] : [];
    const done = await this.migrations.finishMigration(m, outcome, ending, { followUps: cleanup });
    if (done && cleanup.length > 0) this.relay.kick();
    if (!done) return done;
    const given = ending.kind === 'landed' ? (vm?.plan ?? null) : ending.kind === 'aborted' ? m.targetPlan : null;
    if (given) await this.released(m, given);
    return done;
  }

  /**
   * The reaper found this migration stuck (its agent died mid-way): where the VM runs is not
   * known, so its source host is asked, with a vm.verify of the source plan under a new
   * generation (the stuck job, should it wake, stops at its next step with STALE_JOB). The
   * operation waits, RUNNING, for the answer (reapVerified). Null when there is nothing to ask.
   */
  async reap(op: OperationRecord, why: string): Promise<OperationRecord | null> {
    const m = await this.migrations.active(op.id);
    const vm = await this.prov.vmWithPlan(op.targetId);
    const source = m ? await this.hosts.findById(m.sourceHostId) : null;
    if (!m || !vm?.plan || !source) return null;
    const generation = vm.generation + 1;
    const id = randomUUID();
    const requestId = op.requestId ?? `reaper-${id}`;
    const child: NewOperation = {
      id,
      kind: MIGRATE_REAP_KIND,
      targetType: 'vm',
      targetId: vm.id,
      parentId: op.id,
      requestId,
      job: applyJob(source, vm.plan, vm.request, { id: vm.id, generation }, id, requestId, 'vm.verify'),
    };
    const step = `reaper: ${why}; asking ${source.name} whether the VM still runs there`;
    const created = await this.prov.beginReap(op.id, step, { id: vm.id, generation }, child);
    if (created) await this.fencing.raise(vm.id, generation);
    return created;
  }

  /**
   * The source host answered the reaper. The VM runs there as its source plan says: the
   * migration is rolled back (the target's reservation goes; the VM is RUNNING on its source
   * with everything it held there). Anything else (the domain gone, off, or changed by a step
   * such as a VF unplug): it may run on either host, so nothing is released and the VM is
   * FAILED holding both until a delete, as when the agent's own rollback failed.
   */
  private async reapVerified(op: OperationRecord, result: OperationResult, outcome: OperationOutcome): Promise<OperationRecord | null> {
    const done = await this.prov.finishOperation(op.id, outcome);
    const m = op.parentId ? await this.migrations.active(op.parentId) : null;
    if (!m) return done;
    const data = result.kind === 'vm.verify' ? result.data : undefined;
    const onSource = result.status === 'SUCCEEDED' && data?.inSync === true;
    const differs = data
      ? `${data.diff.length} field(s) differ: ${data.diff
          .slice(0, 5)
          .map((d) => d.field)
          .join(', ')}`
      : (outcome.error?.message ?? 'the host could not be read');
    const error = stalledError(
      onSource
        ? 'the migration stopped; the VM still runs on its source as planned: rolled back, the target released'
        : `the migration stopped and the VM does not run on its source as planned (${differs}): FAILED, holding both hosts' reservations`,
    );
    const ending: MigrationEnding = onSource ? { kind: 'aborted', error } : { kind: 'lost', error };
    const ended = await this.migrations.finishMigration(m, { state: 'FAILED', error }, ending, { evenIfOperationEnded: true });
    if (ended && onSource) await this.released(m, m.targetPlan);
    return done;
  }

  /**
   * What the source still holds for a VM that landed on the target: a teardown there (it
   * destroys nothing running: the domain runs on the target, only the source's stale definition
   * carries the VM's mark) and the source plan's VFs, IRQs and RPS queues no other VM uses.
   */
  private async sourceCleanup(op: OperationRecord, m: ActiveMigration, vm: VmWithPlan): Promise<NewOperation> {
    const source = await this.hosts.get({ id: m.sourceHostId });
    const others = await this.prov.holdingPlansOnHost(source.id, vm.id);
    const id = randomUUID();
    const requestId = op.requestId ?? id;
    const job = teardownJob(source, vm.plan, { id: vm.id, generation: vm.generation }, vm.name, id, requestId, others);
    return { id, kind: MIGRATE_CLEANUP_KIND, targetType: 'vm', targetId: vm.id, parentId: op.id, requestId, job };
  }

  private async released(m: ActiveMigration, plan: PlacementPlan): Promise<void> {
    await this.vfClaims.release(m.vmId, plan);
    this.sriov.vfsReleased(plan.interfaces.flatMap((i) => (i.vf && i.nicId ? [{ nicId: i.nicId, index: i.vf.index }] : [])));
  }
}

function parseMigrateInput(input: MigrateVmInput | null | undefined): MigrateInput {
  return parseInput(migrateVmInputSchema, { targetHost: input?.targetHost ?? undefined, strategy: input?.strategy ?? undefined }, 'input');
}

/** Where the agent's result leaves the VM. */
function endingOf(result: OperationResult, outcome: OperationOutcome): MigrationEnding {
  if (result.status === 'SUCCEEDED') return { kind: 'landed' };
  const data = result.kind === 'vm.migrate' ? result.data : undefined;
  // nothing ran (a bad payload, a fence that stopped it before the first step): the VM never left
  const where = data?.runningOn ?? (result.steps.length === 0 ? 'source' : 'unknown');
  if (where === 'target') return { kind: 'landed' };
  if (where === 'source') return { kind: 'aborted', error: outcome.error };
  return { kind: 'lost', error: outcome.error };
}

/** The request a migration places: the VM's own, its MACs kept, its source avoided, the target pinned if given. */
function migrationRequest(vm: VmWithPlan, migrationId: string, targetHost: string | undefined): VmRequest {
  const { pinHost: _pin, ...request } = withOwnMacs(vm);
  return {
    ...request,
    vmId: migrationId,
    avoidHosts: [...request.avoidHosts, ...(vm.hostId ? [vm.hostId] : [])],
    ...(targetHost !== undefined ? { pinHost: targetHost } : {}),
  };
}

/**
 * Why the VM cannot move the way asked, before placement: its state, its datapaths (LIVE), its
 * HARD AFFINITY group (placement would keep it with its members, on its own host), a target that
 * is its own host.
 */
function refusalsOf(vm: VmWithPlan, opts: MigrateInput, index: PlacementIndex | null): MigrationRefusal[] {
  const out: MigrationRefusal[] = [];
  if (vm.state !== 'RUNNING' || !vm.plan)
    out.push({ code: 'VM_NOT_RUNNING', message: `${MIGRATION_REFUSALS.VM_NOT_RUNNING} (it is ${vm.state})`, interfaceIndex: null });
  for (const i of vm.plan?.interfaces ?? [])
    if (!setUpBeyondApply(i.datapath))
      out.push({ code: 'HOST_DEVICE_NOT_MOVED', message: MIGRATION_REFUSALS.HOST_DEVICE_NOT_MOVED, interfaceIndex: i.index });
  if (opts.strategy === 'LIVE')
    for (const i of vm.plan?.interfaces ?? []) {
      const lm = datapathDefinition(i.datapath).liveMigration;
      if (lm.kind === 'FAILOVER' && i.failoverBackup === null)
        out.push({ code: lm.unpaired.code, message: lm.unpaired.description, interfaceIndex: i.index });
      if (lm.kind === 'COLD_ONLY') out.push({ code: lm.refusal.code, message: lm.refusal.description, interfaceIndex: i.index });
    }
  const group = vm.request.group !== undefined && index ? index.prepare(vm.request).group : null;
  if (group && group.def.policy === 'AFFINITY' && group.def.enforcement === 'HARD')
    out.push({
      code: 'HARD_AFFINITY_GROUP',
      message: `${MIGRATION_REFUSALS.HARD_AFFINITY_GROUP} (group ${group.def.name})`,
      interfaceIndex: null,
    });
  const target = opts.targetHost !== undefined && index ? index.hostRt(opts.targetHost) : undefined;
  if (target && target.host.id === vm.hostId)
    out.push({ code: 'TARGET_IS_SOURCE', message: `${MIGRATION_REFUSALS.TARGET_IS_SOURCE} (${target.host.name})`, interfaceIndex: null });
  return out;
}

function throwRefusals(refusals: MigrationRefusal[]): void {
  const first = refusals[0];
  if (!first) return;
  if (first.code === 'TARGET_IS_SOURCE') throw BadUserInputError.of('input.targetHost', first.message);
  throw new ConflictError(
    refusals.map((r) => (r.interfaceIndex === null ? r.message : `interface ${r.interfaceIndex}: ${r.message}`)).join('; '),
    {
      reason: first.code,
      refusals,
    },
  );
}

export const isMigrateKind = (k: string): boolean => k === MIGRATE_KIND || k === MIGRATE_REAP_KIND || k === MIGRATE_CLEANUP_KIND;

/** A named target must be a host placement knows (discovered). */
function assertTargetKnown(index: PlacementIndex, targetHost: string | undefined): void {
  if (targetHost === undefined || index.hostRt(targetHost)) return;
  throw new DomainError('NOT_FOUND', `input.targetHost: no discovered host ${targetHost}`, {
    resource: 'host',
    key: targetHost,
    field: 'input.targetHost',
  });
}
