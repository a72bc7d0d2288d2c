import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisThrottlerStorage } from './throttle.storage';

// never connects: commands either go to the stub below or fail at once
const offline = () => new Redis({ lazyConnect: true, port: 1, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
const clients: Redis[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.disconnect()));

/** A Redis that knows a script only after it was sent once with EVAL (as after a restart). */
function scriptedRedis(): { redis: Redis; calls: unknown[][] } {
  const redis = offline();
  clients.push(redis);
  const calls: unknown[][] = [];
  const known = new Set<string>();
  redis.call = (async (...args: unknown[]) => {
    calls.push(args);
    if (args[0] === 'evalsha' && !known.has(String(args[1]))) throw new Error('NOSCRIPT No matching script. Please use EVAL.');
    if (args[0] === 'eval') known.add(createHash('sha1').update(String(args[1])).digest('hex'));
    return [3, 59_000, 0, 0];
  }) as unknown as Redis['call'];
  return { redis, calls };
}

describe('rate-limit counters in Redis', () => {
  it('keep their keys under the deployment prefix', async () => {
    const { redis, calls } = scriptedRedis();
    const r = await new RedisThrottlerStorage(redis, 'np-prod').increment('per-minute:t:abc', 60_000, 5, 60_000, 'per-minute');
    expect(r).toEqual({ totalHits: 3, timeToExpire: 59, isBlocked: false, timeToBlockExpire: 0 });
    for (const c of calls) {
      expect(c.slice(2, 8)).toEqual([
        2,
        '{np-prod:throttle:per-minute:t:abc:per-minute}:hits',
        '{np-prod:throttle:per-minute:t:abc:per-minute}:blocked',
        'per-minute',
        60_000,
        5,
      ]);
    }
  });

  it('send the script once: EVALSHA, and EVAL only when Redis does not know it', async () => {
    const { redis, calls } = scriptedRedis();
    const storage = new RedisThrottlerStorage(redis, 'np');
    for (let i = 0; i < 3; i++) await storage.increment('k', 60_000, 5, 60_000, 'per-minute');
    expect(calls.map((c) => c[0])).toEqual(['evalsha', 'eval', 'evalsha', 'evalsha']);
    expect(new Set(calls.filter((c) => c[0] === 'evalsha').map((c) => c[1])).size).toBe(1);
  });

  it('let requests through when Redis does not answer', async () => {
    const redis = offline();
    clients.push(redis);
    const r = await new RedisThrottlerStorage(redis, 'np').increment('k', 60_000, 5, 60_000, 'per-minute');
    expect(r).toMatchObject({ totalHits: 0, isBlocked: false });
  });
});
