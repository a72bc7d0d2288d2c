import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HOST_OPS_QUEUE, RESULTS_QUEUE, hostJobOptions } from '@netpin/contracts';
import { Queue, type ConnectionOptions, type JobType } from 'bullmq';
import { API_CONFIG, type ApiConfig } from '../config';

/** BullMQ connection options from a redis:// URL (workers need maxRetriesPerRequest null). */
export function bullConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** The producer side of the host-operations queue; created on first use. */
@Injectable()
export class JobQueues implements OnModuleDestroy {
  private hostOps?: Queue;
  /** Read only (depth for metrics); the ResultConsumer's worker consumes it. */
  private results?: Queue;

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  get hostOpsQueue(): Queue {
    this.hostOps ??= new Queue(HOST_OPS_QUEUE, {
      connection: bullConnection(this.config.REDIS_URL),
      prefix: this.config.NETPIN_QUEUE_PREFIX,
    });
    return this.hostOps;
  }

  /** Add a host job; job id = operation id, so publishing twice is harmless. */
  async publish(queue: string, jobName: string, operationId: string, payload: unknown): Promise<void> {
    if (queue !== HOST_OPS_QUEUE) throw new Error(`unknown queue ${queue}`);
    await this.hostOpsQueue.add(jobName, payload, hostJobOptions(operationId));
  }

  /**
   * Take a host job off the queue if no agent has started it (waiting or delayed); false when
   * it runs already, finished, or was never published.
   */
  async cancel(operationId: string): Promise<boolean> {
    // a job waiting for a busy host is active for a moment on each retry: look again briefly
    for (let attempt = 0; attempt < 3; attempt++) {
      const state = await this.hostOpsQueue.getJobState(operationId);
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
        if ((await this.hostOpsQueue.remove(operationId)) === 1) return true;
      } else if (state !== 'active') return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  async depth(): Promise<Record<string, number>> {
    return this.hostOpsQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  /** Job counts of every queue the API produces to or consumes, for the metrics scrape. */
  async jobCounts<S extends JobType>(states: readonly S[]): Promise<{ queue: string; counts: Partial<Record<S, number>> }[]> {
    this.results ??= new Queue(RESULTS_QUEUE, {
      connection: bullConnection(this.config.REDIS_URL),
      prefix: this.config.NETPIN_QUEUE_PREFIX,
    });
    return Promise.all(
      [this.hostOpsQueue, this.results].map(async (q) => ({
        queue: q.name,
        counts: (await q.getJobCounts(...states)) as Partial<Record<S, number>>,
      })),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.hostOps?.close(), this.results?.close()]);
  }
}
