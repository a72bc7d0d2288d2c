import { Inject, Injectable, Logger } from '@nestjs/common';
import { VM_FENCE_SCRIPT, VM_FENCE_TTL_MS, vmFenceKey } from '@netpin/contracts';
import { OperationRepository, ProvisioningRepository, type OperationRecord, type RedisClient } from '@netpin/db';
import { API_CONFIG, type ApiConfig } from '../config';
import { REDIS } from '../db/db.module';
import { JobQueues } from './queues';

/**
 * The API's side of VM fencing. A delete raises the VM's generation in the database and
 * then its fence in Redis (the agent refuses any mutating job of an older generation before
 * each step; the teardown raises the fence too, under the host lock, so the fence holds even
 * when this write was lost), and takes the VM's queued jobs off the queue.
 */
@Injectable()
export class VmFencing {
  private readonly logger = new Logger(VmFencing.name);

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(JobQueues) private readonly queues: JobQueues,
    @Inject(OperationRepository) private readonly ops: OperationRepository,
    @Inject(ProvisioningRepository) private readonly prov: ProvisioningRepository,
  ) {}

  /** Raise the VM's fence to `generation` (never lowers it). */
  async raise(vmId: string, generation: number): Promise<void> {
    const key = vmFenceKey(this.config.NETPIN_QUEUE_PREFIX, vmId);
    await this.redis.eval(VM_FENCE_SCRIPT, 1, key, String(generation), '1', String(VM_FENCE_TTL_MS));
  }

  /**
   * After a delete (or a stop, with `why`) committed: raise the fence, and cancel the VM's jobs no agent has started
   * (their operations fail with STALE_JOB). A job already running stops at its next step; with
   * `all` (a forced delete) its operation ends now too, and its late result is ignored.
   * Best effort: a failure is logged; the agent's fence check is what guarantees the outcome.
   */
  async supersede(
    vmId: string,
    generation: number,
    keepOperationId: string,
    all = false,
    why = `VM ${vmId} was deleted`,
  ): Promise<OperationRecord[]> {
    const cancelled: OperationRecord[] = [];
    try {
      await this.raise(vmId, generation);
      for (const op of await this.ops.unfinishedFor(vmId)) {
        if (op.id === keepOperationId) continue;
        const removed = await this.queues.cancel(op.id);
        if (!removed && !all) continue;
        const how = removed ? 'cancelled before it ran' : 'superseded';
        const error = { code: 'STALE_JOB', message: `${how}: ${why} (generation ${generation})` };
        const done = await this.prov.finishOperation(op.id, { state: 'FAILED', error });
        if (done) cancelled.push(done);
      }
    } catch (e) {
      this.logger.warn({ err: e, vmId, generation }, 'fencing the VM after a delete failed; the agent fence still applies');
    }
    return cancelled;
  }
}
