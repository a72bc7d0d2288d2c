import { z } from 'zod';
import { MAX_SHUTDOWN_TIMEOUT_SECONDS } from './jobs';

/** How long stopVm waits for the guest to power off after the ACPI request, unless told. */
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 60;

/**
 * stopVm's input: a graceful shutdown with a timeout (then a forced power-off), and
 * whether the stopped VM gives back its CPUs, VFs and host settings (`release`; starting
 * it again then places it anew).
 */
export const stopVmInputSchema = z.object({
  release: z.boolean().default(false),
  timeoutSeconds: z.number().int().min(0).max(MAX_SHUTDOWN_TIMEOUT_SECONDS).default(DEFAULT_SHUTDOWN_TIMEOUT_SECONDS),
});
export type StopVmInput = z.output<typeof stopVmInputSchema>;
