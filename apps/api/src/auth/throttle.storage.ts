import { Logger } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { createHash } from 'node:crypto';
import type { RedisClient } from '@netpin/db';
import type { Redis } from 'ioredis';

type Increment = Awaited<ReturnType<ThrottlerStorageRedisService['increment']>>;

/**
 * The rate-limit counters in Redis, so every API process spends from one budget per token.
 * Keys live under the deployment's NETPIN_QUEUE_PREFIX (test runs and installations sharing
 * a Redis do not count each other's requests). The Redis client is the app's shared one
 * (DbModule closes it on shutdown). When Redis does not answer the request is let through
 * and a warning logged: the limit protects the API, it must not take reads down with Redis.
 *
 * The counting script is the library's; it is run by its SHA-1 (EVALSHA), and sent whole
 * (EVAL) only when Redis does not know it yet (NOSCRIPT: first use, restart, SCRIPT FLUSH),
 * instead of sending and hashing ~900 bytes of Lua on every request.
 */
export class RedisThrottlerStorage extends ThrottlerStorageRedisService {
  private readonly logger = new Logger('throttle');
  private readonly sha: string;
  private lastWarning = 0;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
  ) {
    // the library takes either client (its constructor overloads name them one by one)
    super(redis as Redis);
    this.sha = createHash('sha1').update(this.scriptSrc).digest('hex');
  }

  override async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<Increment> {
    const base = `{${this.prefix}:throttle:${key}:${throttlerName}}`;
    try {
      return toIncrement(await this.run([`${base}:hits`, `${base}:blocked`], [throttlerName, ttl, limit, blockDuration]));
    } catch (e) {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn({ err: e }, 'rate-limit counters unavailable (Redis): requests are not limited until it answers');
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  private async run(keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.call('evalsha', this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!String((e as Error)?.message).startsWith('NOSCRIPT')) throw e;
      return this.redis.call('eval', this.scriptSrc, keys.length, ...keys, ...args);
    }
  }
}

/** The script's answer { totalHits, timeToExpire ms, isBlocked 0|1, timeToBlockExpire ms }, times in seconds. */
function toIncrement(results: unknown): Increment {
  if (!Array.isArray(results) || results.length !== 4 || !results.every((v) => typeof v === 'number')) {
    throw new TypeError(`unexpected rate-limit script answer: ${JSON.stringify(results)}`);
  }
  const [totalHits, timeToExpire, isBlocked, timeToBlockExpire] = results as number[];
  return {
    totalHits,
    timeToExpire: Math.ceil(timeToExpire / 1000),
    isBlocked: isBlocked === 1,
    timeToBlockExpire: Math.ceil(timeToBlockExpire / 1000),
  };
}
