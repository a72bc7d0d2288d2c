/**
 * Discovery benchmark (a script, not a test): a fresh stack (provision-stack.ts: own database,
 * Redis prefix, one hostsim process, ONE agent, the API), every SR-IOV PF of the fleet given
 * `--vfs` VFs straight over SSH first (a fleet as it comes up, untimed), then the timed part:
 * registerHost + discoverHost for every host through the API (`--in-flight` requests at a
 * time), until every discovery operation is finished. The run fails on any failed discovery
 * or when the inventory in the database (NUMA nodes, CPUs, NICs, VFs, IRQs) differs from what
 * the hosts' specs say.
 *
 * Same-run baseline: `--baseline` extra hosts registered and discovered one at a time, alone,
 * before the fleet; `parallelism` = hosts x (one host alone) / wall time.
 *
 *   npm run bench:discovery -- --hosts 1000            (human-readable)
 *   npm run bench:discovery -- --hosts 1000 --json     (exactly one JSON object on stdout)
 *   options: --profile dual-socket-sriov --vfs 64 --baseline 5 --in-flight 32
 *            --agent-concurrency N (NETPIN_AGENT_CONCURRENCY; the agent's default when absent)
 *            --cpu-profile DIR (V8 CPU profiles of the API and the agent) --log-level warn
 */
import { resolve } from 'node:path';
import { Client } from 'pg';
import { GqlClient, whenAvailable } from '@netpin/client';
import { setSriovNumVfs } from '@netpin/host-ops';
import { profileSpec, type FleetEntry } from '@netpin/hostsim';
import { DirectShell, dist, hostCommands, intOpt, json, loadAvg, opt, round, type Dist } from './migration-common';
import { now } from './provision-watch';
import { cpuSeconds, freePort, machineCpu, runBench, startStack, type Stack } from './provision-stack';

const HOSTS = intOpt('hosts', 100, 1);
const PROFILE = opt('profile', 'dual-socket-sriov');
const VFS = intOpt('vfs', 64, 0);
const BASELINE = intOpt('baseline', 5, 0);
const IN_FLIGHT = intOpt('in-flight', 32, 1);
const AGENT_CONCURRENCY = opt('agent-concurrency', '');
const GOAL = { hosts: 1000, seconds: 60 };
const log = (msg: string): void => void process.stderr.write(`[bench:discovery] ${msg}\n`);

/** What discovery must have written for one host, from its hostsim spec and the VFs given. */
interface Expected {
  numaNodes: number;
  cpus: number;
  nics: number;
  vfs: number;
}

function expectedOf(e: FleetEntry): Expected & { pfs: { name: string; vfs: number }[] } {
  const spec = profileSpec(e.profile, e.hostname);
  const pfs = spec.nics.filter((n) => n.sriovTotalVfs > 0).map((n) => ({ name: n.name, vfs: Math.min(VFS, n.sriovTotalVfs) }));
  return {
    numaNodes: spec.numaNodes.length,
    cpus: spec.cpu.sockets * spec.cpu.coresPerSocket * spec.cpu.threadsPerCore,
    nics: spec.nics.length,
    vfs: pfs.reduce((n, p) => n + p.vfs, 0),
    pfs,
  };
}

/** Run `work` over `items` with at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  });
  await Promise.all(lanes);
}

/** Give every SR-IOV PF its VFs over SSH (untimed: the fleet as it boots). */
async function createVfs(sim: FleetEntry[]): Promise<void> {
  if (VFS === 0) return;
  await pool(sim, 16, async (e) => {
    const pfs = expectedOf(e).pfs;
    if (pfs.length === 0) return;
    const sh = await DirectShell.connect(e);
    try {
      for (const pf of pfs) {
        const c = setSriovNumVfs(pf.name as Parameters<typeof setSriovNumVfs>[0], pf.vfs);
        await sh.run([...c.argv], c.stdin);
      }
    } finally {
      sh.close();
    }
  });
}

