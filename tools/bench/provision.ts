/**
 * Provisioning benchmark (a script, not a test): the whole stack on this machine — a fresh
 * PostgreSQL database, a Redis prefix, a hostsim fleet, the agent and the API — then N
 * createVm calls with bounded concurrency, each timed from the call until its operation
 * reports SUCCEEDED (the VM is RUNNING) over the operationUpdated subscription.
 *
 *   npm run bench:provision                  (human-readable)
 *   npm run bench:provision -- --json        (exactly one JSON object on stdout)
 *   options: --vms 500 --hosts 50 --concurrency 32 --baseline 20 (0: none)
 *            --agent child|inproc --api child|inproc --log-level warn --strategy PACK|SPREAD (the API's placement strategy)
 *            --profile DIR (V8 CPU profiles of the API, agent and hostsim children, summarised at the end)
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GqlClient, GqlError } from '@netpin/client';
import { setupFleet } from '@netpin/client';
import { summarizeProfiles } from './cpuprofile';
import { now, Watcher } from './provision-watch';
import { cpuSeconds, freePort, machineCpu, runBench, startStack, type Mode, type Stack } from './provision-stack';
import { diffCounts, hostCommands, loadAvg } from './migration-common';

const argv = process.argv.slice(2);
function opt(name: string, dflt: string): string {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return dflt;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : (argv[i + 1] ?? dflt);
}
function intOpt(name: string, dflt: number, min: number): number {
  const v = Number(opt(name, String(dflt)));
  if (!Number.isInteger(v) || v < min) {
    process.stderr.write(`--${name} must be an integer >= ${min}\n`);
    process.exit(2);
  }
  return v;
}
function modeOpt(name: string, dflt: Mode): Mode {
  const v = opt(name, dflt);
  if (v !== 'child' && v !== 'inproc') {
    process.stderr.write(`--${name} must be child or inproc\n`);
    process.exit(2);
  }
  return v;
}

const json = argv.includes('--json');
const VMS = intOpt('vms', 500, 1);
const HOSTS = intOpt('hosts', 50, 1);
const CONCURRENCY = intOpt('concurrency', 32, 1);
const BASELINE = intOpt('baseline', 20, 0);
const AGENT = modeOpt('agent', 'child');
const API = modeOpt('api', 'child');
const LOG_LEVEL = opt('log-level', 'warn');
const STRATEGY = ((): 'PACK' | 'SPREAD' => {
  const v = opt('strategy', 'PACK');
  if (v === 'PACK' || v === 'SPREAD') return v;
  process.stderr.write('--strategy must be PACK or SPREAD\n');
  process.exit(2);
})();
const PROFILE_DIR = opt('profile', '');
const VM_TIMEOUT_MS = 180_000;

const log = (msg: string): void => void process.stderr.write(`[bench:provision] ${msg}\n`);

// Mostly dual-socket SR-IOV hosts so that 500 VMs fit, plus one small and one legacy per ten.
const PROFILES = [
  'dual-socket-sriov',
  'dual-socket-sriov',
  'dual-socket-sriov',
  'small-one-node',
  'dual-socket-sriov',
  'dual-socket-sriov',
  'dual-socket-sriov',
  'dual-socket-sriov',
  'legacy-no-iommu',
  'dual-socket-sriov',
];

type Shape = 'sriov' | 'macvtap' | 'bridge' | 'e1000';
const SHAPES: Record<Shape, Record<string, unknown>> = {
  sriov: { vcpus: 2, memoryMiB: 2048, interfaces: [{ network: 'physnet0', vlan: 100 }] },
  macvtap: { vcpus: 2, memoryMiB: 2048, interfaces: [{ network: 'direct' }] },
  bridge: { vcpus: 2, memoryMiB: 2048, interfaces: [{ network: 'tenant-br', datapath: 'VHOST_BRIDGE' }] },
  e1000: { vcpus: 1, memoryMiB: 1024, cpuPolicy: 'SHARED', guestVirtio: false, interfaces: [{ network: 'tenant-br' }] },
};
/** 40% SR-IOV, 25% macvtap, 25% bridge, 10% e1000 (dedicated CPUs except e1000). */
function shapeOf(i: number): Shape {
  const s = i % 20;
  return s < 8 ? 'sriov' : s < 13 ? 'macvtap' : s < 18 ? 'bridge' : 'e1000';
}

