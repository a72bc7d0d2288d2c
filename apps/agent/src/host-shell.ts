import { isOk, shellQuote, type HostCommand } from '@netpin/host-ops';
import { cleanHostText, HOST_TEXT_LIMITS, type OperationErrorCode } from '@netpin/contracts';
import { AgentError, toAgentError } from './errors';
import type { ExecResult, HostTransport } from './transport/transport';

/** Told of every command a HostShell runs (metrics): how long it took and how it failed, if it did. */
export type CommandObserver = (e: { argv0: string; seconds: number; error: OperationErrorCode | null }) => void;

/** Runs host-ops commands over a transport: a command outside its ok exit codes fails the step. */
export class HostShell {
  constructor(
    private readonly transport: HostTransport,
    private readonly timeoutMs: number,
    private readonly observe?: CommandObserver,
    private readonly maxOutputBytes?: number,
  ) {}

  /** Run and return the output; exit codes outside the command's ok set throw COMMAND_FAILED. */
  async run(cmd: HostCommand): Promise<ExecResult> {
    return this.timed(cmd, true);
  }

  /** Run and hand back the output whatever the exit code (for probes like "is it defined?"). */
  exec(cmd: HostCommand): Promise<ExecResult> {
    return this.timed(cmd, false);
  }

  private async timed(cmd: HostCommand, check: boolean): Promise<ExecResult> {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    let out: ExecResult;
    try {
      out = await this.transport.exec(cmd.argv, { stdin: cmd.stdin, timeoutMs: this.timeoutMs, maxOutputBytes: this.maxOutputBytes });
    } catch (e) {
      this.observe?.({ argv0: cmd.argv[0], seconds: seconds(), error: toAgentError(e).code });
      throw e;
    }
    const failed = check && !isOk(cmd, out);
    this.observe?.({ argv0: cmd.argv[0], seconds: seconds(), error: failed ? 'COMMAND_FAILED' : null });
    if (failed) throw commandFailed(cmd, out);
    return out;
  }
}

export function commandFailed(cmd: HostCommand, out: ExecResult): AgentError {
  // the host's first words go into a message viewers see: short and free of escape sequences
  const firstLine = cleanHostText(out.stderr.trim().split('\n')[0] ?? '', HOST_TEXT_LIMITS.stderrLine);
  return new AgentError('COMMAND_FAILED', `${cmd.argv[0]} exited ${out.exitCode}${firstLine ? `: ${firstLine}` : ''}`, {
    command: shellQuote(cmd.argv),
    stderr: out.stderr,
  });
}
