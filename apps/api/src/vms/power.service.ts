import { Inject, Injectable } from '@nestjs/common';
import {
  ConflictError,
  macAddressSchema,
  NotFoundError,
  parseInput,
  stopVmInputSchema,
  type OperationResult,
  type PlacementPlan,
  type VmRequest,
} from '@netpin/contracts';
import {
  HostRepository,
  ProvisioningRepository,
  SnapshotCache,
  type DeleteDecision,
  type HostRecord,
  type OperationOutcome,
  type OperationRecord,
  type VmWithPlan,
} from '@netpin/db';
import type { PlacementResult } from '@netpin/placement';
import { randomUUID } from 'node:crypto';
import { OutboxRelay } from '../jobs/outbox.relay';
import { VfClaims } from '../jobs/vf-claims';
import { VmFencing } from '../jobs/vm-fencing';
import { ApiMetrics } from '../metrics/api-metrics';
import { OperationEvents } from '../operations/operation.events';
import type { Operation } from '../operations/operation.model';
import { announceOperation } from '../operations/operation.service';
import { rejectionToError } from '../placement/placement.service';
import { SriovReconciler } from '../sriov/sriov.reconciler';
import { applyJob, hostRelease, rebootJob, stopJob } from './desired-state';
import type { StopVmInput } from './vm.model';

/** Operation kinds this service starts and finishes. */
export const POWER_KINDS = ['vm.start', 'vm.stop', 'vm.reboot'] as const;
export type PowerKind = (typeof POWER_KINDS)[number];
export const isPowerKind = (k: string): k is PowerKind => (POWER_KINDS as readonly string[]).includes(k);

const MAX_PLACEMENT_ATTEMPTS = 6;

/**
 * Power actions: stopVm (graceful with a timeout, then forced; with `release` the VM gives
 * back its CPUs, VFs, IRQ and RPS settings), startVm (in place when the VM still holds its
 * allocations, placed anew when it gave them back) and rebootVm. Each is one operation with
 * one agent job; the VM row is locked while the decision is written.
 */
@Injectable()
export class PowerService {
  constructor(
    @Inject(HostRepository) private readonly hosts: HostRepository,
    @Inject(SnapshotCache) private readonly cache: SnapshotCache,
    @Inject(ProvisioningRepository) private readonly prov: ProvisioningRepository,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(OperationEvents) private readonly events: OperationEvents,
    @Inject(SriovReconciler) private readonly sriov: SriovReconciler,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(VmFencing) private readonly fencing: VmFencing,
    @Inject(VfClaims) private readonly vfClaims: VfClaims,
  ) {}

  async stopVm(vmId: string, input: StopVmInput | null | undefined, requestId: string): Promise<Operation> {
    const opts = parseInput(stopVmInputSchema, {
      release: input?.release ?? undefined,
      timeoutSeconds: input?.timeoutSeconds ?? undefined,
    });
    const { current, host } = await this.load(vmId);
    const others = host ? await this.prov.holdingPlansOnHost(host.id, vmId) : [];
    const operationId = randomUUID();
    const { operation, vm: stopping } = await this.prov.beginVmOperation(vmId, (vm) => {
      // a FAILED VM that still holds its host may be powered off; a STOPPED one may still give its resources back
      const stoppable = vm.state === 'RUNNING' || (vm.holding && (vm.state === 'FAILED' || (vm.state === 'STOPPED' && opts.release)));
      if (!stoppable || !host || vm.hostId !== current.hostId) throw notNow(vm, 'stopped');
      const release = opts.release ? hostRelease(vm.plan, others) : null;
      // a new generation: a job made before the stop (a drift repair would start the domain again) is stale
      const generation = vm.generation + 1;
      const job = stopJob(host, { ...vm, generation }, { operationId, requestId }, opts.timeoutSeconds, release);
      return {
        operation: { id: operationId, kind: 'vm.stop', targetType: 'vm', targetId: vmId, requestId, job },
        vm: { id: vmId, state: 'STOPPING', generation },
      };
    });
    const view = this.announce(operation);
    const why = `VM ${vmId} is being stopped`;
    for (const cancelled of await this.fencing.supersede(vmId, stopping.generation, operationId, false, why))
      this.events.broadcast(cancelled);
    return view;
  }

