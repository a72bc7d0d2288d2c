import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
// the launcher's service starters are tools, not an app or library: imported by path
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startRedisCluster } from '../../tools/stack/redis-cluster';
import { adminUrl, createTestDatabase, dropTestDatabases, migrateDeploy, redisUrl } from './database';
import { topologyName } from './topology';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated database that every test file clones into a database of its own. */
    databaseTemplate: string;
    adminUrl: string;
    redisUrl: string;
    queuePrefix: string;
  }
}

/**
 * One migrated template database per test run; setup-env.ts clones it for every test file
 * (CREATE DATABASE ... TEMPLATE, ~0.1 s), so no file sees another file's hosts, VMs or
 * allocations. The template and every clone are dropped afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startClusterIfAsked();
  const db = await createTestDatabase();
  migrateDeploy(db.url);
  project.provide('databaseTemplate', db.name);
  project.provide('adminUrl', adminUrl);
  project.provide('redisUrl', cluster?.url ?? redisUrl);
  project.provide('queuePrefix', `np-test-${db.name.slice('netpin_test_'.length)}`);
  return async () => {
    await cluster?.stop();
    if (process.env.NETPIN_KEEP_TEST_DB === '1') return;
    await dropTestDatabases(db.name);
  };
}

/**
 * NETPIN_TEST_TOPOLOGY=cluster: a 3-master Redis Cluster for this run (in a temp folder,
 * removed afterwards), unless NETPIN_TEST_REDIS_URL already names a redis+cluster:// one.
 */
async function startClusterIfAsked(): Promise<{ url: string; stop(): Promise<void> } | null> {
  if (topologyName() !== 'cluster' || redisUrl.includes('+cluster://')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'netpin-redis-cluster-'));
  const log = (msg: string, extra: Record<string, unknown> = {}) => console.log(JSON.stringify({ msg, ...extra }));
  const c = await startRedisCluster({ dir, log }).catch((e: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  return {
    url: c.url,
    async stop() {
      await c.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
