import { loadMasterKeyring, MasterKeyError, redisUrlIssue } from '@netpin/db';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' }).transform((v) => v === 'true' || v === '1');

/** Every environment variable the API reads. The README's configuration table mirrors this. */
export const apiConfigSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379').superRefine(redisUrlIssue),
  PORT: z.coerce.number({ message: 'must be a number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NETPIN_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" and "-" only')
    .default('netpin'),
  NETPIN_GRAPHQL_INTROSPECTION: bool.default(true),
  NETPIN_GRAPHQL_PLAYGROUND: bool.default(true),
  NETPIN_DRIFT_INTERVAL_MS: z.coerce
    .number({ message: 'must be a number' })
    .int()
    .min(0, 'must be 0 (off) or a positive number of ms')
    .default(60_000),
  NETPIN_DRIFT_AUTO_REPAIR: bool.default(true),
  NETPIN_RETENTION_DAYS: z.coerce
    .number({ message: 'must be a number' })
    .min(0, 'must be 0 (keep everything) or a positive number of days')
    .default(30),
  NETPIN_PRUNE_INTERVAL_MS: z.coerce
    .number({ message: 'must be a number' })
    .int()
    .min(0, 'must be 0 (off) or a positive number of ms')
    .default(3_600_000),
  NETPIN_SRIOV_RECONCILE_INTERVAL_MS: z.coerce
    .number({ message: 'must be a number' })
    .int()
    .min(0, 'must be 0 (off) or a positive number of ms')
    .default(60_000),
  /** How often running host drains are advanced (their moves started and settled); 0 = off. */
  NETPIN_DRAIN_TICK_MS: z.coerce
    .number({ message: 'must be a number' })
    .int()
    .min(0, 'must be 0 (off) or a positive number of ms')
    .default(500),
  NETPIN_REAPER_INTERVAL_MS: z.coerce
    .number({ message: 'must be a number' })
    .int()
    .min(0, 'must be 0 (off) or a positive number of ms')
    .default(30_000),
  NETPIN_OPERATION_DEADLINE_MS: z.coerce
    .number({ message: 'must be a number' })
    .int()
    .min(1000, 'must be at least 1000 ms')
    .default(600_000),
  /** PACK fills the fullest host that fits first; SPREAD the emptiest (concurrent creates land on different hosts). */
  NETPIN_PLACEMENT_STRATEGY: z.enum(['PACK', 'SPREAD'], { message: 'must be PACK or SPREAD' }).default('PACK'),
  /** Build the placement index at start (/readyz waits for it) instead of on the first placement. */
  NETPIN_PLACEMENT_WARM: bool.default(true),
  NETPIN_HOST_RESERVED_CORES_PER_NODE: z.coerce.number({ message: 'must be a number' }).int().min(0).max(64).default(1),
  NETPIN_WEB_DIST: z.string().optional(),
  NETPIN_BOOTSTRAP_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  NETPIN_CORS_ORIGINS: z.string().optional(),
  NETPIN_RATE_LIMIT_PER_MINUTE: z.coerce.number({ message: 'must be a number' }).int().min(1).default(6000),
  NETPIN_AUTH_FAILURES_PER_MINUTE: z.coerce.number({ message: 'must be a number' }).int().min(1).default(30),
  NETPIN_GRAPHQL_MAX_DEPTH: z.coerce.number({ message: 'must be a number' }).int().min(2).max(50).default(12),
  NETPIN_BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)$/, 'must look like 512kb or 1mb')
    .default('1mb'),
  // master keyring for SSH secrets at rest; the format is checked by loadMasterKeyring below
  NETPIN_MASTER_KEY: z.string().optional(),
  NETPIN_MASTER_KEY_FILE: z.string().optional(),
  NETPIN_MASTER_KEY_PREVIOUS: z.string().optional(),
});
export type ApiConfig = z.output<typeof apiConfigSchema>;

export class ConfigError extends Error {}

/** Parse the environment; a bad value names the variable in one line. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const r = apiConfigSchema.safeParse(env);
  if (!r.success) {
    const i = r.error.issues[0];
    const name = String(i.path[0] ?? 'environment');
    const value = env[name];
    throw new ConfigError(`invalid configuration: ${name}${value === undefined ? ' (unset)' : ''}: ${i.message}`);
  }
  try {
    loadMasterKeyring(r.data);
  } catch (e) {
    if (e instanceof MasterKeyError) throw new ConfigError(`invalid configuration: ${e.message}`);
    throw e;
  }
  return r.data;
}

export const API_CONFIG = Symbol('API_CONFIG');
