import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface HeldLock {
  /** False once renewal found the lock taken over (TTL ran out): stop mutating. */
  readonly valid: boolean;
  release(): Promise<void>;
}

/**
 * One mutating job per host across every agent process: SET NX PX with a token, renewed
 * while the job runs, released with compare-and-delete so an agent never frees a lock
 * that expired and was taken by someone else.
 */
export class HostLocks {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly ttlMs: number,
  ) {}

  key(hostId: string): string {
    return `${this.keyPrefix}:hostlock:${hostId}`;
  }

  /** Null when another holder has the host. */
  async tryAcquire(hostId: string, token: string): Promise<HeldLock | null> {
    const key = this.key(hostId);
    const ok = await this.redis.set(key, token, 'PX', this.ttlMs, 'NX');
    if (ok !== 'OK') return null;
    let valid = true;
    let released = false;
    const timer = setInterval(
      () => {
        this.redis.eval(RENEW, 1, key, token, String(this.ttlMs)).then(
          (r) => {
            if (r !== 1) valid = false;
          },
          () => undefined, // a failed renewal is retried on the next tick; the TTL has slack
        );
      },
      Math.max(100, Math.floor(this.ttlMs / 3)),
    );
    timer.unref();
    return {
      get valid() {
        return valid;
      },
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        await this.redis.eval(RELEASE, 1, key, token);
      },
    };
  }

  async holder(hostId: string): Promise<string | null> {
    return this.redis.get(this.key(hostId));
  }
}