const CREATE = `mutation ($input: VmInput!) { createVm(input: $input) { vm { id plan { hostName } } operation { id } } }`;
const OP_FIELDS = `id state createdAt startedAt finishedAt errorCode errorMessage steps { name startedAt finishedAt }`;

interface OpView {
  id: string;
  state: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  steps: { name: string; startedAt: string | null; finishedAt: string | null }[];
}

interface Sample {
  shape: Shape;
  t0: number;
  t1?: number;
  t2?: number;
  opId?: string;
  host?: string;
  error?: string;
  viaPoll?: boolean;
  op?: OpView;
}

/** Operations by id, 50 per request (aliased fields). */
async function fetchOps(client: GqlClient, ids: string[]): Promise<Map<string, OpView>> {
  const out = new Map<string, OpView>();
  for (let i = 0; i < ids.length; i += 50) {
    const chunk = ids.slice(i, i + 50);
    const q = `query { ${chunk.map((id, k) => `o${k}: operation(id: ${JSON.stringify(id)}) { ${OP_FIELDS} }`).join(' ')} }`;
    const data = await client.request<Record<string, OpView>>(q);
    for (const v of Object.values(data)) out.set(v.id, v);
  }
  return out;
}

/**
 * Safety net: an operation still pending after 10 s is looked up (batched, every 5 s);
 * a terminal one found that way counts at its finishedAt and is flagged viaPoll.
 */
function startSafetyPoll(client: GqlClient, w: Watcher, firstSeen: Map<string, number>, polled: Set<string>): () => void {
  let busy = false;
  const t = setInterval(() => {
    if (busy) return;
    const old = w.pending().filter((id) => now() - (firstSeen.get(id) ?? now()) > 10_000);
    if (!old.length) return;
    busy = true;
    fetchOps(client, old)
      .then((ops) => {
        for (const op of ops.values()) {
          if ((op.state === 'SUCCEEDED' || op.state === 'FAILED') && op.finishedAt) {
            polled.add(op.id);
            w.settle(op.id, Date.parse(op.finishedAt), op.state, op.errorCode);
          }
        }
      })
      .catch((e: unknown) => log(`safety poll failed: ${String(e)}`))
      .finally(() => (busy = false));
  }, 5000);
  return () => clearInterval(t);
}

async function runBatch(
  client: GqlClient,
  w: Watcher,
  namePrefix: string,
  count: number,
  concurrency: number,
  offset: number,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const firstSeen = new Map<string, number>();
  const polled = new Set<string>();
  const stopPoll = startSafetyPoll(client, w, firstSeen, polled);
  let next = 0;
  let finished = 0;
  const progressEvery = Math.max(1, Math.floor(count / 10));
  async function worker(): Promise<void> {
    while (next < count) {
      const i = next++;
      const shape = shapeOf(i + offset);
      const s: Sample = { shape, t0: now() };
      samples.push(s);
      try {
        const r = await client.request<{ createVm: { vm: { id: string; plan: { hostName: string } }; operation: { id: string } } }>(
          CREATE,
          {
            input: { name: `${namePrefix}-${i}`, ...SHAPES[shape] },
          },
        );
        s.t1 = now();
        s.opId = r.createVm.operation.id;
        s.host = r.createVm.vm.plan.hostName;
        firstSeen.set(s.opId, s.t1);
        await w.wait(s.opId, VM_TIMEOUT_MS);
        const d = w.done.get(s.opId);
        if (!d) s.error = 'TIMEOUT';
        else {
          s.t2 = d.at;
          s.viaPoll = polled.has(s.opId);
          if (d.state !== 'SUCCEEDED') s.error = d.error ?? 'FAILED';
        }
      } catch (e) {
        s.t1 ??= now();
        s.error = e instanceof GqlError ? (e.code ?? e.message) : String(e);
      }
      if (++finished % progressEvery === 0 && !json) log(`${namePrefix}: ${finished}/${count} done`);
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => worker()));
  } finally {
    stopPoll();
  }
  const ops = await fetchOps(
    client,
    samples.flatMap((s) => (s.opId ? [s.opId] : [])),
  );
  for (const s of samples) if (s.opId) s.op = ops.get(s.opId);
  return samples;
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const round = (x: number, d = 1): number => Number(x.toFixed(d));
function dist(xs: number[]): { meanMs: number; p50Ms: number; p99Ms: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { meanMs: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)), p50Ms: round(pct(s, 50)), p99Ms: round(pct(s, 99)) };
}

