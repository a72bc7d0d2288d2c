import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@netpin/contracts';
import { API_CONFIG, type ApiConfig } from '../config';
import { REDIS } from '../db/db.module';
import type { RedisClient } from '@netpin/db';

const WINDOW_MS = 60_000;

/**
 * Failed token verifications per client address and minute, in Redis (one count across API
 * processes). An address at NETPIN_AUTH_FAILURES_PER_MINUTE gets RATE_LIMITED before its
 * token is looked up or hashed, so guessing costs the API a bounded number of scrypt runs.
 * When Redis does not answer, verification goes on (as the request rate limit does).
 */
@Injectable()
export class AuthFailures {
  private readonly logger = new Logger('auth-failures');

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  private key(address: string): string {
    return `${this.config.NETPIN_QUEUE_PREFIX}:authfail:${address}`;
  }

  /** Throws RATE_LIMITED when the address has used up its failures for this minute. */
  async assertBelowLimit(address: string): Promise<void> {
    const [count, ttl] = await Promise.all([this.redis.get(this.key(address)), this.redis.pttl(this.key(address))]).catch(
      (e: unknown): [null, number] => {
        this.logger.warn({ err: e }, 'failure counters unavailable (Redis)');
        return [null, 0];
      },
    );
    const limit = this.config.NETPIN_AUTH_FAILURES_PER_MINUTE;
    if (Number(count ?? 0) >= limit)
      throw new DomainError('RATE_LIMITED', `too many failed authentications from this address (${limit} a minute); retry later`, {
        retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)),
      });
  }

  async record(address: string): Promise<void> {
    const key = this.key(address);
    await this.redis
      .multi()
      .set(key, '0', 'PX', WINDOW_MS, 'NX')
      .incr(key)
      .exec()
      .catch((e: unknown) => this.logger.warn({ err: e }, 'could not count a failed authentication'));
  }
}
