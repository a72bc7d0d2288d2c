import { z } from 'zod';
import { DEFAULT_QUEUE_PREFIX } from '@netpin/contracts';
import { loadMasterKeyring, MasterKeyError, redisUrlIssue, type MasterKeyring } from '@netpin/db';
import { DEFAULT_MAX_OUTPUT_BYTES } from './transport/output';

/** BullMQ's own default lock: a dead agent's jobs are taken over 30–60 s later. */
export const DEFAULT_JOB_LOCK_MS = 30_000;

const intFromEnv = (min: number, max: number, dflt: number) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === '') return dflt;
      const n = Number(s);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer between ${min} and ${max}, got "${s}"` });
        return z.NEVER;
      }
      return n;
    });

export const agentEnvSchema = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379').superRefine(redisUrlIssue),
  NETPIN_QUEUE_PREFIX: z
    .string()
    .default(DEFAULT_QUEUE_PREFIX)
    .refine((s) => /^[A-Za-z0-9_.-]{1,64}$/.test(s), 'must be 1-64 letters, digits, "_", "." or "-"'),
  NETPIN_AGENT_KEY_DIR: z
    .string()
    .min(1, 'must name a directory holding SSH private keys')
    .refine((s) => s.startsWith('/'), 'must be an absolute path'),
  NETPIN_AGENT_CONCURRENCY: intFromEnv(1, 256, 16),
  NETPIN_AGENT_ID: z
    .string()
    .optional()
    .refine((s) => s === undefined || /^[A-Za-z0-9_.-]{1,64}$/.test(s), 'must be 1-64 letters, digits, "_", "." or "-"'),
  /** "ssh" reaches hosts over SSH; "local" runs commands on this machine (agent on the hypervisor). */
  NETPIN_AGENT_TRANSPORT: z.enum(['ssh', 'local']).default('ssh'),
  /** With the local transport: the registered name of this machine, the one host it serves. */
  NETPIN_AGENT_LOCAL_HOST: z
    .string()
    .optional()
    .refine((s) => s === undefined || /^[A-Za-z0-9_.-]{1,63}$/.test(s), 'must be the host name this machine is registered under'),
  NETPIN_AGENT_COMMAND_TIMEOUT_MS: intFromEnv(100, 600_000, 30_000),
  NETPIN_AGENT_CONNECT_TIMEOUT_MS: intFromEnv(100, 120_000, 10_000),
  NETPIN_AGENT_LOCK_TTL_MS: intFromEnv(1_000, 600_000, 30_000),
  NETPIN_AGENT_LOCK_RETRY_MS: intFromEnv(10, 60_000, 100),
  /** BullMQ job lock (renewed at half of it while the job runs): a dead agent's jobs run again after 1-2 of it. */
  NETPIN_AGENT_JOB_LOCK_MS: intFromEnv(2_000, 600_000, DEFAULT_JOB_LOCK_MS),
  /** Largest stdout one host command may produce; a hostile host cannot exhaust the agent's memory. */
  NETPIN_AGENT_MAX_OUTPUT_BYTES: intFromEnv(64 * 1024, 1024 * 1024 * 1024, DEFAULT_MAX_OUTPUT_BYTES),
  /** Prometheus /metrics over HTTP; 0 turns it off. */
  NETPIN_AGENT_METRICS_PORT: intFromEnv(0, 65_535, 9464),
  NETPIN_AGENT_METRICS_HOST: z
    .string()
    .default('127.0.0.1')
    .refine((s) => /^[A-Za-z0-9.:-]{1,253}$/.test(s), 'must be an IP address or host name to listen on'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Only for "secret:<name>" credentials: where the encrypted SSH secrets are (read-only use). */
  DATABASE_URL: z
    .string()
    .optional()
    .transform((s) => (s === undefined || s.trim() === '' ? undefined : s))
    .refine((s) => s === undefined || /^postgres(ql)?:\/\/\S+$/.test(s), 'must be a postgresql:// URL'),
});

export interface AgentConfig {
  redisUrl: string;
  queuePrefix: string;
  keyDir: string;
  concurrency: number;
  agentId: string;
  transport: 'ssh' | 'local';
  /** local transport: the host this machine is (default: its host name); jobs for any other host are refused */
  localHost?: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  lockTtlMs: number;
  /** BullMQ's lockDuration and stalledInterval of the job worker (DEFAULT_JOB_LOCK_MS when absent). */
  jobLockMs?: number;
  /** Delay before a job whose host is locked by another mutating job is tried again. */
  lockRetryMs: number;
  /** Cap on one command's stdout (DEFAULT_MAX_OUTPUT_BYTES when absent). */
  maxOutputBytes?: number;
  /** Port of the Prometheus endpoint (0: none) and the address it listens on. */
  metricsPort: number;
  metricsHost: string;
  logLevel: z.output<typeof agentEnvSchema>['LOG_LEVEL'];
  /** PostgreSQL holding the SSH secrets ("secret:" credentials); null when not given. */
  databaseUrl?: string | null;
  /** Master keys that open SSH secrets (NETPIN_MASTER_KEY[_FILE], NETPIN_MASTER_KEY_PREVIOUS); null when not given. */
  masterKeyring?: MasterKeyring | null;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

/** Validate the environment; the first bad variable becomes one ConfigError line. */
export function loadConfig(env: NodeJS.ProcessEnv, defaultAgentId: string): AgentConfig {
  const r = agentEnvSchema.safeParse(env);
  if (!r.success) {
    const issue = r.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    const message = issue.code === 'invalid_type' && env[variable] === undefined ? 'is required' : issue.message;
    throw new ConfigError(variable, message);
  }
  const e = r.data;
  let masterKeyring: MasterKeyring | null;
  try {
    masterKeyring = loadMasterKeyring(env);
  } catch (err) {
    if (err instanceof MasterKeyError) throw new ConfigError(err.variable, err.problem);
    throw err;
  }
  return {
    redisUrl: e.REDIS_URL,
    queuePrefix: e.NETPIN_QUEUE_PREFIX,
    keyDir: e.NETPIN_AGENT_KEY_DIR,
    concurrency: e.NETPIN_AGENT_CONCURRENCY,
    agentId: e.NETPIN_AGENT_ID ?? defaultAgentId,
    transport: e.NETPIN_AGENT_TRANSPORT,
    localHost: e.NETPIN_AGENT_LOCAL_HOST,
    commandTimeoutMs: e.NETPIN_AGENT_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: e.NETPIN_AGENT_CONNECT_TIMEOUT_MS,
    lockTtlMs: e.NETPIN_AGENT_LOCK_TTL_MS,
    jobLockMs: e.NETPIN_AGENT_JOB_LOCK_MS,
    lockRetryMs: e.NETPIN_AGENT_LOCK_RETRY_MS,
    maxOutputBytes: e.NETPIN_AGENT_MAX_OUTPUT_BYTES,
    metricsPort: e.NETPIN_AGENT_METRICS_PORT,
    metricsHost: e.NETPIN_AGENT_METRICS_HOST,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL ?? null,
    masterKeyring,
  };
}
