import type { HostModel } from './model';

/**
 * Simulated hosts of this process by the address and SSH port they listen on: what a
 * `virsh migrate ... qemu+ssh://user@ADDRESS:PORT/system` on one of them reaches. Hosts in
 * other processes are unreachable, as a host behind a firewall is.
 */
const peers = new Map<string, HostModel>();

export function registerPeer(address: string, port: number, model: HostModel): () => void {
  const key = `${address}:${port}`;
  peers.set(key, model);
  return () => {
    if (peers.get(key) === model) peers.delete(key);
  };
}

/** The libvirt default port of each transport (qemu+ssh goes through sshd). */
const DEFAULT_PORTS: Record<string, number> = { ssh: 22, tcp: 16509, tls: 16514 };

export interface PeerUri {
  transport: string;
  host: string;
  port: number;
}

/** `qemu+ssh://[user@]host[:port]/system` and its tcp/tls kin; null for anything else. */
export function parsePeerUri(uri: string): PeerUri | null {
  const m = /^qemu\+(ssh|tcp|tls):\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/system$/.exec(uri);
  if (!m) return null;
  const host = m[2].replace(/^\[|\]$/g, '');
  return { transport: m[1], host, port: m[3] ? Number(m[3]) : DEFAULT_PORTS[m[1]] };
}

export function peerAt(u: PeerUri): HostModel | undefined {
  return peers.get(`${u.host}:${u.port}`);
}
