import { VM_FENCE_SCRIPT, VM_FENCE_TTL_MS, vmFenceKey } from '@netpin/contracts';
import { AgentError } from './errors';
import type { VmFence } from './handlers';
import type { RedisClient } from '@netpin/db';

/**
 * The agent's side of VM fencing (the API raises the fence on delete, a teardown raises it
 * under the host lock): checked before each mutating step, so a drift repair or reconcile
 * queued before a delete stops with STALE_JOB instead of starting the VM again.
 */
export class VmFences {
  constructor(
    private readonly redis: RedisClient,
    private readonly queuePrefix: string,
  ) {}

  async check(f: VmFence): Promise<void> {
    const key = vmFenceKey(this.queuePrefix, f.vmId);
    const args = [String(f.generation), f.advance ? '1' : '0', String(VM_FENCE_TTL_MS)];
    const [ok, fence] = (await this.redis.eval(VM_FENCE_SCRIPT, 1, key, ...args)) as [number, number];
    if (ok !== 1)
      throw new AgentError(
        'STALE_JOB',
        `job for generation ${f.generation} of VM ${f.vmId}, which is at generation ${fence} now (deleted or torn down since): nothing more done`,
      );
  }
}
