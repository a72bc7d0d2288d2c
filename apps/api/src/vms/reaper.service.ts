import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { resultJobId } from '@netpin/contracts';
import { HostRepository, OperationRepository, ProvisioningRepository, type OperationRecord, type RedisClient } from '@netpin/db';
import { randomUUID } from 'node:crypto';
import { API_CONFIG, type ApiConfig } from '../config';
import { REDIS } from '../db/db.module';
import { OutboxRelay } from '../jobs/outbox.relay';
import { JobQueues } from '../jobs/queues';
import { VmFencing } from '../jobs/vm-fencing';
import { OperationEvents } from '../operations/operation.events';
import { APP_OPTIONS, type AppRuntimeOptions } from '../runtime';
import { applyJob } from './desired-state';
import { HotplugService, isHotplugKind } from './hotplug.service';
import { MIGRATE_KIND, MigrationService } from './migration.service';

/** Kind of the verify the reaper sends for a stuck provisioning; ProvisioningService converges on its result. */
export const REAP_VERIFY_KIND = 'vm.reapVerify';

/** Operations looked at per pass; the rest wait for the next one. */
const BATCH = 100;

/**
 * Finds operations that will never finish on their own (docs/architecture.md "Reaper"): one
 * is stuck when its job is gone (BullMQ moved it to failed after the stall limit, or lost it)
 * with no result waiting, or when it made no progress for NETPIN_OPERATION_DEADLINE_MS. Each
 * stuck one gets a new VM generation (the stuck job, should it wake up, stops at its next
 * step with STALE_JOB) and is taken off the queue if it waits there; then, by kind:
 * - provisioning (vm.create or its vm.verify of a VM still PENDING/PROVISIONING): a vm.verify
 *   asks the host; in sync, the VM is RUNNING and the operation SUCCEEDED; otherwise it fails
 *   and is torn down and released as any failed create (ProvisioningService, `vm.reapVerify`);
 * - a hot-plug (vm.attachInterface / vm.detachInterface): it fails and a detach of its
 *   interface follows, which releases it once the host gave it back (HotplugService.reap);
 * - a migration (vm.migrate of a VM still MIGRATING): its source host is asked; the VM runs
 *   there as planned, the migration is rolled back, else the VM is FAILED holding both
 *   (MigrationService.reap).
 */
@Injectable()
export class ReaperService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReaperService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(APP_OPTIONS) private readonly runtime: AppRuntimeOptions,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(OperationRepository) private readonly ops: OperationRepository,
    @Inject(ProvisioningRepository) private readonly prov: ProvisioningRepository,
    @Inject(HostRepository) private readonly hosts: HostRepository,
    @Inject(JobQueues) private readonly queues: JobQueues,
    @Inject(VmFencing) private readonly fencing: VmFencing,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(OperationEvents) private readonly events: OperationEvents,
    @Inject(HotplugService) private readonly hotplug: HotplugService,
    @Inject(MigrationService) private readonly migration: MigrationService,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.NETPIN_REAPER_INTERVAL_MS;
    if (!this.runtime.background || every === 0) return;
    this.timer = setInterval(() => void this.tick(every), every);
    this.timer.unref();
  }

  /** One process per interval runs the pass, however many API processes there are. */
  private async tick(every: number): Promise<void> {
    try {
      const key = `${this.config.NETPIN_QUEUE_PREFIX}:reaper`;
      if ((await this.redis.set(key, String(process.pid), 'PX', Math.max(1000, every - 100), 'NX')) !== 'OK') return;
      await this.pass();
    } catch (e) {
      this.logger.warn({ err: e }, 'reaper pass failed');
    }
  }

  /** Look at every candidate once; returns the verify operations started. */
  async pass(now = Date.now()): Promise<OperationRecord[]> {
    const deadline = this.config.NETPIN_OPERATION_DEADLINE_MS;
    // a job lost or failed by BullMQ is stuck at once; give a fresh one a few seconds to show up
    const candidates = await this.ops.reapCandidates(new Date(now - Math.min(deadline, 5000)), BATCH);
    const started: OperationRecord[] = [];
    for (const op of candidates) {
      const why = op.updatedAt.getTime() < now - deadline ? `no progress for ${deadline} ms` : await this.jobGone(op.id);
      if (!why) continue;
      const child = await this.reap(op, why).catch((e: unknown) => {
        this.logger.warn({ err: e, operationId: op.id }, 'reaping an operation failed');
        return null;
      });
      if (child) started.push(child);
    }
    if (started.length) this.relay.kick();
    return started;
  }

  /** Why the operation's job will never report, or null while it may. */
  private async jobGone(operationId: string): Promise<string | null> {
    if (await this.queues.resultsQueue.getJob(resultJobId(operationId))) return null; // its result waits for the consumer
    const job = await this.queues.hostOpsQueue.getJob(operationId);
    if (!job) return 'its job is gone from the queue';
    if ((await job.getState()) === 'failed' && /stalled/i.test(job.failedReason ?? ''))
      return `its job stalled past BullMQ's limit (${job.failedReason})`;
    return null;
  }

  private async reap(op: OperationRecord, why: string): Promise<OperationRecord | null> {
    if (isHotplugKind(op.kind) || op.kind === MIGRATE_KIND) {
      await this.queues.cancel(op.id);
      const started = isHotplugKind(op.kind) ? await this.reapHotplug(op, why) : await this.migration.reap(op, why);
      this.logger.warn({ operationId: op.id, kind: op.kind, why }, 'stuck operation taken over');
      if (started) this.events.broadcast(started);
      return started;
    }
    return this.reapProvisioning(op, why);
  }

  /** The hot-plug fails; the detach that follows it (if any) is what was started. */
  private async reapHotplug(op: OperationRecord, why: string): Promise<OperationRecord | null> {
    const { failed, followUp } = await this.hotplug.reap(op, why);
    if (failed) this.events.broadcast(failed);
    return followUp ? this.ops.get(followUp) : null;
  }

  private async reapProvisioning(op: OperationRecord, why: string): Promise<OperationRecord | null> {
    const vm = await this.prov.vmWithPlan(op.targetId);
    const host = vm?.hostId ? await this.hosts.findById(vm.hostId) : null;
    if (!vm || !vm.plan || !host) return null;
    const generation = vm.generation + 1;
    await this.queues.cancel(op.id);
    const id = randomUUID();
    const requestId = op.requestId ?? `reaper-${id}`;
    const child = {
      id,
      kind: REAP_VERIFY_KIND,
      targetType: 'vm' as const,
      targetId: vm.id,
      parentId: op.id,
      requestId,
      job: applyJob(host, vm.plan, vm.request, { id: vm.id, generation }, id, requestId, 'vm.verify'),
    };
    const created = await this.prov.beginReap(op.id, `reaper: ${why}; verifying the host`, { id: vm.id, generation }, child);
    if (!created) return null;
    await this.fencing
      .raise(vm.id, generation)
      .catch((e: unknown) => this.logger.warn({ err: e, vmId: vm.id }, 'raising the fence failed'));
    this.logger.warn({ operationId: op.id, vm: vm.name, why }, 'stuck operation: asking the host');
    this.events.broadcast(created);
    return created;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
  }
}
