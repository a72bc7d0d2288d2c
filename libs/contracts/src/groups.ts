import { z } from 'zod';
import { GROUP_ENFORCEMENTS, GROUP_POLICIES, type GroupEnforcement, type GroupPolicy } from './enums';
import { resourceNameSchema } from './values';

/**
 * Affinity groups, as Nova's server groups: VMs that name a group are kept together
 * (AFFINITY) or apart (ANTI_AFFINITY). HARD rules filter hosts with a reason code, SOFT
 * ones only weigh them (docs/placement.md, "Affinity groups").
 */

/** Upper bound on maxPerHost: more than that many members on one host is no anti-affinity any more. */
export const MAX_GROUP_MEMBERS_PER_HOST = 1000;

const groupFields = {
  name: resourceNameSchema,
  policy: z.enum(GROUP_POLICIES),
  enforcement: z.enum(GROUP_ENFORCEMENTS).default('HARD'),
  /** HARD ANTI_AFFINITY only (Nova's max_server_per_host): members one host may hold; 1 when unset. */
  maxPerHost: z.number().int('maxPerHost must be an integer').min(1).max(MAX_GROUP_MEMBERS_PER_HOST).nullable().default(null),
};

/**
 * As Nova: maxPerHost is a rule of hard anti-affinity only. Affinity has no per-host limit
 * and a soft rule never refuses a host, so a limit there would promise what is not kept.
 */
function maxPerHostRule(g: { policy: GroupPolicy; enforcement: GroupEnforcement; maxPerHost: number | null }, ctx: z.RefinementCtx): void {
  if (g.maxPerHost !== null && (g.policy !== 'ANTI_AFFINITY' || g.enforcement !== 'HARD')) {
    ctx.addIssue({ code: 'custom', path: ['maxPerHost'], message: 'maxPerHost applies to HARD ANTI_AFFINITY groups only' });
  }
}

/** What a caller creates; maxPerHost comes out 1 for hard anti-affinity when unset. */
export const groupInputSchema = z
  .object(groupFields)
  .superRefine(maxPerHostRule)
  .transform((g) => ({ ...g, maxPerHost: g.policy === 'ANTI_AFFINITY' && g.enforcement === 'HARD' ? (g.maxPerHost ?? 1) : null }));
export type GroupInput = z.input<typeof groupInputSchema>;
export type GroupSpec = z.output<typeof groupInputSchema>;

/** A group as placement sees it (FleetSnapshot.groups). */
export const fleetGroupSchema = z.object({
  id: z.string().min(1).max(128),
  name: z.string().min(1),
  policy: z.enum(GROUP_POLICIES),
  enforcement: z.enum(GROUP_ENFORCEMENTS),
  maxPerHost: z.number().int().min(1).nullable(),
});
export type FleetGroup = z.output<typeof fleetGroupSchema>;
