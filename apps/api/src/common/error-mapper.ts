import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { GqlContextType } from '@nestjs/graphql';
import { DomainError, type DomainErrorCode } from '@netpin/contracts';
import { transientDbError } from '@netpin/db';
import type { Request, Response } from 'express';
import { GraphQLError } from 'graphql';

/** The one table from domain error codes to HTTP statuses. */
const HTTP_STATUS: Record<DomainErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  // before CONFLICT: a bare HTTP 409 maps back to CONFLICT (the later entry wins below)
  FAILED_PRECONDITION: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  PLACEMENT_REJECTED: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

const HTTP_TO_CODE: Record<number, DomainErrorCode> = Object.fromEntries(
  Object.entries(HTTP_STATUS).map(([code, status]) => [status, code as DomainErrorCode]),
);

export interface MappedError {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
}

const KEY_MATERIAL = /PRIVATE KEY|BEGIN OPENSSH|PuTTY-User-Key-File/;

/**
 * Error texts that quote the request (GraphQL variable coercion prints the invalid value,
 * JSON parse errors a snippet) must not echo a private key back: keep only the part of
 * the message that does not quote it.
 */
export function withoutKeyMaterial(message: string): string {
  if (!KEY_MATERIAL.test(message)) return message;
  const tail = message.split('; ').pop() ?? '';
  return `the request was refused (its text is withheld because it quoted key material)${tail && !KEY_MATERIAL.test(tail) ? `: ${tail}` : ''}`;
}

export function mapError(error: unknown): MappedError {
  const m = mapErrorUnredacted(error);
  return { ...m, message: withoutKeyMaterial(m.message) };
}

function mapErrorUnredacted(error: unknown): MappedError {
  // a busy database (no connection or transaction in time, a deadlock victim) is the typed
  // retryable UNAVAILABLE, not an INTERNAL: the failed transaction was rolled back and a retry will do
  error = transientDbError(error) ?? error;
  if (error instanceof DomainError) {
    return { status: HTTP_STATUS[error.code], code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const message = typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? error.message);
    return {
      status,
      code: HTTP_TO_CODE[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST'),
      message: Array.isArray(message) ? message.join('; ') : message,
      details: {},
    };
  }
  // body-parser errors (malformed JSON, too large) carry a status of their own
  const e = error as { status?: number; type?: string; message?: string };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, code: HTTP_TO_CODE[e.status] ?? 'BAD_REQUEST', message: e.message ?? 'bad request', details: {} };
  }
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'internal error', details: {} };
}

export function toGraphQLError(error: unknown): GraphQLError {
  const m = mapError(error);
  return new GraphQLError(m.message, { extensions: { code: m.code, ...m.details } });
}

/** Maps every error leaving a controller or resolver, REST and GraphQL alike. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('errors');

  catch(error: unknown, host: ArgumentsHost): unknown {
    const m = mapError(error);
    if (m.code === 'UNAVAILABLE') this.logger.warn({ err: error }, 'answered UNAVAILABLE (database busy)');
    else if (m.status >= 500) this.logger.error({ err: error }, 'unhandled error');
    if (host.getType<GqlContextType>() === 'graphql') {
      if (error instanceof GraphQLError) return error;
      return toGraphQLError(error);
    }
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request & { id?: string }>();
    if (m.code === 'UNAVAILABLE') res.setHeader('Retry-After', String(m.details.retryAfterSeconds ?? 1));
    res.status(m.status).json({ statusCode: m.status, code: m.code, message: m.message, ...m.details, requestId: req.id });
    return undefined;
  }
}
