import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisThrottlerStorage } from './throttle.storage';

// never connects: commands either go to the stub below or fail at once
const offline = () => new Redis({ lazyConnect: true, port: 1, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
const clients: Redis[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.disconnect()));

describe('rate-limit counters in Redis', () => {
  it('keep their keys under the deployment prefix', async () => {
    const redis = offline();
    clients.push(redis);
    const calls: unknown[][] = [];
    redis.call = (async (...args: unknown[]) => {
      calls.push(args);
      return [3, 59_000, 0, 0];
    }) as unknown as Redis['call'];
    const r = await new RedisThrottlerStorage(redis, 'np-prod').increment('per-minute:t:abc', 60_000, 5, 60_000, 'per-minute');
    expect(r).toEqual({ totalHits: 3, timeToExpire: 59, isBlocked: false, timeToBlockExpire: 0 });
    expect(calls[0].slice(2, 5)).toEqual([
      2,
      '{np-prod:throttle:per-minute:t:abc:per-minute}:hits',
      '{np-prod:throttle:per-minute:t:abc:per-minute}:blocked',
    ]);
  });

  it('let requests through when Redis does not answer', async () => {
    const redis = offline();
    clients.push(redis);
    const r = await new RedisThrottlerStorage(redis, 'np').increment('k', 60_000, 5, 60_000, 'per-minute');
    expect(r).toMatchObject({ totalHits: 0, isBlocked: false });
  });
});
