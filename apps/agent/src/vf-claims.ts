import { VF_FREEZE_SCRIPT, VF_THAW_SCRIPT, vfClaimsKey } from '@netpin/contracts';
import type { RedisClient } from '@netpin/db';

/** A VF netpin has allocated to a VM (the API's claim). */
export interface VfClaim {
  index: number;
  vmId: string;
}

/**
 * The VFs netpin has allocated on one host, as current at the moment of asking (the API's
 * claims in Redis, written before its placement commits), for host.configureSriov under the
 * host lock.
 */
export interface HostVfClaims {
  /** Claimed VFs of a PF with an index below `below`; with none, the PF is frozen for this job (no claim can be added). */
  heldOrFreeze(pf: string, below: number): Promise<VfClaim[]>;
  /** Claimed VF indexes of a PF. */
  held(pf: string): Promise<Set<number>>;
  /** Lift this job's freeze of a PF (no-op when it holds none). */
  thaw(pf: string): Promise<void>;
}

/** How long a freeze outlives an agent that died holding it. */
const FREEZE_TTL_MS = 120_000;

export class VfClaimsReader {
  constructor(
    private readonly redis: RedisClient,
    private readonly queuePrefix: string,
  ) {}

  forHost(hostId: string, holder: string): HostVfClaims {
    const key = vfClaimsKey(this.queuePrefix, hostId);
    const read = async (pf: string, below: number, freeze: boolean): Promise<VfClaim[]> => {
      const args = [pf, String(below), freeze ? holder : '', String(FREEZE_TTL_MS)];
      const rows = (await this.redis.eval(VF_FREEZE_SCRIPT, 1, key, ...args)) as string[];
      return rows.map((r) => {
        const [index, vmId] = r.split('=');
        return { index: Number(index), vmId };
      });
    };
    return {
      heldOrFreeze: (pf, below) => read(pf, below, true),
      held: async (pf) => new Set((await read(pf, Number.MAX_SAFE_INTEGER, false)).map((c) => c.index)),
      thaw: async (pf) => {
        await this.redis.eval(VF_THAW_SCRIPT, 1, key, pf, holder);
      },
    };
  }
}
