import { Inject, Injectable, Logger } from '@nestjs/common';
import { OPERATION_STATES } from '@netpin/contracts';
import { OperationRepository, SnapshotCache } from '@netpin/db';
import { Gauge, type Registry } from 'prom-client';
import { JobQueues } from '../jobs/queues';
import { METRICS_REGISTRY } from './api-metrics';
import { freeByNumaNodeOf } from './samples';

/** Job states reported per queue (completed and failed only grow; BullMQ trims them). */
const QUEUE_STATES = ['waiting', 'active', 'delayed'] as const;

/**
 * Gauges computed when Prometheus scrapes, from the same sources the API serves: the
 * operation table, the BullMQ queues and the process's fleet snapshot (SnapshotCache, so a
 * scrape costs one generation read while the fleet is unchanged). A source that fails
 * leaves its gauge empty for that scrape instead of failing the whole exposition.
 */
@Injectable()
export class ScrapeGauges {
  private readonly logger = new Logger(ScrapeGauges.name);

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(OperationRepository) private readonly ops: OperationRepository,
    @Inject(JobQueues) private readonly queues: JobQueues,
    @Inject(SnapshotCache) private readonly snapshots: SnapshotCache,
  ) {
    const registers = [registry];
    const operations: Gauge<'state'> = new Gauge({
      name: 'netpin_operations',
      help: 'Operations in each state (all rows of the operation table)',
      labelNames: ['state'],
      registers,
      collect: () =>
        this.guard('operations', operations, async () => {
          const counts = await this.ops.countByState();
          for (const state of OPERATION_STATES) operations.set({ state }, counts[state] ?? 0);
        }),
    });
    const queueJobs: Gauge<'queue' | 'state'> = new Gauge({
      name: 'netpin_queue_jobs',
      help: 'Jobs in each BullMQ queue by state',
      labelNames: ['queue', 'state'],
      registers,
      collect: () =>
        this.guard('queue depth', queueJobs, async () => {
          for (const { queue, counts } of await this.queues.jobCounts(QUEUE_STATES)) {
            for (const state of QUEUE_STATES) queueJobs.set({ queue, state }, counts[state] ?? 0);
          }
        }),
    });
    const freeCpus: Gauge<'host' | 'numa_node'> = new Gauge({
      name: 'netpin_host_free_dedicated_cpus',
      help: 'CPUs of a NUMA node neither reserved for the host nor allocated to a VM',
      labelNames: ['host', 'numa_node'],
      registers,
      collect: () =>
        this.guard('free cpus', freeCpus, async () => {
          for (const r of freeByNumaNodeOf((await this.snapshots.read()).index))
            freeCpus.set({ host: r.host, numa_node: String(r.numaNode) }, r.freeCpus);
        }),
    });
    const freeVfs: Gauge<'host' | 'numa_node'> = new Gauge({
      name: 'netpin_host_free_vfs',
      help: 'SR-IOV VFs on the NICs of a NUMA node that no VM holds (numa_node -1: NIC without NUMA affinity)',
      labelNames: ['host', 'numa_node'],
      registers,
      collect: () =>
        this.guard('free vfs', freeVfs, async () => {
          for (const r of freeByNumaNodeOf((await this.snapshots.read()).index))
            freeVfs.set({ host: r.host, numa_node: String(r.numaNode) }, r.freeVfs);
        }),
    });
  }

  /** Start from an empty gauge each scrape (a host that left the fleet must disappear). */
  private async guard(what: string, gauge: Gauge<string>, fill: () => Promise<void>): Promise<void> {
    gauge.reset();
    try {
      await fill();
    } catch (e) {
      gauge.reset();
      this.logger.warn({ err: e }, `metrics: reading ${what} failed`);
    }
  }
}
