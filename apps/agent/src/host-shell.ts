import { isOk, shellQuote, type HostCommand } from '@netpin/host-ops';
import { AgentError } from './errors';
import type { ExecResult, HostTransport } from './transport/transport';

/** Runs host-ops commands over a transport: a command outside its ok exit codes fails the step. */
export class HostShell {
  constructor(
    private readonly transport: HostTransport,
    private readonly timeoutMs: number,
  ) {}

  /** Run and return the output; exit codes outside the command's ok set throw COMMAND_FAILED. */
  async run(cmd: HostCommand): Promise<ExecResult> {
    const out = await this.exec(cmd);
    if (!isOk(cmd, out)) throw commandFailed(cmd, out);
    return out;
  }

  /** Run and hand back the output whatever the exit code (for probes like "is it defined?"). */
  exec(cmd: HostCommand): Promise<ExecResult> {
    return this.transport.exec(cmd.argv, { stdin: cmd.stdin, timeoutMs: this.timeoutMs });
  }
}

export function commandFailed(cmd: HostCommand, out: ExecResult): AgentError {
  const firstLine = out.stderr.trim().split('\n')[0] ?? '';
  return new AgentError('COMMAND_FAILED', `${cmd.argv[0]} exited ${out.exitCode}${firstLine ? `: ${firstLine}` : ''}`, {
    command: shellQuote(cmd.argv),
    stderr: out.stderr,
  });
}
