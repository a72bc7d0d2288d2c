import { inject } from 'vitest';

process.env.DATABASE_URL = inject('databaseUrl');
process.env.REDIS_URL = inject('redisUrl');
process.env.NETPIN_QUEUE_PREFIX = inject('queuePrefix');
// every request in the suite authenticates with the bootstrap admin token unless a test says otherwise
process.env.NETPIN_BOOTSTRAP_ADMIN_TOKEN = 'test-bootstrap-admin-token-0123456789';
process.env.NETPIN_TOKEN = process.env.NETPIN_BOOTSTRAP_ADMIN_TOKEN;
// the suite sends thousands of requests with one token (fuzz); test/ratelimit checks the limit itself
process.env.NETPIN_RATE_LIMIT_PER_MINUTE = '1000000';
// drift sweeps run only where a test asks for them (checkDrift)
process.env.NETPIN_DRIFT_INTERVAL_MS = '0';
// SR-IOV policies reconcile on events (policy change, VF release, discovery); no periodic pass in tests
process.env.NETPIN_SRIOV_RECONCILE_INTERVAL_MS = '0';
// SSH secrets at rest: API and agents of the suite share one master key (test/secret-store rotates its own)
process.env.NETPIN_MASTER_KEY = `test-master:${'5e'.repeat(32)}`;
