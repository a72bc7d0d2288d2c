import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { shellQuote } from '@netpin/host-ops';
import type { HostTarget } from '@netpin/contracts';
import { AgentError } from '../errors';
import { sshFingerprint } from './fingerprint';
import { CappedOutput, DEFAULT_MAX_OUTPUT_BYTES, outputTooLarge, STDERR_KEEP_BYTES } from './output';
import type { ExecOptions, ExecResult, HostTransport } from './transport';

export interface SshConnectionOptions {
  privateKey: () => Promise<Buffer>;
  connectTimeoutMs: number;
  keepaliveIntervalMs?: number;
  /** OpenSSH's default MaxSessions is 10: stay below it on one connection. */
  maxChannels?: number;
  /** Called once when a trust-on-first-use host shows its key, so the caller can pin it. */
  onHostKeyLearned?: (fingerprint: string) => void;
  /** Called when a handshake ends: null when the connection is up, else why it failed (metrics). */
  onConnect?: (error: AgentError | null) => void;
}

interface Pending {
  reject: (e: AgentError) => void;
}

/**
 * One SSH connection to one host, reused by every command and re-established on the next
 * command after a drop. Commands in flight when the connection drops fail with
 * SSH_UNREACHABLE (retryable); handlers are idempotent, so the retry converges.
 */
export class SshHostConnection implements HostTransport {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private readonly inflight = new Set<Pending>();
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private pinned: string | null;
  private closed = false;
  /** Handshakes performed, for the bench and for tests of connection reuse. */
  connects = 0;

  constructor(
    private readonly host: HostTarget,
    private readonly opts: SshConnectionOptions,
  ) {
    this.pinned = host.hostKeyFingerprint;
  }

  get learnedFingerprint(): string | null {
    return this.pinned;
  }

  async exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    const command = shellQuote(argv);
    await this.acquireChannel();
    try {
      const client = await this.connection();
      return await this.run(client, command, opts);
    } finally {
      this.releaseChannel();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client ?? (this.connecting ? await this.connecting.catch(() => null) : null);
    this.client = null;
    if (!c) return;
    await new Promise<void>((resolve) => {
      c.once('close', () => resolve());
      c.end();
      setTimeout(resolve, 1000).unref();
    });
  }

  /** Connect (or reuse). Exposed for the bench, which times handshakes alone. */
  async connection(): Promise<Client> {
    if (this.closed) throw new AgentError('SSH_UNREACHABLE', `connection to ${this.host.name} is closed`);
    if (this.client) return this.client;
    this.connecting ??= this.connect()
      .then(
        (c) => {
          this.opts.onConnect?.(null);
          return c;
        },
        (e: unknown) => {
          this.opts.onConnect?.(e instanceof AgentError ? e : new AgentError('SSH_UNREACHABLE', String(e)));
          throw e;
        },
      )
      .finally(() => {
        this.connecting = null;
      });
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const privateKey = await this.opts.privateKey();
    const client = new Client();
    let keyMismatch: string | null = null;
    const config: ConnectConfig = {
      host: this.host.address,
      port: this.host.port,
      username: this.host.user,
      privateKey,
      readyTimeout: this.opts.connectTimeoutMs,
      keepaliveInterval: this.opts.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 3,
      // Runs during key exchange, before authentication and before any channel opens:
      // a host that shows another key never sees a command.
      hostVerifier: (key: Buffer): boolean => {
        const fp = sshFingerprint(key);
        if (this.pinned === null) {
          if (!this.host.trustOnFirstUse) {
            keyMismatch = fp;
            return false;
          }
          this.pinned = fp;
          this.opts.onHostKeyLearned?.(fp);
          return true;
        }
        if (fp !== this.pinned) keyMismatch = fp;
        return fp === this.pinned;
      },
    };
    this.connects++;
    return new Promise<Client>((resolve, reject) => {
      let ready = false;
      client.once('ready', () => {
        ready = true;
        this.client = client;
        resolve(client);
      });
      client.on('error', (err: Error & { level?: string }) => {
        if (ready) return; // reported through 'close' to whoever is in flight
        reject(this.mapConnectError(err, keyMismatch));
      });
      client.on('close', () => {
        if (this.client === client) this.client = null;
        if (!ready) reject(new AgentError('SSH_UNREACHABLE', `${this.host.name}: connection closed during handshake`));
        for (const p of [...this.inflight])
          p.reject(new AgentError('SSH_UNREACHABLE', `${this.host.name}: connection lost while a command was running`));
      });
      client.connect(config);
      // Commands are small request/response exchanges: without this each one waits out
      // Nagle plus the peer's delayed ACK (~40 ms on Linux).
      client.setNoDelay(true);
    });
  }