interface Summary {
  vms: number;
  ok: number;
  failed: number;
  vmsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  wallSec: number;
  viaPoll: number;
  errors: Record<string, number>;
  breakdown: Record<string, { meanMs: number; p50Ms: number; p99Ms: number }>;
  vmsPerHost: { max: number; hostsUsed: number };
}

function summarize(samples: Sample[]): Summary {
  const ok = samples.flatMap((s) => (!s.error && s.t1 !== undefined && s.t2 !== undefined ? [{ ...s, t1: s.t1, t2: s.t2 }] : []));
  const lat = ok.map((s) => s.t2 - s.t0).sort((a, b) => a - b);
  const first = Math.min(...samples.map((s) => s.t0));
  const last = Math.max(...ok.map((s) => s.t2));
  const wallSec = (last - first) / 1000;
  const errors: Record<string, number> = {};
  for (const s of samples) if (s.error) errors[s.error] = (errors[s.error] ?? 0) + 1;
  // Latency = placement+DB (createVm response) + queue (response -> first agent step)
  // + host apply (first step start -> last step end, SSH) + result (-> SUCCEEDED seen).
  const parts = { placementDb: [] as number[], queue: [] as number[], hostApply: [] as number[], result: [] as number[] };
  for (const s of ok) {
    const st = s.op?.steps ?? [];
    const a = Date.parse(st[0]?.startedAt ?? '');
    const b = Date.parse(st[st.length - 1]?.finishedAt ?? '');
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    parts.placementDb.push(s.t1 - s.t0);
    parts.queue.push(a - s.t1);
    parts.hostApply.push(b - a);
    parts.result.push(s.t2 - b);
  }
  const perHost = new Map<string, number>();
  for (const s of ok) if (s.host) perHost.set(s.host, (perHost.get(s.host) ?? 0) + 1);
  return {
    vms: samples.length,
    ok: ok.length,
    failed: samples.length - ok.length,
    vmsPerSec: round(ok.length / Math.max(wallSec, 1e-9), 2),
    p50Ms: round(pct(lat, 50)),
    p99Ms: round(pct(lat, 99)),
    wallSec: round(wallSec, 2),
    viaPoll: ok.filter((s) => s.viaPoll).length,
    errors,
    breakdown: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, dist(v)])),
    vmsPerHost: { max: Math.max(0, ...perHost.values()), hostsUsed: perHost.size },
  };
}

async function capacityReport(client: GqlClient): Promise<Record<Shape, number>> {
  const out = {} as Record<Shape, number>;
  for (const shape of Object.keys(SHAPES) as Shape[]) {
    const { capacity } = await client.request<{ capacity: { total: number } }>(
      `query ($input: VmInput!) { capacity(input: $input) { total } }`,
      {
        input: { name: `cap-${shape}`, ...SHAPES[shape] },
      },
    );
    out[shape] = capacity.total;
  }
  return out;
}

