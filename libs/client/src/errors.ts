import type { OperationFieldsFragment } from './generated/graphql';

/** An operation as every document of the client selects it (OperationFields). */
export type Operation = OperationFieldsFragment;

/**
 * HTTP status each API error code stands for (the API's error mapper uses the same table).
 * GraphQL answers errors with HTTP 200, so `NetpinApiError.status` is taken from here.
 */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  GRAPHQL_PARSE_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FAILED_PRECONDITION: 409,
  PAYLOAD_TOO_LARGE: 413,
  PLACEMENT_REJECTED: 422,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  UNAVAILABLE: 503,
};

/** Base of every error the client throws; `code` is stable and meant for programs. */
export class NetpinError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface RawGraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: unknown; field?: unknown; [k: string]: unknown };
}

/** One reason code of a placement rejection: how many hosts it stopped, examples. */
export interface RejectionSummaryEntry {
  code: string;
  hosts: number;
  examples: string[];
}

export interface PlacementRejectionDetails {
  summary: RejectionSummaryEntry[];
  requestReasons: { code: string; detail: string }[];
}

/**
 * The API refused a request (or could not be reached). `code` is the GraphQL
 * `extensions.code` (BAD_USER_INPUT, NOT_FOUND, CONFLICT, PLACEMENT_REJECTED, ...), or
 * UNREACHABLE / BAD_RESPONSE when no GraphQL answer came back; `field` names the input at
 * fault for BAD_USER_INPUT; `details` holds the other extensions (e.g. `summary` of a
 * placement rejection).
 */
export class NetpinApiError extends NetpinError {
  readonly field: string | undefined;
  readonly status: number | undefined;
  readonly details: Record<string, unknown>;
  readonly errors: readonly RawGraphQLError[];

  constructor(
    message: string,
    opts: { code: string; field?: string; status?: number; details?: Record<string, unknown>; errors?: readonly RawGraphQLError[] },
  ) {
    super(message, opts.code);
    this.field = opts.field;
    this.status = opts.status;
    this.details = opts.details ?? {};
    this.errors = opts.errors ?? [];
  }

  /** Map a GraphQL `errors` array; the first error decides code, field and message. */
  static fromGraphQLErrors(errors: readonly RawGraphQLError[], httpStatus?: number): NetpinApiError {
    const first = errors[0];
    const { code: rawCode, field: rawField, ...details } = first?.extensions ?? {};
    const code = typeof rawCode === 'string' ? rawCode : 'INTERNAL_SERVER_ERROR';
    return new NetpinApiError(first?.message ?? 'unknown GraphQL error', {
      code,
      field: typeof rawField === 'string' && rawField !== '' ? rawField : undefined,
      status: ERROR_STATUS[code] ?? (httpStatus !== undefined && httpStatus !== 200 ? httpStatus : undefined),
      details,
      errors,
    });
  }

  /** Reason counts and request-level reasons when `code` is PLACEMENT_REJECTED. */
  get rejection(): PlacementRejectionDetails | undefined {
    if (this.code !== 'PLACEMENT_REJECTED') return undefined;
    const summary = Array.isArray(this.details.summary) ? (this.details.summary as RejectionSummaryEntry[]) : [];
    const requestReasons = Array.isArray(this.details.requestReasons)
      ? (this.details.requestReasons as PlacementRejectionDetails['requestReasons'])
      : [];
    return { summary, requestReasons };
  }
}

/** An operation ended FAILED: its error code, message and the failing command's stderr. */
export class OperationFailedError extends NetpinError {
  readonly stderr: string | null;

  constructor(readonly operation: Operation) {
    super(operation.errorMessage ?? `operation ${operation.id} (${operation.kind}) failed`, operation.errorCode ?? 'OPERATION_FAILED');
    this.stderr = operation.errorStderr;
  }
}

/** waitForOperation gave up; `operation` is the last state seen (if any). */
export class OperationTimeoutError extends NetpinError {
  constructor(
    readonly operationId: string,
    readonly timeoutMs: number,
    readonly operation: Operation | undefined,
  ) {
    super(
      `operation ${operationId} not finished after ${timeoutMs} ms${operation ? ` (still ${operation.state}, ${operation.progress}%${operation.step ? `, ${operation.step}` : ''})` : ''}`,
      'TIMEOUT',
    );
  }
}