  private mapConnectError(err: Error & { level?: string }, keyMismatch: string | null): AgentError {
    const where = `${this.host.name} (${this.host.address}:${this.host.port})`;
    if (keyMismatch !== null) {
      const expected = this.pinned ?? 'a pinned key (trustOnFirstUse is off)';
      return new AgentError('HOST_KEY_MISMATCH', `${where} presented host key ${keyMismatch}, expected ${expected}`, { cause: err });
    }
    if (err.level === 'client-authentication')
      return new AgentError('SSH_AUTH_FAILED', `${where}: authentication failed for user ${this.host.user}`, { cause: err });
    if (err.level === 'client-timeout') return new AgentError('SSH_UNREACHABLE', `${where}: handshake timed out`, { cause: err });
    return new AgentError('SSH_UNREACHABLE', `${where}: ${err.message}`, { cause: err });
  }

  private run(client: Client, command: string, opts: ExecOptions): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      let channel: ClientChannel | null = null;
      let settled = false;
      const pending: Pending = { reject: (e) => finish(() => reject(e)) };
      const timer = setTimeout(() => {
        channel?.close();
        pending.reject(new AgentError('TIMEOUT', `${this.host.name}: command did not finish within ${opts.timeoutMs} ms`, { command }));
      }, opts.timeoutMs);
      const finish = (f: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inflight.delete(pending);
        f();
      };
      this.inflight.add(pending);
      client.exec(command, (err, stream) => {
        if (err) {
          pending.reject(
            new AgentError('SSH_UNREACHABLE', `${this.host.name}: cannot open a channel: ${err.message}`, { command, cause: err }),
          );
          return;
        }
        channel = stream;
        if (settled) {
          stream.close();
          return;
        }
        const out = new CappedOutput(opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
        const errOut = new CappedOutput(STDERR_KEEP_BYTES);
        let exitCode: number | null = null;
        stream.on('data', (d: Buffer) => {
          if (out.push(d)) return;
          stream.close();
          pending.reject(new AgentError('COMMAND_FAILED', `${this.host.name}: ${outputTooLarge(out.maxBytes)}`, { command }));
        });
        stream.stderr.on('data', (d: Buffer) => errOut.push(d));
        stream.on('exit', (code: number | null) => {
          exitCode = code;
        });
        stream.on('close', () => {
          if (exitCode === null) {
            pending.reject(
              new AgentError('SSH_UNREACHABLE', `${this.host.name}: channel closed without an exit status`, {
                command,
                stderr: errOut.text(),
              }),
            );
            return;
          }
          const code = exitCode;
          finish(() => resolve({ exitCode: code, stdout: out.text(), stderr: errOut.text() }));
        });
        stream.end(opts.stdin ?? undefined);
      });
    });
  }

  private async acquireChannel(): Promise<void> {
    const max = this.opts.maxChannels ?? 8;
    while (this.active >= max) await new Promise<void>((r) => this.waiters.push(r));
    this.active++;
  }

  private releaseChannel(): void {
    this.active--;
    this.waiters.shift()?.();
  }
}
