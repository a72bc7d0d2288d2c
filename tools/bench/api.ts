/**
 * API benchmark (a script, not a test): requests per second and p99 of one GraphQL read,
 * `{ hosts(first: 20) { nodes { id name state address } } }`, against the real API in a
 * child process (fresh database with 20 hosts, a unique Redis prefix, an API token created
 * through the API, the rate limit raised), next to a bare node:http server answering the
 * same JSON body in the same run, both loaded by autocannon from this process.
 *
 *   npm run bench:api                 (human-readable)
 *   npm run bench:api -- --json       (exactly one JSON object on stdout)
 *   options: --connections 16 --duration 10 (seconds per round) --rounds 2 --hosts 20
 *            --log-level info (the API's default) --node-env production (as deployed) --profile DIR (V8 CPU profile of the API, summarised)
 *            --floors: also load, in the same rounds, the cheapest servers made of the API's own layers
 *            (Express 5; Express 5 + Apollo Server 5 on an in-memory schema: tools/bench/floor-server.ts)
 *            --compare DIR: also run the API of another checkout (e.g. `git worktree add /tmp/base main~3`, with its
 *            node_modules linked and its Prisma client generated) on the same database, in alternating rounds
 *            (the ratio of the two is the change's effect under the same machine load)
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFloors, type Floor } from './api-floors';
import { benchDatabase, createToken, gql, runChild, startApi, stopChild, type Undo } from './api-child';
import { summarizeProfiles } from './cpuprofile';
import { flag, intOpt, json, opt } from './options';
import { cpuSeconds, freePort, root, waitReady } from './provision-stack';

const CONNECTIONS = intOpt('connections', 16, 1);
const DURATION = intOpt('duration', 10, 1);
const ROUNDS = intOpt('rounds', 2, 1);
const HOSTS = intOpt('hosts', 20, 1);
const LOG_LEVEL = opt('log-level', 'info');
/** As deployed (Dockerfile, deploy/systemd/netpin-api.service); `--node-env development` for the other mode. */
const NODE_ENV = opt('node-env', 'production');
const PROFILE_DIR = opt('profile', '');
const COMPARE = opt('compare', '');
const FLOORS = flag('floors');
/** Pause after each load, so one server's aftermath does not fall on the next one's measurement. */
const SETTLE_MS = 3000;
if (COMPARE && ROUNDS % 2 === 1) {
  // each API goes first in half of the rounds: the one loaded second does measurably worse on a busy machine
  process.stderr.write('--compare needs an even --rounds\n');
  process.exit(2);
}
/** Where a request's time goes: functions whose inclusive time the profile summary reports. */
const PROFILE_FRAMES = [
  'processGraphQLRequest',
  'parse',
  'validate',
  'execute',
  'canActivate',
  'authenticate',
  'increment',
  'getTracker',
  'intercept',
  'list',
  'count',
  'findMany',
  'loggingMiddleware',
  'onResFinished',
  'securityHeaders',
  'corsMiddleware',
  'jsonParser',
  '(garbage collector)',
  '(idle)',
];
const QUERY = '{ hosts(first: 20) { nodes { id name state address } } }';

const log = (msg: string): void => void process.stderr.write(`[bench:api] ${msg}\n`);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The bare server: node:http, no framework, the same body and content type. */
const BARE_SERVER = `
const body = Buffer.from(process.env.BODY);
require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }); res.end(body); });
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

interface Round {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** CPU time (user + system) of the measured server per answered request. */
  cpuMsPerReq?: number;
}

async function hammer(url: string, path: string, token: string | null, seconds: number, pid?: number): Promise<Round> {
  const cpu0 = pid ? cpuSeconds(pid) : 0;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await autocannon({
    url: `${url}${path}`,
    method: 'POST',
    headers,
    body: JSON.stringify({ query: QUERY }),
    connections: CONNECTIONS,
    duration: seconds,
  });
  // let the server just loaded settle (GC, closing sockets, log flush) before the next target is loaded
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const round: Round = { reqPerSec: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
  if (pid && r.requests.total) round.cpuMsPerReq = Math.round(((cpuSeconds(pid) - cpu0) * 1e6) / r.requests.total) / 1000;
  return round;
}

interface Env {
  url: string;
  token: string;
  baseUrl: string;
  apiPid: number;
  barePid: number;
  compare?: { url: string; pid: number };
  floors: Floor[];
}

async function start(stateDir: string, undo: Undo): Promise<Env> {
  const { databaseUrl, prefix } = await benchDatabase('api', HOSTS, undo);
  const boot = randomBytes(24).toString('hex');
  const apiEnv = { DATABASE_URL: databaseUrl, NETPIN_QUEUE_PREFIX: prefix, NETPIN_BOOTSTRAP_ADMIN_TOKEN: boot };
  const prof = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [];
  const child = { env: apiEnv, logLevel: LOG_LEVEL, nodeEnv: NODE_ENV };
  const api = await startApi({ ...child, dir: root, nodeArgs: prof, logFile: join(stateDir, 'api.log') }, undo);
  const compare = COMPARE
    ? await startApi({ ...child, dir: resolve(COMPARE), nodeArgs: [], logFile: join(stateDir, 'compare.log') }, undo)
    : undefined;
  const url = api.url;
  const token = await createToken(url, boot, 'VIEWER');
  const body = JSON.stringify(await gql(url, token, QUERY).then((data) => ({ data })));

  const basePort = await freePort();
  const bare = runChild(['-e', BARE_SERVER], { PORT: String(basePort), BODY: body }, join(stateDir, 'bare.log'));
  undo.push(() => stopChild(bare));
  const baseUrl = `http://127.0.0.1:${basePort}`;
  await waitReady(baseUrl, 10_000, () => bare.proc.exitCode !== null).catch(() => undefined);
  const floors = FLOORS ? await startFloors(stateDir, body, undo) : [];
  return { url, token, baseUrl, apiPid: api.pid, barePid: bare.proc.pid ?? 0, compare, floors };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = (s.length - 1) / 2;
  return (s[Math.floor(m)] + s[Math.ceil(m)]) / 2;
}

