import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { domjobinfo } from './commands/virsh-migrate';
import type { DomainRecord, MigrationJob } from './model';
import { type Fixture, hostFixture } from './test-fixture';
import { parseXml, select } from './xml-tree';

/**
 * hostsim's `virsh migrate`, `domjobinfo` and `domjobabort` between two simulated hosts, with
 * the texts real libvirt 9.0 printed for the same cases (libs/host-ops/src/__fixtures__/real/
 * virsh-migrate.json; tools/realhost/src/differential/migrate.spec.ts compares both live).
 */
const UUID = '6a1f0c0e-5b0b-4a55-8f3e-0c1e2d3f4a11';

function guest(o: {
  pins: string[];
  parent: string;
  uuid?: string | null;
  name?: string;
  mac?: string;
  cpu?: string;
  check?: string;
}): string {
  return `<domain type='kvm'><name>${o.name ?? 'mig1'}</name>${o.uuid === null ? '' : `<uuid>${o.uuid ?? UUID}</uuid>`}
  <memory unit='MiB'>256</memory><vcpu>${o.pins.length}</vcpu>
  <cputune>${o.pins.map((c, i) => `<vcpupin vcpu='${i}' cpuset='${c}'/>`).join('')}</cputune>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>${o.cpu === undefined ? '' : `<cpu mode='custom' match='exact'${o.check ? ` check='${o.check}'` : ''}><model fallback='allow'>${o.cpu}</model></cpu>`}
  <devices>
    <interface type='bridge'><mac address='52:54:00:6b:7a:01'/><source bridge='br0'/><model type='virtio'/></interface>
    <interface type='direct'><mac address='${o.mac ?? '52:54:00:6b:7a:02'}'/><source dev='${o.parent}' mode='bridge'/><model type='virtio'/></interface>
  </devices></domain>`;
}

