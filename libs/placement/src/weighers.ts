import type { PlanScore } from '@netpin/contracts';
import type { Choice, EvalContext, ScoreParts } from './context';
import { groupWeight, groupWeightBound } from './groups';
import type { HostRt } from './host-state';
import type { PreparedRequest } from './request';

/**
 * Weighers: pure functions giving an integer per candidate; the score is their weighted
 * sum. Integers keep ties exact, which the search's early stop relies on. Each weigher
 * also states an upper bound for a packing bucket, so hosts that cannot win are skipped.
 */

/** Free CPUs of a host as dedicated placement sees them: the packing key and bucket index. */
export function hostKey(h: HostRt, ratio: number): number {
  let k = 0;
  for (const n of h.nodes) k += Math.max(0, h.effFree(n, ratio));
  return k;
}

interface Weigher {
  name: keyof Omit<ScoreParts, 'total'>;
  value(ctx: EvalContext, prep: PreparedRequest, c: Choice, key: number): number;
  bound(ctx: EvalContext, prep: PreparedRequest, key: number): number;
}

/** Sum of datapath ranks: faster datapaths win first (section 2's conclusion). */
const datapathWeigher: Weigher = {
  name: 'datapath',
  value: (_ctx, _prep, c) => c.assignment.datapathScore,
  bound: (_ctx, prep) => prep.idealDatapath,
};

/** PREFERRED: minus (1 + datapath rank) per interface whose NIC is off the home node. */
const numaWeigher: Weigher = {
  name: 'numa',
  value: (_ctx, prep, c) => (prep.req.numaPolicy === 'PREFERRED' ? -c.assignment.remote : 0),
  bound: () => 0,
};

/** Soft affinity groups: members on the host count for affinity, against anti-affinity. */
const groupWeigher: Weigher = {
  name: 'group',
  value: (_ctx, prep, c) => groupWeight(c.host, prep.group),
  bound: (_ctx, prep) => groupWeightBound(prep.group),
};

/** PACK: fuller hosts first (keeps whole hosts free for big VMs); SPREAD: the reverse. */
const packingWeigher: Weigher = {
  name: 'packing',
  value: (ctx, _prep, _c, key) => packing(ctx, key),
  bound: (ctx, _prep, key) => packing(ctx, key),
};

function packing(ctx: EvalContext, key: number): number {
  return ctx.opts.strategy === 'PACK' ? ctx.maxKey - key : key;
}

export const WEIGHERS: readonly Weigher[] = [datapathWeigher, numaWeigher, groupWeigher, packingWeigher];

export function scoreChoice(ctx: EvalContext, prep: PreparedRequest, c: Choice, key: number): ScoreParts {
  const parts: ScoreParts = { datapath: 0, numa: 0, group: 0, packing: 0, total: 0 };
  for (const w of WEIGHERS) {
    const v = w.value(ctx, prep, c, key);
    parts[w.name] = v;
    parts.total += v * ctx.opts.weights[w.name];
  }
  return parts;
}

/** The choice with its score filled in. */
export function withScore(ctx: EvalContext, prep: PreparedRequest, c: Choice): Choice {
  c.score = scoreChoice(ctx, prep, c, hostKey(c.host, ctx.opts.sharedCpuRatio));
  return c;
}

/** Highest total any host in bucket `key` could reach. */
export function scoreBound(ctx: EvalContext, prep: PreparedRequest, key: number): number {
  let t = 0;
  for (const w of WEIGHERS) t += w.bound(ctx, prep, key) * ctx.opts.weights[w.name];
  return t;
}

export function scoreBreakdown(ctx: EvalContext, s: ScoreParts): PlanScore {
  return {
    total: s.total,
    breakdown: WEIGHERS.map((w) => ({
      weigher: w.name,
      value: s[w.name],
      weight: ctx.opts.weights[w.name],
      weighted: s[w.name] * ctx.opts.weights[w.name],
    })),
  };
}
