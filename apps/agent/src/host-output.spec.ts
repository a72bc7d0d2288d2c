import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainNameSchema } from '@netpin/contracts';
import { Harness } from './testing/harness';
import { LocalTransport } from './transport/local-transport';

/**
 * Issue 13: a hostile (or broken) host controls what its commands print. The agent keeps at
 * most a capped amount of it, and what reaches a result (and so a viewer) is short and free
 * of terminal control sequences.
 */
const ESC = '\u001b';
const CAP = 256 * 1024;
/** Control characters other than newline and tab, and the right-to-left override. */
const unsafe = (c: string): boolean => {
  const n = c.codePointAt(0)!;
  return (n < 0x20 && c !== '\n' && c !== '\t') || (n >= 0x7f && n <= 0x9f) || n === 0x202e;
};

describe('host output is capped and cleaned', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start(['small-one-node']);
    await h.agent({ maxOutputBytes: CAP });
  });
  afterAll(() => h.stop());

  it('stops a command whose stdout passes the cap and fails the job, instead of buffering it', async () => {
    const host = h.fleet.hosts[0];
    // 4 MiB of plausible lines where /proc/interrupts is read
    const flood = '  1:          0   IO-APIC    1-edge      i8042\n'.repeat((4 * 1024 * 1024) / 48);
    host.setFaults({ failCommands: [{ pattern: '/proc/interrupts', exitCode: 0, stdout: flood, stderr: '' }] });
    try {
      const r = await h.run('host.discover', { host: h.target(host) });
      expect(r.status).toBe('FAILED');
      expect(r.error?.code).toBe('COMMAND_FAILED');
      expect(r.error?.message).toContain(`more than ${CAP} bytes`);
    } finally {
      host.setFaults({});
    }
  });

  it('reports a short first stderr line and a capped stderr, with escape sequences and control characters removed', async () => {
    const host = h.fleet.hosts[0];
    // clear screen, set the window title, a C1 CSI, a bidi override, then a megabyte on one line
    const line = `error: ${ESC}[2J${ESC}]0;owned${'\u0007'}\u009b31mred\u202Eevil ${'A'.repeat(1024 * 1024)}`;
    host.setFaults({ failCommands: [{ pattern: 'virsh start', exitCode: 1, stderr: `${line}\nsecond line` }] });
    try {
      const r = await h.run('vm.apply', {
        host: h.target(host),
        vmId: '00000000-0000-4000-8000-00000000beef',
        vmName: domainNameSchema.parse('noisy'),
        domainXml: `<domain type='kvm'><name>noisy</name><metadata><netpin:vm xmlns:netpin="https://netpin.dev/xmlns/domain/1" id="00000000-0000-4000-8000-00000000beef"/></metadata><memory unit='MiB'>256</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`,
        vfs: [],
        irqAffinity: [],
        rps: [],
        start: true,
      });
      expect(r.status).toBe('FAILED');
      expect(r.error?.code).toBe('COMMAND_FAILED');
      const { message, stderr } = r.error!;
      expect(message.length).toBeLessThanOrEqual(1000);
      expect(message).toMatch(/^virsh exited 1: error: redevil A+… \(\d+ more characters\)$/);
      expect(stderr!.length).toBeLessThanOrEqual(4096);
      for (const text of [message, stderr!]) expect([...text].filter(unsafe)).toEqual([]);
    } finally {
      host.setFaults({});
    }
  });
});

describe('local transport output cap', () => {
  it('kills a command whose stdout passes the cap', async () => {
    const t = new LocalTransport();
    await expect(
      t.exec(['head', '-c', String(4 * 1024 * 1024), '/dev/zero'], { timeoutMs: 10_000, maxOutputBytes: 64 * 1024 }),
    ).rejects.toMatchObject({
      code: 'COMMAND_FAILED',
      message: expect.stringContaining('more than 65536 bytes'),
    });
    const ok = await t.exec(['head', '-c', '1000', '/dev/zero'], { timeoutMs: 10_000, maxOutputBytes: 64 * 1024 });
    expect(ok.stdout).toHaveLength(1000);
  });

  it('keeps only the head of a flood of stderr', async () => {
    const t = new LocalTransport();
    const r = await t.exec(['sh', '-c', 'head -c 1000000 /dev/zero | tr "\\0" x >&2; exit 3'], { timeoutMs: 10_000 });
    expect(r.exitCode).toBe(3);
    expect(r.stderr.length).toBeLessThan(70 * 1024);
    expect(r.stderr).toMatch(/\[\d+ more bytes dropped\]$/);
  });
});
