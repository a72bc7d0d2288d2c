import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOk, shellQuote, type CommandOutput, type HostCommand } from '@netpin/host-ops';
import { ensureClientKey, SimHost } from '@netpin/hostsim';
import { Client } from 'ssh2';
import { linkForMigration } from '../migration';
import { startRealHost, type RealHost, type RealHostSpec } from '../realhost';
import { MIGRATION_TARGET_HOST, STANDARD_HOST } from '../standard-host';
import { hostsimTwin } from './twin';

/**
 * A real host and its hostsim twin, both reached the way the agent reaches a hypervisor:
 * one SSH connection each, every command an argv joined by host-ops' shellQuote, stdin
 * written to the channel. A differential test runs the same HostCommand on both and
 * compares what netpin's parsers make of the two answers.
 */
export interface HostPair {
  real: RealHost;
  sim: SimHost;
  run(cmd: HostCommand): Promise<{ real: CommandOutput; sim: CommandOutput }>;
  /** A command per side, where they must differ (a peer's address). */
  runSides(cmds: { real: HostCommand; sim: HostCommand }): Promise<{ real: CommandOutput; sim: CommandOutput }>;
  /** The same command on both; fails naming the side whose exit code netpin would refuse. */
  runOk(cmd: HostCommand): Promise<{ real: CommandOutput; sim: CommandOutput }>;
  close(): Promise<void>;
}

/** The standard real host with fixed MACs (hostsim's twin gets the same ones). */
export const DIFF_HOST: Pick<RealHostSpec, 'nics' | 'bridges'> = {
  nics: STANDARD_HOST.nics.map((n, i) => ({ ...n, mac: `02:00:5e:10:00:${(i + 1).toString(16).padStart(2, '0')}` })),
  bridges: STANDARD_HOST.bridges,
};

/** The migration target (the standard host and ens5) with fixed MACs, for fixtures and hostsim's twin. */
export const DIFF_MIGRATION_TARGET: Pick<RealHostSpec, 'nics' | 'bridges'> = {
  nics: MIGRATION_TARGET_HOST.nics.map((n, i) => ({ ...n, mac: `02:00:5e:20:00:${(i + 1).toString(16).padStart(2, '0')}` })),
  bridges: MIGRATION_TARGET_HOST.bridges,
};

function connect(host: string, port: number, username: string, privateKey: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.once('ready', () => resolve(c));
    c.once('error', reject);
    c.connect({ host, port, username, privateKey, readyTimeout: 20_000 });
  });
}

function exec(c: Client, cmd: HostCommand): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    c.exec(shellQuote(cmd.argv), (err, ch) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let exitCode = -1;
      ch.on('data', (d: Buffer) => (stdout += d.toString()));
      ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      ch.on('exit', (code: number | null) => (exitCode = code ?? -1));
      ch.on('close', () => resolve({ stdout, stderr, exitCode }));
      ch.end(cmd.stdin);
    });
  });
}

/** Starts one real host (`name`, 198.18.`index`.0/30) and its hostsim twin. */
export async function startPair(name: string, index: number): Promise<HostPair> {
  return pairOf(await startRealHost({ ...DIFF_HOST, name, index, stateDir: '/tmp/netpin-realhost' }), DIFF_HOST);
}

/** A started real host and a hostsim twin of `spec` (the real host's own spec); close() stops both. */
async function pairOf(real: RealHost, spec: Pick<RealHostSpec, 'nics' | 'bridges'>): Promise<HostPair> {
  const stateDir = mkdtempSync(join(tmpdir(), 'hostsim-twin-'));
  const key = ensureClientKey(stateDir);
  const sim = await SimHost.start(hostsimTwin(spec), { stateDir, authorizedKeys: [key.publicKey] });
  const [rc, sc] = await Promise.all([
    connect(real.address, real.port, real.user, readFileSync(real.clientKeyPath, 'utf8')),
    connect(sim.address, sim.port, sim.user, key.privateKey),
  ]);
  const runSides = async (cmds: { real: HostCommand; sim: HostCommand }): Promise<{ real: CommandOutput; sim: CommandOutput }> => {
    const [r, s] = await Promise.all([exec(rc, cmds.real), exec(sc, cmds.sim)]);
    return { real: r, sim: s };
  };
  const run = (cmd: HostCommand) => runSides({ real: cmd, sim: cmd });
  return {
    real,
    sim,
    run,
    runSides,
    async runOk(cmd) {
      const out = await run(cmd);
      for (const side of ['real', 'sim'] as const) {
        if (!isOk(cmd, out[side])) throw new Error(`${side}: ${cmd.argv.join(' ')} exited ${out[side].exitCode}: ${out[side].stderr}`);
      }
      return out;
    },
    async close() {
      rc.end();
      sc.end();
      await sim.stop();
      rmSync(stateDir, { recursive: true, force: true });
      await real.stop();
    },
  };
}

/** A migration source and target: each a real host with its hostsim twin; the real ones linked by linkForMigration. */
export interface MigrationPairs {
  src: HostPair;
  dst: HostPair;
  close(): Promise<void>;
}

/** Starts the source (DIFF_HOST, `<name>s`, `index`) and the target (DIFF_MIGRATION_TARGET, `<name>d`, `index`+1). */
export async function startMigrationPairs(name: string, index: number): Promise<MigrationPairs> {
  const [rs, rd] = await Promise.all([
    startRealHost({ ...DIFF_HOST, name: `${name}s`, index, stateDir: '/tmp/netpin-realhost' }),
    startRealHost({ ...DIFF_MIGRATION_TARGET, name: `${name}d`, index: index + 1, stateDir: '/tmp/netpin-realhost' }),
  ]);
  const link = await linkForMigration([rs, rd]).catch(async (e: unknown) => {
    await Promise.all([rs.stop(), rd.stop()]);
    throw e;
  });
  const [src, dst] = await Promise.all([pairOf(rs, DIFF_HOST), pairOf(rd, DIFF_MIGRATION_TARGET)]);
  return {
    src,
    dst,
    async close() {
      await link.close();
      await Promise.all([src.close(), dst.close()]);
    },
  };
}

/** 198.18.<index>: one per spec file, spread by process so concurrent runs do not collide. */
export function pairIndex(base: number): number {
  return base + (process.pid % 8);
}
