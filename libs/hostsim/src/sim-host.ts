import { type AddressInfo, type Server as NetServer, type Socket, createServer } from 'node:net';
import { join } from 'node:path';
import { type ClientInfo, type Connection, type ParsedKey, Server as SshServer, type ServerChannel } from 'ssh2';
import { type FaultConfig, matchesRule, seededRandom } from './faults';
import { fingerprintOf, loadOrCreateHostKey, parseKeyOrThrow } from './keys';
import { HostModel } from './model';
import { registerPeer } from './peers';
import { makeContext, runCommandLine } from './shell';
import { tokenize } from './shell-words';
import { type CommandLogEntry, type HostStateSnapshot, snapshot } from './snapshot';
import type { HostSpec } from './spec';

export interface HostOptions {
  /** Host keys are kept in `<stateDir>/<hostname>/`. */
  stateDir: string;
  /** OpenSSH public key lines allowed to log in. */
  authorizedKeys: string[];
  /** Loopback by default. */
  bindAddress?: string;
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  faults?: FaultConfig;
  /** Start the irqbalance simulation right away with this interval. */
  irqbalanceIntervalMs?: number;
  irqbalanceSeed?: number;
  /** Keep at most this many command log entries (oldest dropped). */
  logLimit?: number;
}

/** One simulated hypervisor: a model of the machine behind a real SSH server. */
export class SimHost {
  readonly model: HostModel;
  private readonly net: NetServer;
  private ssh!: SshServer;
  private hostKey!: string;
  private fp!: string;
  private readonly allowed: ParsedKey[];
  private readonly sockets = new Set<Socket>();
  private readonly connSockets = new Map<Connection, Socket>();
  private faults: FaultConfig;
  private log: CommandLogEntry[] = [];
  private seq = 0;
  private downUntil = 0;
  private irqTimer?: NodeJS.Timeout;
  private readonly rand: () => number;
  private unregister: () => void = () => undefined;

  private constructor(
    readonly spec: HostSpec,
    private readonly opts: HostOptions,
  ) {
    this.model = new HostModel(spec);
    this.allowed = opts.authorizedKeys.map((k) => parseKeyOrThrow(k));
    this.faults = { ...(opts.faults ?? {}) };
    this.rand = seededRandom(opts.irqbalanceSeed ?? 1);
    this.installHostKey(false);
    this.net = createServer((sock) => this.accept(sock));
  }

  static async start(spec: HostSpec, opts: HostOptions): Promise<SimHost> {
    const h = new SimHost(spec, opts);
    await new Promise<void>((resolve, reject) => {
      h.net.once('error', reject);
      h.net.listen(opts.port ?? 0, opts.bindAddress ?? '127.0.0.1', () => {
        h.net.off('error', reject);
        resolve();
      });
    });
    if (opts.irqbalanceIntervalMs !== undefined) h.startIrqbalance(opts.irqbalanceIntervalMs);
    // another simulated host's `virsh migrate` reaches this one at its SSH address
    h.unregister = registerPeer(h.address, h.port, h.model);
    return h;
  }

  get address(): string {
    return (this.net.address() as AddressInfo).address;
  }

  get port(): number {
    return (this.net.address() as AddressInfo).port;
  }

  get user(): string {
    return this.spec.user;
  }

  get hostname(): string {
    return this.spec.hostname;
  }

  /** SHA256:... as `ssh-keygen -lf` prints it. */
  get fingerprint(): string {
    return this.fp;
  }

  /** The host's public key line, for a known_hosts entry. */
  get hostPublicKey(): string {
    const k = parseKeyOrThrow(this.hostKey);
    return `${k.type} ${k.getPublicSSH().toString('base64')}`;
  }

  state(): HostStateSnapshot {
    return snapshot(this.model, this.log);
  }

  setFaults(f: FaultConfig): void {
    this.faults = { ...f };
  }

  /**
   * Run a command line on the host as an SSH exec would (same shell, same model), without a
   * connection: what an operator or another tool does on the host behind netpin's back.
   */
  async sh(command: string, stdin = ''): Promise<{ stdout: string; stderr: string; code: number }> {
    return runCommandLine(
      command,
      makeContext(this.model, () => Promise.resolve(stdin)),
    );
  }

  clearLog(): void {
    this.log = [];
  }

  /**
   * Reboot: runtime state (VFs, IRQ affinity, RPS, channels, hugepages, /tmp) returns to
   * boot values, running domains stop, persistent ones stay defined. Connections drop and
   * new ones are refused for `downtimeMs`.
   */
  reboot(downtimeMs = 0): void {
    this.dropAll();
    this.model.boot();
    this.downUntil = Date.now() + downtimeMs;
  }

  /** Generate a new host key (as after a reinstall); existing connections drop. */
  changeHostKey(): string {
    this.installHostKey(true);
    this.dropAll();
    return this.fp;
  }

