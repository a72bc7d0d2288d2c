import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { VF_CLAIM_FREE_SCRIPT, VF_CLAIM_SCRIPT, VF_RELEASE_SCRIPT, vfClaimsKey } from '@netpin/contracts';
import { REDIS_URL } from './testing/harness';
import { VfClaimsReader } from './vf-claims';

/** The API's claim/release scripts against the agent's freeze, on real Redis. */
describe('VF claims and configureSriov freezes', () => {
  const redis = new Redis(REDIS_URL);
  const prefix = `netpin-vfclaims-${process.pid}-${Date.now()}`;
  const key = vfClaimsKey(prefix, 'hv1');
  const claim = (vmId: string, ...vfs: string[]) => redis.eval(VF_CLAIM_SCRIPT, 1, key, vmId, ...vfs);
  const release = (vmId: string, ...vfs: string[]) => redis.eval(VF_RELEASE_SCRIPT, 1, key, vmId, ...vfs);
  afterAll(async () => {
    await redis.del(key);
    await redis.quit();
  });

  it('a claimed VF below the count blocks the freeze; a PF without one is frozen and refuses claims until thawed', async () => {
    const reader = new VfClaimsReader(redis, prefix);
    const job = reader.forHost('hv1', 'agent:job-1');
    expect(await claim('vm-a', 'ens1f0/2')).toBe('OK');
    expect(await job.heldOrFreeze('ens1f0', 4)).toEqual([{ index: 2, vmId: 'vm-a' }]);
    // a change from 2 VFs destroys VFs 0 and 1 only: VF 2 does not count
    expect(await job.heldOrFreeze('ens1f0', 2)).toEqual([]);
    // that call froze ens1f0: a placement cannot claim a VF there now
    expect(await claim('vm-b', 'ens1f0/0')).toBe('FROZEN:ens1f0');
    expect(await claim('vm-b', 'ens1f1/0'), 'another PF is free').toBe('OK');
    await reader.forHost('hv1', 'agent:job-2').thaw('ens1f0');
    expect(await claim('vm-c', 'ens1f0/1'), 'only the freezing job thaws').toBe('FROZEN:ens1f0');
    await job.thaw('ens1f0');
    expect(await claim('vm-c', 'ens1f0/1')).toBe('OK');
    expect([...(await job.held('ens1f0'))].sort()).toEqual([1, 2]);
    expect(await release('vm-other', 'ens1f0/1'), 'a release names its VM').toBe(0);
    expect(await release('vm-c', 'ens1f0/1')).toBe(1);
    expect([...(await job.held('ens1f0'))]).toEqual([2]);
  });

  it("a claim made outside the placement lock never takes over another VM's VF, and writes nothing when it cannot", async () => {
    const claimFree = (vmId: string, ...vfs: string[]) => redis.eval(VF_CLAIM_FREE_SCRIPT, 1, key, vmId, ...vfs);
    expect(await claim('vm-x', 'ens3f0/0')).toBe('OK');
    expect(await claimFree('vm-y', 'ens3f0/1', 'ens3f0/0')).toBe('TAKEN:ens3f0/0');
    expect(await redis.hget(key, 'vf:ens3f0/1'), 'nothing claimed').toBeNull();
    expect(await redis.hget(key, 'vf:ens3f0/0')).toBe('vm-x');
    expect(await claimFree('vm-x', 'ens3f0/0', 'ens3f0/2'), 'its own claim again').toBe('OK');
    expect(await redis.hget(key, 'vf:ens3f0/2')).toBe('vm-x');
    await redis.hset(key, 'freeze:ens3f1', `agent:job@${Date.now() + 60_000}`);
    expect(await claimFree('vm-y', 'ens3f1/0')).toBe('FROZEN:ens3f1');
    await redis.hdel(key, 'freeze:ens3f1');
    expect(await claimFree('vm-y', 'ens3f1/0')).toBe('OK');
  });

  it('a freeze left by a dead agent expires', async () => {
    await redis.hset(key, 'freeze:ens2f0', `dead-agent:job@${Date.now() - 1}`);
    expect(await claim('vm-d', 'ens2f0/0')).toBe('OK');
  });
});
