import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519 } from './keys';
import { type Fixture, hostFixture } from './test-fixture';
import { connect } from './test-client';

describe('SSH server', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await hostFixture('small-one-node');
  });
  afterAll(async () => f.close());

  it('presents the host key whose fingerprint the handle reports', () => {
    expect(f.host.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(f.conn.hostKeyFingerprintSeen).toBe(f.host.fingerprint);
  });

  it('refuses a key that is not authorized', async () => {
    const other = generateEd25519('intruder');
    await expect(connect({ host: f.host.address, port: f.host.port, username: 'root', privateKey: other.private })).rejects.toThrow(
      /authentication/i,
    );
  });

  it('refuses another user name with the right key', async () => {
    await expect(connect({ host: f.host.address, port: f.host.port, username: 'admin', privateKey: f.privateKey })).rejects.toThrow(
      /authentication/i,
    );
  });

  it('answers unknown commands with 127 and bash wording', async () => {
    const r = await f.conn.run(['frobnicate', '--now']);
    expect(r).toEqual({ stdout: '', stderr: 'bash: frobnicate: command not found\n', code: 127 });
  });

  it('answers unsupported shell syntax with exit 2', async () => {
    const r = await f.conn.run('cat /proc/interrupts | grep enp1s0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not supported by hostsim/);
  });

  it('runs && / || lists with real exit codes', async () => {
    expect((await f.conn.run('test -e /dev/vhost-net && echo yes || echo no')).stdout).toBe('yes\n');
    expect((await f.conn.run('test -e /dev/nope && echo yes || echo no')).stdout).toBe('no\n');
  });

  it('logs each command with its exit code', async () => {
    f.host.clearLog();
    await f.conn.run(['cat', '/nonexistent']);
    const log = f.host.state().commandLog;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ command: "'cat' '/nonexistent'", exitCode: 1 });
  });

  it('fails commands matching an injected rule, a limited number of times', async () => {
    f.host.setFaults({
      failCommands: [{ pattern: /^'?virsh'? '?start/, exitCode: 1, stderr: 'error: internal error: injected', times: 1 }],
    });
    const first = await f.conn.run(['virsh', 'start', 'x']);
    expect(first).toEqual({ stdout: '', stderr: 'error: internal error: injected\n', code: 1 });
    const second = await f.conn.run(['virsh', 'start', 'x']);
    expect(second.stderr).toBe("error: failed to get domain 'x'\n");
    f.host.setFaults({});
  });

  it('adds injected latency to every command', async () => {
    f.host.setFaults({ latencyMs: 120 });
    const t0 = Date.now();
    await f.conn.run(['true']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
    f.host.setFaults({});
  });
});

describe('connection faults', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await hostFixture('small-one-node');
  });
  afterAll(async () => f.close());

  it('drops the connection after N answered commands', async () => {
    f.host.setFaults({ dropAfterCommands: 2 });
    expect((await f.conn.run(['true'])).code).toBe(0);
    expect((await f.conn.run(['true'])).code).toBe(0);
    await expect(f.conn.run(['true'])).rejects.toThrow(/closed/);
    expect(f.host.state().commandLog.at(-1)?.injected).toBe('drop');
    // One-shot: a new connection works again.
    const c2 = await connect({ host: f.host.address, port: f.host.port, username: 'root', privateKey: f.privateKey });
    expect((await c2.run(['hostname'])).stdout).toBe('hv-test\n');
    c2.end();
  });

  it('presents a new host key after a host-key change', async () => {
    const before = f.host.fingerprint;
    const after = f.host.changeHostKey();
    expect(after).not.toBe(before);
    const c = await connect({ host: f.host.address, port: f.host.port, username: 'root', privateKey: f.privateKey });
    expect(c.hostKeyFingerprintSeen).toBe(after);
    c.end();
  });

  it('refuses an interactive shell politely', async () => {
    const c = await connect({ host: f.host.address, port: f.host.port, username: 'root', privateKey: f.privateKey });
    const text = await new Promise<string>((resolve, reject) => {
      c.client.shell(false, (err, ch) => {
        if (err) return reject(err);
        let s = '';
        ch.stderr.on('data', (d: Buffer) => (s += d.toString()));
        ch.resume();
        ch.on('close', () => resolve(s));
      });
    });
    expect(text).toMatch(/interactive shells are not supported/);
    c.end();
  });
});
