import type { TestProject } from 'vitest/node';
import { adminUrl, createTestDatabase, dropTestDatabases, migrateDeploy, redisUrl } from './database';

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
  const db = await createTestDatabase();
  migrateDeploy(db.url);
  project.provide('databaseTemplate', db.name);
  project.provide('adminUrl', adminUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('queuePrefix', `np-test-${db.name.slice('netpin_test_'.length)}`);
  return async () => {
    if (process.env.NETPIN_KEEP_TEST_DB === '1') return;
    await dropTestDatabases(db.name);
  };
}
