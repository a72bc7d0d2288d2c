import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');

interface Entry {
  hostname: string;
  address: string;
  port: number;
  user: string;
  clientKeyPath: string;
  hostKeyFingerprint: string;
}

function readJson(child: ChildProcess): Promise<Entry[]> {
  return new Promise((res, rej) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.trimEnd().endsWith(']')) res(JSON.parse(out) as Entry[]);
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => rej(new Error(`hostsim exited with ${code}: ${err}`)));
  });
}

function hostname(e: Entry): Promise<string> {
  return new Promise((res, rej) => {
    const c = new Client();
    c.on('error', rej);
    c.on('ready', () =>
      c.exec('hostname', (err, ch) => {
        if (err) return rej(err);
        let s = '';
        ch.on('data', (d: Buffer) => (s += d.toString()));
        ch.on('close', () => {
          c.end();
          res(s.trim());
        });
      }),
    );
    c.connect({ host: e.address, port: e.port, username: e.user, privateKey: readFileSync(e.clientKeyPath), hostVerifier: () => true });
  });
}

describe('hostsim CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostsim-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a fleet, prints it as JSON, serves SSH and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        'apps/hostsim/src/main.ts',
        'fleet',
        '--hosts',
        '2',
        '--profile',
        'small-one-node',
        '--state-dir',
        dir,
        '--json',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const entries = await readJson(child);
      expect(entries.map((e) => e.hostname)).toEqual(['hv-01', 'hv-02']);
      expect(await hostname(entries[1])).toBe('hv-02');
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 20000);

  it('exits 2 with usage on a bad profile', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/hostsim/src/main.ts', 'fleet', '--profile', 'mainframe'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toContain('unknown profile "mainframe"');
  }, 20000);
});
