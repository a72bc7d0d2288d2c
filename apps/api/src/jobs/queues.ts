import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HOST_OPS_QUEUE, RESULTS_QUEUE, hostJobOptions } from '@netpin/contracts';
import { bullPrefix, createRedis, isClusterUrl, parseRedisUrl, sentinelOptions, type RedisClient } from '@netpin/db';
import { Queue, type ConnectionOptions, type JobType } from 'bullmq';
import { API_CONFIG, type ApiConfig } from '../config';

/**
 * BullMQ connections of one owner. On one server (or behind Sentinels): options from the URL
 * (BullMQ makes and closes its clients; workers need maxRetriesPerRequest null). On a cluster: a Cluster
 * client per BullMQ object, which BullMQ treats as shared and never closes, so `close` does.
 */
export class BullConnections {
  private readonly clients: RedisClient[] = [];

  constructor(private readonly url: string) {}

  open(): ConnectionOptions {
    if (!isClusterUrl(this.url)) return bullConnection(this.url);
    const c = createRedis(this.url, { maxRetriesPerRequest: null });
    this.clients.push(c);
    return c;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  }
}

/** BullMQ connection options from a redis:// URL (one server) or a redis+sentinel:// one. */
export function bullConnection(url: string): ConnectionOptions {
  const t = parseRedisUrl(url);
  if (t.mode === 'sentinel') return sentinelOptions(t, { maxRetriesPerRequest: null });
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
  private readonly connections: BullConnections;

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {
    this.connections = new BullConnections(config.REDIS_URL);
  }

  get hostOpsQueue(): Queue {
    this.hostOps ??= new Queue(HOST_OPS_QUEUE, {
      connection: this.connections.open(),
      prefix: bullPrefix(this.config.REDIS_URL, this.config.NETPIN_QUEUE_PREFIX, HOST_OPS_QUEUE),
    });
    return this.hostOps;
  }

  /** Read only: results waiting for the ResultConsumer (the reaper looks for one before reaping). */
  get resultsQueue(): Queue {
    this.results ??= new Queue(RESULTS_QUEUE, {
      connection: this.connections.open(),
      prefix: bullPrefix(this.config.REDIS_URL, this.config.NETPIN_QUEUE_PREFIX, RESULTS_QUEUE),
    });
    return this.results;
  }

  /**
   * Add host jobs, all or none (one Redis round trip: BullMQ's addBulk is one MULTI); job id =
   * operation id, so publishing twice is harmless.
   */
  async publish(jobs: readonly { queue: string; jobName: string; operationId: string; payload: unknown }[]): Promise<void> {
    const unknown = jobs.find((j) => j.queue !== HOST_OPS_QUEUE);
    if (unknown) throw new Error(`unknown queue ${unknown.queue}`);
    if (!jobs.length) return;
    await this.hostOpsQueue.addBulk(jobs.map((j) => ({ name: j.jobName, data: j.payload, opts: hostJobOptions(j.operationId) })));
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
    return Promise.all(
      [this.hostOpsQueue, this.resultsQueue].map(async (q) => ({
        queue: q.name,
        counts: (await q.getJobCounts(...states)) as Partial<Record<S, number>>,
      })),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.hostOps?.close(), this.results?.close()]);
    await this.connections.close();
  }
}
