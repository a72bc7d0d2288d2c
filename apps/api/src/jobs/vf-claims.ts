import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  ConflictError,
  VF_CLAIM_FREE_SCRIPT,
  VF_CLAIM_SCRIPT,
  VF_RELEASE_SCRIPT,
  vfClaimsKey,
  type PlacementPlan,
} from '@netpin/contracts';
import { API_CONFIG, type ApiConfig } from '../config';
import { ProvisioningRepository, type RedisClient } from '@netpin/db';
import { REDIS } from '../db/db.module';
import { APP_OPTIONS, type AppRuntimeOptions } from '../runtime';

/** The `<pf>/<index>` of every VF a plan takes. */
function vfsOf(plan: PlacementPlan): string[] {
  return plan.interfaces.flatMap((i) => (i.vf && i.nicName ? [`${i.nicName}/${i.vf.index}`] : []));
}

/** A claim script's answer: 'OK', or CONFLICT naming the PF a configureSriov holds. */
function frozenOrOk(r: unknown, plan: PlacementPlan): void {
  if (r === 'OK') return;
  const pf = String(r).replace(/^FROZEN:/, '');
  throw new ConflictError(`${pf} on host ${plan.hostId} is being reconfigured (host.configureSriov); retry`, { pf });
}

/**
 * The VFs netpin has allocated, per host, where the agent reads them under the host lock
 * (host.configureSriov refuses to destroy a claimed VF). A placement claims its VFs inside
 * its transaction, before the commit, and a release drops them after its commit: RedisClient
 * never shows fewer VFs than the database holds. A PF frozen by a running configureSriov
 * refuses the claim (CONFLICT, nothing written).
 */
@Injectable()
export class VfClaims implements OnApplicationBootstrap {
  private readonly logger = new Logger(VfClaims.name);

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_OPTIONS) private readonly runtime: AppRuntimeOptions,
    @Inject(ProvisioningRepository) private readonly prov: ProvisioningRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.runtime.background) return;
    this.backfill().catch((e: unknown) => this.logger.warn({ err: e }, 'rebuilding VF claims from the database failed'));
  }

  /**
   * Claims of every VM holding VFs (after an upgrade, or a Redis that lost its data): added,
   * never removed, then dropped again for any VM whose release committed meanwhile.
   */
  async backfill(): Promise<void> {
    const holding = await this.prov.holdingPlans();
    for (const { id, plan } of holding) {
      const vfs = vfsOf(plan);
      if (vfs.length) await this.redis.hset(this.key(plan.hostId), ...vfs.flatMap((v) => [`vf:${v}`, id]));
    }
    const still = new Set((await this.prov.holdingPlans()).map((v) => v.id));
    for (const { id, plan } of holding) if (!still.has(id)) await this.release(id, plan);
  }

  private key(hostId: string): string {
    return vfClaimsKey(this.config.NETPIN_QUEUE_PREFIX, hostId);
  }

  async claim(vmId: string, plan: PlacementPlan): Promise<void> {
    const vfs = vfsOf(plan);
    if (!vfs.length) return;
    frozenOrOk(await this.redis.eval(VF_CLAIM_SCRIPT, 1, this.key(plan.hostId), vmId, ...vfs), plan);
  }

  /**
   * claim, for a plan made outside the placement lock: false (nothing claimed) when another VM
   * holds one of the VFs, which the database may not show yet; it never takes a claim over.
   */
  async claimFree(vmId: string, plan: PlacementPlan): Promise<boolean> {
    const vfs = vfsOf(plan);
    if (!vfs.length) return true;
    const r = await this.redis.eval(VF_CLAIM_FREE_SCRIPT, 1, this.key(plan.hostId), vmId, ...vfs);
    if (String(r).startsWith('TAKEN:')) return false;
    frozenOrOk(r, plan);
    return true;
  }

  /** After the release committed (or the placement did not): best effort, a leftover claim only makes configureSriov refuse. */
  async release(vmId: string, plan: PlacementPlan | null): Promise<void> {
    const vfs = plan ? vfsOf(plan) : [];
    if (!plan || !vfs.length) return;
    await this.redis
      .eval(VF_RELEASE_SCRIPT, 1, this.key(plan.hostId), vmId, ...vfs)
      .catch((e: unknown) => this.logger.warn({ err: e, vmId }, 'dropping VF claims failed'));
  }
}
