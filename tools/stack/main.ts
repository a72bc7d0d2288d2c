import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Children } from './children';
import { loadStackConfig, StackConfigError, type StackConfig } from './config';
import { StackConsole, type LevelName } from './console';
import { demoFleetArgs, readFleetReport, registerDemoFleet, waitReady } from './demo';
import { portsNeeded, takenPorts } from './ports';
import { startEmbeddedPostgres } from './postgres';
import { PostgresSetupError } from './postgres-layout';
import { bootstrapToken, masterKeyEnv } from './secrets';
import { PortTakenError, startPrivateRedis, type RunningService } from './services';
import { StateInUseError, StateLock } from './state-lock';

/**
 * `npm start` (everything) and `npm run start:api` (`--only api`): start the stack on
 * embedded defaults unless DATABASE_URL / REDIS_URL point at servers of your own.
 */
const root = resolve(__dirname, '../..');

class Stack {
  private readonly services: RunningService[] = [];
  readonly children: Children;
  stopping = false;

  constructor(
    readonly c: StackConfig,
    readonly out: StackConsole,
    private readonly lock: StateLock,
  ) {
    this.children = new Children(root, out, lock, (name, code, signal) => {
      this.log('error', `${name} exited`, { code, signal });
      void this.shutdown(code || 1);
    });
  }

  log(level: LevelName, msg: string, extra: Record<string, unknown> = {}): void {
    this.out.log('stack', level, msg, extra);
  }

  async shutdown(code: number): Promise<never> {
    if (this.stopping) return new Promise<never>(() => undefined);
    this.stopping = true;
    this.log('info', 'stopping');
    await this.children.stopAll();
    for (const s of this.services.reverse()) await s.stop().catch((e: unknown) => this.log('warn', 'stop failed', { error: String(e) }));
    this.lock.release();
    this.log('info', 'stopped');
    process.exit(code);
  }

  /** PostgreSQL and Redis: the operator's when their URLs are set, else private ones in the state folder. */
  async backingServices(): Promise<{ databaseUrl: string; redisUrl: string }> {
    let databaseUrl = this.c.databaseUrl;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({
        stateDir: this.c.stateDir,
        port: this.c.pgPort,
        log: (m, x, l) => this.log(l ?? 'info', m, x),
      });
      this.services.push(pg);
      databaseUrl = pg.url;
      this.log('info', 'embedded postgres up', { url: databaseUrl.replace(/:[^:@/]+@/, ':***@'), data: pg.dataDir });
    }
    let redisUrl = this.c.redisUrl;
    if (!redisUrl) {
      const redis = await startPrivateRedis(this.c.stateDir, this.c.redisPort, (m, x, l) => this.log(l ?? 'info', m, x));
      this.services.push(redis);
      redisUrl = redis.url;
      this.log('info', 'private redis up', { url: redisUrl });
    }
    return { databaseUrl, redisUrl };
  }

  async migrate(databaseUrl: string): Promise<void> {
    const r = spawnSync(process.execPath, [resolve(root, 'tools/prisma.cjs'), 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      this.log('error', 'migrations failed', { output: (r.stdout + r.stderr).slice(-4000) });
      await this.shutdown(1);
    }
    this.log('info', 'migrations applied');
  }

  buildWeb(): void {
    this.log('info', 'building the web UI');
    const web = spawnSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: resolve(root, 'apps/web'),
      encoding: 'utf8',
    });
    if (web.status !== 0) this.log('warn', 'web UI build failed; the API runs without it', { stderr: web.stderr.slice(0, 2000) });
    else this.log('info', 'web UI built');
  }
}

