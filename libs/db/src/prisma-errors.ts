import { ConflictError, DomainError, NotFoundError } from '@netpin/contracts';
import { Prisma } from './generated/prisma/client';

/** Name of the violated unique constraint, e.g. "Host_name_key" (toolchain notes: it sits in the adapter error). */
export function uniqueConstraintOf(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return null;
  const meta = error.meta as
    { driverAdapterError?: { cause?: { constraint?: { index?: string; fields?: string[] } } }; target?: unknown } | undefined;
  const c = meta?.driverAdapterError?.cause?.constraint;
  if (c?.index) return c.index;
  if (Array.isArray(meta?.target)) return meta.target.join(',');
  return typeof meta?.target === 'string' ? meta.target : 'unknown';
}

export function isUniqueViolation(error: unknown): boolean {
  return uniqueConstraintOf(error) !== null;
}

/**
 * Map Prisma errors that mean "your input clashes with the data" onto domain errors;
 * everything else propagates unchanged (a real 500).
 */
export function mapPrismaError(error: unknown, resource: string, key: string): never {
  if (error instanceof DomainError) throw error;
  const constraint = uniqueConstraintOf(error);
  if (constraint) throw new ConflictError(`${resource} ${key} already exists`, { constraint });
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') throw new NotFoundError(resource, key);
  throw error;
}
