import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOk, shellQuote, type CommandOutput, type HostCommand } from '@netpin/host-ops';
import { ensureClientKey, SimHost } from '@netpin/hostsim';
import { Client } from 'ssh2';
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
  const real = await startRealHost({ ...DIFF_HOST, name, index, stateDir: '/tmp/netpin-realhost' });
  const stateDir = mkdtempSync(join(tmpdir(), 'hostsim-twin-'));
  const key = ensureClientKey(stateDir);
  const sim = await SimHost.start(hostsimTwin(DIFF_HOST), { stateDir, authorizedKeys: [key.publicKey] });
  const [rc, sc] = await Promise.all([
    connect(real.address, real.port, real.user, readFileSync(real.clientKeyPath, 'utf8')),
    connect(sim.address, sim.port, sim.user, key.privateKey),
  ]);
  const run = async (cmd: HostCommand): Promise<{ real: CommandOutput; sim: CommandOutput }> => {
    const [r, s] = await Promise.all([exec(rc, cmd), exec(sc, cmd)]);
    return { real: r, sim: s };
  };
  return {
    real,
    sim,
    run,
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

/** 198.18.<index>: one per spec file, spread by process so concurrent runs do not collide. */
export function pairIndex(base: number): number {
  return base + (process.pid % 8);
}
