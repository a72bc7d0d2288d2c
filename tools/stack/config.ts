import { resolve } from 'node:path';
import { z } from 'zod';

/** The variables the stack launcher itself reads (the API and the agent validate their own). */
const port = (dflt: number) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === '') return dflt;
      if (!/^\d+$/.test(s) || Number(s) > 65535) {
        ctx.addIssue({ code: 'custom', message: `must be a port number (0-65535), got "${s}"` });
        return z.NEVER;
      }
      return Number(s);
    });

const schema = z.object({
  PORT: port(3000),
  HOST: z.string().default('127.0.0.1'),
  NETPIN_PG_PORT: port(54329),
  NETPIN_REDIS_PORT: port(63799),
  NETPIN_DEMO_BASE_PORT: port(22220),
  NETPIN_AGENT_METRICS_PORT: port(9464),
  NETPIN_AGENT_METRICS_HOST: z.string().default('127.0.0.1'),
  NETPIN_DEMO_HOSTS: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === '') return 4;
      if (!/^\d+$/.test(s) || Number(s) > 64) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from 0 (no demo fleet) to 64, got "${s}"` });
        return z.NEVER;
      }
      return Number(s);
    }),
  NETPIN_STATE_DIR: z.string().default('.netpin'),
  NETPIN_SKIP_WEB_BUILD: z.string().optional(),
  LOG_FORMAT: z.enum(['pretty', 'json'], { message: 'must be pretty or json' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
});

export type Component = 'api' | 'agent' | 'hostsim';

export interface StackConfig {
  root: string;
  stateDir: string;
  /** components to run (`--only api,agent`); all by default */
  components: Set<Component>;
  apiPort: number;
  apiHost: string;
  pgPort: number;
  redisPort: number;
  demoHosts: number;
  demoBasePort: number;
  agentMetricsPort: number;
  agentMetricsHost: string;
  skipWebBuild: boolean;
  /** pretty on a terminal, JSON otherwise or with LOG_FORMAT=json */
  logFormat: 'pretty' | 'json';
  logLevel: string;
  databaseUrl?: string;
  redisUrl?: string;
}

export class StackConfigError extends Error {}

export function loadStackConfig(root: string, argv: string[], env: NodeJS.ProcessEnv, isTty: boolean): StackConfig {
  const r = schema.safeParse(env);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new StackConfigError(`invalid configuration: ${String(i.path[0])}: ${i.message}`);
  }
  const e = r.data;
  const all: Component[] = ['api', 'agent', 'hostsim'];
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',').filter(Boolean) : all;
  const unknown = only.filter((c) => !all.includes(c as Component));
  if (unknown.length || only.length === 0) throw new StackConfigError(`--only takes a comma-separated list of ${all.join(', ')}`);
  return {
    root,
    stateDir: resolve(root, e.NETPIN_STATE_DIR),
    components: new Set(only as Component[]),
    apiPort: e.PORT,
    apiHost: e.HOST,
    pgPort: e.NETPIN_PG_PORT,
    redisPort: e.NETPIN_REDIS_PORT,
    demoHosts: e.NETPIN_DEMO_HOSTS,
    demoBasePort: e.NETPIN_DEMO_BASE_PORT,
    agentMetricsPort: e.NETPIN_AGENT_METRICS_PORT,
    agentMetricsHost: e.NETPIN_AGENT_METRICS_HOST,
    skipWebBuild: e.NETPIN_SKIP_WEB_BUILD === '1',
    logFormat: e.LOG_FORMAT ?? (isTty ? 'pretty' : 'json'),
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL || undefined,
    redisUrl: e.REDIS_URL || undefined,
  };
}
