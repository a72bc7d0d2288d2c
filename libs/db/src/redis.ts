import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { z } from 'zod';

/**
 * Redis connections for the API and the agent, from one setting (REDIS_URL):
 * - `redis://[user:pass@]host:port[/db]` or `rediss://...` (TLS): one server, as always;
 * - `redis+cluster://[user:pass@]host:port,host:port,...` or `rediss+cluster://...`: a Redis
 *   Cluster; the nodes listed are only the seeds, the client learns the others;
 * - `redis+sentinel://[user:pass@]host:port,host:port,.../<master name>`: the primary that
 *   these Sentinels name (user and password are the data nodes'), followed over failovers.
 * Every command netpin sends touches one key or keys of one hash slot, so either works;
 * BullMQ keys get a hash tag on a cluster (bullPrefix).
 */
export type RedisClient = Redis | Cluster;

export interface RedisNode {
  host: string;
  port: number;
}

export type RedisTarget =
  | { mode: 'single'; url: string }
  | { mode: 'cluster'; nodes: RedisNode[]; username?: string; password?: string; tls: boolean }
  | { mode: 'sentinel'; sentinels: RedisNode[]; name: string; username?: string; password?: string; tls: boolean };

export const REDIS_URL_HINT = 'must be a redis://, rediss://, redis+cluster://, rediss+cluster:// or redis+sentinel:// URL';

const SINGLE = /^rediss?:\/\/[^\s]+$/;
const MULTI = /^(rediss?)\+(cluster|sentinel):\/\/(?:([^:@/\s]*)(?::([^@/\s]*))?@)?([^/?#@\s]+)(?:\/([A-Za-z0-9._-]*))?$/;
const NODE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** What REDIS_URL names; throws an Error saying what is wrong with it. */
export function parseRedisUrl(url: string): RedisTarget {
  const m = MULTI.exec(url);
  if (!m) {
    if (url.includes('+cluster:')) throw new Error('a cluster URL is redis+cluster://[user:password@]host:port,host:port,...');
    if (url.includes('+sentinel:'))
      throw new Error('a Sentinel URL is redis+sentinel://[user:password@]host:port,host:port,.../<master name>');
    if (!SINGLE.test(url)) throw new Error(REDIS_URL_HINT);
    return { mode: 'single', url };
  }
  const [, scheme, mode, user, pass, list, path] = m;
  const nodes = list.split(',').map((n) => {
    const nm = NODE.exec(n);
    const port = nm ? Number(nm[2]) : 0;
    if (!nm || port < 1 || port > 65535) throw new Error(`${mode} node "${n}" is not host:port`);
    return { host: nm[1].replace(/^\[|\]$/g, ''), port };
  });
  const dec = (s: string | undefined) => (s ? decodeURIComponent(s) : undefined);
  const auth = { username: dec(user), password: dec(pass), tls: scheme === 'rediss' };
  if (mode === 'cluster') {
    if (path)
      throw new Error('a cluster URL is redis+cluster://[user:password@]host:port,host:port,... (no database: a cluster has only 0)');
    return { mode, nodes, ...auth };
  }
  if (!path) throw new Error('a Sentinel URL ends with the master name: redis+sentinel://host:port,.../mymaster');
  return { mode: 'sentinel', sentinels: nodes, name: path, ...auth };
}

/** For a zod schema's superRefine: REDIS_URL's problem, in parseRedisUrl's words. */
export function redisUrlIssue(url: string, ctx: z.RefinementCtx): void {
  try {
    parseRedisUrl(url);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
}

export function isClusterUrl(url: string): boolean {
  return parseRedisUrl(url).mode === 'cluster';
}

/**
 * A client for REDIS_URL. `opts` are per-connection options (a cluster applies them to every
 * node it talks to; lazyConnect, enableOfflineQueue and enableReadyCheck to the cluster client).
 */
export function createRedis(url: string, opts: RedisOptions = {}): RedisClient {
  const t = parseRedisUrl(url);
  if (t.mode === 'single') return new Redis(url, opts);
  if (t.mode === 'sentinel') return new Redis(sentinelOptions(t, opts));
  const { lazyConnect, enableOfflineQueue, enableReadyCheck, ...node } = opts;
  const cluster: ClusterOptions = {
    lazyConnect,
    enableOfflineQueue,
    enableReadyCheck,
    redisOptions: { ...node, username: t.username, password: t.password, ...(t.tls ? { tls: {} } : {}) },
    // TLS certificates name the configured host, not the node IPs the cluster announces
    ...(t.tls ? { dnsLookup: (address: string, cb: (err: Error | null, address: string) => void) => cb(null, address) } : {}),
  };
  return new Cluster(t.nodes, cluster);
}

/** ioredis options for the primary behind Sentinels (BullMQ takes them as they are). */
export function sentinelOptions(t: Extract<RedisTarget, { mode: 'sentinel' }>, opts: RedisOptions = {}): RedisOptions {
  return {
    ...opts,
    sentinels: t.sentinels,
    name: t.name,
    username: t.username,
    password: t.password,
    ...(t.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
  };
}

/**
 * The BullMQ key prefix of a queue. On one server it is NETPIN_QUEUE_PREFIX itself (keys as
 * they always were). On a cluster each queue's keys carry one hash tag, `{<prefix>:<queue>}`,
 * because BullMQ's scripts touch several keys of a queue at once (they must share a slot);
 * one tag per queue, not per installation, so the queues spread over the masters.
 */
export function bullPrefix(redisUrl: string, prefix: string, queue: string): string {
  return isClusterUrl(redisUrl) ? `{${prefix}:${queue}}` : prefix;
}
