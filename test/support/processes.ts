import { retireOtherHosts } from './seed';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Db } from '@netpin/db';
import { startFleet, type Fleet } from '@netpin/hostsim';
import { GqlClient } from '@netpin/client';
import { setupFleet, type FleetHostEntry } from '@netpin/client';

/**
 * Real API and agent processes (the same entry points operators run), for tests that
 * kill them with SIGKILL or need two APIs racing on one database. Everything spawned
 * through a ProcessSet is SIGKILLed by `killAll`, and by a last-chance exit hook should
 * the test runner die first.
 */

const repoRoot = resolve(__dirname, '../..');
const OUTPUT_TAIL = 60;

export interface HttpResult {
  status: number;
  body: any;
}

export interface SpawnedProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** The last lines the process wrote, for failure messages. */
  output(): string;
  /** Send a signal and wait for the process to be gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ApiProcess extends SpawnedProcess {
  readonly url: string;
  readonly client: GqlClient;
  rest(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  /** GraphQL over HTTP without throwing on errors: the raw status and body. */
  gql(query: string, variables?: Record<string, unknown>): Promise<HttpResult>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    NETPIN_QUEUE_PREFIX: process.env.NETPIN_QUEUE_PREFIX,
    SWC_NODE_PROJECT: join(repoRoot, 'tsconfig.json'),
    ...(process.env.NETPIN_BOOTSTRAP_ADMIN_TOKEN ? { NETPIN_BOOTSTRAP_ADMIN_TOKEN: process.env.NETPIN_BOOTSTRAP_ADMIN_TOKEN } : {}),
    ...(process.env.NETPIN_DRIFT_INTERVAL_MS ? { NETPIN_DRIFT_INTERVAL_MS: process.env.NETPIN_DRIFT_INTERVAL_MS } : {}),
    // the API seals SSH secrets and agents open them with the same key (agents read DATABASE_URL for it)
    ...(process.env.NETPIN_MASTER_KEY ? { NETPIN_MASTER_KEY: process.env.NETPIN_MASTER_KEY } : {}),
    NODE_ENV: 'test',
    // agents serve no metrics unless a test asks (several run at once; 9464 may be a dev stack's)
    NETPIN_AGENT_METRICS_PORT: '0',
    ...extra,
  };
}

/** `entry` is TypeScript run from the repository through SWC, or `{ bundle }`: a built main.js run in its own folder. */
function launch(
  name: string,
  entry: string | { bundle: string },
  env: NodeJS.ProcessEnv,
  onLine?: (line: string) => void,
): { child: ChildProcess; proc: SpawnedProcess } {
  installExitHook();
  const [argv, cwd] = typeof entry === 'string' ? [['-r', '@swc-node/register', entry], repoRoot] : [['main.js'], entry.bundle];
  const child = spawn(process.execPath, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  live.add(child);
  const tail: string[] = [];
  const keep = (line: string): void => {
    tail.push(line);
    if (tail.length > OUTPUT_TAIL) tail.shift();
    onLine?.(line);
  };
  createInterface({ input: child.stdout! }).on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = new Promise<number | null>((res) => {
    child.once('exit', (code) => {
      live.delete(child);
      res(code);
    });
  });
  const proc: SpawnedProcess = {
    name,
    pid: child.pid,
    exited,
    output: () => tail.join('\n'),
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  return { child, proc };
}

async function httpJson(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  const token = process.env.NETPIN_TOKEN;
  const res = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

function timeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, rej) => {
      t = setTimeout(() => rej(new Error(what())), ms);
    }),
  ]);
}

export class ProcessSet {
  private readonly procs: SpawnedProcess[] = [];
  private readonly agentProcs: SpawnedProcess[] = [];

  /** Agents started so far, oldest first (dead ones included). */
  agents(): SpawnedProcess[] {
    return [...this.agentProcs];
  }

