/**
 * The error an operation ends with when the reaper took it over: its job stalled past BullMQ's
 * limit, vanished, or made no progress past NETPIN_OPERATION_DEADLINE_MS (its agent died).
 */
export const STALLED_CODE = 'OPERATION_STALLED';

export const stalledError = (message: string): { code: string; message: string } => ({ code: STALLED_CODE, message: `reaper: ${message}` });
