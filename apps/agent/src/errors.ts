import { cleanHostText, HOST_TEXT_LIMITS, type OperationError, type OperationErrorCode } from '@netpin/contracts';

/**
 * Codes worth another attempt: the host or the network may come back, a lost host lock is
 * taken again (the handlers converge). Everything else is deterministic (bad payload, wrong
 * key, a command the host refuses, a stale job) and fails at once.
 */
const RETRYABLE: ReadonlySet<OperationErrorCode> = new Set<OperationErrorCode>(['SSH_UNREACHABLE', 'TIMEOUT', 'LOCK_LOST']);

/** A failed host operation with a stable code; becomes the result's `error`. */
export class AgentError extends Error {
  readonly command?: string;
  readonly stderr?: string;
  /** The failed result's data (a migration says where its rollback left the VM). */
  readonly data?: unknown;
  /** Never retried whatever the code (a migration already rolled back: running it again is a new decision). */
  readonly final: boolean;

  constructor(
    readonly code: OperationErrorCode,
    message: string,
    details: { command?: string; stderr?: string; cause?: unknown; data?: unknown; final?: boolean } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'AgentError';
    this.command = details.command;
    this.stderr = details.stderr;
    this.data = details.data;
    this.final = details.final ?? false;
  }

  get retryable(): boolean {
    return !this.final && RETRYABLE.has(this.code);
  }

  /** The result's error: host output in it is cleaned of control characters and cut to size. */
  toOperationError(): OperationError {
    return {
      code: this.code,
      message: cleanHostText(this.message, HOST_TEXT_LIMITS.message),
      ...(this.command !== undefined ? { command: cleanHostText(this.command, HOST_TEXT_LIMITS.message) } : {}),
      ...(this.stderr !== undefined ? { stderr: cleanHostText(this.stderr, HOST_TEXT_LIMITS.stderr) } : {}),
    };
  }
}

/** Anything thrown below a handler becomes an AgentError; parse errors from host-ops keep their meaning. */
export function toAgentError(e: unknown): AgentError {
  if (e instanceof AgentError) return e;
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    if (code === 'HOST_OUTPUT_PARSE_ERROR') return new AgentError('PARSE_FAILED', e.message, { cause: e });
    if (code === 'HOST_COMMAND_BAD_ARGUMENT') return new AgentError('BAD_PAYLOAD', e.message, { cause: e });
    if (e.name === 'ValueParseError') return new AgentError('PARSE_FAILED', e.message, { cause: e });
    return new AgentError('INTERNAL', e.message, { cause: e });
  }
  return new AgentError('INTERNAL', String(e));
}