  /** Start `apps/api/src/main.ts` on an ephemeral port; resolves once /readyz answers 200. */
  async spawnApi(name: string, env: Record<string, string> = {}, capture?: string[]): Promise<ApiProcess> {
    let announce: (url: string) => void = () => undefined;
    const announced = new Promise<string>((res) => (announce = res));
    const { proc } = launch(name, 'apps/api/src/main.ts', baseEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }), (line) => {
      capture?.push(line);
      if (!line.includes('netpin api listening')) return;
      try {
        announce((JSON.parse(line) as { url: string }).url.replace('[::1]', '127.0.0.1'));
      } catch {
        // a log line that merely mentions the phrase
      }
    });
    this.procs.push(proc);
    const failed = proc.exited.then((code) => {
      throw new Error(`${name} exited with ${code} before it was ready:\n${proc.output()}`);
    });
    const url = await timeout(Promise.race([announced, failed]), 90_000, () => `${name} did not listen within 90 s:\n${proc.output()}`);
    const ready = (async () => {
      for (;;) {
        const r = await fetch(`${url}/readyz`).catch(() => null);
        if (r?.status === 200) return;
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    await timeout(Promise.race([ready, failed]), 30_000, () => `${name} not ready within 30 s:\n${proc.output()}`);
    failed.catch(() => undefined);
    return {
      ...proc,
      url,
      client: new GqlClient(url, process.env.NETPIN_TOKEN),
      rest: (method, path, body, headers) => httpJson(`${url}${path}`, method, body, headers),
      gql: (query, variables = {}) => httpJson(`${url}/graphql`, 'POST', { query, variables }),
    };
  }

  /**
   * Start `apps/agent/src/main.ts` (or a built agent: `bundle` is a folder made by `npm run build`);
   * resolves once its worker consumes the host-ops queue.
   */
  async spawnAgent(
    name: string,
    keyDir: string,
    env: Record<string, string> = {},
    capture?: string[],
    bundle?: string,
  ): Promise<SpawnedProcess> {
    let started: () => void = () => undefined;
    const ready = new Promise<void>((res) => (started = res));
    // info level only to see "agent started"; job lines are drained into the small tail buffer
    const { proc } = launch(
      name,
      bundle ? { bundle } : 'apps/agent/src/main.ts',
      baseEnv({ NETPIN_AGENT_KEY_DIR: keyDir, NETPIN_AGENT_ID: name, LOG_LEVEL: 'info', ...env }),
      (line) => {
        capture?.push(line);
        if (line.includes('"agent started"')) started();
      },
    );
    this.procs.push(proc);
    this.agentProcs.push(proc);
    const failed = proc.exited.then((code) => {
      throw new Error(`${name} exited with ${code} before it was ready:\n${proc.output()}`);
    });
    await timeout(Promise.race([ready, failed]), 90_000, () => `${name} did not start within 90 s:\n${proc.output()}`);
    failed.catch(() => undefined);
    return proc;
  }

  /** SIGKILL everything still running (afterAll, and on failure). */
  async killAll(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill('SIGKILL')));
  }
}

export interface SimFleet {
  fleet: Fleet;
  stateDir: string;
  entries: FleetHostEntry[];
  stop(): Promise<void>;
}

