/**
 * Errors of the host-ops layer. Each carries a stable `code` so the agent can map it to a
 * job failure reason without matching on message text.
 */

/** Host output did not have the shape we parse; `line` is the offending input line. */
export class HostOutputParseError extends Error {
  readonly code = 'HOST_OUTPUT_PARSE_ERROR';
  constructor(
    /** What was being parsed, e.g. "lscpu -p" or "/proc/interrupts". */
    readonly source: string,
    message: string,
    readonly line = '',
    /** 1-based line number within the parsed text, 0 when not line-specific. */
    readonly lineNumber = 0,
  ) {
    super(`${source}: ${message}${lineNumber > 0 ? ` at line ${lineNumber}` : ''}${line !== '' ? `: ${JSON.stringify(line)}` : ''}`);
    this.name = 'HostOutputParseError';
  }
}

/** A command builder was given a value it refuses to put on a command line. */
export class HostCommandArgumentError extends Error {
  readonly code = 'HOST_COMMAND_BAD_ARGUMENT';
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
    this.name = 'HostCommandArgumentError';
  }
}