  async rebootVm(vmId: string, requestId: string): Promise<Operation> {
    const { current, host } = await this.load(vmId);
    const operationId = randomUUID();
    return this.begin(vmId, (vm) => {
      if (vm.state !== 'RUNNING' || !host || vm.hostId !== current.hostId) throw notNow(vm, 'rebooted');
      const job = rebootJob(host, vm, { operationId, requestId });
      return {
        operation: { id: operationId, kind: 'vm.reboot', targetType: 'vm', targetId: vmId, requestId, job },
        vm: { id: vmId, state: 'REBOOTING' },
      };
    });
  }

  /** A VM holding its allocations starts where it is (vm.apply converges its host again); one that gave them back is placed anew. */
  async startVm(vmId: string, requestId: string): Promise<Operation> {
    const { current, host } = await this.load(vmId);
    if (current.state === 'STOPPED' && !current.holding) return this.startPlaced(current, requestId);
    const operationId = randomUUID();
    return this.begin(vmId, (vm) => {
      const startable = (vm.state === 'STOPPED' || vm.state === 'FAILED') && vm.holding && vm.plan !== null;
      if (!startable || !host || !vm.plan || vm.hostId !== current.hostId) throw notNow(vm, 'started');
      const job = applyJob(host, vm.plan, vm.request, vm, operationId, requestId, 'vm.apply');
      return {
        operation: { id: operationId, kind: 'vm.start', targetType: 'vm', targetId: vmId, requestId, job },
        vm: { id: vmId, state: 'STARTING', error: null },
      };
    });
  }

  private async startPlaced(current: VmWithPlan, requestId: string): Promise<Operation> {
    const request = withOwnMacs(current);
    const first = (await this.cache.read()).index.place(request);
    if (!first.ok) {
      this.metrics.rejected('start', first.rejection);
      throw rejectionToError(first.rejection, request);
    }
    for (let attempt = 1; attempt <= MAX_PLACEMENT_ATTEMPTS; attempt++) {
      const operationId = randomUUID();
      let decided: PlacementResult | null = null;
      let claimed: PlacementPlan | null = null;
      const placing = this.prov.placeReleasedVm({
        vmId: current.id,
        decide: (vm) => {
          if (vm.state !== 'STOPPED' || vm.holding) throw notNow(vm, 'started');
        },
        request: withOwnMacs,
        place: (index, req) => {
          decided = index.place(req);
          return decided.ok ? decided.plan : null;
        },
        operation: (plan, host, req, locked) => ({
          id: operationId,
          kind: 'vm.start',
          targetType: 'vm',
          targetId: current.id,
          requestId,
          job: applyJob(host, plan, req, { id: current.id, generation: locked.generation }, operationId, requestId, 'vm.apply'),
        }),
        // the agent's configureSriov guard reads these under the host lock
        beforeCommit: async (plan) => {
          await this.vfClaims.claim(current.id, plan);
          claimed = plan;
        },
      });
      const r = await placing.catch(async (e: unknown) => {
        await this.vfClaims.release(current.id, claimed);
        throw e;
      });
      if (r.kind === 'placed') return this.announce(r.operation);
      await this.vfClaims.release(current.id, claimed);
      const d = decided as PlacementResult | null;
      if (r.kind === 'no-longer-fits' && d && !d.ok) {
        this.metrics.rejected('start', d.rejection);
        throw rejectionToError(d.rejection, request);
      }
    }
    throw new ConflictError(`placement of ${current.name} kept conflicting with concurrent requests; retry`, {
      attempts: MAX_PLACEMENT_ATTEMPTS,
    });
  }