let stack: Stack | undefined;
let watcher: Watcher | undefined;
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await watcher?.close().catch(() => undefined);
    await stack?.stop();
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const tSetup = now();
  const metricsPort = await freePort();
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  stack = await startStack({
    hosts: HOSTS,
    profiles: PROFILES,
    agent: AGENT,
    api: API,
    logLevel: LOG_LEVEL,
    strategy: STRATEGY,
    profileDir: PROFILE_DIR ? resolve(PROFILE_DIR) : undefined,
    agentEnv: { NETPIN_AGENT_METRICS_PORT: String(metricsPort) },
    log,
  });
  const client = new GqlClient(stack.url, stack.token);
  watcher = new Watcher(stack.url, stack.token, log);
  watcher.start();
  await setupFleet(client, stack.entries, { log });
  if (watcher.source === 'graphql-ws' && watcher.events === 0) {
    log('the operationUpdated subscription delivered nothing during fleet setup; using REST SSE');
    watcher.source = 'sse';
  }
  log(`stack and fleet ready in ${round((now() - tSetup) / 1000)} s`);

  const cap = await capacityReport(client);
  const need: Record<Shape, number> = { sriov: 0, macvtap: 0, bridge: 0, e1000: 0 };
  for (let i = 0; i < VMS + BASELINE; i++) need[shapeOf(i)]++;
  const capLine = (Object.keys(cap) as Shape[]).map((k) => `${k} ${cap[k]} (need ${need[k]})`).join(', ');
  log(`capacity on the empty fleet, per shape alone: ${capLine}`);
  for (const k of Object.keys(cap) as Shape[]) if (cap[k] < need[k]) log(`warning: only ${cap[k]} ${k} VMs fit, ${need[k]} requested`);

  let baseline: Summary | undefined;
  if (BASELINE > 0) {
    log(`baseline: ${BASELINE} VMs, concurrency 1`);
    baseline = summarize(await runBatch(client, watcher, 'base', BASELINE, 1, 0));
  }

  log(`main run: ${VMS} VMs over ${HOSTS} hosts, concurrency ${CONCURRENCY}`);
  const cpu0 = Object.fromEntries(Object.entries(stack.pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const self0 = process.cpuUsage();
  const m0 = machineCpu();
  const load0 = loadAvg();
  const cmd0 = AGENT === 'child' ? await hostCommands(metricsUrl) : null;
  const main = summarize(await runBatch(client, watcher, 'vm', VMS, CONCURRENCY, BASELINE));
  const m1 = machineCpu();
  log('main run done'); // a mark for whoever measures PostgreSQL and Redis over the main run alone
  const load1 = loadAvg();
  const cmd1 = cmd0 ? await hostCommands(metricsUrl) : null;
  const selfUse = process.cpuUsage(self0);
  const cpu: Record<string, number> = {};
  for (const [k, pid] of Object.entries(stack.pids)) cpu[k] = round(cpuSeconds(pid) - cpu0[k], 2);
  cpu[API === 'child' && AGENT === 'child' ? 'driver' : 'driver+inproc'] = round((selfUse.user + selfUse.system) / 1e6, 2);
  cpu.machineBusy = round(m1.busy - m0.busy, 2);
  cpu.machineTotal = round(m1.total - m0.total, 2);

  const result = {
    vms: VMS,
    hosts: HOSTS,
    concurrency: CONCURRENCY,
    vmsPerSec: main.vmsPerSec,
    p50Ms: main.p50Ms,
    p99Ms: main.p99Ms,
    failed: main.failed,
    wallSec: main.wallSec,
    errors: main.errors,
    breakdown: main.breakdown,
    vmsPerHost: main.vmsPerHost,
    viaPoll: main.viaPoll,
    capacity: cap,
    cpuSeconds: cpu,
    cpuMsPerVm: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round((v * 1000) / VMS)])),
    hostCommandsPerVm:
      cmd0 && cmd1
        ? {
            total: round((cmd1.total - cmd0.total) / VMS, 2),
            byCommand: Object.fromEntries(
              Object.entries(diffCounts(cmd0.byCommand, cmd1.byCommand)).map(([k, v]) => [k, round(v / VMS, 2)]),
            ),
          }
        : null,
    loadAverage: { start: load0, end: load1 },
    mode: {
      agent: AGENT,
      api: API,
      logLevel: LOG_LEVEL,
      strategy: STRATEGY,
      completion: watcher.source,
      subscriptionError: watcher.subscriptionError,
    },
    baseline: baseline
      ? {
          vms: baseline.vms,
          concurrency: 1,
          vmsPerSec: baseline.vmsPerSec,
          p50Ms: baseline.p50Ms,
          p99Ms: baseline.p99Ms,
          failed: baseline.failed,
          breakdown: baseline.breakdown,
          throughputRatio: round(main.vmsPerSec / baseline.vmsPerSec, 2),
          p50Ratio: round(main.p50Ms / baseline.p50Ms, 2),
        }
      : null,
    targets: { p99MsMax: 2000, vmsPerSecMin: 25, met: main.p99Ms <= 2000 && main.vmsPerSec >= 25 && main.failed === 0 },
  };

  let profile: Record<string, ReturnType<typeof summarizeProfiles>> | undefined;
  if (PROFILE_DIR) {
    await cleanup(); // the children write their profiles as they exit
    profile = {};
    for (const role of ['api', 'agent', 'hostsim']) {
      const dir = resolve(PROFILE_DIR, role);
      if (existsSync(dir)) profile[role] = summarizeProfiles(dir);
    }
  }

  if (json) {
    process.stdout.write(JSON.stringify(profile ? { ...result, profile } : result) + '\n');
    return;
  }
  const b = (x: Summary['breakdown']) =>
    Object.entries(x)
      .map(
        ([k, v]) =>
          `    ${k.padEnd(12)} mean ${String(v.meanMs).padStart(8)} ms   p50 ${String(v.p50Ms).padStart(8)} ms   p99 ${String(v.p99Ms).padStart(8)} ms`,
      )
      .join('\n');
  console.log(`capacity (empty fleet, each shape alone): ${capLine}`);
  if (baseline) {
    console.log(
      `baseline: ${baseline.vms} VMs, concurrency 1: ${baseline.vmsPerSec} VMs/s, p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms, failed ${baseline.failed}`,
    );
    console.log(b(baseline.breakdown));
  }
  console.log(
    `${VMS} VMs over ${HOSTS} hosts, concurrency ${CONCURRENCY} (agent ${AGENT}, api ${API}): ${main.vmsPerSec} VMs/s (${main.wallSec} s), ` +
      `p50 ${main.p50Ms} ms, p99 ${main.p99Ms} ms, failed ${main.failed}${main.failed ? ` ${JSON.stringify(main.errors)}` : ''}, ` +
      `max ${main.vmsPerHost.max} VMs on one host (${main.vmsPerHost.hostsUsed} hosts used), ${main.viaPoll} seen by the safety poll, completion via ${watcher.source}`,
  );
  console.log(b(main.breakdown));
  if (baseline) console.log(`ratio to baseline: throughput x${result.baseline?.throughputRatio}, p50 x${result.baseline?.p50Ratio}`);
  console.log(`CPU seconds during the main run: ${JSON.stringify(cpu)}`);
  console.log(`host commands per VM: ${JSON.stringify(result.hostCommandsPerVm)}; load average ${load0.join(' ')} -> ${load1.join(' ')}`);
  for (const [role, p] of Object.entries(profile ?? {})) {
    console.log(`${role} CPU profile (whole process life, ${p.totalMs} ms sampled), self time by package/folder:`);
    for (const [k, ms] of p.byPackage) console.log(`    ${String(ms).padStart(8)} ms  ${k}`);
    console.log(`  by function:`);
    for (const [k, ms] of p.byFunction) console.log(`    ${String(ms).padStart(8)} ms  ${k}`);
  }
  console.log(`targets (p99 <= 2000 ms, >= 25 VMs/s, no failures): ${result.targets.met ? 'met' : 'MISSED'}`);
}

runBench(main, { log, tails: () => stack?.tails(), cleanup });
