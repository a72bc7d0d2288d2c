import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import migrateJson from './__fixtures__/real/virsh-migrate.json?raw';

/**
 * What real `virsh migrate` (libvirt 9.0, QEMU 7.2, qemu+ssh between two real libvirtds)
 * answered, recorded by `npm run realhost -- fixtures` (tools/realhost/src/migration-fixtures.ts).
 * These are the shapes hostsim's `virsh migrate`, `domjobinfo` and `domjobabort` must give
 * and the agent may rely on; a re-recording that changes them fails here.
 */
const answerSchema = z.object({
  on: z.enum(['source', 'target']),
  argv: z.array(z.string()),
  exitCode: z.number().int(),
  stdout: z.string(),
  stderr: z.string(),
});
const answers = z.record(z.string(), answerSchema).parse(JSON.parse(migrateJson));

const REFUSALS: Record<string, RegExp> = {
  'no-such-domain': /^error: failed to get domain 'fx-none'$/,
  'not-running': /^error: Requested operation is not valid: domain is not running$/,
  'target-unreachable': /^error: Cannot recv data: ssh: connect to host [\d.]+ port 22: Network is unreachable: Connection reset by peer$/,
  'target-ssh-refused': /^error: Cannot recv data: ssh: connect to host [\d.]+ port 2222: Connection refused: Connection reset by peer$/,
  'same-host': /^error: internal error: Attempt to migrate guest to the same host [0-9a-f-]{36}$/,
  'bridge-missing': /^error: Cannot get interface MTU on 'br9': No such device$/,
  'bridge-missing-p2p': /^error: End of file while reading data: : Input\/output error$/,
  'macvtap-parent-missing': /^error: Unable to get index for interface ens9: No such device$/,
  'cpu-model-changed': /^error: unsupported configuration: Target CPU model NoSuchCpu does not match source qemu64$/,
  'xml-without-uuid':
    /^error: unsupported configuration: Target domain uuid [0-9a-f-]{36} does not match source 6a1f0c0e-5b0b-4a55-8f3e-0c1e2d3f4a11$/,
  'name-differs': /^error: unsupported configuration: Target domain name 'fx-other' does not match source 'fx-mig'$/,
  'mac-differs': /^error: unsupported configuration: Target network card mac 52:54:00:6b:6a:09 does not match source 52:54:00:6b:6a:02$/,
  'nic-removed': /^error: unsupported configuration: Target domain controller count \d+ does not match source \d+$/,
  'name-exists-on-target': /^error: operation failed: domain 'fx-mig' already exists with uuid 6a1f0c0e-5b0b-4a55-8f3e-0c1e2d3f4a12$/,
  'uuid-exists-on-target': /^error: operation failed: domain 'fx-twin' is already defined with uuid 6a1f0c0e-5b0b-4a55-8f3e-0c1e2d3f4a11$/,
  'domjobabort-none': /^error: Requested operation is not valid: no job is active on the domain$/,
  aborted: /^error: operation aborted: migration out: canceled by client$/,
};

/** --verbose progress: "\rMigration: [%3d %]" per poll on stderr, no newline; the last one says 100. */
const PROGRESS = /^(\rMigration: \[[ \d]{2}\d %\])*\rMigration: \[100 %\]$/;

describe('virsh migrate: real answers', () => {
  it('every case was recorded', () => {
    expect(Object.keys(answers).sort()).toEqual(
      [
        ...Object.keys(REFUSALS),
        'domjobinfo-none',
        'domjobinfo-migrating',
        'domjobabort',
        'success-verbose',
        'vcpupin-on-target',
        'success-p2p-quiet',
        'offline',
      ].sort(),
    );
  });

  it('a refusal: exit 1, one empty line on stdout, one error line on stderr and no progress', () => {
    for (const [name, reason] of Object.entries(REFUSALS)) {
      const a = answers[name];
      expect({ name, code: a.exitCode, stdout: a.stdout }).toEqual({ name, code: 1, stdout: '\n' });
      expect(a.stderr.endsWith('\n') && a.stderr.split('\n').length === 2, name).toBe(true);
      expect(a.stderr.trimEnd(), name).toMatch(reason);
    }
  });

  it('a migration: exit 0, one empty line on stdout; progress on stderr only with --verbose', () => {
    expect(answers['success-verbose']).toMatchObject({ exitCode: 0, stdout: '\n' });
    expect(answers['success-verbose'].stderr).toMatch(PROGRESS);
    expect(answers['success-verbose'].argv).toContain('--verbose');
    expect(answers['success-p2p-quiet']).toMatchObject({ exitCode: 0, stdout: '\n', stderr: '' });
    expect(answers['success-p2p-quiet'].argv).toEqual(expect.arrayContaining(['--p2p', '--xml', '--persistent-xml']));
    expect(answers.offline).toMatchObject({ exitCode: 0, stdout: '\n', stderr: '\rMigration: [100 %]' });
    // The target runs the --xml's pins (vCPU 0 on CPU 1, vCPU 1 on CPU 0).
    expect(answers['vcpupin-on-target'].stdout).toBe(' VCPU   CPU Affinity\n----------------------\n 0      1\n 1      0\n\n');
  });

  it('domjobinfo and domjobabort: the layout of a job, of no job, and an abort', () => {
    expect(answers['domjobinfo-none']).toMatchObject({ exitCode: 0, stdout: 'Job type:         None        \n\n', stderr: '' });
    const lines = answers['domjobinfo-migrating'].stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['Job type:         Unbounded   ', 'Operation:        Outgoing migration']);
    // "%-17s %-12llu ms": the label padded to 17 and a space, the number padded to 12, then " ms".
    expect(lines[2]).toMatch(/^Time elapsed: {5}(?=\d{1,12} )\d+ +ms$/);
    expect(lines[2].length).toBe(18 + 12 + 3);
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).toBe('');
    expect(answers.domjobabort).toMatchObject({ exitCode: 0, stdout: '\n', stderr: '' });
  });
});
