import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { HOST_OPS_QUEUE, VF_CLAIM_SCRIPT, vfClaimsKey, VM_FENCE_SCRIPT, vmFenceKey } from '@netpin/contracts';
import { bullPrefix, createRedis, type RedisClient } from '@netpin/db';
// the agent's and the API's Redis users, run against real servers; apps have no import alias
// eslint-disable-next-line @nx/enforce-module-boundaries
import { HostLocks } from '../apps/agent/src/host-lock';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { VfClaimsReader } from '../apps/agent/src/vf-claims';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { VmFences } from '../apps/agent/src/vm-fence';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { RedisThrottlerStorage } from '../apps/api/src/auth/throttle.storage';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { BullConnections } from '../apps/api/src/jobs/queues';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { freePortRun, startRedisCluster } from '../tools/stack/redis-cluster';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { portOpen, waitFor, type RunningService } from '../tools/stack/services';

/**
 * Every kind of Redis command netpin sends, on the topologies REDIS_URL can name besides one
 * server: a 3-master Redis Cluster (redis+cluster://) and a primary with a replica behind a
 * Sentinel (redis+sentinel://), all real redis-server processes. A command whose keys span
 * hash slots fails on the cluster with CROSSSLOT, so running each one here is the check.
 */
const dir = mkdtempSync(join(tmpdir(), 'netpin-redis-topologies-'));
const prefix = `np-topo-${process.pid}`;
const clients: RedisClient[] = [];
const log = () => undefined;
let cluster: RunningService;

function client(url: string): RedisClient {
  const c = createRedis(url, { maxRetriesPerRequest: null });
  // reconnect noise while the sentinel test fails over and at teardown; commands still reject
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  cluster = await startRedisCluster({ dir: join(dir, 'cluster'), log });
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  await cluster?.stop();
  await stopSentinelSet();
  rmSync(dir, { recursive: true, force: true });
});

/** One BullMQ job through a queue named as netpin names it, with its progress heard by QueueEvents. */
async function roundTrip(url: string): Promise<{ result: unknown; progress: unknown[] }> {
  const conns = new BullConnections(url);
  const qp = bullPrefix(url, prefix, HOST_OPS_QUEUE);
  const queue = new Queue(HOST_OPS_QUEUE, { connection: conns.open(), prefix: qp });
  const events = new QueueEvents(HOST_OPS_QUEUE, { connection: conns.open(), prefix: qp });
  const progress: unknown[] = [];
  events.on('progress', ({ data }) => progress.push(data));
  await events.waitUntilReady();
  const worker = new Worker(
    HOST_OPS_QUEUE,
    async (job) => {
      await job.updateProgress({ step: 'one' });
      return { echoed: job.data };
    },
    { connection: conns.open(), prefix: qp },
  );
  try {
    const job = await queue.add('vm.apply', { vm: 'a' }, { jobId: 'op-1' });
    const result = await job.waitUntilFinished(events, 30_000);
    await waitFor(() => progress.length > 0, 10_000, 'the progress event');
    return { result, progress };
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
    await conns.close();
  }
}

