import { z } from 'zod';

import { DRAIN_STRATEGIES } from './enums';

export { DRAIN_STRATEGIES, type DrainStrategy } from './enums';

export const DRAIN_MAX_PARALLEL = 32;

export const drainHostInputSchema = z.object({
  strategy: z.enum(DRAIN_STRATEGIES).default('LIVE_MIGRATE_IF_POSSIBLE'),
  maxParallel: z.number().int().min(1).max(DRAIN_MAX_PARALLEL).default(4),
});
export type DrainHostInput = z.output<typeof drainHostInputSchema>;

/**
 * What happened to one VM of a drain. PENDING: not started; MOVING: its operation runs;
 * MOVED / STOPPED: done; FAILED: its operation failed or was refused (code, reason); SKIPPED:
 * nothing to do for it (a VM already stopped under STOP, or one not RUNNING under a migration).
 */
export const DRAIN_OUTCOMES = ['PENDING', 'MOVING', 'MOVED', 'STOPPED', 'FAILED', 'SKIPPED'] as const;
export type DrainOutcome = (typeof DRAIN_OUTCOMES)[number];

export const drainItemSchema = z.object({
  vmId: z.string(),
  vmName: z.string(),
  outcome: z.enum(DRAIN_OUTCOMES),
  /** LIVE, COLD or STOP once the VM's operation has started. */
  action: z.enum(['LIVE', 'COLD', 'STOP']).nullable().default(null),
  operationId: z.string().nullable().default(null),
  code: z.string().nullable().default(null),
  reason: z.string().nullable().default(null),
});
export type DrainItem = z.output<typeof drainItemSchema>;

/** The stored result of a host.drain operation (Operation.result), parsed where it is read. */
export const drainResultSchema = z.object({
  strategy: z.enum(DRAIN_STRATEGIES),
  maxParallel: z.number().int().min(1),
  items: z.array(drainItemSchema),
});
export type DrainResult = z.output<typeof drainResultSchema>;

export const DRAIN_KIND = 'host.drain';
