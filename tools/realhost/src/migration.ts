import { execFile } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RealHost } from './realhost';

const run = promisify(execFile);

/**
 * Real hosts that can live-migrate guests between them, as hypervisors on one management
 * network can:
 * - reach: a Linux bridge in the root namespace (no address, nothing routed, nothing else on
 *   it) with one veth per host (`mig0` inside), and in each host a /32 route to every peer's
 *   management address over mig0. Hosts reach each other on the addresses netpin reaches
 *   them on (198.18.<index>.2), and nothing else: the root namespace forwards nothing.
 * - trust: each host's root has its own SSH identity (/root/.ssh/id_ed25519, a private home
 *   made at start); every identity is authorized on every peer and every peer's host key is
 *   in known_hosts, so `virsh migrate NAME qemu+ssh://root@<peer>/system` needs no option.
 * libvirtd of each host has its own host UUID (realhost.ts hostUuidFor). QEMU's migration
 * stream goes straight to the target's port 49152-49215 (libvirt's default range, per
 * namespace) on the target's `migration_host` (its management address, host-script.ts: the
 * hostname every host shares with this machine resolves to 127.0.0.1).
 */
export interface MigrationLink {
  readonly bridge: string;
  close(): Promise<void>;
}

const outsideName = (h: RealHost): string => `${h.namespace.slice(0, 13)}-x`;

async function sh(h: RealHost, script: string): Promise<void> {
  const r = await h.sh(script);
  if (r.code !== 0) throw new Error(`${h.name}: ${script} exited ${r.code}: ${r.stderr}`);
}

function trust(hosts: readonly RealHost[]): void {
  for (const h of hosts) {
    const peers = hosts.filter((p) => p !== h);
    for (const p of peers)
      appendFileSync(join(h.stateRoot, 'authorized_keys'), readFileSync(join(p.stateRoot, 'home/.ssh/id_ed25519.pub')));
    const known = peers.map(
      (p) => `${p.address} ${readFileSync(join(p.stateRoot, 'ssh_host_ed25519_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`,
    );
    writeFileSync(join(h.stateRoot, 'home/.ssh/known_hosts'), known.join(''), { mode: 0o600 });
  }
}

/** Links `hosts` (two or more, started by startRealHost) for migration; close() removes the link. */
export async function linkForMigration(hosts: readonly RealHost[], bridge = `npmig${process.pid % 100000}`): Promise<MigrationLink> {
  if (bridge.length > 15) throw new Error(`bridge name ${bridge} is longer than 15 characters`);
  await run('ip', ['link', 'del', bridge]).catch(() => undefined);
  await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
  const close = async (): Promise<void> => {
    for (const h of hosts) await run('ip', ['link', 'del', outsideName(h)]).catch(() => undefined);
    await run('ip', ['link', 'del', bridge]).catch(() => undefined);
  };
  try {
    await run('ip', ['link', 'set', bridge, 'up']);
    for (const h of hosts) {
      await run('ip', ['link', 'del', outsideName(h)]).catch(() => undefined);
      await run('ip', ['link', 'add', outsideName(h), 'type', 'veth', 'peer', 'name', 'mig0', 'netns', h.namespace]);
      await run('ip', ['link', 'set', outsideName(h), 'master', bridge, 'up']);
      const routes = hosts.filter((p) => p !== h).map((p) => `ip route replace ${p.address}/32 dev mig0 src ${h.address}`);
      await sh(h, ['set -e', 'ip link set mig0 up', ...routes].join('\n'));
    }
    trust(hosts);
  } catch (e) {
    await close();
    throw e;
  }
  return { bridge, close };
}

/** Where a migration goes: a host's SSH address and port (a RealHost, or a hostsim SimHost). */
export interface MigrationTarget {
  readonly address: string;
  readonly port: number;
}

/** The libvirt URI a source host's virsh reaches `target`'s libvirtd with (the port only when not 22). */
export function migrationUri(target: MigrationTarget): string {
  return `qemu+ssh://root@${target.address}${target.port === 22 ? '' : `:${target.port}`}/system`;
}

export interface MigrateOptions {
  /** Path (on the source) of the XML the target runs (--xml) and keeps defined (--persistent-xml). */
  xmlPath?: string;
  /** MiB/s cap of the migration stream (--bandwidth). */
  bandwidth?: number;
  /**
   * --p2p: the source libvirtd, not virsh, connects to the target. Then libvirt 9.0 reports
   * any refusal by the target or by its ABI check only as "End of file while reading data"
   * (the reason goes to the source libvirtd's log).
   */
  p2p?: boolean;
  /** --migrateuri tcp://<target address> (default true); without it the target's migration_host is used. */
  migrateUri?: boolean;
  /** --verbose: progress on stderr (default true). */
  verbose?: boolean;
}

/** `virsh migrate --live [--p2p] --persistent --undefinesource [--verbose] NAME <target URI> [--migrateuri tcp://<target>]`. */
export function virshMigrateArgv(name: string, target: MigrationTarget, opts: MigrateOptions = {}): string[] {
  const argv = ['virsh', 'migrate', '--live', ...(opts.p2p === true ? ['--p2p'] : []), '--persistent', '--undefinesource'];
  if (opts.verbose ?? true) argv.push('--verbose');
  argv.push(name, migrationUri(target));
  if (opts.migrateUri ?? true) argv.push('--migrateuri', `tcp://${target.address}`);
  if (opts.xmlPath !== undefined) argv.push('--xml', opts.xmlPath, '--persistent-xml', opts.xmlPath);
  if (opts.bandwidth !== undefined) argv.push('--bandwidth', String(opts.bandwidth));
  return argv;
}
