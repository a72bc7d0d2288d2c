import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createRedis, type OperationRecord, type RedisClient } from '@netpin/db';
import { EventEmitter, on } from 'node:events';
import { API_CONFIG, type ApiConfig } from '../config';
import { APP_OPTIONS, type AppRuntimeOptions } from '../runtime';
import { toOperationView } from './operation.service';
import type { Operation } from './operation.model';

/** JSON over Redis turns dates into strings; GraphQL's DateTime serialises only Date objects. */
function reviveDates(op: Operation): Operation {
  const d = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));
  return { ...op, createdAt: new Date(op.createdAt), startedAt: d(op.startedAt), finishedAt: d(op.finishedAt) };
}

/**
 * Operation updates for subscribers (GraphQL operationUpdated, REST server-sent events).
 * Progress arrives in every API process through BullMQ's QueueEvents; state changes are
 * written by whichever process consumed the result, so they are broadcast over a Redis
 * channel for the subscribers of every other process.
 */
@Injectable()
export class OperationEvents implements OnModuleDestroy {
  private readonly local = new EventEmitter();
  private readonly logger = new Logger(OperationEvents.name);
  private pub?: RedisClient;
  private sub?: RedisClient;
  private readonly channel: string;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(APP_OPTIONS) private readonly runtime: AppRuntimeOptions,
  ) {
    this.local.setMaxListeners(0);
    this.channel = `${config.NETPIN_QUEUE_PREFIX}:operation-events`;
  }

  private ensure(): void {
    if (this.pub || !this.runtime.background) return;
    this.pub = createRedis(this.config.REDIS_URL, { maxRetriesPerRequest: 2 });
    this.sub = createRedis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    this.sub.on('message', (_ch: string, msg: string) => {
      try {
        this.local.emit('op', reviveDates(JSON.parse(msg) as Operation));
      } catch (e) {
        this.logger.warn({ err: e }, 'bad operation event');
      }
    });
    void this.sub.subscribe(this.channel).catch((e: unknown) => this.logger.error({ err: e }, 'subscribe failed'));
  }

  /** Tell every API process (this one included) that an operation changed. */
  broadcast(op: OperationRecord): void {
    this.ensure();
    const view = toOperationView(op);
    if (!this.pub) {
      this.local.emit('op', view);
      return;
    }
    void this.pub.publish(this.channel, JSON.stringify(view)).catch((e: unknown) => this.logger.warn({ err: e }, 'publish failed'));
  }

  /** Only subscribers of this process (progress that every process hears anyway). */
  emitLocal(op: OperationRecord): void {
    this.local.emit('op', toOperationView(op));
  }

  /** Async stream of updates, optionally for one operation; ends when `signal` aborts. */
  async *stream(id: string | undefined, signal: AbortSignal): AsyncGenerator<Operation> {
    this.ensure();
    try {
      for await (const [op] of on(this.local, 'op', { signal }) as AsyncIterable<[Operation]>) {
        if (!id || op.id === id) yield op;
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e;
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.local.removeAllListeners();
    await Promise.allSettled([this.pub?.quit(), this.sub?.quit()]);
  }
}
