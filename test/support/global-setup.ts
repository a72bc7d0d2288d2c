import type { TestProject } from 'vitest/node';
import { createTestDatabase, dropTestDatabase, migrateDeploy, redisUrl } from './database';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    queuePrefix: string;
  }
}

/** One migrated database per test run, dropped afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const db = await createTestDatabase();
  migrateDeploy(db.url);
  project.provide('databaseUrl', db.url);
  project.provide('redisUrl', redisUrl);
  project.provide('queuePrefix', `np-test-${db.name.slice('netpin_test_'.length)}`);
  return async () => {
    if (process.env.NETPIN_KEEP_TEST_DB === '1') return;
    await dropTestDatabase(db.name);
  };
}