interface Rounds {
  api: Round[];
  bare: Round[];
  compare: Round[];
  /** Per floor kind, one round per API round. */
  floors: Map<string, Round[]>;
}

/** Rounds of bare server, API (and the compared API), in turns, after a warm-up of each API. */
async function measure(env: Env): Promise<Rounds> {
  log(`API ${env.url}, bare server ${env.baseUrl}${env.compare ? `, compared API ${env.compare.url}` : ''}; load ${load()}; warming up`);
  await hammer(env.url, '/graphql', env.token, 3);
  if (env.compare) await hammer(env.compare.url, '/graphql', env.token, 3);
  for (const f of env.floors) await hammer(f.url, '/graphql', null, 3);
  const r: Rounds = { api: [], bare: [], compare: [], floors: new Map(env.floors.map((f) => [f.kind, []])) };
  for (let i = 0; i < ROUNDS; i++) {
    r.bare.push(await hammer(env.baseUrl, '/graphql', null, DURATION, env.barePid));
    for (const f of env.floors) r.floors.get(f.kind)?.push(await hammer(f.url, '/graphql', null, DURATION, f.pid));
    const apiRound = () => hammer(env.url, '/graphql', env.token, DURATION, env.apiPid);
    const cmp = env.compare;
    const compareRound = cmp ? () => hammer(cmp.url, '/graphql', env.token, DURATION, cmp.pid) : undefined;
    // alternate which API goes first, so neither always follows the bare round
    if (compareRound && i % 2 === 1) r.compare.push(await compareRound());
    r.api.push(await apiRound());
    if (compareRound && i % 2 === 0) r.compare.push(await compareRound());
    const a = r.api[i];
    const c = r.compare[i];
    log(
      `round ${i + 1}: api ${a.reqPerSec} req/s p99 ${a.p99Ms} ms ${a.cpuMsPerReq} CPU ms/req; ` +
        (c ? `compared ${c.reqPerSec} req/s p99 ${c.p99Ms} ms ${c.cpuMsPerReq} CPU ms/req; ` : '') +
        `bare ${r.bare[i].reqPerSec} req/s (load ${load()})`,
    );
  }
  // the token and the query still work after the load (no rate limit hit, no errors in the body)
  await gql(env.url, env.token, QUERY);
  const bad = [...r.api, ...r.compare, ...[...r.floors.values()].flat()].reduce((n, x) => n + x.non2xx + x.errors, 0);
  if (bad) throw new Error(`${bad} API requests failed (non-2xx or socket errors)`);
  return r;
}

function summary(rounds: Round[]): { reqPerSec: number; p50Ms: number; p99Ms: number; cpuMsPerReq: number } {
  return {
    reqPerSec: median(rounds.map((r) => r.reqPerSec)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    cpuMsPerReq: median(rounds.map((r) => r.cpuMsPerReq ?? NaN)),
  };
}

function report(r: Rounds, loadBefore: string): Record<string, unknown> {
  const api = summary(r.api);
  const baselineReqPerSec = median(r.bare.map((x) => x.reqPerSec));
  const compare = r.compare.length ? { dir: resolve(COMPARE), ...summary(r.compare) } : undefined;
  return {
    query: QUERY,
    hosts: HOSTS,
    connections: CONNECTIONS,
    durationSec: DURATION,
    rounds: ROUNDS,
    logLevel: LOG_LEVEL,
    nodeEnv: NODE_ENV,
    ...api,
    baselineReqPerSec,
    baselineP99Ms: median(r.bare.map((x) => x.p99Ms)),
    ratio: Math.round((api.reqPerSec / baselineReqPerSec) * 10_000) / 10_000,
    ...(compare
      ? {
          compare,
          speedupVsCompare: Math.round((api.reqPerSec / compare.reqPerSec) * 100) / 100,
          cpuPerReqVsCompare: Math.round((api.cpuMsPerReq / compare.cpuMsPerReq) * 100) / 100,
        }
      : {}),
    ...(r.floors.size ? { floors: Object.fromEntries([...r.floors].map(([kind, rounds]) => [kind, summary(rounds)])) } : {}),
    baselineCpuMsPerReq: median(r.bare.map((x) => x.cpuMsPerReq ?? NaN)),
    perRound: r.api.map((a, i) => ({ api: a, bare: r.bare[i], compare: r.compare[i] })),
    loadAvgBefore: loadBefore,
    loadAvgAfter: load(),
  };
}

async function run(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'netpin-bench-api-'));
  const undo: Undo = [async () => rmSync(stateDir, { recursive: true, force: true })];
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const f of undo.reverse()) await f().catch((e: unknown) => log(`cleanup step failed: ${String(e)}`));
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const env = await start(stateDir, undo);
    const loadBefore = load();
    const result = report(await measure(env), loadBefore);
    await stop();
    const profile = PROFILE_DIR
      ? summarizeProfiles(resolve(PROFILE_DIR), 25, { from: 'processGraphQLRequest', inclusive: PROFILE_FRAMES })
      : undefined;
    if (json) process.stdout.write(JSON.stringify(profile ? { ...result, profile } : result) + '\n');
    else {
      const { perRound: _rounds, ...shown } = result;
      log(JSON.stringify(shown, null, 1));
      if (profile) log(`API CPU profile (self ms):\n${JSON.stringify(profile, null, 1)}`);
    }
  } finally {
    await stop();
  }
}

run().catch((e: unknown) => {
  log(`failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