describe('on a Redis Cluster (3 masters)', () => {
  it('BullMQ queues work under the hash-tagged prefix, and the prefix has one tag per queue', async () => {
    expect(bullPrefix(cluster.url, prefix, HOST_OPS_QUEUE)).toBe(`{${prefix}:${HOST_OPS_QUEUE}}`);
    expect(await roundTrip(cluster.url)).toEqual({ result: { echoed: { vm: 'a' } }, progress: [{ step: 'one' }] });
  }, 60_000);

  it('host locks: acquire, fencing token, check, release; a second holder is refused', async () => {
    const locks = new HostLocks(client(cluster.url), `${prefix}:netpin`, 5000);
    const held = await locks.tryAcquire('host-1', 'agent-a:job-1');
    expect(held?.fencingToken).toBe(1);
    expect(await locks.tryAcquire('host-1', 'agent-b:job-2')).toBeNull();
    await held!.check();
    await held!.release();
    expect((await locks.tryAcquire('host-1', 'agent-b:job-2'))?.fencingToken).toBe(2);
  });

  it('VM fences, VF claims and freezes: the scripts of the API and the agent', async () => {
    const redis = client(cluster.url);
    const fences = new VmFences(redis, prefix);
    // the API raises a VM's fence to generation 3 (delete) with the script the agent checks
    await redis.eval(VM_FENCE_SCRIPT, 1, vmFenceKey(prefix, 'vm-1'), '3', '1', '60000');
    await expect(fences.check({ vmId: 'vm-1', generation: 2, advance: false })).rejects.toMatchObject({ code: 'STALE_JOB' });
    await fences.check({ vmId: 'vm-1', generation: 3, advance: false });

    expect(await redis.eval(VF_CLAIM_SCRIPT, 1, vfClaimsKey(prefix, 'host-1'), 'vm-1', 'eth0/0', 'eth0/1')).toBe('OK');
    const claims = new VfClaimsReader(redis, prefix).forHost('host-1', 'agent-a:job-9');
    expect(await claims.heldOrFreeze('eth0', 4)).toEqual([
      { index: 0, vmId: 'vm-1' },
      { index: 1, vmId: 'vm-1' },
    ]);
    expect(await claims.heldOrFreeze('eth1', 4)).toEqual([]);
    expect(await redis.eval(VF_CLAIM_SCRIPT, 1, vfClaimsKey(prefix, 'host-1'), 'vm-2', 'eth1/0')).toBe('FROZEN:eth1');
    await claims.thaw('eth1');
    expect(await redis.eval(VF_CLAIM_SCRIPT, 1, vfClaimsKey(prefix, 'host-1'), 'vm-2', 'eth1/0')).toBe('OK');
  });

  it('the rate-limit script (two keys of one hash tag) counts and blocks', async () => {
    const storage = new RedisThrottlerStorage(client(cluster.url), prefix);
    const hit = () => storage.increment('token:t1', 60_000, 2, 60_000, 'per-minute');
    expect((await hit()).totalHits).toBe(1);
    expect((await hit()).isBlocked).toBe(false);
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true });
  });

  it('pub/sub: a message published through one node reaches a subscriber on the cluster', async () => {
    const sub = client(cluster.url);
    const got: string[] = [];
    sub.on('message', (_ch: string, m: string) => got.push(m));
    await sub.subscribe(`${prefix}:operation-events`);
    await client(cluster.url).publish(`${prefix}:operation-events`, 'op-1 SUCCEEDED');
    await waitFor(() => got.length > 0, 10_000, 'the message');
    expect(got).toEqual(['op-1 SUCCEEDED']);
  });

  it('a multi-key command across slots fails (what the hash tags avoid)', async () => {
    await expect(client(cluster.url).mget(`${prefix}:a`, `${prefix}:b`, `${prefix}:c`)).rejects.toThrow(/CROSSSLOT/);
  });
});

const sentinelProcs: ChildProcess[] = [];

async function server(args: string[], port: number): Promise<void> {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  sentinelProcs.push(child);
  await waitFor(() => portOpen(port), 10_000, `redis on ${port}`);
}

async function stopSentinelSet(): Promise<void> {
  await Promise.all(
    sentinelProcs.map(
      (c) =>
        new Promise<void>((res) => {
          if (c.exitCode !== null || c.signalCode !== null) return res();
          c.once('exit', () => res());
          c.kill('SIGTERM');
        }),
    ),
  );
}

function role(port: number): string {
  return spawnSync('redis-cli', ['-p', String(port), 'role'], { encoding: 'utf8' }).stdout.split('\n')[0];
}

describe('behind a Sentinel (primary, replica, one sentinel)', () => {
  it('netpin follows a failover: writes go to the new primary, BullMQ still works', async () => {
    const [primary, replica, sentinel] = await freePortRun(3);
    const p = { primary, replica, sentinel };
    const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    await server(['--port', String(p.primary), '--dir', dir, ...common], p.primary);
    await server(['--port', String(p.replica), '--dir', dir, '--replicaof', '127.0.0.1', String(p.primary), ...common], p.replica);
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${p.sentinel}`,
        'bind 127.0.0.1',
        `sentinel monitor np 127.0.0.1 ${p.primary} 1`,
        'sentinel down-after-milliseconds np 2000',
        'sentinel failover-timeout np 10000',
        '',
      ].join('\n'),
    );
    await server([conf, '--sentinel'], p.sentinel);
    const replication = () => spawnSync('redis-cli', ['-p', String(p.replica), 'info', 'replication'], { encoding: 'utf8' }).stdout;
    await waitFor(() => replication().includes('master_link_status:up'), 20_000, 'the replica to sync');

    const url = `redis+sentinel://127.0.0.1:${p.sentinel}/np`;
    const redis = client(url);
    await redis.set(`${prefix}:before`, '1');
    expect(await roundTrip(url)).toEqual({ result: { echoed: { vm: 'a' } }, progress: [{ step: 'one' }] });

    expect(spawnSync('redis-cli', ['-p', String(p.sentinel), 'sentinel', 'failover', 'np'], { encoding: 'utf8' }).stdout).toMatch(/OK/);
    await waitFor(() => role(p.replica) === 'master', 30_000, 'the replica to be promoted');
    // the client finds the new primary through the sentinel (it reconnects on the old one's demotion)
    await waitFor(
      async () => {
        await redis.set(`${prefix}:after`, '2').catch(() => undefined);
        return spawnSync('redis-cli', ['-p', String(p.replica), 'get', `${prefix}:after`], { encoding: 'utf8' }).stdout.trim() === '2';
      },
      30_000,
      'a write to reach the new primary',
    );
    expect(await redis.get(`${prefix}:before`)).toBe('1');
  }, 120_000);
});
