import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { GqlClient, NetpinApiError, setupFleet, type FleetHostEntry } from '@netpin/client';
import { CreateSriovPolicyDocument } from '@netpin/client/operations';
import { startEmbeddedPostgres, startPrivateRedis, type RunningService } from './services';
import type { FleetEntry } from '@netpin/hostsim';

/**
 * `npm start` (everything) and `npm run start:api` (`--only api`): start the stack on
 * embedded defaults unless DATABASE_URL / REDIS_URL point at servers of your own.
 */
const root = resolve(__dirname, '../..');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]?.split(',') : undefined;
const stateDir = resolve(root, process.env.NETPIN_STATE_DIR ?? '.netpin');

function log(msg: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ component: 'stack', msg, ...extra }) + '\n');
}

function intEnv(name: string, def: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  if (!/^\d+$/.test(v) || Number(v) > 65535) {
    process.stderr.write(`invalid configuration: ${name}: must be a port number\n`);
    process.exit(2);
  }
  return Number(v);
}

const services: RunningService[] = [];
const children: { name: string; proc: ChildProcess }[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  log('stopping', { code });
  await Promise.all(
    children.map(
      ({ proc }) =>
        new Promise<void>((done) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return done();
          const t = setTimeout(() => proc.kill('SIGKILL'), 10000);
          proc.once('exit', () => {
            clearTimeout(t);
            done();
          });
          proc.kill('SIGTERM');
        }),
    ),
  );
  for (const s of services.reverse()) await s.stop().catch((e: unknown) => log('stop failed', { error: String(e) }));
  log('stopped');
  process.exit(code);
}

function runNode(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
  stdout: 'inherit' | 'pipe' = 'inherit',
): ChildProcess {
  const proc = spawn(process.execPath, ['-r', '@swc-node/register', resolve(root, script), ...args], {
    cwd: root,
    env: { ...process.env, SWC_NODE_PROJECT: resolve(root, 'tsconfig.json'), ...env },
    stdio: ['ignore', stdout, 'inherit'],
  });
  children.push({ name, proc });
  proc.once('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited`, { code, signal });
      void shutdown(code || 1);
    }
  });
  return proc;
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(stateDir, intEnv('NETPIN_PG_PORT', 54329), log);
    services.push(pg);
    databaseUrl = pg.url;
    log('embedded postgres up', { url: databaseUrl.replace(/:[^:@/]+@/, ':***@') });
  }
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startPrivateRedis(stateDir, intEnv('NETPIN_REDIS_PORT', 63799), log);
    services.push(redis);
    redisUrl = redis.url;
    log('private redis up', { url: redisUrl });
  }

  const migrate = spawnSync(process.execPath, [resolve(root, 'tools/prisma.cjs'), 'migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) {
    process.stderr.write(migrate.stdout + migrate.stderr);
    log('migrations failed');
    await shutdown(1);
  }
  log('migrations applied');

  const adminToken = bootstrapToken();
  const masterKey = masterKeyEnv();
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NETPIN_BOOTSTRAP_ADMIN_TOKEN: adminToken, ...masterKey };
  const want = (c: string): boolean => !only || only.includes(c);
  const port = process.env.PORT ?? '3000';
  if (want('api') && process.env.NETPIN_SKIP_WEB_BUILD !== '1') {
    const web = spawnSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: resolve(root, 'apps/web'),
      encoding: 'utf8',
    });
    if (web.status !== 0) log('web UI build failed; the API runs without it', { stderr: web.stderr.slice(0, 2000) });
    else log('web UI built');
  }
  if (want('api')) runNode('api', 'apps/api/src/main.ts', { ...env, PORT: port });
  const simDir = resolve(stateDir, 'hostsim');
  // the agent reads the database only for "secret:" credentials (SSH keys encrypted at rest)
  if (want('agent'))
    runNode('agent', 'apps/agent/src/main.ts', {
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      ...masterKey,
      NETPIN_AGENT_KEY_DIR: simDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    });
  if (want('hostsim')) {
    const fleet = await startDemoFleet(simDir);
    if (want('api')) await registerDemoFleet(`http://127.0.0.1:${port}`, fleet, adminToken);
  }
  if (want('api')) printWelcome(port, adminToken);
}

const DEMO_PROFILES = ['dual-socket-sriov', 'dual-socket-sriov', 'small-one-node', 'legacy-no-iommu'];

