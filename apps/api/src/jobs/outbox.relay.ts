import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { OperationRepository, type Db } from '@netpin/db';
import { DB } from '../db/db.module';
import { APP_OPTIONS, type AppRuntimeOptions } from '../runtime';
import { JobQueues } from './queues';

/** Test hook: pause between commit and publish to prove the relay repairs a crash there. */
export const RELAY_PAUSE_ENV = 'NETPIN_TEST_RELAY_PAUSED';

/**
 * Publishes outbox rows to BullMQ. Rows are written in the same transaction as the state
 * they announce; a crash after commit leaves them unsent and the next relay pass (in this
 * process after restart, or in any other API process) publishes them.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    @Inject(OperationRepository) private readonly ops: OperationRepository,
    @Inject(JobQueues) private readonly queues: JobQueues,
    @Inject(DB) private readonly db: Db,
    @Inject(APP_OPTIONS) private readonly runtime: AppRuntimeOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.runtime.background) return;
    this.timer = setInterval(() => this.kick(), 1000);
    this.timer.unref();
    this.kick();
  }

  /** Publish now (called right after a commit); coalesces concurrent calls. */
  kick(): void {
    if (this.stopped || !this.runtime.background) return;
    if (process.env[RELAY_PAUSE_ENV] === '1') return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((e: unknown) => this.logger.error({ err: e }, 'outbox relay pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const n = await this.ops.withUnsent(100, async (rows) => {
        for (const r of rows) await this.queues.publish(r.queue, r.jobName, r.operationId, r.payload);
        if (rows.length) {
          // a VM's provisioning has begun once its apply job is on the queue
          await this.db.$executeRaw`UPDATE "Vm" SET state = 'PROVISIONING', "updatedAt" = now()
            WHERE state = 'PENDING' AND id IN (SELECT "targetId"::uuid FROM "Operation" WHERE id = ANY(${rows.map((r) => r.operationId)}::uuid[]) AND kind = 'vm.create')`;
        }
        return rows.length;
      });
      if (n < 100) return;
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
