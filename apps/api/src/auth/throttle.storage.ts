import { Logger } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { Redis } from 'ioredis';

type Increment = Awaited<ReturnType<ThrottlerStorageRedisService['increment']>>;

/**
 * The rate-limit counters in Redis, so every API process spends from one budget per token.
 * Keys live under the deployment's NETPIN_QUEUE_PREFIX (test runs and installations sharing
 * a Redis do not count each other's requests). The Redis client is the app's shared one
 * (DbModule closes it on shutdown). When Redis does not answer the request is let through
 * and a warning logged: the limit protects the API, it must not take reads down with Redis.
 */
export class RedisThrottlerStorage extends ThrottlerStorageRedisService {
  private readonly logger = new Logger('throttle');
  private lastWarning = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    super(redis);
  }

  override async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<Increment> {
    try {
      return await super.increment(`${this.prefix}:throttle:${key}`, ttl, limit, blockDuration, throttlerName);
    } catch (e) {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn({ err: e }, 'rate-limit counters unavailable (Redis): requests are not limited until it answers');
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
