import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainNameSchema, type JobProgress } from '@netpin/contracts';
import { hostPaths, makeDir, virshMigrate, writeDocument } from '@netpin/host-ops';
import { FileCredentialResolver } from './credentials';
import { JOB_POLL_MS, watchMigrationJob } from './handlers/migration-steps';
import { HostShell } from './host-shell';
import { StepRunner } from './steps';
import { Harness } from './testing/harness';
import { SshPool } from './transport/ssh-pool';

const VM_ID = '6a1f0c0e-5b0b-4a55-8f3e-0c1e2d3f4a31';
const NAME = domainNameSchema.parse('progress1');
const GUEST = `<domain type='kvm'><name>${NAME}</name><uuid>${VM_ID}</uuid>
  <memory unit='MiB'>256</memory><vcpu>1</vcpu><cputune><vcpupin vcpu='0' cpuset='2'/></cputune>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><interface type='bridge'><mac address='52:54:00:6b:7b:01'/><source bridge='br0'/><model type='virtio'/></interface></devices></domain>`;

describe('transfer progress from virsh domjobinfo (hostsim over SSH)', () => {
  const h = new Harness();
  let pool: SshPool;

  beforeAll(async () => {
    await h.start(['dual-socket-sriov', 'dual-socket-sriov']);
    pool = new SshPool(new FileCredentialResolver(h.stateDir), { connectTimeoutMs: 10_000 });
  }, 60_000);
  afterAll(async () => {
    await pool?.close();
    await h.stop();
  });

  it('reports a rising fraction while a slow virsh migrate copies, on a second channel of the same connection', async () => {
    const [srcHost, dstHost] = h.fleet.hosts;
    const src = new HostShell(pool.forHost(h.target(srcHost)), 60_000);
    const file = hostPaths.migrateXml(VM_ID, 'live');
    await src.run(makeDir(hostPaths.migrateDir));
    await src.run(writeDocument(file, GUEST));
    expect((await srcHost.sh(`virsh define ${file} && virsh start ${NAME}`)).code).toBe(0);
    srcHost.model.migration.bandwidthMiBps = 64; // 256 MiB: about 4 s of copy
    const seen: number[] = [];
    const uri = `qemu+ssh://root@${dstHost.address}:${dstHost.port}/system`;
    const migrating = src.run(virshMigrate(NAME, uri, { live: true, xmlFile: file, persistentXmlFile: file }));
    await watchMigrationJob(
      src,
      NAME,
      async (f) => {
        seen.push(f);
      },
      migrating,
    );
    expect((await dstHost.sh(`virsh domstate ${NAME}`)).stdout).toBe('running\n\n');
    // about one poll per JOB_POLL_MS of a 4 s copy; under load fewer, but more than one
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(8000 / JOB_POLL_MS));
    expect(seen.every((f, i) => f > 0 && f <= 1 && (i === 0 || f > seen[i - 1]))).toBe(true);
    expect(seen.some((f) => f > 0.05 && f < 0.95)).toBe(true);
  }, 60_000);

  it('a failing migration is returned as is, and polling stops with it', async () => {
    const [srcHost] = h.fleet.hosts;
    const src = new HostShell(pool.forHost(h.target(srcHost)), 60_000);
    let calls = 0;
    const file = hostPaths.migrateXml(VM_ID, 'live');
    // the domain left this host in the test before (and nothing listens there): virsh fails at once
    const failing = src.run(
      virshMigrate(NAME, 'qemu+ssh://root@192.0.2.1:22/system', { live: true, xmlFile: file, persistentXmlFile: file }),
    );
    await expect(watchMigrationJob(src, NAME, async () => void calls++, failing)).rejects.toMatchObject({ code: 'COMMAND_FAILED' });
    expect(calls).toBe(0);
  }, 30_000);
});

describe('StepRunner.within', () => {
  it('reports progress within the running step only, clamped to 0..1', async () => {
    const reports: JobProgress[] = [];
    const steps = new StepRunner(4, async (p) => void reports.push(p));
    await steps.within(0.5); // before any step: nothing
    await steps.run('reserve', async () => 'changed');
    await steps.run('transfer', async () => {
      await steps.within(0.25);
      await steps.within(7);
      return 'changed';
    });
    expect(reports).toEqual([
      { step: 'reserve', index: 0, total: 4 },
      { step: 'transfer', index: 1, total: 4 },
      { step: 'transfer', index: 1, total: 4, fraction: 0.25 },
      { step: 'transfer', index: 1, total: 4, fraction: 1 },
    ]);
  });
});
