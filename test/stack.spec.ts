import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The `npm start` launcher itself (tools/stack/main.ts), against this file's database and
 * Redis, with JSON logs (its stdout is not a terminal here).
 */
const repoRoot = resolve(__dirname, '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

interface Launch {
  entries: Record<string, unknown>[];
  /** resolves with the first entry that matches */
  waitFor(pred: (e: Record<string, unknown>) => boolean, ms: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  stateDir: string;
}

function launch(env: Record<string, string>): Launch {
  const stateDir = mkdtempSync(join(tmpdir(), 'netpin-stack-'));
  dirs.push(stateDir);
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'tools/stack/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      SWC_NODE_PROJECT: join(repoRoot, 'tsconfig.json'),
      NETPIN_STATE_DIR: stateDir,
      NETPIN_SKIP_WEB_BUILD: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entries: Record<string, unknown>[] = [];
  const waiters: { pred: (e: Record<string, unknown>) => boolean; ok: (e: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const e = JSON.parse(line) as Record<string, unknown>; // JSON only: a non-JSON line fails the test
    entries.push(e);
    for (const w of waiters.filter((w) => w.pred(e))) w.ok(e);
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const waitFor = (pred: (e: Record<string, unknown>) => boolean, ms: number): Promise<Record<string, unknown>> =>
    new Promise((ok, fail) => {
      const seen = entries.find(pred);
      if (seen) return ok(seen);
      const t = setTimeout(
        () => fail(new Error(`not seen within ${ms} ms; output:\n${entries.map((x) => JSON.stringify(x)).join('\n')}\n${stderr}`)),
        ms,
      );
      waiters.push({ pred, ok: (e) => (clearTimeout(t), ok(e)) });
      void exited.then((code) =>
        fail(new Error(`the stack exited (${code}):\n${entries.map((x) => JSON.stringify(x)).join('\n')}\n${stderr}`)),
      );
    });
  return { entries, waitFor, exited, kill: (s) => child.kill(s), stateDir };
}

describe('npm start launcher', () => {
  it('runs without a demo fleet when NETPIN_DEMO_HOSTS=0, and stops cleanly on SIGINT', async () => {
    const port = await freePort();
    const stack = launch({ PORT: String(port), NETPIN_DEMO_HOSTS: '0', NETPIN_AGENT_METRICS_PORT: '0', LOG_LEVEL: 'info' });
    const up = await stack.waitFor((e) => e.msg === 'netpin is up', 150_000);
    expect(up).toMatchObject({ component: 'stack', graphql: `http://127.0.0.1:${port}/graphql` });
    expect(stack.entries.some((e) => e.msg === 'no demo fleet (NETPIN_DEMO_HOSTS=0)')).toBe(true);
    expect(stack.entries.some((e) => e.component === 'hostsim')).toBe(false);
    // Nest's module and route mapping is debug, not part of the info console
    expect(stack.entries.some((e) => String(e.msg).startsWith('Mapped {'))).toBe(false);
    const hosts = await fetch(`http://127.0.0.1:${port}/api/v1/hosts`, {
      headers: { authorization: `Bearer ${process.env.NETPIN_TOKEN}` },
    });
    expect(hosts.status).toBe(200);
    expect(existsSync(join(stack.stateDir, 'stack.json'))).toBe(true);
    stack.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    expect(stack.entries[stack.entries.length - 1]).toMatchObject({ component: 'stack', msg: 'stopped' });
    expect(existsSync(join(stack.stateDir, 'stack.json'))).toBe(false);
  }, 180_000);

  it('says which port is taken and which variable moves it, before starting anything', async () => {
    const holder = createServer();
    await new Promise<void>((ok) => holder.listen(0, '127.0.0.1', ok));
    const { port } = holder.address() as { port: number };
    try {
      const stack = launch({ PORT: String(port), NETPIN_DEMO_HOSTS: '0', NETPIN_AGENT_METRICS_PORT: '0' });
      expect(await stack.exited).toBe(1);
      expect(stack.entries).toContainEqual(
        expect.objectContaining({ level: 50, component: 'stack', msg: `port ${port} (the API) is taken by another program: set PORT` }),
      );
      expect(stack.entries.some((e) => e.msg === 'migrations applied')).toBe(false);
    } finally {
      holder.close();
    }
  }, 60_000);
});
