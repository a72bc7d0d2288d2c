import { inject } from 'vitest';

process.env.DATABASE_URL = inject('databaseUrl');
process.env.REDIS_URL = inject('redisUrl');
process.env.NETPIN_QUEUE_PREFIX = inject('queuePrefix');
// drift sweeps run only where a test asks for them (checkDrift)
process.env.NETPIN_DRIFT_INTERVAL_MS = '0';
