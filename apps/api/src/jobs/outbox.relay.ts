import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { OperationRepository } from '@netpin/db';
import { APP_OPTIONS, type AppRuntimeOptions } from '../runtime';
import { JobQueues } from './queues';

/** Test hook: pause between commit and publish to prove the relay repairs a crash there. */
export const RELAY_PAUSE_ENV = 'NETPIN_TEST_RELAY_PAUSED';

/** Rows claimed per pass: a pass's publishes stay short, and a full batch means another pass. */
const RELAY_BATCH = 50;
/** How long a claimed row is this relay's to publish; a relay that died leaves it to others after this. */
const RELAY_LEASE_MS = 30_000;

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

  /**
   * Claim a bounded batch (one statement), publish it with no transaction open (one Redis
   * round trip, all or none), mark it sent (one statement). A failed publish gives the rows
   * back for the next pass.
   */
  private async drain(): Promise<void> {
    for (;;) {
      const { rows, claimed } = await this.ops.claimUnsent(RELAY_BATCH, RELAY_LEASE_MS);
      try {
        await this.queues.publish(rows);
      } catch (e) {
        await this.ops.releaseClaims(rows.map((r) => r.id));
        throw e;
      }
      await this.ops.markSent(rows.map((r) => r.id));
      if (claimed < RELAY_BATCH) return;
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
