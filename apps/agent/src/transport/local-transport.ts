import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostTarget } from '@netpin/contracts';
import { AgentError } from '../errors';
import { CappedOutput, DEFAULT_MAX_OUTPUT_BYTES, outputTooLarge, STDERR_KEEP_BYTES } from './output';
import type { TransportProvider } from './ssh-pool';
import type { ExecOptions, ExecResult, HostTransport } from './transport';

/**
 * Runs commands on this machine, for an agent that lives on the hypervisor. spawn without
 * a shell: argv[0] is looked up on PATH and no argument is ever interpreted.
 */
export class LocalTransport implements HostTransport {
  exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    if (argv.length === 0) return Promise.reject(new AgentError('INTERNAL', 'empty argv'));
    const command = argv.join(' ');
    return new Promise<ExecResult>((resolve, reject) => {
      const stdinFd = stdinFile(opts.stdin ?? '');
      const child = spawn(argv[0], argv.slice(1), { shell: false, stdio: [stdinFd, 'pipe', 'pipe'] });
      closeSync(stdinFd);
      const { stdout, stderr } = child;
      if (stdout === null || stderr === null) return reject(new AgentError('INTERNAL', 'spawn gave no output pipes', { command }));
      const out = new CappedOutput(opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
      const err = new CappedOutput(STDERR_KEEP_BYTES);
      let stopped: 'timeout' | 'output' | null = null;
      const stop = (why: 'timeout' | 'output'): void => {
        stopped ??= why;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
      stdout.on('data', (d: Buffer) => out.push(d) || stop('output'));
      stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        // A missing binary is what a shell reports as 127: keep it data, like SSH does.
        if (e.code === 'ENOENT') resolve({ exitCode: 127, stdout: '', stderr: `${argv[0]}: command not found` });
        else reject(new AgentError('COMMAND_FAILED', e.message, { command, cause: e }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (stopped === 'timeout') {
          reject(new AgentError('TIMEOUT', `command did not finish within ${opts.timeoutMs} ms`, { command }));
          return;
        }
        if (stopped === 'output') {
          reject(new AgentError('COMMAND_FAILED', outputTooLarge(out.maxBytes), { command }));
          return;
        }
        resolve({ exitCode: code ?? (signal ? 128 : 1), stdout: out.text(), stderr: err.text() });
      });
    });
  }

  async close(): Promise<void> {
    // Nothing held open between commands.
  }
}

/**
 * The command's stdin as a file, already unlinked. Node gives a child's 'pipe' stdio as a
 * socketpair, and a socket cannot be opened by path: `virsh define /dev/stdin` (how netpin
 * hands libvirt a domain) fails with ENXIO on one, as would any tool that opens /dev/stdin.
 * Over SSH, sshd gives a pipe, which can; a regular file can too.
 */
function stdinFile(text: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'netpin-stdin-'));
  const path = join(dir, 'stdin');
  try {
    writeFileSync(path, text, { mode: 0o600 });
    return openSync(path, 'r');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * This machine is one host: `localHost`, its registered name. Jobs are not routed to agents by
 * host, so a job for any other host may reach this agent; running it here would change the
 * wrong machine, so it fails instead, naming both hosts.
 */
export class LocalTransportProvider implements TransportProvider {
  private readonly local = new LocalTransport();
  constructor(private readonly localHost: string) {}
  forHost(host: HostTarget): HostTransport {
    if (host.name !== this.localHost) {
      throw new AgentError(
        'BAD_PAYLOAD',
        `this agent runs commands on ${this.localHost} only (NETPIN_AGENT_TRANSPORT=local): the job is for host ${host.name}; serve several hosts with an SSH agent`,
      );
    }
    return this.local;
  }
  learnedFingerprint(): string | null {
    return null;
  }
  async close(): Promise<void> {
    await this.local.close();
  }
}
