import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SriovPolicyRepository, type OperationRecord, type RedisClient } from '@netpin/db';
import { randomUUID } from 'node:crypto';
import { API_CONFIG, type ApiConfig } from '../config';
import { REDIS } from '../db/db.module';
import { OutboxRelay } from '../jobs/outbox.relay';
import { OperationEvents } from '../operations/operation.events';
import { APP_OPTIONS, type AppRuntimeOptions } from '../runtime';
import { planReconcile } from './sriov-plan';

export interface ReconcileOptions {
  retryFailed: boolean;
  requestId?: string;
  /** Only these hosts' PFs and targets (a discovery or configure result); every host when absent. */
  hostIds?: readonly string[];
}

/**
 * Brings hosts to the SR-IOV policies: after every policy change, after a VM releases VFs,
 * after each discovery (and so after each host.configureSriov, which is followed by one), and
 * every NETPIN_SRIOV_RECONCILE_INTERVAL_MS. Passes run one at a time in a process; event
 * triggers arriving while one waits are folded into it. A host's result asks for a pass over
 * that host only (folded passes cover the union of their hosts): a pass over every host read
 * every host's PFs and VFs, once per discovered host, quadratic in a fleet's first discovery.
 * Across processes the placement lock the repository takes serialises them.
 */
@Injectable()
export class SriovReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SriovReconciler.name);
  private timer?: NodeJS.Timeout;
  private chain: Promise<unknown> = Promise.resolve();
  private queued = false;
  /** The hosts the queued event pass covers; null: every host. */
  private scope: Set<string> | null = null;
  private closed = false;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(APP_OPTIONS) private readonly runtime: AppRuntimeOptions,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(SriovPolicyRepository) private readonly repo: SriovPolicyRepository,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(OperationEvents) private readonly events: OperationEvents,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.NETPIN_SRIOV_RECONCILE_INTERVAL_MS;
    if (!this.runtime.background || every === 0) return;
    this.timer = setInterval(() => void this.tick(every), every);
    this.timer.unref();
  }

  /** One process per interval runs the periodic pass, however many API processes there are. */
  private async tick(every: number): Promise<void> {
    try {
      const won = await this.redis.set(
        `${this.config.NETPIN_QUEUE_PREFIX}:sriov-reconcile`,
        String(process.pid),
        'PX',
        Math.max(1000, every - 100),
        'NX',
      );
      if (won === 'OK') await this.reconcile({ retryFailed: true, requestId: `sriov-${Date.now()}` });
    } catch (e) {
      this.logger.warn({ err: e }, 'periodic SR-IOV reconcile failed');
    }
  }

  /** Fire and forget (events): folded into a pass that has not started yet. */
  request(why: string, hostIds?: readonly string[]): void {
    if (this.closed) return;
    if (this.queued) {
      if (this.scope && hostIds) for (const h of hostIds) this.scope.add(h);
      else this.scope = null;
      return;
    }
    this.queued = true;
    this.scope = hostIds ? new Set(hostIds) : null;
    const requestId = `sriov-${why}-${Date.now()}`;
    this.enqueue(() => {
      const hosts = this.scope;
      this.queued = false;
      this.scope = null;
      return this.once({ retryFailed: false, requestId, hostIds: hosts ? [...hosts] : undefined });
    }).catch((e: unknown) => this.logger.warn({ err: e, why }, 'SR-IOV reconcile failed'));
  }

  /**
   * A VM let go of VFs (its teardown reset them to clean defaults): record their state and
   * reconcile, so a BLOCKED PF converges and a freed VF gets its policy's attributes back.
   */
  vfsReleased(vfs: readonly { nicId: string; index: number }[]): void {
    if (this.closed || vfs.length === 0) return;
    this.repo
      .markVfsClean(vfs)
      .then(() => this.request('vf-release'))
      .catch((e: unknown) => this.logger.warn({ err: e }, 'recording released VFs failed'));
  }

  /** One pass; resolves with the host.configureSriov operations it started. */
  reconcile(opts: ReconcileOptions): Promise<OperationRecord[]> {
    return this.enqueue(() => this.once(opts));
  }

  /** Runs `pass` after every pass queued before it (one at a time in this process). */
  private enqueue(pass: () => Promise<OperationRecord[]>): Promise<OperationRecord[]> {
    const run = this.chain.then(pass);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async once(opts: ReconcileOptions): Promise<OperationRecord[]> {
    if (this.closed) return [];
    const requestId = opts.requestId ?? randomUUID();
    const started = await this.repo.reconcile(
      (input) => planReconcile(input, { retryFailed: opts.retryFailed, requestId, newId: randomUUID }),
      opts.hostIds,
    );
    if (started.length) {
      this.relay.kick();
      for (const op of started) this.events.broadcast(op);
      this.logger.log({ operations: started.map((o) => o.id) }, 'SR-IOV policies: host.configureSriov queued');
    }
    return started;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.chain;
  }
}