interface OpRow {
  id: string;
  state: string;
  targetId: string;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  steps: { name: string; startedAt: string; finishedAt: string }[];
}

/**
 * Where a discovery's time went, from its operation row: queued (created -> the agent's
 * first step), agent (first step -> last step), result (last step -> finished in the database:
 * the result queue and applying the facts).
 */
function phases(rows: OpRow[]): Record<string, Dist> {
  const q: number[] = [];
  const a: number[] = [];
  const res: number[] = [];
  for (const r of rows) {
    if (!r.finishedAt || r.steps.length === 0) continue;
    const first = Date.parse(r.steps[0].startedAt);
    const last = Date.parse(r.steps[r.steps.length - 1].finishedAt);
    q.push(first - r.createdAt.getTime());
    a.push(last - first);
    res.push(r.finishedAt.getTime() - last);
  }
  return { queuedMs: dist(q), agentMs: dist(a), resultMs: dist(res) };
}

/** Waits until none of `opIds` is QUEUED or RUNNING (polling the run's database). */
async function settle(pg: Client, opIds: string[], timeoutMs: number): Promise<OpRow[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await pg.query<{ open: string }>(
      `SELECT count(*) AS open FROM "Operation" WHERE id = ANY($1::uuid[]) AND state IN ('QUEUED', 'RUNNING')`,
      [opIds],
    );
    if (Number(r.rows[0].open) === 0) break;
    if (Date.now() > until) throw new Error(`${r.rows[0].open} discoveries still open after ${timeoutMs} ms`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const rows = await pg.query<OpRow>(
    `SELECT id, state::text AS state, "targetId", "errorCode", "errorMessage", "createdAt", "finishedAt", steps FROM "Operation" WHERE id = ANY($1::uuid[])`,
    [opIds],
  );
  return rows.rows;
}

/** register + discoverHost for each entry, `inFlight` hosts at a time; the discovery operation ids. */
async function registerAndDiscover(client: GqlClient, entries: Stack['entries'], inFlight: number): Promise<string[]> {
  const ops: string[] = [];
  await pool(entries, inFlight, async (h) => {
    const host = await whenAvailable(() =>
      client.typed.registerHost({
        name: h.name,
        address: h.address,
        port: h.port,
        sshUser: h.user,
        credentialRef: h.credentialRef,
        hostKeyFingerprint: h.fingerprint,
      }),
    );
    ops.push((await whenAvailable(() => client.typed.discoverHost(host.id))).id);
  });
  return ops;
}

/** Per-host inventory counts as written, compared with what each host's spec says. */
async function checkInventory(pg: Client, sim: FleetEntry[]): Promise<{ mismatches: string[]; rows: Record<string, number> }> {
  const r = await pg.query<{ name: string; nodes: number; cpus: number; nics: number; vfs: number; irqs: number }>(`
    SELECT h.name,
      (SELECT count(*) FROM "NumaNode" n WHERE n."hostId" = h.id)::int AS nodes,
      (SELECT count(*) FROM "Cpu" c WHERE c."hostId" = h.id)::int AS cpus,
      (SELECT count(*) FROM "Nic" n WHERE n."hostId" = h.id)::int AS nics,
      (SELECT count(*) FROM "Vf" v JOIN "Nic" n ON n.id = v."nicId" WHERE n."hostId" = h.id)::int AS vfs,
      (SELECT count(*) FROM "NicIrq" i JOIN "Nic" n ON n.id = i."nicId" WHERE n."hostId" = h.id)::int AS irqs
    FROM "Host" h WHERE h.state = 'READY'`);
  const byName = new Map(r.rows.map((x) => [x.name, x]));
  const mismatches: string[] = [];
  const rows = { numaNodes: 0, cpus: 0, nics: 0, vfs: 0, irqs: 0 };
  for (const e of sim) {
    const got = byName.get(e.hostname);
    const want = expectedOf(e);
    if (!got) {
      mismatches.push(`${e.hostname}: not READY`);
      continue;
    }
    const g = { numaNodes: got.nodes, cpus: got.cpus, nics: got.nics, vfs: got.vfs };
    for (const k of ['numaNodes', 'cpus', 'nics', 'vfs'] as const)
      if (g[k] !== want[k]) mismatches.push(`${e.hostname}: ${k} ${g[k]}, expected ${want[k]}`);
    if (got.irqs === 0) mismatches.push(`${e.hostname}: no NIC IRQs`);
    for (const k of ['numaNodes', 'cpus', 'nics', 'vfs'] as const) rows[k] += g[k];
    rows.irqs += got.irqs;
  }
  return { mismatches, rows };
}

/** CPU seconds of the PostgreSQL backends serving the run's database (when /proc shows them). */
async function pgBackendCpu(pg: Client): Promise<Map<number, number>> {
  const r = await pg.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return new Map(r.rows.map((x) => [x.pid, cpuSeconds(x.pid)]));
}

function cpuDiff(before: Map<number, number>, after: Map<number, number>): number {
  let s = 0;
  for (const [pid, v] of after) if (Number.isFinite(v)) s += v - (before.get(pid) ?? 0);
  return s;
}

let stack: Stack | undefined;
let pg: Client | undefined;
async function cleanup(): Promise<void> {
  await pg?.end().catch(() => undefined);
  await stack?.stop();
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));