  startIrqbalance(intervalMs: number): void {
    this.stopIrqbalance();
    this.model.irqbalanceActive = true;
    this.irqTimer = setInterval(() => {
      if (this.model.irqbalanceActive) this.model.irqbalanceTick(this.rand);
    }, intervalMs);
    this.irqTimer.unref();
  }

  stopIrqbalance(): void {
    if (this.irqTimer) clearInterval(this.irqTimer);
    this.irqTimer = undefined;
  }

  async stop(): Promise<void> {
    this.unregister();
    this.stopIrqbalance();
    this.dropAll();
    await new Promise<void>((resolve) => this.net.close(() => resolve()));
  }

  private installHostKey(rotate: boolean): void {
    this.hostKey = loadOrCreateHostKey(join(this.opts.stateDir, this.spec.hostname), rotate);
    this.fp = fingerprintOf(this.hostKey);
    this.ssh = new SshServer({ hostKeys: [this.hostKey], ident: 'OpenSSH_9.2p1 Debian-2+deb12u2' }, (conn, info) =>
      this.onConnection(conn, info),
    );
  }

  private dropAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private accept(sock: Socket): void {
    if (Date.now() < this.downUntil) {
      sock.destroy();
      return;
    }
    this.sockets.add(sock);
    // Without this every reply waits out the client's delayed ACK (~40 ms per command).
    sock.setNoDelay(true);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => this.sockets.delete(sock));
    this.ssh.injectSocket(sock);
  }

  private onConnection(conn: Connection, info: ClientInfo): void {
    // ssh2 hides the socket; the client's source port links the connection to it.
    const sock = [...this.sockets].find((s) => s.remotePort === info.port);
    if (sock) this.connSockets.set(conn, sock);
    conn.on('error', () => undefined);
    conn.on('close', () => this.connSockets.delete(conn));
    conn.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || ctx.username !== this.spec.user) return ctx.reject(['publickey']);
      const key = this.allowed.find((k) => k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
      if (!key) return ctx.reject(['publickey']);
      if (ctx.signature && ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
      ctx.accept();
    });
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('pty', (_a, reject) => reject());
        session.on('env', (accept) => accept?.());
        session.on('subsystem', (_a, reject) => reject());
        session.on('sftp', (_a, reject) => reject());
        session.on('shell', (accept) => {
          const ch = accept();
          ch.stderr.write('hostsim: interactive shells are not supported; run commands with exec\n');
          ch.exit(1);
          ch.end();
        });
        session.on('exec', (accept, _reject, info) => {
          void this.exec(conn, accept(), info.command);
        });
      });
    });
  }

  private async exec(conn: Connection, ch: ServerChannel, command: string): Promise<void> {
    const started = Date.now();
    const entry: CommandLogEntry = { seq: ++this.seq, at: started, command, exitCode: null, durationMs: 0, stdinBytes: 0 };
    this.log.push(entry);
    if (this.log.length > (this.opts.logLimit ?? 10000)) this.log.shift();
    this.model.commandCount++;

    const chunks: Buffer[] = [];
    let ended = false;
    const waiters: (() => void)[] = [];
    ch.on('data', (d: Buffer) => chunks.push(d));
    ch.on('end', () => {
      ended = true;
      for (const w of waiters.splice(0)) w();
    });
    const readStdin = async (): Promise<string> => {
      if (!ended) await new Promise<void>((r) => waiters.push(r));
      const text = Buffer.concat(chunks).toString('utf8');
      entry.stdinBytes = Buffer.byteLength(text);
      return text;
    };

    const f = this.faults;
    if (f.dropAfterCommands !== undefined) {
      if (f.dropAfterCommands <= 0) {
        this.faults = { ...f, dropAfterCommands: undefined };
        entry.injected = 'drop';
        this.connSockets.get(conn)?.destroy();
        return;
      }
      f.dropAfterCommands--;
    }
    if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));

    let result: { stdout: string; stderr: string; code: number };
    const rule = f.failCommands?.find((r) => (r.times === undefined || r.times > 0) && matchesRule(r, command, wordsOf(command)));
    const skipped = rule?.skip !== undefined && rule.skip > 0;
    if (rule && skipped) rule.skip = (rule.skip ?? 1) - 1;
    if (rule && !skipped) {
      if (rule.times !== undefined) rule.times--;
      entry.injected = 'fail';
      result = { stdout: rule.stdout ?? '', stderr: rule.stderr.endsWith('\n') ? rule.stderr : `${rule.stderr}\n`, code: rule.exitCode };
    } else {
      result = await runCommandLine(command, makeContext(this.model, readStdin));
    }
    entry.exitCode = result.code;
    entry.durationMs = Date.now() - started;
    if (!ch.writable) return;
    if (result.stdout) ch.write(result.stdout);
    if (result.stderr) ch.stderr.write(result.stderr);
    ch.exit(result.code);
    ch.end();
  }
}

function wordsOf(command: string): string {
  try {
    return tokenize(command)
      .map((t) => t.value)
      .join(' ');
  } catch {
    return command;
  }
}
