import { ConflictError, DomainError, NotFoundError, UnavailableError } from '@netpin/contracts';
import { DatabaseError } from 'pg';
import { Prisma } from './generated/prisma/client';

type AdapterCause = { kind?: string; originalCode?: string; constraint?: { index?: string; fields?: string[] } };

/**
 * The SQLSTATE of a failed statement, through plain pg (SqlReader) or Prisma's raw queries
 * (the adapter keeps it as originalCode); null for anything else.
 */
export function sqlStateOf(error: unknown): string | null {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return adapterCause(error)?.originalCode ?? null;
  return error instanceof DatabaseError ? (error.code ?? null) : null;
}

/** The pg adapter's description of a failed statement (Prisma keeps it in the error's meta). */
function adapterCause(error: Prisma.PrismaClientKnownRequestError): AdapterCause | undefined {
  return (error.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined)?.driverAdapterError?.cause;
}

/**
 * A failed raw statement ($queryRaw, e.g. a SQL function's INSERT) is P2010 whatever the cause;
 * the adapter's kind says what a Prisma call would have answered (P2002 unique, P2034 conflict).
 */
function rawAs(error: Prisma.PrismaClientKnownRequestError): string {
  if (error.code !== 'P2010') return error.code;
  const kind = adapterCause(error)?.kind;
  return kind === 'UniqueConstraintViolation' ? 'P2002' : kind === 'TransactionWriteConflict' ? 'P2034' : error.code;
}

/** Name of the violated unique constraint, e.g. "Host_name_key" (toolchain notes: it sits in the adapter error). */
export function uniqueConstraintOf(error: unknown): string | null {
  // the same statement through plain pg (SqlReader): SQLSTATE 23505 names its constraint itself
  if (error instanceof DatabaseError) return error.code === '23505' ? (error.constraint ?? 'unknown') : null;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || rawAs(error) !== 'P2002') return null;
  const c = adapterCause(error)?.constraint;
  if (c?.index) return c.index;
  const target = (error.meta as { target?: unknown } | undefined)?.target;
  if (Array.isArray(target)) return target.join(',');
  return typeof target === 'string' ? target : 'unknown';
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

/**
 * Prisma codes that mean "the database was busy, the transaction was rolled back, try again": P2024 no pool
 * connection in time, P2028 a transaction could not start in time (maxWait) or ran past its
 * timeout and was rolled back, P2034 a write conflict or deadlock victim (rolled back).
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set(['P2024', 'P2028', 'P2034']);

/** SQLSTATEs of a rolled-back statement worth retrying as it is: serialization failure, deadlock victim. */
const TRANSIENT_SQLSTATES: ReadonlySet<string> = new Set(['40001', '40P01']);

export function isTransientDbError(error: unknown): boolean {
  if (error instanceof DatabaseError) return TRANSIENT_SQLSTATES.has(error.code ?? '');
  return error instanceof Prisma.PrismaClientKnownRequestError && TRANSIENT_CODES.has(rawAs(error));
}

/** A transient database error as the typed, retryable UNAVAILABLE; null for anything else. */
export function transientDbError(error: unknown): UnavailableError | null {
  if (!isTransientDbError(error)) return null;
  const code = error instanceof DatabaseError ? 'P2034' : rawAs(error as Prisma.PrismaClientKnownRequestError);
  return new UnavailableError(code === 'P2034' ? 'the database refused a conflicting write; retry' : 'the database is busy; retry');
}
