import type { HostReason } from '@netpin/contracts';
import type { Choice, EvalContext, HostEval } from './context';
import { HOST_FILTERS } from './host-filters';
import type { HostRt } from './host-state';
import { assign, dedupe, interfaceOptions } from './interfaces';
import type { PreparedRequest } from './request';
import { onNode } from './single-node';
import { spanNodes } from './span';

export type { Choice, EvalContext, HostEval } from './context';
export { HOST_FILTERS } from './host-filters';

/**
 * Run every filter over one host and, if it passes, pick its best NUMA node.
 * `collectAll` keeps going after the first failure so explain() can list every reason.
 */
export function evaluateHost(ctx: EvalContext, h: HostRt, prep: PreparedRequest, collectAll: boolean): HostEval {
  const reasons: HostReason[] = [];
  for (const f of HOST_FILTERS) {
    const r = f(h, prep);
    if (r) {
      reasons.push(r);
      if (!collectAll) return { ok: false, reasons };
    }
  }
  const opts = interfaceOptions(h, prep, reasons);
  if (opts === null || (reasons.length > 0 && !collectAll)) return { ok: false, reasons: dedupe(reasons) };
  const policy = prep.req.numaPolicy;
  const nicNodes = [
    ...new Set(
      opts
        .flat()
        .map((o) => o.node)
        .filter((n): n is number => n !== null),
    ),
  ].sort((a, b) => a - b);
  const homes = policy === 'REQUIRED' && nicNodes.length > 0 ? nicNodes : h.nodes.map((n) => n.index);
  let best: Choice | null = null;
  const nodeReasons: HostReason[] = [];
  for (const home of homes) {
    const a = assign(ctx, h, opts, home, policy === 'REQUIRED', prep, nodeReasons);
    if (!a) continue;
    const c = onNode(ctx, h, prep, home, a, nicNodes.includes(home) && policy !== 'NONE', nodeReasons);
    if (c && (best === null || better(c, best, ctx))) best = c;
  }
  if (best === null && policy === 'NONE' && h.nodes.length > 1) best = spanNodes(ctx, h, prep, opts, nodeReasons);
  if (best && reasons.length === 0) return { ok: true, choice: best };
  return { ok: false, reasons: dedupe([...reasons, ...(best ? [] : nodeReasons)]) };
}

function better(a: Choice, b: Choice, ctx: EvalContext): boolean {
  if (a.score.total !== b.score.total) return a.score.total > b.score.total;
  // Within a host: best fit (fewest free CPUs left) for PACK, most room for SPREAD, then lower node.
  if (a.homeEff !== b.homeEff) return ctx.opts.strategy === 'PACK' ? a.homeEff < b.homeEff : a.homeEff > b.homeEff;
  return a.home < b.home;
}
