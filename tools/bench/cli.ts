/**
 * CLI benchmark (a script, not a test): wall time of `netpin --help` and `netpin hosts list`
 * (against the real API in a child process, fresh database with 20 hosts, a VIEWER token made
 * through the API), each run as a new process the way an operator runs it, next to the start
 * of a bare `node -e 0` in the same rounds (the baseline: what any Node program costs here).
 * Commands are interleaved round by round so each sees the same machine load.
 *
 *   npm run bench:cli                 (human-readable, on stderr)
 *   npm run bench:cli -- --json       (exactly one JSON object on stdout)
 *   options: --runs 15 (rounds) --hosts 20
 *            --profile DIR (V8 CPU profile of one `hosts list` run after the measured rounds, summarised)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { summarizeProfiles } from './cpuprofile';
import { intOpt, json, opt } from './options';
import { benchDatabase, createToken, startApi, type Undo } from './api-child';
import { root } from './provision-stack';

const RUNS = intOpt('runs', 15, 1);
const HOSTS = intOpt('hosts', 20, 1);
const PROFILE_DIR = opt('profile', '') ? resolve(opt('profile', '')) : '';
const log = (msg: string): void => void process.stderr.write(`[bench:cli] ${msg}\n`);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Command {
  name: string;
  args: string[];
  /** Checks the command's output; a run that fails it fails the benchmark. */
  check: (stdout: string) => boolean;
}

function commands(): Command[] {
  const cli = join(root, 'bin/netpin.cjs');
  return [
    { name: 'nodeStart', args: ['-e', '0'], check: () => true },
    { name: 'help', args: [cli, '--help'], check: (out) => out.includes('hosts') },
    { name: 'hostsList', args: [cli, 'hosts', 'list'], check: (out) => out.includes('bench-00001') },
  ];
}

/** One run: wall milliseconds of a new process, from spawn to exit. */
function timeOnce(c: Command, env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, c.args, { cwd: tmpdir(), env, encoding: 'utf8', timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 || !c.check(r.stdout)) throw new Error(`${c.name} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return ms;
}

/** One more run of `c` with V8's CPU profiler on, summarised by package and function. */
function profileOnce(c: Command, env: NodeJS.ProcessEnv): ReturnType<typeof summarizeProfiles> {
  timeOnce({ ...c, args: ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, ...c.args] }, env);
  return summarizeProfiles(PROFILE_DIR, 20);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
}

async function run(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'netpin-bench-cli-'));
  const undo: Undo = [async () => rmSync(stateDir, { recursive: true, force: true })];
  try {
    const { databaseUrl, prefix } = await benchDatabase('cli', HOSTS, undo);
    const boot = randomBytes(24).toString('hex');
    const env = { DATABASE_URL: databaseUrl, NETPIN_QUEUE_PREFIX: prefix, NETPIN_BOOTSTRAP_ADMIN_TOKEN: boot };
    const api = await startApi(
      { dir: root, env, nodeArgs: [], logFile: join(stateDir, 'api.log'), logLevel: 'warn', nodeEnv: 'production' },
      undo,
    );
    const token = await createToken(api.url, boot, 'VIEWER');
    const rebuildT0 = Date.now();
    (require(join(root, 'bin/cli-bundle.cjs')) as { ensure: () => string }).ensure();
    const bundleMs = Date.now() - rebuildT0;
    const cliEnv = { ...process.env, HOME: stateDir, NETPIN_API_URL: api.url, NETPIN_TOKEN: token, NO_COLOR: '1' };
    const cmds = commands();
    for (const c of cmds) timeOnce(c, cliEnv); // warm the page cache
    const loadBefore = load();
    const times = new Map<string, number[]>(cmds.map((c) => [c.name, []]));
    for (let i = 0; i < RUNS; i++) for (const c of cmds) times.get(c.name)?.push(timeOnce(c, cliEnv));
    const stat = (name: string) => ({ p50Ms: pct(times.get(name) ?? [], 50), p90Ms: pct(times.get(name) ?? [], 90) });
    const node = stat('nodeStart');
    const help = stat('help');
    const hostsList = stat('hostsList');
    const result = {
      runs: RUNS,
      hosts: HOSTS,
      helpMs: help.p50Ms,
      hostsListMs: hostsList.p50Ms,
      baselineNodeStartMs: node.p50Ms,
      helpOverBaseline: Math.round((help.p50Ms / node.p50Ms) * 100) / 100,
      hostsListOverBaseline: Math.round((hostsList.p50Ms / node.p50Ms) * 100) / 100,
      help,
      hostsList,
      nodeStart: node,
      bundleCheckMs: bundleMs,
      loadAvgBefore: loadBefore,
      loadAvgAfter: load(),
    };
    const profile = PROFILE_DIR ? profileOnce(cmds[2], cliEnv) : undefined;
    if (json) process.stdout.write(JSON.stringify(profile ? { ...result, profile } : result) + '\n');
    else log(JSON.stringify(profile ? { ...result, profile } : result, null, 1));
  } finally {
    for (const f of undo.reverse()) await f().catch((e: unknown) => log(`cleanup step failed: ${String(e)}`));
  }
}

run().catch((e: unknown) => {
  log(`failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
