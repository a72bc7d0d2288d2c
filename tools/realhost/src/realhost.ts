import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hostScript, type RealBridgeSpec, type RealNicSpec } from './host-script';

const run = promisify(execFile);

/**
 * A real hypervisor on this machine: a network namespace with its own mount namespace in
 * which libvirtd (QEMU driver), virtlogd and OpenSSH run, reachable over SSH from the root
 * namespace on 198.18.<index>.2 (RFC 2544 benchmarking range). See host-script.ts for what
 * is real and what is simulated. Needs root, iproute2, util-linux (unshare, nsenter),
 * openssh-server, libvirt-daemon-driver-qemu and qemu-system-x86 (tools/setup.sh).
 */
export interface RealHostSpec {
  /** Short name: the namespace is `np-<name>`, files live in `<stateDir>/<name>`. */
  name: string;
  /** 1..250: picks 198.18.<index>.0/30 for the management link. */
  index: number;
  nics: readonly RealNicSpec[];
  bridges: readonly RealBridgeSpec[];
  stateDir: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RealHost {
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** sshd's host key as `SHA256:<base64>` (what netpin pins). */
  readonly fingerprint: string;
  /** The client private key that sshd accepts (PEM/OpenSSH text). */
  readonly clientKeyPath: string;
  /** Where its files live (`<stateDir>/<name>`): sshd's keys, authorized_keys, root's home. */
  readonly stateRoot: string;
  /** libvirtd's host UUID (libvirtd.conf host_uuid), distinct per host name. */
  readonly hostUuid: string;
  /** The guest virtualisation type this machine can run: kvm when /dev/kvm exists, else qemu (TCG). */
  readonly virtType: 'kvm' | 'qemu';
  /** Runs a bash script inside the host's network and mount namespaces, as the agent's SSH session would see it. */
  sh(script: string): Promise<ExecResult>;
  stop(): Promise<void>;
}

/** Why this machine cannot run real hosts, or null when it can. */
export function realHostUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not running as root (network and mount namespaces need it)';
  for (const bin of ['/usr/sbin/libvirtd', '/usr/sbin/virtlogd', '/usr/sbin/sshd', '/usr/bin/qemu-system-x86_64', '/usr/bin/virsh']) {
    if (!existsSync(bin)) return `${bin} is missing (tools/setup.sh installs it)`;
  }
  try {
    execFileSync('id', ['libvirt-qemu'], { stdio: 'ignore' });
  } catch {
    return 'the libvirt-qemu user is missing (tools/setup.sh creates it)';
  }
  return null;
}

export function localVirtType(): 'kvm' | 'qemu' {
  // NETPIN_REALHOST_VIRT_TYPE=qemu runs TCG guests on a KVM machine (to record the TCG goldens there).
  const forced = process.env['NETPIN_REALHOST_VIRT_TYPE'];
  if (forced === 'kvm' || forced === 'qemu') return forced;
  return existsSync('/dev/kvm') ? 'kvm' : 'qemu';
}

function sshFingerprint(pubKeyPath: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubKeyPath], { encoding: 'utf8' });
  const fp = /SHA256:[A-Za-z0-9+/]{43}/.exec(out)?.[0];
  if (fp === undefined) throw new Error(`no SHA256 fingerprint in: ${out}`);
  return fp;
}

/**
 * A host UUID of its own for each host name. Every libvirtd on one machine would otherwise
 * read the same SMBIOS UUID (or, without SMBIOS, make a random one at each start), and
 * libvirt refuses a migration whose two ends have the same host UUID.
 */
