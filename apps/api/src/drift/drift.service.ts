import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { OperationResult } from '@netpin/contracts';
import {
  DriftRepository,
  HostRepository,
  OperationRepository,
  ProvisioningRepository,
  type NewOperation,
  type OperationRecord,
  type RedisClient,
} from '@netpin/db';
import { randomUUID } from 'node:crypto';
import { API_CONFIG, type ApiConfig } from '../config';
import { REDIS } from '../db/db.module';
import { OutboxRelay } from '../jobs/outbox.relay';
import { ApiMetrics } from '../metrics/api-metrics';
import { OperationEvents } from '../operations/operation.events';
import { toOperationView } from '../operations/operation.service';
import type { Operation } from '../operations/operation.model';
import { APP_OPTIONS, type AppRuntimeOptions } from '../runtime';
import { applyJob } from '../vms/desired-state';
import { sweepHosts } from './drift-sweep';

/**
 * Drift: irqbalance and operators change hosts behind netpin's back. A periodic (or
 * requested) check verifies every running VM against its plan and records each difference
 * as a DriftEvent; with auto-repair on, a difference triggers a re-apply of that VM.
 */
@Injectable()
export class DriftService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DriftService.name);
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private sweeping = false;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(APP_OPTIONS) private readonly runtime: AppRuntimeOptions,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(HostRepository) private readonly hosts: HostRepository,
    @Inject(DriftRepository) private readonly drift: DriftRepository,
    @Inject(ProvisioningRepository) private readonly prov: ProvisioningRepository,
    @Inject(OperationRepository) private readonly ops: OperationRepository,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(OperationEvents) private readonly events: OperationEvents,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.NETPIN_DRIFT_INTERVAL_MS;
    if (!this.runtime.background || every === 0) return;
    this.timer = setInterval(() => void this.tick(every), every);
    this.timer.unref();
  }

  /** One process per interval runs the sweep, however many API processes there are. */
  private async tick(every: number): Promise<void> {
    try {
      const won = await this.redis.set(
        `${this.config.NETPIN_QUEUE_PREFIX}:drift-sweep`,
        String(process.pid),
        'PX',
        Math.max(1000, every - 100),
        'NX',
      );
      if (won !== 'OK' || this.sweeping) return;
      this.sweeping = true;
      await this.sweep(Math.floor(every * 0.8)).finally(() => (this.sweeping = false));
    } catch (e) {
      this.logger.warn({ err: e }, 'drift sweep failed');
    }
  }

  /** Every READY host, paged, the checks spread over `spreadMs` (drift-sweep.ts). */
  sweep(spreadMs: number): Promise<{ checked: number; hosts: number }> {
    const requestId = `drift-${Date.now()}`;
    return sweepHosts(
      {
        listPage: (after, first) => this.hosts.list({ state: 'READY' }, { first, after: after ?? undefined }, { count: false }),
        check: (id) => this.checkHost(id, requestId),
        onError: (id, e) => this.logger.warn({ err: e, hostId: id }, 'drift check of a host failed'),
        stopped: () => this.stopped,
      },
      spreadMs,
    );
  }

  /** Verify every running VM of a host; returns the verify operations. */
  async checkHost(hostId: string, requestId: string): Promise<Operation[]> {
    return this.forEachVm(hostId, requestId, 'drift.verify', 'vm.verify');
  }

  /** Re-apply every running VM of a host to its plan (the repair, on request). */
  async reconcileHost(hostId: string, requestId: string): Promise<Operation[]> {
    return this.forEachVm(hostId, requestId, 'drift.repair', 'vm.apply');
  }

  private async forEachVm(hostId: string, requestId: string, kind: string, jobName: 'vm.verify' | 'vm.apply'): Promise<Operation[]> {
    const host = await this.hosts.get({ id: hostId });
    const out: Operation[] = [];
    for (const vm of await this.drift.runningVms(host.id)) {
      if (!vm.plan) continue;
      const id = randomUUID();
      const op: NewOperation = {
        id,
        kind,
        targetType: 'vm',
        targetId: vm.id,
        requestId,
        job: applyJob(host, vm.plan, vm.request, vm, id, requestId, jobName),
      };
      const rec = await this.ops.create(op);
      if (kind === 'drift.repair') await this.drift.markRepairing(vm.id, id);
      this.events.broadcast(rec);
      out.push(toOperationView(rec));
    }
    this.relay.kick();
    return out;
  }

  async onResult(op: OperationRecord, result: OperationResult): Promise<OperationRecord | null> {
    const error = result.error
      ? { code: result.error.code, message: result.error.message, stderr: result.error.stderr ?? null }
      : undefined;
    const vm = await this.prov.vmWithPlan(op.targetId);
    if (op.kind === 'drift.repair') {
      if (result.status === 'SUCCEEDED') await this.drift.markRepaired(op.id);
      return this.prov.finishOperation(op.id, { state: result.status, steps: result.steps, result: result.data ?? null, error });
    }
    const diff = result.kind === 'vm.verify' && result.data ? result.data.diff : [];
    if (vm?.hostId && diff.length) {
      await this.drift.record(vm.hostId, vm.id, diff);
      this.metrics.driftDetected((await this.hosts.get({ id: vm.hostId })).name, diff);
      this.logger.warn({ vm: vm.name, fields: diff.map((d) => d.field) }, 'drift detected');
    }
    const followUps: NewOperation[] = [];
    if (diff.length && this.config.NETPIN_DRIFT_AUTO_REPAIR && vm?.hostId && vm.plan && vm.state === 'RUNNING') {
      const host = await this.hosts.get({ id: vm.hostId });
      const id = randomUUID();
      followUps.push({
        id,
        kind: 'drift.repair',
        targetType: 'vm',
        targetId: vm.id,
        parentId: op.id,
        requestId: result.requestId,
        job: applyJob(host, vm.plan, vm.request, vm, id, result.requestId, 'vm.apply'),
      });
    }
    const updated = await this.prov.finishOperation(
      op.id,
      { state: result.status, steps: result.steps, result: result.data ?? null, error },
      { followUps },
    );
    for (const f of followUps) await this.drift.markRepairing(op.targetId, f.id);
    return updated;
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }
}
