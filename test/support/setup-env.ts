import { inject } from 'vitest';

process.env.DATABASE_URL = inject('databaseUrl');
process.env.REDIS_URL = inject('redisUrl');
process.env.NETPIN_QUEUE_PREFIX = inject('queuePrefix');
