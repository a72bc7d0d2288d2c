import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './postgres';
import { portOpen, startPrivateRedis, type RunningService } from './services';

/**
 * `with-services -- <command...>`: run a command with a PostgreSQL and a Redis it can use.
 * Uses the machine's servers when NETPIN_TEST_PG_URL / NETPIN_TEST_REDIS_URL are set or
 * 127.0.0.1:5432 / :6379 answer; otherwise starts throwaway embedded ones and stops them after.
 */
const log = (msg: string, extra: Record<string, unknown> = {}): void => {
  process.stderr.write(JSON.stringify({ component: 'with-services', msg, ...extra }) + '\n');
};

async function main(): Promise<number> {
  const sep = process.argv.indexOf('--');
  const cmd = sep >= 0 ? process.argv.slice(sep + 1) : [];
  if (cmd.length === 0) throw new Error('usage: with-services -- <command> [args...]');
  const started: RunningService[] = [];
  let tmp: string | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  try {
    if (!env.NETPIN_TEST_PG_URL) {
      if (await portOpen(5432)) env.NETPIN_TEST_PG_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
      else {
        tmp ??= mkdtempSync(join(tmpdir(), 'netpin-test-'));
        const pg = await startEmbeddedPostgres({
          stateDir: tmp,
          port: 54339,
          log,
          ephemeral: true,
          portHint: 'NETPIN_TEST_PG_URL to a server of yours',
        });
        started.push(pg);
        env.NETPIN_TEST_PG_URL = pg.url.replace(/\/netpin$/, '/postgres');
        log('started embedded postgres for the tests');
      }
    }
    if (!env.NETPIN_TEST_REDIS_URL) {
      if (await portOpen(6379)) env.NETPIN_TEST_REDIS_URL = 'redis://127.0.0.1:6379';
      else {
        tmp ??= mkdtempSync(join(tmpdir(), 'netpin-test-'));
        const redis = await startPrivateRedis(tmp, 63798, log, 'NETPIN_TEST_REDIS_URL to a server of yours');
        started.push(redis);
        env.NETPIN_TEST_REDIS_URL = redis.url;
        log('started private redis for the tests');
      }
    }
    return await new Promise<number>((resolve) => {
      const child = spawn(cmd[0], cmd.slice(1), { stdio: 'inherit', env });
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`with-services: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
