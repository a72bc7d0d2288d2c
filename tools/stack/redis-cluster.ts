import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { canListen, ephemeralLow, portOpen, waitFor, type Log, type RunningService } from './services';

/**
 * A throwaway Redis Cluster on localhost: `masters` redis-server processes with
 * `--cluster-enabled yes` (data, nodes.conf and logs under `dir`), joined by
 * `redis-cli --cluster create --cluster-replicas 0`. The URL is the redis+cluster:// form the
 * API and agent read from REDIS_URL. `stop` ends the servers (the caller removes `dir`).
 */
export async function startRedisCluster(opts: { dir: string; masters?: number; log: Log; basePort?: number }): Promise<RunningService> {
  const count = opts.masters ?? 3;
  const ports = await freePortRun(count, opts.basePort);
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((c) => stopChild(c)));
  };
  try {
    for (const port of ports) children.push(await startNode(join(opts.dir, String(port)), port, opts.log));
    const r = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${r.stdout}\n${r.stderr}`);
    await waitFor(() => ports.every((p) => clusterOk(p)), 30_000, 'the cluster to report cluster_state:ok');
    opts.log('redis cluster ready', { ports });
    return { url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function startNode(dir: string, port: number, log: Log): Promise<ChildProcess> {
  mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--cluster-enabled', 'yes'];
  args.push('--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '5000');
  args.push('--appendonly', 'no', '--save', '', '--daemonize', 'no', '--loglevel', 'warning', '--logfile', join(dir, 'redis.log'));
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => log('redis-cluster', { port, message: d.toString().trim().slice(0, 500) }, 'warn'));
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  await waitFor(async () => exited || (await portOpen(port)), 10_000, `redis-server on ${port}`);
  if (exited) throw new Error(`redis-server on port ${port} exited at start (see ${join(dir, 'redis.log')})`);
  return child;
}

function clusterOk(port: number): boolean {
  const r = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && r.stdout.includes('cluster_state:ok');
}

function stopChild(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });
}

/**
 * Ports p..p+n-1 free, and their cluster bus ports (+10000) too, all below the ephemeral range:
 * a port in it can be taken by a connection's local end between this check and redis-server's
 * bind (seen in a loaded test run: a node exited at start on 35572).
 */
export async function freePortRun(n: number, base?: number): Promise<number[]> {
  const top = ephemeralLow() - 10000 - n;
  if (base === undefined && top <= 2048) throw new Error('the ephemeral port range leaves no room for a Redis Cluster below it');
  for (let attempt = 0; attempt < 50; attempt++) {
    const start = base ?? 1024 + Math.floor(Math.random() * (top - 1024));
    const ports = Array.from({ length: n }, (_, i) => start + i);
    const free = await Promise.all(ports.flatMap((p) => [p, p + 10000]).map((p) => canListen(p)));
    if (free.every(Boolean)) return ports;
    if (base !== undefined) throw new Error(`ports ${ports.join(', ')} (or their bus ports +10000) are taken`);
  }
  throw new Error('no free run of ports for a Redis Cluster');
}
