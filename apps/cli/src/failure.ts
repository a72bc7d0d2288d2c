import { NetpinApiError, OperationFailedError, OperationTimeoutError } from '@netpin/client';
import { EXIT, UsageError } from './args';
import { ConfigError, type CliConfig } from './config';
import { formatOperationFailure, formatRejection } from './format';

/** API codes that mean the input was wrong (exit 2) or the request was refused on its merits (exit 1). */
const INPUT_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
]);
const REFUSED_CODES = new Set(['PLACEMENT_REJECTED', 'CONFLICT', 'FAILED_PRECONDITION']);

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof ConfigError) return EXIT.API;
  if (err instanceof OperationFailedError || err instanceof OperationTimeoutError) return EXIT.FAILED;
  if (err instanceof NetpinApiError) {
    if (INPUT_CODES.has(err.code)) return EXIT.USAGE;
    if (REFUSED_CODES.has(err.code)) return EXIT.FAILED;
    return EXIT.API;
  }
  return EXIT.FAILED;
}

export interface FailureReport {
  /** Lines for stderr. */
  text: string;
  /** {"error": ...} for --json on stdout. */
  json: { error: Record<string, unknown> };
}

/**
 * "error: vcpus: must be ≥ 1 (BAD_USER_INPUT)": the server's message, the field at fault
 * and the code, plus what to do for the usual causes (no token, wrong URL, refused config).
 */
export function describeFailure(err: unknown, config: CliConfig | undefined): FailureReport {
  if (err instanceof UsageError) {
    const help = err.command ? `run \`netpin ${err.command.name} --help\` for its options` : 'run `netpin --help` for the commands';
    return { text: `error: ${err.message}\n${help}`, json: { error: { code: 'USAGE', message: err.message } } };
  }
  if (err instanceof ConfigError) return { text: `error: ${err.message}`, json: { error: { code: 'CONFIG', message: err.message } } };
  if (err instanceof OperationFailedError) {
    const op = err.operation;
    return {
      text: [`error: ${op.kind} ${op.id} failed: ${err.message} (${err.code})`, ...formatOperationFailure(op).slice(1)].join('\n'),
      json: { error: { code: err.code, message: err.message, stderr: err.stderr, operation: op } },
    };
  }
  if (err instanceof OperationTimeoutError) {
    return {
      text: `error: ${err.message} (TIMEOUT); it goes on: netpin operations watch ${err.operationId}`,
      json: { error: { code: err.code, message: err.message, operation: err.operation ?? null } },
    };
  }
  if (err instanceof NetpinApiError) {
    const field = err.field && !err.message.startsWith(`${err.field}:`) ? `${err.field}: ` : '';
    const lines = [`error: ${field}${err.message} (${err.code})`];
    const rejection = err.rejection;
    if (rejection) lines.push(formatRejection(rejection));
    const hint = hintFor(err, config);
    if (hint) lines.push(hint);
    return {
      text: lines.join('\n'),
      json: { error: { code: err.code, message: err.message, field: err.field ?? null, status: err.status ?? null, ...err.details } },
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { text: `error: ${message}`, json: { error: { code: 'ERROR', message } } };
}

function hintFor(err: NetpinApiError, config: CliConfig | undefined): string | undefined {
  switch (err.code) {
    case 'UNAUTHENTICATED':
      if (!config || config.tokenSource === 'none')
        return `no API token given: set NETPIN_TOKEN, or put {"token": "..."} in ${config?.configFile ?? '~/.config/netpin/config.json'} (chmod 600)`;
      return `the API refused the token from ${config.tokenSource === 'NETPIN_TOKEN' ? 'NETPIN_TOKEN' : config.configFile}: check it is current (tokens are minted with createApiToken)`;
    case 'FORBIDDEN':
      return 'the token’s role may not do this (VIEWER < OPERATOR < ADMIN)';
    case 'UNREACHABLE':
    case 'BAD_RESPONSE':
      return `is the API running at ${config?.url ?? 'the configured URL'}? set --url, NETPIN_API_URL or "url" in the config file`;
    default:
      return undefined;
  }
}