async function run(stack: Stack): Promise<void> {
  const { c } = stack;
  const taken = await takenPorts(portsNeeded(c));
  if (taken.length) {
    for (const line of taken) stack.log('error', line);
    await stack.shutdown(1);
  }
  const { databaseUrl, redisUrl } = await stack.backingServices();
  await stack.migrate(databaseUrl);
  const admin = bootstrapToken(c.stateDir, process.env);
  const masterKey = masterKeyEnv(c.stateDir, process.env, (m, x) => stack.log('info', m, x));
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, LOG_LEVEL: c.logLevel, ...masterKey };
  const apiUrl = `http://${c.apiHost === '0.0.0.0' ? '127.0.0.1' : c.apiHost}:${c.apiPort}`;
  if (c.components.has('api')) {
    if (!c.skipWebBuild) stack.buildWeb();
    stack.children.node('api', 'apps/api/src/main.ts', { ...env, NETPIN_BOOTSTRAP_ADMIN_TOKEN: admin.token, PORT: String(c.apiPort) });
  }
  const simDir = resolve(c.stateDir, 'hostsim');
  mkdirSync(simDir, { recursive: true });
  // the agent reads the database only for "secret:" credentials (SSH keys encrypted at rest)
  if (c.components.has('agent')) stack.children.node('agent', 'apps/agent/src/main.ts', { ...env, NETPIN_AGENT_KEY_DIR: simDir });
  if (c.components.has('hostsim') && c.demoHosts > 0) {
    const sim = stack.children.node('hostsim', 'apps/hostsim/src/main.ts', {}, demoFleetArgs(c.demoHosts, c.demoBasePort, simDir), 'keep');
    const fleet = await readFleetReport(sim);
    stack.log('info', 'demo fleet up', { hosts: fleet.map((h) => `${h.name}@${h.address}:${h.port}`) });
    if (c.components.has('api')) {
      await waitReady(apiUrl);
      await registerDemoFleet(apiUrl, fleet, admin.token, (m) => stack.log('info', m));
      stack.log('info', 'demo fleet registered, discovered and wired', { hosts: fleet.length });
    }
  } else if (c.components.has('hostsim')) stack.log('info', 'no demo fleet (NETPIN_DEMO_HOSTS=0)');
  if (c.components.has('api')) {
    await waitReady(apiUrl);
    welcome(stack.out, apiUrl, admin);
  } else stack.log('info', 'stack up', { components: [...c.components] });
}

function welcome(out: StackConsole, url: string, admin: { token: string; file?: string }): void {
  const links = { webUi: `${url}/`, graphql: `${url}/graphql`, rest: `${url}/api/v1`, openapi: `${url}/api/docs` };
  out.banner(
    'netpin is up',
    [
      `web UI    ${links.webUi}`,
      `GraphQL   ${links.graphql}`,
      `REST      ${links.rest}   (OpenAPI: ${links.openapi})`,
      '',
      `Admin token (sign in to the web UI with it${admin.file ? `; kept in ${admin.file}` : ''}):`,
      `  export NETPIN_TOKEN=${admin.token}`,
      'then:  npx netpin hosts list     (a VM in one call: README, "Try it")',
      '',
      'Stop with Ctrl-C.',
    ],
    { ...links, adminTokenFile: admin.file },
  );
}

async function main(): Promise<void> {
  let config: StackConfig;
  try {
    config = loadStackConfig(root, process.argv.slice(2), process.env, Boolean(process.stdout.isTTY));
  } catch (e) {
    if (!(e instanceof StackConfigError)) throw e;
    process.stderr.write(`netpin stack: ${e.message}\n`);
    process.exit(2);
  }
  const out = new StackConsole(config.logFormat, config.logLevel);
  const { lock, leftovers } = await StateLock.claim(config.stateDir, root);
  const stack = new Stack(config, out, lock);
  process.once('SIGINT', () => void stack.shutdown(0));
  process.once('SIGTERM', () => void stack.shutdown(0));
  if (leftovers) stack.log('warn', `stopped ${leftovers} process(es) left over from an earlier run that was killed`);
  try {
    await run(stack);
  } catch (e) {
    if (stack.stopping) return; // a Ctrl-C while starting: requests to stopped children fail
    const known = e instanceof PortTakenError || e instanceof PostgresSetupError;
    stack.log('error', known ? (e as Error).message : `netpin stack failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    await stack.shutdown(1);
  }
}

main().catch((e: unknown) => {
  if (e instanceof StateInUseError) process.stderr.write(`netpin stack: ${e.message}\n`);
  else process.stderr.write(`netpin stack failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
