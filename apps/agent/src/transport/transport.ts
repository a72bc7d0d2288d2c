/** What a host command produced. A non-zero exit is data here, not an exception. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string;
  /** The whole command, output included; past it the command is stopped (TIMEOUT). */
  timeoutMs: number;
  /**
   * Most stdout bytes kept; past it the command is stopped and fails with COMMAND_FAILED
   * (default DEFAULT_MAX_OUTPUT_BYTES). stderr keeps its first STDERR_KEEP_BYTES only.
   */
  maxOutputBytes?: number;
}

/**
 * The one seam between handlers and a hypervisor. Implementations take an argv vector and
 * never let a shell interpret an argument (SSH joins it with host-ops' shellQuote; local
 * uses spawn without a shell). Failures to reach the host throw AgentError
 * (SSH_UNREACHABLE, SSH_AUTH_FAILED, HOST_KEY_MISMATCH, TIMEOUT).
 */
export interface HostTransport {
  exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
}
