import type { PlacementPlan, ReasonCode } from '@netpin/contracts';
import type { PlacementResult } from '../engine';

/** The plan of a successful placement; fails loudly with the rejection message otherwise. */
export function planOf(r: PlacementResult): PlacementPlan {
  if (!r.ok) throw new Error(`expected a placement, got a rejection: ${r.rejection.message}`);
  return r.plan;
}

/** Reason codes of a rejection (fails loudly if the VM was placed). */
export function reasonsOf(r: PlacementResult): ReasonCode[] {
  if (r.ok) throw new Error(`expected a rejection, got a placement on ${r.plan.hostName}`);
  return r.rejection.summary.map((s) => s.code);
}