/** Four simulated hypervisors of different kinds, on fixed loopback ports so a restart finds them again. */
async function startDemoFleet(simDir: string): Promise<FleetHostEntry[]> {
  const count = Number(process.env.NETPIN_DEMO_HOSTS ?? DEMO_PROFILES.length);
  const basePort = intEnv('NETPIN_DEMO_BASE_PORT', 22220);
  const proc = runNode(
    'hostsim',
    'apps/hostsim/src/main.ts',
    {},
    [
      'fleet',
      '--hosts',
      String(count),
      '--profile',
      DEMO_PROFILES.join(','),
      '--state-dir',
      simDir,
      '--base-port',
      String(basePort),
      '--json',
    ],
    'pipe',
  );
  let out = '';
  const entries = await new Promise<FleetEntry[]>((ok, fail) => {
    const t = setTimeout(() => fail(new Error('hostsim did not report its fleet within 60 s')), 60_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        const parsed = JSON.parse(out) as FleetEntry[];
        clearTimeout(t);
        ok(parsed);
      } catch {
        // not complete yet
      }
    });
    proc.once('exit', () => fail(new Error('hostsim exited before reporting its fleet')));
  });
  log('demo fleet up', { hosts: entries.map((e) => `${e.hostname}@${e.address}:${e.port}`) });
  return entries.map((e) => ({
    name: e.hostname,
    address: e.address,
    port: e.port,
    user: e.user,
    fingerprint: e.hostKeyFingerprint,
    credentialRef: `file:${basename(e.clientKeyPath)}`,
  }));
}

/**
 * The admin token of this installation: NETPIN_BOOTSTRAP_ADMIN_TOKEN when set, else one
 * generated on first start and kept (mode 600) in the state folder.
 */
function bootstrapToken(): string {
  if (process.env.NETPIN_BOOTSTRAP_ADMIN_TOKEN) return process.env.NETPIN_BOOTSTRAP_ADMIN_TOKEN;
  const file = resolve(stateDir, 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(stateDir, { recursive: true });
  const token = `npboot_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * The master key that encrypts SSH secrets at rest: the operator's NETPIN_MASTER_KEY or
 * NETPIN_MASTER_KEY_FILE when set (passed on unchanged), else a key generated on first start
 * into the state folder (mode 600) and handed to the API and the agent by file name.
 */
function masterKeyEnv(): { NETPIN_MASTER_KEY_FILE?: string } {
  if (process.env.NETPIN_MASTER_KEY || process.env.NETPIN_MASTER_KEY_FILE) return {};
  const file = resolve(stateDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    log('generated the master key for SSH secrets', { file });
  }
  return { NETPIN_MASTER_KEY_FILE: file };
}

async function registerDemoFleet(url: string, fleet: FleetHostEntry[], token: string): Promise<void> {
  const until = Date.now() + 120_000;
  while (
    !(await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false))
  ) {
    if (Date.now() > until) throw new Error('the API did not become ready within 120 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  const client = new GqlClient(url, token);
  await setupFleet(client, fleet, { log: (m) => log(m) });
  // keep the demo's VF pools as a policy, so the SR-IOV policies page has something to show
  await client.typed.request(CreateSriovPolicyDocument, { input: { name: 'demo-vf-pool', numVfs: 8, priority: 0 } }).catch((e: unknown) => {
    if (!(e instanceof NetpinApiError && e.code === 'CONFLICT')) throw e;
  });
  log('demo fleet registered, discovered and wired', { hosts: fleet.length });
}

function printWelcome(port: string, token: string): void {
  const url = `http://127.0.0.1:${port}`;
  process.stdout.write(
    [
      '',
      `netpin is up:  web UI ${url}/   GraphQL ${url}/graphql   REST ${url}/api/v1   OpenAPI ${url}/api/docs`,
      `Admin token (sign in to the web UI with it; kept in ${resolve(stateDir, 'admin-token')}):`,
      `  export NETPIN_TOKEN=${token}`,
      'Create a VM (see README "Try it"):',
      `  curl -s ${url}/graphql -H "authorization: Bearer $NETPIN_TOKEN" -H 'content-type: application/json' -d '{"query":"mutation { createVm(input: {name: \\"web-01\\", vcpus: 2, memoryMiB: 2048, interfaces: [{network: \\"physnet0\\"}]}) { vm { id state } operation { id } } }"}'`,
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
}

main().catch(async (e: unknown) => {
  process.stderr.write(`netpin stack failed: ${(e as Error).message}\n`);
  await shutdown(1);
});
