import type { HostTarget } from '@netpin/contracts';
import type { CredentialResolver } from '../credentials';
import type { AgentError } from '../errors';
import { SshHostConnection } from './ssh-transport';
import type { HostTransport } from './transport';

export interface TransportProvider {
  /** The transport for a host; connections are shared by every job on that host. */
  forHost(host: HostTarget): HostTransport;
  /** Fingerprint learned on first use for a host, if any (reported back so the API can pin it). */
  learnedFingerprint(host: HostTarget): string | null;
  close(): Promise<void>;
}

/** What makes two payloads mean "the same SSH connection". */
function identity(h: HostTarget): string {
  return JSON.stringify([h.address, h.port, h.user, h.credentialRef, h.hostKeyFingerprint, h.trustOnFirstUse]);
}

/** One SshHostConnection per host id, replaced when the host's SSH identity changes. */
export class SshPool implements TransportProvider {
  private readonly conns = new Map<string, { identity: string; conn: SshHostConnection }>();

  constructor(
    private readonly credentials: CredentialResolver,
    private readonly opts: {
      connectTimeoutMs: number;
      keepaliveIntervalMs?: number;
      maxChannels?: number;
      /** Every handshake's outcome (metrics). */
      onConnect?: (host: HostTarget, error: AgentError | null) => void;
    },
  ) {}

  get size(): number {
    return this.conns.size;
  }

  forHost(host: HostTarget): SshHostConnection {
    const id = identity(host);
    const existing = this.conns.get(host.id);
    if (existing && existing.identity === id) return existing.conn;
    if (existing) void existing.conn.close();
    const conn = new SshHostConnection(host, {
      privateKey: () => this.credentials.privateKey(host.credentialRef),
      connectTimeoutMs: this.opts.connectTimeoutMs,
      keepaliveIntervalMs: this.opts.keepaliveIntervalMs,
      maxChannels: this.opts.maxChannels,
      onConnect: this.opts.onConnect ? (error) => this.opts.onConnect?.(host, error) : undefined,
    });
    this.conns.set(host.id, { identity: id, conn });
    return conn;
  }

  learnedFingerprint(host: HostTarget): string | null {
    const e = this.conns.get(host.id);
    return e && e.identity === identity(host) ? e.conn.learnedFingerprint : null;
  }

  async close(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.all(all.map((e) => e.conn.close()));
  }
}
