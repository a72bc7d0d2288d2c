import { AgentError } from './errors';
import type { RedisClient } from '@netpin/db';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface HeldLock {
  /** False once renewal found the lock taken over (TTL ran out): stop mutating. */
  readonly valid: boolean;
  /** Monotonic per host: a later holder always has a larger token. */
  readonly fencingToken: number;
  /**
   * Before each mutating step: the lock key still holds this holder's value and token, or
   * LOCK_LOST (the TTL ran out, a failover lost it, someone else took it).
   */
  check(): Promise<void>;
  release(): Promise<void>;
}

/**
 * One mutating job per host across every agent process: SET NX PX with the holder's value
 * (`<token>#<fencing token>`, the fencing token an INCR per host), renewed while the job
 * runs, checked before each mutating step, released with compare-and-delete so an agent
 * never frees a lock that expired and was taken by someone else.
 */
export class HostLocks {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
    private readonly ttlMs: number,
  ) {}

  key(hostId: string): string {
    return `${this.keyPrefix}:hostlock:${hostId}`;
  }

  /** The per-host counter fencing tokens are drawn from. */
  fenceKey(hostId: string): string {
    return `${this.keyPrefix}:hostlock-fence:${hostId}`;
  }

  /** Null when another holder has the host. */
  async tryAcquire(hostId: string, token: string): Promise<HeldLock | null> {
    const key = this.key(hostId);
    if ((await this.redis.exists(key)) === 1) return null;
    const fencingToken = await this.redis.incr(this.fenceKey(hostId));
    const value = `${token}#${fencingToken}`;
    const ok = await this.redis.set(key, value, 'PX', this.ttlMs, 'NX');
    if (ok !== 'OK') return null;
    return this.held(hostId, value, fencingToken);
  }

  private held(hostId: string, value: string, fencingToken: number): HeldLock {
    const key = this.key(hostId);
    let valid = true;
    let released = false;
    const timer = setInterval(
      () => {
        this.redis.eval(RENEW, 1, key, value, String(this.ttlMs)).then(
          (r) => {
            if (r !== 1) valid = false;
          },
          () => undefined, // a failed renewal is retried on the next tick; the TTL has slack
        );
      },
      Math.max(100, Math.floor(this.ttlMs / 3)),
    );
    timer.unref();
    const lost = (holder: string | null) =>
      new AgentError(
        'LOCK_LOST',
        `host lock of ${hostId} (fencing token ${fencingToken}) is no longer held: ${holder === null ? 'it expired' : `now held by ${holder}`}; stopped before the next step`,
      );
    return {
      get valid() {
        return valid;
      },
      fencingToken,
      check: async () => {
        if (released) throw lost(null);
        const holder = await this.redis.get(key);
        if (holder !== value) {
          valid = false;
          throw lost(holder);
        }
      },
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        await this.redis.eval(RELEASE, 1, key, value);
      },
    };
  }

  async holder(hostId: string): Promise<string | null> {
    return this.redis.get(this.key(hostId));
  }
}
