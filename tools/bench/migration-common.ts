/**
 * What the migration and drain benchmarks share: options, the stack (provision-stack.ts) with
 * the agent's metrics endpoint on a free port, host-command counts from those metrics, a
 * direct SSH session to a hostsim host (the same-run baseline runs `virsh migrate` through
 * it, without netpin), and the operation view with its step timestamps.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'ssh2';
import { GqlClient } from '@netpin/client';
import { shellQuote } from '@netpin/host-ops';
import type { FleetEntry } from '@netpin/hostsim';
import { now, type Watcher } from './provision-watch';
import { freePort, startStack, type Log, type Stack } from './provision-stack';

import { opt } from './options';
export { intOpt, json, opt } from './options';

export function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
export const round = (x: number, d = 1): number => Number(x.toFixed(d));
export interface Dist {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}
export function dist(xs: number[]): Dist {
  const s = [...xs].sort((a, b) => a - b);
  return { meanMs: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)), p50Ms: round(pct(s, 50)), p99Ms: round(pct(s, 99)) };
}

/** The machine's load averages (1, 5, 15 min), as `uptime` prints them. */
export function loadAvg(): number[] {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

export interface BenchStack extends Stack {
  client: GqlClient;
  metricsUrl: string;
}

/** The stack with the agent's Prometheus endpoint on a free port (host-command counts). */
export async function startBenchStack(hosts: number, profiles: string[], log: Log): Promise<BenchStack> {
  const metricsPort = await freePort();
  const stack = await startStack({
    hosts,
    profiles,
    agent: 'child',
    api: 'child',
    logLevel: opt('log-level', 'warn'),
    strategy: 'PACK',
    agentEnv: { NETPIN_AGENT_METRICS_PORT: String(metricsPort) },
    profileDir: opt('profile', '') ? resolve(opt('profile', '')) : undefined,
    log,
  });
  return { ...stack, client: new GqlClient(stack.url, stack.token), metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/** Host commands the agent has run so far, in all and by command (argv[0]). */
export async function hostCommands(metricsUrl: string): Promise<{ total: number; byCommand: Record<string, number> }> {
  const text = await (await fetch(metricsUrl)).text();
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const m of text.matchAll(/^netpin_agent_host_command_duration_seconds_count\{([^}]*)\} (\d+)/gm)) {
    const cmd = /command="([^"]*)"/.exec(m[1])?.[1] ?? '?';
    byCommand[cmd] = (byCommand[cmd] ?? 0) + Number(m[2]);
    total += Number(m[2]);
  }
  return { total, byCommand };
}

export function diffCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) if (v - (a[k] ?? 0) > 0) out[k] = v - (a[k] ?? 0);
  return out;
}

/** One SSH connection to a hostsim host, outside netpin: argv joined with host-ops' shellQuote. */
export class DirectShell {
  private constructor(private readonly c: Client) {}

  static connect(e: FleetEntry): Promise<DirectShell> {
    const c = new Client();
    return new Promise((ok, fail) => {
      c.once('ready', () => ok(new DirectShell(c)));
      c.once('error', fail);
      c.connect({ host: e.address, port: e.port, username: e.user, privateKey: readFileSync(e.clientKeyPath), readyTimeout: 30_000 });
    });
  }

  exec(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((ok, fail) => {
      this.c.exec(shellQuote(argv), (err, ch) => {
        if (err) return fail(err);
        let stdout = '';
        let stderr = '';
        ch.on('data', (d: Buffer) => (stdout += d.toString()));
        ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        ch.once('close', (code: number | null) => ok({ code: code ?? -1, stdout, stderr }));
        ch.end(stdin);
      });
    });
  }

  /** Run and fail on a non-zero exit. */
  async run(argv: string[], stdin?: string): Promise<string> {
    const r = await this.exec(argv, stdin);
    if (r.code !== 0) throw new Error(`${argv.slice(0, 3).join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  close(): void {
    this.c.end();
  }
}

export const migrationUri = (e: FleetEntry): string => `qemu+ssh://${e.user}@${e.address}:${e.port}/system`;

export interface OpView {
  id: string;
  state: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  resultJson: string | null;
  steps: { name: string; startedAt: string | null; finishedAt: string | null }[];
}
const OP = `query ($id: ID!) { operation(id: $id) { id state createdAt startedAt finishedAt errorCode errorMessage resultJson steps { name startedAt finishedAt } } }`;

export async function fetchOp(client: GqlClient, id: string): Promise<OpView> {
  return (await client.request<{ operation: OpView }>(OP, { id })).operation;
}

/** Milliseconds of each step of an operation, and from the call to its first step / from its last step to `seenAt`. */
export function stepSplit(op: OpView, calledAt: number, seenAt: number): Record<string, number> {
  const out: Record<string, number> = {};
  const t = (s: string | null): number => (s === null ? NaN : Date.parse(s));
  const first = t(op.steps[0]?.startedAt ?? null);
  const last = t(op.steps.at(-1)?.finishedAt ?? null);
  out.queue = first - calledAt;
  for (const s of op.steps) out[s.name] = t(s.finishedAt) - t(s.startedAt);
  out.result = seenAt - last;
  return out;
}

export { now };

/** Create a VM pinned to a host and wait until it runs. */
export async function createVm(
  client: GqlClient,
  wait: (opId: string) => Promise<{ state: string; error: string | null }>,
  input: Record<string, unknown>,
): Promise<string> {
  const r = await client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
    `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`,
    { input },
  );
  const d = await wait(r.createVm.operation.id);
  if (d.state !== 'SUCCEEDED') throw new Error(`createVm ${String(input.name)} ${d.state}: ${d.error}`);
  return r.createVm.vm.id;
}

/** Wait for an operation through the Watcher; its terminal state, when it was seen, and its error code. */
export async function settled(w: Watcher, id: string, timeoutMs: number): Promise<{ at: number; state: string; error: string | null }> {
  await w.wait(id, timeoutMs);
  return w.done.get(id) ?? { at: now(), state: 'TIMEOUT', error: 'TIMEOUT' };
}