/** One host at a time, alone: register, discover, wait for the operation. */
async function baseline(client: GqlClient, entries: Stack['entries']): Promise<number[]> {
  const out: number[] = [];
  for (const e of entries) {
    const t0 = now();
    const [op] = await registerAndDiscover(client, [e], 1);
    const [row] = await settle(pg as Client, [op], 120_000);
    if (row.state !== 'SUCCEEDED') throw new Error(`baseline discovery of ${e.name} ${row.state}: ${row.errorCode} ${row.errorMessage}`);
    out.push(now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  const metricsPort = await freePort();
  const profileDir = opt('cpu-profile', '');
  stack = await startStack({
    hosts: HOSTS + BASELINE,
    profiles: [PROFILE],
    agent: 'child',
    api: 'child',
    logLevel: opt('log-level', 'warn'),
    strategy: 'PACK',
    profileDir: profileDir ? resolve(profileDir) : undefined,
    agentEnv: {
      NETPIN_AGENT_METRICS_PORT: String(metricsPort),
      ...(AGENT_CONCURRENCY ? { NETPIN_AGENT_CONCURRENCY: AGENT_CONCURRENCY } : {}),
    },
    // the bench's own requests (two per host) must not be throttled
    apiEnv: { NETPIN_RATE_LIMIT_PER_MINUTE: String(Math.max(6000, 10 * (HOSTS + BASELINE))) },
    log,
  });
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const client = new GqlClient(stack.url, stack.token);
  pg = new Client({ connectionString: stack.databaseUrl });
  await pg.connect();
  const t0Vfs = now();
  await createVfs(stack.sim);
  log(`VFs created on ${stack.sim.length} hosts (${VFS} per PF) in ${round((now() - t0Vfs) / 1000, 1)} s`);

  const base = await baseline(client, stack.entries.slice(0, BASELINE));
  if (base.length) log(`baseline: ${base.length} hosts one at a time: ${base.map((b) => round(b)).join(', ')} ms`);
  const fleet = stack.entries.slice(BASELINE);

  const load0 = loadAvg();
  const c0 = await hostCommands(metricsUrl);
  const cpu0 = Object.fromEntries(Object.entries(stack.pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const pg0 = await pgBackendCpu(pg);
  const m0 = machineCpu();
  const t0 = now();
  const opIds = await registerAndDiscover(client, fleet, IN_FLIGHT);
  const requestsMs = now() - t0;
  const rows = await settle(pg, opIds, 1_800_000);
  const lastFinish = Math.max(...rows.map((r) => r.finishedAt?.getTime() ?? 0));
  const wallMs = Math.max(lastFinish, t0 + requestsMs) - t0;
  const m1 = machineCpu();
  const cpu: Record<string, number> = {};
  for (const [k, pid] of Object.entries(stack.pids)) cpu[k] = round(cpuSeconds(pid) - cpu0[k], 2);
  cpu.postgres = round(cpuDiff(pg0, await pgBackendCpu(pg)), 2);
  const c1 = await hostCommands(metricsUrl);
  const load1 = loadAvg();

  const failed = rows.filter((r) => r.state !== 'SUCCEEDED');
  const inv = await checkInventory(pg, stack.sim.slice(BASELINE));
  const seconds = wallMs / 1000;
  const single = [...base].sort((a, b) => a - b)[Math.floor(base.length / 2)];
  const r = {
    hosts: fleet.length,
    profile: PROFILE,
    vfsPerPf: VFS,
    inFlight: IN_FLIGHT,
    agentConcurrency: AGENT_CONCURRENCY ? Number(AGENT_CONCURRENCY) : 'default',
    seconds: round(seconds, 2),
    hostsPerSec: round(fleet.length / seconds, 1),
    requestsSeconds: round(requestsMs / 1000, 2),
    failed: failed.length,
    inventoryMismatches: inv.mismatches.length,
    rows: inv.rows,
    phases: phases(rows),
    hostCommandsPerHost: round((c1.total - c0.total) / fleet.length, 1),
    cpuSeconds: cpu,
    cpuMsPerHost: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round((1000 * v) / fleet.length, 1)])),
    machineBusyCpuSeconds: round(m1.busy - m0.busy, 1),
    machineCpuSeconds: round(m1.total - m0.total, 1),
    baseline: base.length
      ? { hosts: base.length, oneHostAloneMs: round(single), parallelism: round((fleet.length * single) / wallMs, 1) }
      : null,
    loadAverage: { before: load0, after: load1 },
    goal: { ...GOAL, met: fleet.length >= GOAL.hosts && seconds <= GOAL.seconds && failed.length === 0 && inv.mismatches.length === 0 },
  };
  if (failed.length) log(`${failed.length} discoveries failed; first: ${failed[0].errorCode} ${failed[0].errorMessage}`);
  if (inv.mismatches.length) log(`inventory mismatches (${inv.mismatches.length}); first: ${inv.mismatches.slice(0, 5).join('; ')}`);
  if (failed.length || inv.mismatches.length) process.exitCode = 1;
  if (json) return void process.stdout.write(JSON.stringify(r) + '\n');
  console.log(`discovery of ${r.hosts} ${PROFILE} hosts (${VFS} VFs per PF) by one agent, load ${load0.join(' ')} -> ${load1.join(' ')}`);
  console.log(
    `wall ${r.seconds} s (${r.hostsPerSec} hosts/s; requests done after ${r.requestsSeconds} s), ${r.failed} failed, ${r.inventoryMismatches} inventory mismatches`,
  );
  console.log(
    `per discovery p50/p99 ms: ${Object.entries(r.phases)
      .map(([k, d]) => `${k} ${d.p50Ms}/${d.p99Ms}`)
      .join(', ')}`,
  );
  console.log(`rows written: ${JSON.stringify(r.rows)}; host commands per host: ${r.hostCommandsPerHost}`);
  console.log(
    `CPU seconds: ${JSON.stringify(cpu)} (per host ms: ${JSON.stringify(r.cpuMsPerHost)}); machine busy ${r.machineBusyCpuSeconds} of ${r.machineCpuSeconds} s`,
  );
  if (r.baseline)
    console.log(
      `baseline: one host alone ${r.baseline.oneHostAloneMs} ms (median of ${base.length}); parallelism x${r.baseline.parallelism}`,
    );
  console.log(`goal (${GOAL.hosts} hosts <= ${GOAL.seconds} s, none failed): ${r.goal.met ? 'met' : 'MISSED'}`);
}

runBench(main, { log, tails: () => stack?.tails(), cleanup });