describe('virsh migrate between two hostsim hosts', () => {
  let src: Fixture;
  let dst: Fixture;
  const on = (f: Fixture) => (argv: string[], stdin?: string) => f.conn.run(argv, stdin);
  const uri = () => `qemu+ssh://root@${dst.host.address}:${dst.host.port}/system`;
  const put = (f: Fixture, path: string, xml: string) => on(f)(['tee', path], xml);
  /** `virsh migrate --live [flags] mig1 <dst>` with `xml` as --xml and --persistent-xml when given. */
  async function migrate(flags: string[], xml?: string, persistent = true) {
    if (xml !== undefined) await put(src, '/tmp/target.xml', xml);
    const files = xml === undefined ? [] : ['--xml', '/tmp/target.xml', ...(persistent ? ['--persistent-xml', '/tmp/target.xml'] : [])];
    return on(src)(['virsh', 'migrate', '--live', '--persistent', '--undefinesource', ...flags, ...files, 'mig1', uri()]);
  }
  const refusal = (line: string) => ({ stdout: '\n', stderr: `${line}\n`, code: 1 });
  const pins = async (f: Fixture, inactive: boolean) =>
    select(parseXml((await on(f)(['virsh', 'dumpxml', ...(inactive ? ['--inactive'] : []), 'mig1'])).stdout), 'cputune/vcpupin').map(
      (p) => p.attrs.cpuset,
    );

  beforeAll(async () => {
    [src, dst] = await Promise.all([hostFixture('dual-socket-sriov'), hostFixture('dual-socket-sriov')]);
    await put(src, '/tmp/source.xml', guest({ pins: ['2', '3'], parent: 'ens1f0' }));
    expect((await on(src)(['virsh', 'define', '/tmp/source.xml'])).code).toBe(0);
    expect((await on(src)(['virsh', 'start', 'mig1'])).code).toBe(0);
  });
  afterAll(async () => Promise.all([src?.close(), dst?.close()]));

  it('refuses as libvirt does, and the domain keeps running on the source', async () => {
    const target = { pins: ['4', '5'], parent: 'ens5f0' };
    expect(await migrate([], guest({ ...target, uuid: null }))).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^error: unsupported configuration: Target domain uuid [0-9a-f-]{36} does not match source 6a1f0c0e-5b0b-4a55-8f3e-0c1e2d3f4a11\n$/,
      ),
    });
    expect(await migrate([], guest({ ...target, name: 'mig2' }))).toEqual(
      refusal("error: unsupported configuration: Target domain name 'mig2' does not match source 'mig1'"),
    );
    expect(await migrate([], guest({ ...target, mac: '52:54:00:6b:7a:09' }))).toEqual(
      refusal('error: unsupported configuration: Target network card mac 52:54:00:6b:7a:09 does not match source 52:54:00:6b:7a:02'),
    );
    // A KVM domain that names its CPU model is checked against the host (check='partial'), the
    // source's made-up qemu64 is not: libvirt compares the check before the model.
    expect(await migrate([], guest({ ...target, cpu: 'NoSuchCpu' }))).toEqual(
      refusal('error: unsupported configuration: Target CPU check partial does not match source none'),
    );
    expect(await migrate([], guest({ ...target, cpu: 'NoSuchCpu', check: 'none' }))).toEqual(
      refusal('error: unsupported configuration: Target CPU model NoSuchCpu does not match source qemu64'),
    );
    expect(await migrate([], guest({ ...target, parent: 'ens9' }))).toEqual(
      refusal('error: Unable to get index for interface ens9: No such device'),
    );
    // --p2p: the source libvirtd connected to the target, and virsh only sees that connection end.
    expect(await migrate(['--p2p'], guest({ ...target, parent: 'ens9' }))).toEqual(
      refusal('error: End of file while reading data: : Input/output error'),
    );
    await put(dst, '/tmp/twin.xml', guest({ ...target, name: 'twin' }));
    await on(dst)(['virsh', 'define', '/tmp/twin.xml']);
    expect(await migrate([], guest(target))).toEqual(
      refusal(`error: operation failed: domain 'twin' is already defined with uuid ${UUID}`),
    );
    await on(dst)(['virsh', 'undefine', 'twin']);
    const closed = await on(src)(['virsh', 'migrate', '--live', 'mig1', `qemu+ssh://root@${dst.host.address}:1/system`]);
    expect(closed).toEqual(
      refusal(`error: Cannot recv data: ssh: connect to host ${dst.host.address} port 1: Connection refused: Connection reset by peer`),
    );
    expect((await on(src)(['virsh', 'domstate', 'mig1'])).stdout).toBe('running\n\n');
    expect((await on(dst)(['virsh', 'list', '--all', '--name'])).stdout).toBe('\n');
  });

  it('domjobinfo while it copies, domjobabort stops it; no job: libvirt texts', async () => {
    expect(await on(src)(['virsh', 'domjobinfo', 'mig1'])).toEqual({ stdout: 'Job type:         None        \n\n', stderr: '', code: 0 });
    expect(await on(src)(['virsh', 'domjobabort', 'mig1'])).toEqual(
      refusal('error: Requested operation is not valid: no job is active on the domain'),
    );
    src.host.model.migration.bandwidthMiBps = 64; // 256 MiB: 4 s
    try {
      const migrating = migrate(['--verbose'], guest({ pins: ['4', '5'], parent: 'ens5f0' }));
      await new Promise((done) => setTimeout(done, 700));
      const job = (await on(src)(['virsh', 'domjobinfo', 'mig1'])).stdout.split('\n');
      expect(job.slice(0, 2)).toEqual(['Job type:         Unbounded   ', 'Operation:        Outgoing migration']);
      expect(job[2]).toMatch(/^Time elapsed: {5}\d+ +ms$/);
      expect(job[2]).toHaveLength(33);
      expect(job[3]).toMatch(/^Data processed: {3}\d+\.\d{3} MiB$/);
      expect(job).toContain('Postcopy requests: 0           ');
      expect(await on(src)(['virsh', 'domjobabort', 'mig1'])).toEqual({ stdout: '\n', stderr: '', code: 0 });
      const r = await migrating;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^(\rMigration: \[[ \d]{2}\d %\])*error: operation aborted: migration out: canceled by client\n$/);
    } finally {
      src.host.model.migration.bandwidthMiBps = 10240;
    }
    expect((await on(src)(['virsh', 'domstate', 'mig1'])).stdout).toBe('running\n\n');
  });

  it('migrates live with the target XML: its pins live and persistent there, gone from the source; --verbose progress', async () => {
    const r = await migrate(['--verbose'], guest({ pins: ['4', '5'], parent: 'ens5f0' }));
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: '\n' });
    expect(r.stderr).toMatch(/^(\rMigration: \[[ \d]{2}\d %\])*\rMigration: \[100 %\]$/);
    expect((await on(dst)(['virsh', 'domstate', 'mig1'])).stdout).toBe('running\n\n');
    expect(await pins(dst, false)).toEqual(['4', '5']);
    expect(await pins(dst, true)).toEqual(['4', '5']);
    expect((await on(src)(['virsh', 'list', '--all', '--name'])).stdout).toBe('\n');
  });

  it('without --persistent-xml the target keeps the source persistent definition, running the --xml one', async () => {
    [src, dst] = [dst, src];
    try {
      const r = await migrate([], guest({ pins: ['6', '7'], parent: 'ens1f0' }), false);
      expect(r).toEqual({ stdout: '\n', stderr: '', code: 0 });
      expect(await pins(dst, false)).toEqual(['6', '7']);
      expect(await pins(dst, true)).toEqual(['4', '5']);
    } finally {
      [src, dst] = [dst, src];
    }
  });

  it('domjobinfo while the target prepares: the job without data, byte for byte as real libvirt', async () => {
    const real = JSON.parse(
      readFileSync(new URL('../../host-ops/src/__fixtures__/real/virsh-migrate.json', import.meta.url), 'utf8'),
    ) as Record<string, { stdout: string }>;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(1_000_000);
      // domjobinfo reads only the job of the domain
      const d = { migrating: { startedAt: 1_000_000 - 314, totalMs: 0, totalBytes: 0 } } as DomainRecord & { migrating: MigrationJob };
      expect(domjobinfo(d, src.host.model)).toEqual({ stdout: real['domjobinfo-migrating'].stdout, stderr: '', code: 0 });
      d.migrating = { ...d.migrating, copyStartedAt: 1_000_000 - 100, totalMs: 400, totalBytes: 4 * 2 ** 20 };
      const copying = domjobinfo(d, src.host.model).stdout.split('\n');
      expect(copying.slice(0, 3)).toEqual(real['domjobinfo-migrating'].stdout.split('\n').slice(0, 3));
      expect(copying.slice(3, 6)).toEqual(['Data processed:   1.000 MiB', 'Data remaining:   3.000 MiB', 'Data total:       4.000 MiB']);
    } finally {
      vi.useRealTimers();
    }
  });
});
