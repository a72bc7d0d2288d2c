import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { HostLocks } from './host-lock';
import { REDIS_URL } from './testing/harness';

describe('HostLocks on real Redis', () => {
  const redis = new Redis(REDIS_URL);
  const prefix = `netpin-locktest-${process.pid}-${Date.now()}`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('lets one holder in, and only that holder release', async () => {
    const locks = new HostLocks(redis, prefix, 2000);
    const a = await locks.tryAcquire('hv1', 'a');
    expect(a).not.toBeNull();
    expect(await locks.tryAcquire('hv1', 'b')).toBeNull();
    expect(await locks.tryAcquire('hv2', 'b')).not.toBeNull();
    await a?.release();
    expect(await locks.holder('hv1')).toBeNull();
    expect(await locks.tryAcquire('hv1', 'b')).not.toBeNull();
  });

  it('does not free a lock that expired and was taken by someone else', async () => {
    const short = new HostLocks(redis, prefix, 1000);
    const a = await short.tryAcquire('hv3', 'a');
    expect(a).not.toBeNull();
    // Simulate a stalled holder whose TTL ran out: the key is gone and b takes it.
    await redis.del(short.key('hv3'));
    const b = await short.tryAcquire('hv3', 'b');
    await a?.release();
    expect(await short.holder('hv3')).toMatch(/^b#\d+$/);
    await b?.release();
  });

  it('keeps renewing while held', async () => {
    const locks = new HostLocks(redis, prefix, 1000);
    const a = await locks.tryAcquire('hv4', 'a');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await locks.holder('hv4')).toMatch(/^a#\d+$/);
    expect(a?.valid).toBe(true);
    await a?.check();
    await a?.release();
  });

  it('check() fails with LOCK_LOST once the lock expired or another holder took it', async () => {
    const locks = new HostLocks(redis, prefix, 1000);
    const a = await locks.tryAcquire('hv5', 'a');
    await a?.check();
    await redis.set(locks.key('hv5'), 'b#1000000', 'PX', 5000);
    await expect(a?.check()).rejects.toMatchObject({ code: 'LOCK_LOST' });
    expect(a?.valid).toBe(false);
    await redis.del(locks.key('hv5'));
    await expect(a?.check(), 'gone altogether').rejects.toMatchObject({ code: 'LOCK_LOST' });
    await a?.release();
    const b = await locks.tryAcquire('hv5', 'b');
    expect(b?.fencingToken).toBeGreaterThan(a?.fencingToken ?? Infinity);
    await b?.release();
  });
});
