import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startEmbeddedPostgres, startPrivateRedis, type RunningService } from './services';

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

function runNode(name: string, script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const proc = spawn(process.execPath, ['-r', '@swc-node/register', resolve(root, script)], {
    cwd: root,
    env: { ...process.env, SWC_NODE_PROJECT: resolve(root, 'tsconfig.json'), ...env },
    stdio: 'inherit',
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

  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
  const want = (c: string): boolean => !only || only.includes(c);
  if (want('api')) runNode('api', 'apps/api/src/main.ts', { ...env, PORT: process.env.PORT ?? '3000' });
}

main().catch(async (e: unknown) => {
  process.stderr.write(`netpin stack failed: ${(e as Error).message}\n`);
  await shutdown(1);
});
