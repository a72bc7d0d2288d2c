import { z } from 'zod';

/**
 * The arguments of a list query. GraphQL clients say "any" by sending null (a select's
 * empty option, a variable left unset), so a null member means the same as an absent one
 * here, whatever the transport. Other values are checked as usual.
 */
export function listArgsSchema<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((value) => (isPlainObject(value) ? withoutNulls(value) : value), z.object(shape));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function withoutNulls(v: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null));
}
