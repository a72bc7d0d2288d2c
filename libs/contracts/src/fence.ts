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

/**
 * VF claims: which VFs of a host netpin has allocated, as the agent sees it under the host
 * lock. One Redis hash per host (vfClaimsKey): field `vf:<pf>/<index>` = the VM id, written by
 * the API's placement inside its transaction (before commit) and removed after the VM's
 * release commits; field `freeze:<pf>` = `<holder>@<expires ms>`, set by a host.configureSriov
 * about to change the PF's VF count. Both sides use one script on the one key, so a VF is
 * never claimed on a PF being reconfigured and a PF is never reconfigured under a claimed VF.
 */
export function vfClaimsKey(prefix: string, hostId: string): string {
  return `${prefix}:netpin:vfclaims:${hostId}`;
}

/** Redis server time in ms, inside a script. */
const NOW_MS = `local t = redis.call('time') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Inside a loop over ARGV[i] = `<pf>/<index>` (after NOW_MS): return 'FROZEN:<pf>' while a
 * configureSriov's freeze on that PF has not expired. The claim scripts share it.
 */
const REFUSE_FROZEN_PF = `  local pf = string.match(ARGV[i], '^(.+)/%d+$')
  local fz = redis.call('hget', KEYS[1], 'freeze:' .. pf)
  if fz then
    local exp = tonumber(string.match(fz, '@(%d+)$'))
    if exp and exp > now then return 'FROZEN:' .. pf end
  end`;

/**
 * API: claim VFs for a VM. ARGV[1] = VM id, ARGV[2..] = `<pf>/<index>`. Returns 'OK', or
 * 'FROZEN:<pf>' (nothing written) while a configureSriov holds that PF.
 */
export const VF_CLAIM_SCRIPT = `${NOW_MS}
for i = 2, #ARGV do
${REFUSE_FROZEN_PF}
end
for i = 2, #ARGV do redis.call('hset', KEYS[1], 'vf:' .. ARGV[i], ARGV[1]) end
return 'OK'`;

/**
 * API: claim VFs for a VM only where no other VM holds them (a create placed outside the
 * placement lock, whose view may be behind). ARGV as VF_CLAIM_SCRIPT. Returns 'OK',
 * 'FROZEN:<pf>' as VF_CLAIM_SCRIPT, or 'TAKEN:<pf>/<index>' (nothing written) when another VM
 * holds one of them.
 */
export const VF_CLAIM_FREE_SCRIPT = `${NOW_MS}
for i = 2, #ARGV do
${REFUSE_FROZEN_PF}
  local holder = redis.call('hget', KEYS[1], 'vf:' .. ARGV[i])
  if holder and holder ~= ARGV[1] then return 'TAKEN:' .. ARGV[i] end
end
for i = 2, #ARGV do redis.call('hset', KEYS[1], 'vf:' .. ARGV[i], ARGV[1]) end
return 'OK'`;

/** API: drop a VM's claims (only fields still naming that VM). ARGV as VF_CLAIM_SCRIPT. Returns how many. */
export const VF_RELEASE_SCRIPT = `
local n = 0
for i = 2, #ARGV do
  if redis.call('hget', KEYS[1], 'vf:' .. ARGV[i]) == ARGV[1] then redis.call('hdel', KEYS[1], 'vf:' .. ARGV[i]) n = n + 1 end
end
return n`;

/**
 * Agent, under the host lock: the claimed VFs of PF ARGV[1] with an index below ARGV[2]
 * (`<index>=<vmId>` each). When there are none and ARGV[3] is given, freezes the PF for
 * ARGV[3] (`<holder>@<expires ms>`, expiry = now + ARGV[4] ms) in the same step.
 */
export const VF_FREEZE_SCRIPT = `${NOW_MS}
local held = {}
local all = redis.call('hgetall', KEYS[1])
for i = 1, #all, 2 do
  local pf, idx = string.match(all[i], '^vf:(.+)/(%d+)$')
  if pf == ARGV[1] and tonumber(idx) < tonumber(ARGV[2]) then table.insert(held, idx .. '=' .. all[i + 1]) end
end
if #held == 0 and ARGV[3] and ARGV[3] ~= '' then
  redis.call('hset', KEYS[1], 'freeze:' .. ARGV[1], ARGV[3] .. '@' .. tostring(now + tonumber(ARGV[4])))
end
return held`;

/** Agent: lift its freeze of PF ARGV[1] (only if ARGV[2], its holder, still holds it). */
export const VF_THAW_SCRIPT = `
local v = redis.call('hget', KEYS[1], 'freeze:' .. ARGV[1])
if v and string.match(v, '^(.*)@%d+$') == ARGV[2] then return redis.call('hdel', KEYS[1], 'freeze:' .. ARGV[1]) end
return 0`;
