import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { inject } from 'vitest';

// tools/vitest/worker-env.ts (run before this file) gave the file the worker's starting
// environment back; it gets the settings below on top.

// Every test file gets its own database, cloned from the run's migrated template, and its
// own queue prefix: files never see each other's hosts, VMs, allocations or jobs.
const template = inject('databaseTemplate');
const suffix = randomBytes(3).toString('hex');
const database = `${template}_f${suffix}`;
const adminUrl = new URL(inject('adminUrl'));
execFileSync(
  process.execPath,
  [
    '-e',
    `const { Client } = require('pg');
(async () => { const c = new Client({ connectionString: process.env.PG_ADMIN_URL }); await c.connect();
  try { await c.query(process.env.PG_SQL); } finally { await c.end(); } })().catch((e) => { console.error(e.message); process.exit(1); });`,
  ],
  {
    cwd: resolve(__dirname, '../..'),
    env: { ...process.env, PG_ADMIN_URL: adminUrl.toString(), PG_SQL: `CREATE DATABASE "${database}" TEMPLATE "${template}"` },
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
adminUrl.pathname = `/${database}`;
process.env.DATABASE_URL = adminUrl.toString();
process.env.REDIS_URL = inject('redisUrl');
process.env.NETPIN_QUEUE_PREFIX = `${inject('queuePrefix')}-${suffix}`;
// every request in the suite authenticates with the bootstrap admin token unless a test says otherwise
process.env.NETPIN_BOOTSTRAP_ADMIN_TOKEN = 'test-bootstrap-admin-token-0123456789';
process.env.NETPIN_TOKEN = process.env.NETPIN_BOOTSTRAP_ADMIN_TOKEN;
// the suite sends thousands of requests with one token (fuzz); test/ratelimit checks the limit itself
process.env.NETPIN_RATE_LIMIT_PER_MINUTE = '1000000';
// drift sweeps run only where a test asks for them (checkDrift)
process.env.NETPIN_DRIFT_INTERVAL_MS = '0';
// likewise the reaper (test/reaper.spec.ts turns it on with a short deadline)
process.env.NETPIN_REAPER_INTERVAL_MS ??= '0';
// SR-IOV policies reconcile on events (policy change, VF release, discovery); no periodic pass in tests
process.env.NETPIN_SRIOV_RECONCILE_INTERVAL_MS = '0';
// SSH secrets at rest: API and agents of the suite share one master key (test/secret-store rotates its own)
process.env.NETPIN_MASTER_KEY = `test-master:${'5e'.repeat(32)}`;
