/**
 * Agent figures against a hostsim fleet on loopback:
 *   - SSH handshake cost and per-command cost (in this process, one SshHostConnection);
 *   - discovery of N hosts by ONE agent process (main.ts as a child process), wall time;
 *   - that agent's RSS with N open host connections.
 *
 * Run: SWC_NODE_PROJECT=tsconfig.json node -r @swc-node/register apps/agent/src/bench/discovery.ts [hosts=100] [concurrency=32]
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); everything it writes is under a
 * unique prefix and deleted at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { HOST_OPS_QUEUE, RESULTS_QUEUE, hostJobOptions, type HostTarget, type OperationResult } from '@netpin/contracts';
import { lscpu } from '@netpin/host-ops';
import { startFleet, type SimHost } from '@netpin/hostsim';
import { FileCredentialResolver } from '../credentials';
import { SshHostConnection } from '../transport/ssh-transport';

const HOSTS = Number(process.argv[2] ?? 100);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const root = resolve(__dirname, '../../../..');

function target(h: SimHost): HostTarget {
  return {
    id: h.hostname,
    name: h.hostname,
    address: h.address,
    port: h.port,
    user: h.user,
    credentialRef: 'file:client_ed25519',
    hostKeyFingerprint: h.fingerprint,
    trustOnFirstUse: false,
  };
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const pct = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2)} ms, p50 ${pct(0.5).toFixed(2)} ms, p95 ${pct(0.95).toFixed(2)} ms (n=${s.length})`;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/** Handshake and per-command cost from this process, one connection at a time. */
async function measureSsh(fleet: Fleet, stateDir: string): Promise<void> {
  const creds = new FileCredentialResolver(stateDir);
  const handshakes: number[] = [];
  for (const h of fleet.hosts.slice(0, Math.min(20, HOSTS))) {
    const c = new SshHostConnection(target(h), { privateKey: () => creds.privateKey('file:client_ed25519'), connectTimeoutMs: 5000 });
    const s = performance.now();
    await c.connection();
    handshakes.push(performance.now() - s);
    await c.close();
  }
  console.log(`ssh handshake (tcp + kex + ed25519 auth): ${stats(handshakes)}`);
  const one = new SshHostConnection(target(fleet.hosts[0]), {
    privateKey: () => creds.privateKey('file:client_ed25519'),
    connectTimeoutMs: 5000,
  });
  await one.connection();
  const cmd = lscpu();
  const perCmd: number[] = [];
  for (let i = 0; i < 200; i++) {
    const s = performance.now();
    await one.exec(cmd.argv, { timeoutMs: 5000 });
    perCmd.push(performance.now() - s);
  }
  console.log(`per command on an open connection (exec channel, lscpu -p): ${stats(perCmd)}`);
  const par = performance.now();
  await Promise.all(Array.from({ length: 200 }, () => one.exec(cmd.argv, { timeoutMs: 5000 })));
  console.log(`200 commands, 8 channels in parallel on one connection: ${((performance.now() - par) / 200).toFixed(2)} ms per command`);
  await one.close();
}

/** A consumer of the results queue that resolves `allDone` once every host has answered. */
function collectResults(prefix: string): { consumer: Worker; results: Map<string, OperationResult>; allDone: Promise<void> } {
  const results = new Map<string, OperationResult>();
  let done: () => void = () => undefined;
  const allDone = new Promise<void>((r) => (done = r));
  const consumer = new Worker(
    RESULTS_QUEUE,
    async (job) => {
      const r = job.data as OperationResult;
      results.set(r.operationId, r);
      if (results.size === HOSTS) done();
    },
    { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, concurrency: 16 },
  );
  return { consumer, results, allDone };
}

function spawnAgent(prefix: string, stateDir: string): ChildProcess {
  return spawn(process.execPath, ['-r', '@swc-node/register', 'apps/agent/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      SWC_NODE_PROJECT: 'tsconfig.json',
      REDIS_URL,
      NETPIN_QUEUE_PREFIX: prefix,
      NETPIN_AGENT_KEY_DIR: stateDir,
      NETPIN_AGENT_CONCURRENCY: String(CONCURRENCY),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** Queue a host.discover per host, wait for every result, print wall time, commands and the agent's RSS. */
async function timeDiscovery(fleet: Fleet, queue: Queue, collected: ReturnType<typeof collectResults>, agentPid: number): Promise<void> {
  // Wait for the agent's worker to register before timing.
  for (let i = 0; i < 200 && (await queue.getWorkersCount()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
  console.log(`agent process RSS idle: ${rssMiB(agentPid).toFixed(1)} MiB`);
  const start = performance.now();
  await Promise.all(
    fleet.hosts.map((h) => {
      const operationId = randomUUID();
      return queue.add(
        'host.discover',
        { operationId, requestId: `bench-${operationId.slice(0, 8)}`, host: target(h) },
        hostJobOptions(operationId),
      );
    }),
  );
  await Promise.race([
    collected.allDone,
    new Promise((_, rej) => setTimeout(() => rej(new Error('discovery did not finish in 300 s')), 300_000)),
  ]);
  const wall = performance.now() - start;
  const failed = [...collected.results.values()].filter((r) => r.status !== 'SUCCEEDED');
  console.log(
    `discovery of ${HOSTS} hosts by one agent (concurrency ${CONCURRENCY}): ${(wall / 1000).toFixed(2)} s wall, ${(wall / HOSTS).toFixed(1)} ms per host amortised, ${failed.length} failed${failed.length > 0 ? ` (first: ${JSON.stringify(failed[0].error)})` : ''}`,
  );
  const cmds = fleet.hosts.reduce((n, h) => n + h.state().commandLog.length, 0);
  console.log(`commands run on hosts during the bench: ${cmds} (${(cmds / HOSTS).toFixed(1)} per host incl. handshake/per-command probes)`);
  console.log(`agent process RSS with ${HOSTS} open host connections: ${rssMiB(agentPid).toFixed(1)} MiB`);
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'netpin-bench-'));
  const prefix = `netpin-bench-${process.pid}-${Date.now().toString(36)}`;
  const t0 = performance.now();
  const fleet = await startFleet({
    count: HOSTS,
    profiles: ['dual-socket-sriov', 'small-one-node', 'legacy-no-iommu', 'no-vhost'],
    stateDir,
  });
  console.log(`fleet: ${HOSTS} hostsim hosts started in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  await measureSsh(fleet, stateDir);

  // One agent process discovering the whole fleet.
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(HOST_OPS_QUEUE, { connection: redis, prefix });
  const collected = collectResults(prefix);
  const agent = spawnAgent(prefix, stateDir);
  try {
    await timeDiscovery(fleet, queue, collected, agent.pid ?? 0);
  } finally {
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
    await collected.consumer.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await fleet.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
