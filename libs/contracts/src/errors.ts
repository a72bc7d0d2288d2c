import type { z } from 'zod';

/**
 * Typed domain errors. Domain code throws these; one mapper at the API edge turns them
 * into GraphQL `extensions.code` and HTTP statuses (apps/api/src/common/error-mapper.ts).
 */
export const DOMAIN_ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'FAILED_PRECONDITION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'PLACEMENT_REJECTED',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'UNAVAILABLE',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export interface FieldIssue {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadUserInputError extends DomainError {
  readonly field: string;
  constructor(
    readonly issues: FieldIssue[],
    message = issues.map((i) => `${i.field}: ${i.message}`).join('; '),
  ) {
    super('BAD_USER_INPUT', message, { field: issues[0]?.field, issues });
    this.field = issues[0]?.field ?? '';
  }

  static of(field: string, message: string): BadUserInputError {
    return new BadUserInputError([{ field, message }]);
  }
}

export class NotFoundError extends DomainError {
  constructor(resource: string, key: string) {
    super('NOT_FOUND', `${resource} ${key} not found`, { resource, key });
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CONFLICT', message, details);
  }
}

/** The request is fine but the installation is not ready for it (e.g. no master key configured). */
export class FailedPreconditionError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('FAILED_PRECONDITION', message, details);
  }
}

/**
 * The request was fine but the API could not serve it now (database connections all busy,
 * a transaction that could not start in time, a deadlock victim): the failed transaction was
 * rolled back and the same request may be sent again after `retryAfterSeconds`.
 */
export class UnavailableError extends DomainError {
  constructor(message: string, retryAfterSeconds = 1) {
    super('UNAVAILABLE', message, { retryable: true, retryAfterSeconds });
  }
}

/** Turn zod issues into field-named input errors ("hosts.0.port"). */
export function toBadUserInput(error: z.ZodError, prefix?: string): BadUserInputError {
  const issues = error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== '').join('.') || (prefix ?? 'input'),
    message: i.message,
  }));
  return new BadUserInputError(issues);
}

/** Parse with a schema or throw BadUserInputError naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw toBadUserInput(r.error, prefix);
  return r.data;
}