/** hostsim hosts in this process (so tests can read their state); agents find the client key in stateDir. */
export async function startSimFleet(opts: { count: number; profile: string; namePrefix: string }): Promise<SimFleet> {
  const stateDir = mkdtempSync(join(tmpdir(), 'netpin-procs-'));
  const fleet = await startFleet({ count: opts.count, profile: opts.profile, stateDir, hostnamePrefix: opts.namePrefix });
  const entries = fleet.hosts.map((h) => ({
    name: h.hostname,
    address: '127.0.0.1',
    port: h.port,
    user: h.user,
    fingerprint: h.fingerprint,
    credentialRef: 'file:client_ed25519',
  }));
  return {
    fleet,
    stateDir,
    entries,
    async stop() {
      await fleet.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Register, discover and wire the fleet through an API process, as an operator would. */
export async function registerFleet(api: ApiProcess, sim: SimFleet, vfsPerPf: number): Promise<void> {
  await retireOtherHosts();
  await setupFleet(api.client, sim.entries, { vfsPerPf });
}

const CREATE_GQL = `mutation ($input: VmInput!, $key: String) { createVm(input: $input, idempotencyKey: $key) { vm { id name } operation { id } } }`;

/** One createVm call, normalised over REST and GraphQL. */
export interface CreateOutcome {
  kind: 'accepted' | 'rejected' | 'error';
  /** HTTP status; for GraphQL errors the status of the error's code is not the HTTP one. */
  status: number;
  code: string | null;
  vmId: string | null;
  operationId: string | null;
  summary: { code: string; hosts: number }[];
  message: string;
}

export async function createVm(
  api: ApiProcess,
  via: 'rest' | 'graphql',
  input: Record<string, unknown>,
  key?: string,
): Promise<CreateOutcome> {
  const none = { vmId: null, operationId: null, summary: [], message: '' };
  try {
    if (via === 'rest') {
      const r = await api.rest('POST', '/api/v1/vms', input, key ? { 'idempotency-key': key } : {});
      if (r.status === 202)
        return { ...none, kind: 'accepted', status: r.status, code: null, vmId: r.body.vm.id, operationId: r.body.operation.id };
      return {
        ...none,
        kind: r.body?.code === 'PLACEMENT_REJECTED' ? 'rejected' : 'error',
        status: r.status,
        code: r.body?.code ?? null,
        summary: r.body?.summary ?? [],
        message: String(r.body?.message ?? r.body),
      };
    }
    const r = await api.gql(CREATE_GQL, { input, key: key ?? null });
    const err = r.body?.errors?.[0];
    if (r.status === 200 && !err && r.body?.data?.createVm) {
      return {
        ...none,
        kind: 'accepted',
        status: r.status,
        code: null,
        vmId: r.body.data.createVm.vm.id,
        operationId: r.body.data.createVm.operation.id,
      };
    }
    const code = err?.extensions?.code ?? null;
    return {
      ...none,
      kind: code === 'PLACEMENT_REJECTED' ? 'rejected' : 'error',
      status: r.status,
      code,
      summary: err?.extensions?.summary ?? [],
      message: String(err?.message ?? JSON.stringify(r.body)),
    };
  } catch (e) {
    return { ...none, kind: 'error', status: 0, code: 'FETCH_FAILED', message: String(e) };
  }
}

/**
 * Poll until no VM on the fleet's hosts is PENDING/PROVISIONING and no operation on those
 * VMs is QUEUED/RUNNING (other test files share the database and may leave hosts behind).
 */
export async function waitConverged(db: Db, sim: SimFleet, timeoutMs: number): Promise<void> {
  const hosts = sim.fleet.hosts.map((h) => h.hostname);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [r] = await db.$queryRaw<{ vms: bigint; ops: bigint }[]>`
      WITH mine AS (SELECT v.id, v.state FROM "Vm" v JOIN "Host" h ON h.id = v."hostId" WHERE h.name = ANY(${hosts}::text[]))
      SELECT (SELECT count(*) FROM mine WHERE state IN ('PENDING', 'PROVISIONING')) AS vms,
        (SELECT count(*) FROM "Operation" o WHERE o.state IN ('QUEUED', 'RUNNING') AND o."targetType" = 'vm' AND o."targetId" IN (SELECT id::text FROM mine)) AS ops`;
    if (Number(r.vms) === 0 && Number(r.ops) === 0) return;
    if (Date.now() > until) throw new Error(`not converged after ${timeoutMs} ms: ${r.vms} VMs provisioning, ${r.ops} operations pending`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** Names of hosts other test files left in the shared database: requests avoid them. */
export async function otherHosts(db: Db, sim: SimFleet): Promise<string[]> {
  const mine = new Set(sim.fleet.hosts.map((h) => h.hostname));
  return (await db.host.findMany({ select: { name: true } })).map((h) => h.name).filter((n) => !mine.has(n));
}

/**
 * What the hosts hold against what the database says: every VF with a MAC must be the VF
 * of a RUNNING VM's plan (anything else is a leak), and the running domains must be
 * exactly the RUNNING VMs.
 */
export async function hostsAgainstDatabase(
  db: Db,
  sim: SimFleet,
): Promise<{ leakedVfs: string[]; vfsInUse: number; runningVms: number; strayDomains: string[]; missingDomains: string[] }> {
  const hostNames = sim.fleet.hosts.map((h) => h.hostname);
  const vms = await db.vm.findMany({
    where: { state: 'RUNNING', host: { name: { in: hostNames } } },
    select: { name: true, plan: true, host: { select: { name: true } } },
  });
  type PlanIfaces = { interfaces: { nicName: string | null; vf: { index: number } | null; mac: string }[] };
  const planned = new Set(
    vms.flatMap((v) =>
      (v.plan as unknown as PlanIfaces).interfaces.filter((i) => i.vf).map((i) => `${v.host?.name}/${i.nicName}/${i.vf!.index}/${i.mac}`),
    ),
  );
  const running = new Set(vms.map((v) => `${v.host?.name}/${v.name}`));
  const onHosts: string[] = [];
  const domains = new Set<string>();
  for (const h of sim.fleet.hosts) {
    const s = h.state();
    for (const d of s.domains) if (d.state === 'running') domains.add(`${h.hostname}/${d.name}`);
    for (const n of s.nics)
      n.vfs.forEach((vf, idx) => vf.mac !== '00:00:00:00:00:00' && onHosts.push(`${h.hostname}/${n.name}/${idx}/${vf.mac}`));
  }
  return {
    leakedVfs: onHosts.filter((x) => !planned.has(x)),
    vfsInUse: onHosts.length,
    runningVms: vms.length,
    strayDomains: [...domains].filter((d) => !running.has(d)),
    missingDomains: [...running].filter((d) => !domains.has(d)),
  };
}
