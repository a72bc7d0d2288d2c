/** What a host command produced. A non-zero exit is data here, not an exception. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string;
  timeoutMs: number;
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
