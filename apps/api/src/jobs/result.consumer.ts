import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HOST_OPS_QUEUE, jobProgressSchema, operationResultSchema, RESULTS_QUEUE } from '@netpin/contracts';
import { bullPrefix, finishedParent, OperationRepository, ProvisioningRepository, type OperationRecord } from '@netpin/db';
import { QueueEvents, Worker, type Job } from 'bullmq';
import { API_CONFIG, type ApiConfig } from '../config';
import { DiscoveryService } from '../hosts/discovery.service';
import { DriftService } from '../drift/drift.service';
import { OperationEvents } from '../operations/operation.events';
import { APP_OPTIONS, type AppRuntimeOptions } from '../runtime';
import { ProvisioningService } from '../vms/provisioning.service';
import { OutboxRelay } from './outbox.relay';
import { ProgressWriter } from './progress-writer';
import { BullConnections } from './queues';

/** Results handled at once by one API process (was 8: a fleet's discovery results queued). */
const RESULT_CONCURRENCY = 32;

/**
 * Consumes the agents' results (at least once; applying one twice is a no-op because a
 * finished operation is never changed again) and relays job progress to subscribers.
 */
@Injectable()
export class ResultConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ResultConsumer.name);
  private worker?: Worker;
  private progress?: QueueEvents;
  private readonly connections: BullConnections;
  private readonly progressWriter = new ProgressWriter(
    (items) => this.ops.markProgressMany(items),
    (op) => this.events.emitLocal(op),
    (e, items) => this.logger.warn({ err: e, operations: items.length }, 'progress update failed'),
  );

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(APP_OPTIONS) private readonly runtime: AppRuntimeOptions,
    @Inject(OperationRepository) private readonly ops: OperationRepository,
    @Inject(ProvisioningRepository) private readonly prov: ProvisioningRepository,
    @Inject(ProvisioningService) private readonly vms: ProvisioningService,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(OperationEvents) private readonly events: OperationEvents,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(DriftService) private readonly drift: DriftService,
  ) {
    this.connections = new BullConnections(config.REDIS_URL);
  }

  onApplicationBootstrap(): void {
    if (!this.runtime.background) return;
    const { REDIS_URL: url, NETPIN_QUEUE_PREFIX: prefix } = this.config;
    this.worker = new Worker(RESULTS_QUEUE, (job) => this.handle(job), {
      connection: this.connections.open(),
      prefix: bullPrefix(url, prefix, RESULTS_QUEUE),
      // results in flight at once: discovery results among them are written together
      // (hosts/facts-batcher.ts), so this bounds a batch; each waits mostly on PostgreSQL
      concurrency: RESULT_CONCURRENCY,
    });
    this.worker.on('error', (e) => this.logger.error({ err: e }, 'result worker error'));
    this.progress = new QueueEvents(HOST_OPS_QUEUE, {
      connection: this.connections.open(),
      prefix: bullPrefix(url, prefix, HOST_OPS_QUEUE),
    });
    this.progress.on('progress', ({ jobId, data }) => this.onProgress(jobId, data));
    this.progress.on('error', (e) => this.logger.error({ err: e }, 'queue events error'));
  }

  /**
   * Apply one result. It is acknowledged (returns) only once persisted, or when there is
   * nothing to persist (malformed, unknown or already finished operation); any other error,
   * a database outage above all, is thrown so BullMQ retries it with the producer's backoff.
   */
  async handle(job: Job): Promise<void> {
    const parsed = operationResultSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error({ jobId: job.id, issues: parsed.error.issues.slice(0, 3) }, 'dropping a malformed result');
      return;
    }
    const result = parsed.data;
    // the operation and, for a VM's, the VM and its host: one statement
    const read = await this.prov.forResult(result.operationId).catch((e: unknown) => {
      this.logger.warn({ err: e, operationId: result.operationId, attempt: job.attemptsMade + 1 }, 'cannot read the operation: retrying');
      throw e;
    });
    if (!read) {
      this.logger.warn({ operationId: result.operationId, requestId: result.requestId }, 'result for an unknown operation');
      return;
    }
    const { op } = read;
    if (op.state === 'SUCCEEDED' || op.state === 'FAILED') return;
    const updated =
      op.targetType === 'host'
        ? await this.discovery.onResult(op, result)
        : op.kind.startsWith('drift.')
          ? await this.drift.onResult(op, result)
          : await this.vms.onResult(op, result, op.targetType === 'vm' ? read.vm : undefined);
    if (!updated) return;
    this.relay.kick();
    // persisted: telling subscribers is best effort and must not send the result round again
    await this.announce(updated).catch((e: unknown) => this.logger.warn({ err: e, operationId: op.id }, 'operation broadcast failed'));
  }

  private async announce(updated: OperationRecord): Promise<void> {
    this.events.broadcast(updated);
    // the parent as the statement that finished this one left it; read only when it did not say
    if (updated.parentId) this.events.broadcast(finishedParent(updated) ?? (await this.ops.get(updated.parentId)));
  }

  private onProgress(jobId: string, data: unknown): void {
    const p = jobProgressSchema.safeParse(data);
    if (!p.success) return;
    const pct = p.data.total > 0 ? (100 * (p.data.index + (p.data.fraction ?? 0))) / p.data.total : 0;
    this.progressWriter.add({ id: jobId, step: p.data.step, progress: pct });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([this.worker?.close(), this.progress?.close()]);
    await this.connections.close();
    await this.progressWriter.flushed();
  }
}