export function hostUuidFor(name: string): string {
  const h = createHash('sha256').update(`netpin-realhost:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function cpusOnline(): number[] {
  return Array.from({ length: availableParallelism() }, (_, i) => i);
}

async function ns(namespace: string, argv: string[]): Promise<void> {
  await run('ip', ['netns', 'exec', namespace, ...argv]);
}

export async function startRealHost(spec: RealHostSpec): Promise<RealHost> {
  const namespace = `np-${spec.name}`;
  const root = join(spec.stateDir, spec.name);
  const address = `198.18.${spec.index}.2`;
  await stopNamespace(namespace, root);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  for (const d of ['etc', 'lib', 'log', 'cache', 'netpin', 'sys', 'proc']) mkdirSync(join(root, d), { recursive: true });
  mkdirSync(join(root, 'home', '.ssh'), { recursive: true, mode: 0o700 });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(root, 'ssh_host_ed25519_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'netpin-agent', '-f', join(root, 'client_ed25519')]);
  // The host's own identity, for `virsh migrate ... qemu+ssh://peer/system` (see migration.ts).
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    `${spec.name}-migration`,
    '-f',
    join(root, 'home', '.ssh', 'id_ed25519'),
  ]);
  writeFileSync(join(root, 'authorized_keys'), readFileSync(join(root, 'client_ed25519.pub')), { mode: 0o600 });
  writeFileSync(
    join(root, 'up.sh'),
    hostScript({
      root,
      nics: spec.nics,
      bridges: spec.bridges,
      mgmtAddress: address,
      cpus: cpusOnline(),
      hostUuid: hostUuidFor(spec.name),
    }),
  );

  await run('ip', ['netns', 'add', namespace]);
  const outside = `${namespace}-m`.slice(0, 15);
  await run('ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', 'mgmt0', 'netns', namespace]);
  await run('ip', ['addr', 'add', `198.18.${spec.index}.1/30`, 'dev', outside]);
  await run('ip', ['link', 'set', outside, 'up']);
  await ns(namespace, ['ip', 'addr', 'add', `${address}/30`, 'dev', 'mgmt0']);
  await ns(namespace, ['ip', 'link', 'set', 'mgmt0', 'up']);
  try {
    await ns(namespace, ['unshare', '--mount', '--propagation', 'private', 'bash', join(root, 'up.sh')]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    await stopNamespace(namespace, root);
    throw new Error(`real host ${spec.name} did not come up: ${err.stderr ?? err.message}`);
  }
  return handle(spec, namespace, root, address);
}

function handle(spec: RealHostSpec, namespace: string, root: string, address: string): RealHost {
  const sshdPid = (): string => readFileSync(join(root, 'sshd.pid'), 'utf8').trim();
  return {
    name: spec.name,
    namespace,
    address,
    port: 22,
    user: 'root',
    fingerprint: sshFingerprint(join(root, 'ssh_host_ed25519_key.pub')),
    clientKeyPath: join(root, 'client_ed25519'),
    stateRoot: root,
    hostUuid: hostUuidFor(spec.name),
    virtType: localVirtType(),
    async sh(script: string): Promise<ExecResult> {
      try {
        const r = await run('nsenter', ['-t', sshdPid(), '-m', '-n', '--', 'bash', '-c', script], { maxBuffer: 64 << 20 });
        return { stdout: r.stdout, stderr: r.stderr, code: 0 };
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string; code?: number };
        return { stdout: err.stdout ?? '', stderr: err.stderr ?? '', code: typeof err.code === 'number' ? err.code : 1 };
      }
    },
    stop: () => stopNamespace(namespace, root),
  };
}

function pidIn(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Kills every process of the namespace (guests included), then removes it and its files. */
async function stopNamespace(namespace: string, root: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', namespace]).then(
    (r) => r.stdout.split(/\s+/).filter((p) => /^\d+$/.test(p)),
    () => [] as string[],
  );
  for (const file of ['sshd.pid', 'libvirtd.pid', 'virtlogd.pid']) {
    const pid = pidIn(join(root, file));
    if (pid !== null) pids.push(String(pid));
  }
  for (const pid of new Set(pids)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await run('ip', ['netns', 'del', namespace]).catch(() => undefined);
  await run('ip', ['link', 'del', `${namespace}-m`.slice(0, 15)]).catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
}