  private async load(vmId: string): Promise<{ current: VmWithPlan; host: HostRecord | null }> {
    const current = await this.prov.vmWithPlan(vmId);
    if (!current) throw new NotFoundError('vm', vmId);
    const host = current.hostId ? await this.hosts.findById(current.hostId) : null;
    return { current, host };
  }

  private async begin(vmId: string, decide: (vm: VmWithPlan) => DeleteDecision): Promise<Operation> {
    const { operation } = await this.prov.beginVmOperation(vmId, decide);
    return this.announce(operation);
  }

  private announce(operation: OperationRecord): Operation {
    return announceOperation(this.relay, this.events, operation);
  }

  /**
   * An agent result for a power operation. A start that applied goes on to its verify (the
   * VM is RUNNING once that agrees); a start the host refused leaves the VM STOPPED with the
   * error, still holding what it held. A stop leaves the VM STOPPED (and, with release, on no
   * host); a stop or reboot that failed leaves it FAILED with the host's error: its domain may
   * be running or not, and stopVm (or deleteVm) is the way out.
   */
  async onResult(
    op: OperationRecord,
    result: OperationResult,
    outcome: OperationOutcome,
    vm: VmWithPlan,
    host: HostRecord | null,
  ): Promise<OperationRecord | null> {
    const ok = result.status === 'SUCCEEDED';
    if (op.kind === 'vm.start') {
      if (!ok || !host || !vm.plan)
        return this.prov.finishOperation(op.id, outcome, { vm: { id: vm.id, state: 'STOPPED', error: outcome.error } });
      const verifyId = randomUUID();
      const job = applyJob(host, vm.plan, vm.request, vm, verifyId, result.requestId, 'vm.verify');
      const verify = {
        id: verifyId,
        kind: 'vm.verify',
        targetType: 'vm' as const,
        targetId: vm.id,
        parentId: op.id,
        requestId: result.requestId,
        job,
      };
      return this.prov.finishOperation(op.id, { ...outcome, state: 'RUNNING' }, { followUps: [verify] });
    }
    if (!ok) return this.prov.finishOperation(op.id, outcome, { vm: { id: vm.id, state: 'FAILED', error: outcome.error } });
    if (op.kind === 'vm.reboot') return this.prov.finishOperation(op.id, outcome, { vm: { id: vm.id, state: 'RUNNING', error: null } });
    const released = result.kind === 'vm.stop' && result.data?.released === true;
    const done = await this.prov.finishOperation(op.id, outcome, {
      vm: { id: vm.id, state: 'STOPPED', error: null, ...(released ? { release: true, clearHost: true } : {}) },
    });
    if (done && released) await this.vfClaims.release(vm.id, vm.plan);
    if (done && released)
      this.sriov.vfsReleased((vm.plan?.interfaces ?? []).flatMap((i) => (i.vf && i.nicId ? [{ nicId: i.nicId, index: i.vf.index }] : [])));
    return done;
  }
}

function notNow(vm: VmWithPlan, what: string): ConflictError {
  const detail = vm.state === 'STOPPED' && !vm.holding ? ' (it gave its resources back)' : '';
  return new ConflictError(`vm ${vm.name} cannot be ${what} while ${vm.state}${detail}`, { state: vm.state });
}

/**
 * The VM's request with each interface's MAC pinned to the one it already has: a restart keeps
 * its MACs. By position (request interface k is the VM's k-th interface by index): a detached
 * NIC leaves a gap in the indexes.
 */
export function withOwnMacs(vm: VmWithPlan): VmRequest {
  return {
    ...vm.request,
    vmId: vm.id,
    interfaces: vm.request.interfaces.map((i, k) => {
      const mac = vm.interfaces[k]?.mac;
      return mac ? { ...i, mac: macAddressSchema.parse(mac) } : i;
    }),
  };
}
