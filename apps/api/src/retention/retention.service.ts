import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RetentionRepository, type PrunedTable, type RedisClient } from '@netpin/db';
import { API_CONFIG, type ApiConfig } from '../config';
import { REDIS } from '../db/db.module';
import { APP_OPTIONS, type AppRuntimeOptions } from '../runtime';

const BATCH = 1_000;
/** Pause between batches: other statements get the table between two deletes. */
const PAUSE_MS = 50;
const TABLES: PrunedTable[] = ['operations', 'outbox', 'driftEvents'];

export type PruneReport = Record<PrunedTable, { deleted: number; batches: number }>;

/**
 * Finished history (operations, sent outbox rows, drift events) is kept for
 * NETPIN_RETENTION_DAYS and then deleted in the background every NETPIN_PRUNE_INTERVAL_MS, by
 * one API process at a time (a Redis lock), in batches of BATCH rows (RetentionRepository
 * says what each table keeps). A drift sweep adds one operation per running VM per
 * interval: without this the tables grow for ever.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('retention');
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(APP_OPTIONS) private readonly runtime: AppRuntimeOptions,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(RetentionRepository) private readonly repo: RetentionRepository,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.NETPIN_PRUNE_INTERVAL_MS;
    if (!this.runtime.background || every === 0 || this.config.NETPIN_RETENTION_DAYS === 0) return;
    this.timer = setInterval(() => void this.tick(every), every);
    this.timer.unref();
  }

  private async tick(every: number): Promise<void> {
    try {
      const won = await this.redis.set(`${this.config.NETPIN_QUEUE_PREFIX}:prune`, String(process.pid), 'PX', every, 'NX');
      if (won !== 'OK') return;
      const report = await this.prune();
      const deleted = TABLES.map((t) => report[t].deleted).reduce((a, b) => a + b, 0);
      if (deleted) this.logger.log({ report }, `pruned ${deleted} finished rows older than ${this.config.NETPIN_RETENTION_DAYS} days`);
    } catch (e) {
      this.logger.warn({ err: e }, 'pruning failed');
    }
  }

  /** Delete everything past retention now, batch by batch; what was deleted, per table. */
  async prune(now = new Date()): Promise<PruneReport> {
    const report = Object.fromEntries(TABLES.map((t) => [t, { deleted: 0, batches: 0 }])) as PruneReport;
    if (this.config.NETPIN_RETENTION_DAYS === 0) return report;
    const cutoff = new Date(now.getTime() - this.config.NETPIN_RETENTION_DAYS * 86_400_000);
    for (const table of TABLES) {
      for (;;) {
        if (this.stopped) return report;
        const n = await this.repo.pruneBatch(table, cutoff, BATCH);
        report[table].deleted += n;
        report[table].batches++;
        if (n < BATCH) break;
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    }
    return report;
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }
}
