import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SnapshotCache } from '@netpin/db';
import { performance } from 'node:perf_hooks';
import { API_CONFIG, type ApiConfig } from '../config';
import { APP_OPTIONS, type AppRuntimeOptions } from '../runtime';

/** `warm`: the index is built; `warming`: its first read runs; `cold`: not warmed (off, or the read failed). */
export type WarmState = 'warm' | 'warming' | 'cold';

/**
 * Builds the placement index when the API starts instead of on the first placement
 * (NETPIN_PLACEMENT_WARM, on by default): a full read of 10,000 hosts takes seconds. /readyz
 * answers 503 while it runs, so a load balancer sends no placement to a process still
 * reading. The warm index is an ordinary SnapshotCache view: labelled with the generation
 * read before the fleet, it is checked against PlacementState on every placement and caught
 * up (changed hosts, or a full read) when anything changed since, so warming never lets a
 * placement see a stale fleet. A failed read only leaves the cache cold (the first placement
 * reads, as without warming): readiness does not wait for it.
 */
@Injectable()
export class SnapshotWarmer implements OnApplicationBootstrap {
  private readonly logger = new Logger('placement');
  private state: WarmState = 'cold';
  private done: Promise<void> = Promise.resolve();

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(APP_OPTIONS) private readonly runtime: AppRuntimeOptions,
    @Inject(SnapshotCache) private readonly cache: SnapshotCache,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.runtime.background || !this.config.NETPIN_PLACEMENT_WARM) return;
    this.state = 'warming';
    const t0 = performance.now();
    this.done = this.cache.read().then(
      (v) => {
        this.state = 'warm';
        const ms = Math.round(performance.now() - t0);
        this.logger.log({ ms, generation: String(v.generation) }, `placement index built at start in ${ms} ms`);
      },
      (e: unknown) => {
        this.state = 'cold';
        this.logger.warn({ err: e }, 'placement index not built at start; the first placement reads the fleet');
      },
    );
  }

  /** Where the start-up read is (for /readyz). */
  get status(): WarmState {
    return this.state;
  }

  /** Resolves when the start-up read has ended, either way (tests). */
  settled(): Promise<void> {
    return this.done;
  }
}
