/**
 * VM fencing, shared by the API (raises a VM's fence on delete) and the agent (checks it, and
 * raises it for a teardown, under the host lock before each step). One Redis key per VM
 * (vmFenceKey) holds the highest generation reached. ARGV: generation, '1' to raise, TTL ms.
 * Returns {1, fence} when the generation is current (raised if asked), {0, fence} when the
 * fence is past it: the job is stale.
 */
export const VM_FENCE_SCRIPT = `
local cur = tonumber(redis.call('get', KEYS[1]) or '0')
local gen = tonumber(ARGV[1])
if cur > gen then return {0, cur} end
if ARGV[2] == '1' and cur < gen then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[3]) cur = gen end
return {1, cur}`;

/** A VM's fence key under a BullMQ prefix (NETPIN_QUEUE_PREFIX). */
export function vmFenceKey(prefix: string, vmId: string): string {
  return `${prefix}:netpin:vmgen:${vmId}`;
}

/** How long a VM's fence outlives its last raise: far longer than any job is kept or retried. */
export const VM_FENCE_TTL_MS = 30 * 24 * 3600 * 1000;
