import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { domainNameSchema, ifNameSchema, macAddressSchema } from '@netpin/contracts';
import { shellQuote } from '@netpin/host-ops';
import { renderDomain, type DomainSpec } from '@netpin/libvirt-xml';
import { REAL_FIXTURE_DIR } from './fixtures';
import { virshMigrateArgv, type MigrateOptions } from './migration';
import type { RealHost } from './realhost';

/**
 * Real `virsh migrate` answers between two real hosts linked by linkForMigration (source:
 * DIFF_HOST, target: MIGRATION_TARGET_HOST, which has ens5 too), kept in
 * libs/host-ops/src/__fixtures__/real/virsh-migrate.json by `npm run realhost -- fixtures`:
 * for each case the host it ran on, the argv, the exit code, stdout and stderr. Progress
 * lines (how many, which percentages) and the random uuid in `xml-without-uuid` change at
 * every recording; review the rest of the diff.
 */
export interface MigrateAnswer {
  on: 'source' | 'target';
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

export const MIGRATION_FIXTURE = resolve(REAL_FIXTURE_DIR, 'virsh-migrate.json');
export const FIXTURE_GUEST = 'fx-mig';
const UUID = '6a1f0c0e-5b0b-4a55-8f3e-0c1e2d3f4a11';

/** The recorded guest: 256 MiB, 2 vCPUs, a tap on `bridge` and a macvtap on `parent`; `edit` changes the spec. */
export function fixtureMigrationGuest(
  type: 'kvm' | 'qemu',
  pins: number[][],
  parent: string,
  edit: (d: DomainSpec) => DomainSpec = (d) => d,
): DomainSpec {
  return edit({
    ...(type === 'qemu' ? { virtType: type } : {}),
    name: domainNameSchema.parse(FIXTURE_GUEST),
    uuid: UUID,
    memoryMiB: 256,
    vcpus: pins.length,
    cputune: { vcpupins: pins.map((cpuset, vcpu) => ({ vcpu, cpuset })) },
    interfaces: [
      { type: 'bridge', mac: macAddressSchema.parse('52:54:00:6b:6a:01'), bridge: ifNameSchema.parse('br0'), model: 'virtio' },
      {
        type: 'direct',
        mac: macAddressSchema.parse('52:54:00:6b:6a:02'),
        sourceDev: ifNameSchema.parse(parent),
        mode: 'bridge',
        model: 'virtio',
      },
    ],
  });
}

function withoutUuid(d: DomainSpec): DomainSpec {
  const { uuid: _uuid, ...rest } = d;
  return rest;
}

async function must(h: RealHost, script: string): Promise<void> {
  const r = await h.sh(script);
  if (r.code !== 0) throw new Error(`${h.name}: ${script} exited ${r.code}: ${r.stderr}`);
}

async function writeXml(h: RealHost, file: string, xml: string): Promise<string> {
  const path = `${h.stateRoot}/${file}`;
  await must(h, `echo ${Buffer.from(xml).toString('base64')} | base64 -d > ${shellQuote([path])}`);
  return path;
}

interface Recorder {
  src: RealHost;
  dst: RealHost;
  out: Record<string, MigrateAnswer>;
  run(name: string, on: 'source' | 'target', argv: string[]): Promise<MigrateAnswer>;
  /** `virsh migrate` of the fixture guest from src to dst with this target spec (undefined: no --xml). */
  migrate(name: string, target: DomainSpec | string | undefined, opts?: MigrateOptions): Promise<MigrateAnswer>;
}

function recorder(src: RealHost, dst: RealHost): Recorder {
  const out: Record<string, MigrateAnswer> = {};
  const r: Recorder = {
    src,
    dst,
    out,
    async run(name, on, argv) {
      const res = await (on === 'source' ? src : dst).sh(shellQuote(argv));
      out[name] = { on, argv, exitCode: res.code, stdout: res.stdout, stderr: res.stderr };
      return out[name];
    },
    async migrate(name, target, opts = {}) {
      const xml = target === undefined ? undefined : typeof target === 'string' ? target : renderDomain(target);
      const xmlPath = xml === undefined ? undefined : await writeXml(src, `${name}.xml`, xml);
      return r.run(name, 'source', virshMigrateArgv(FIXTURE_GUEST, dst, { ...opts, xmlPath }));
    },
  };
  return r;
}

/** Refusals before anything moves: the guest stays on the source after each. */
async function refusals(r: Recorder): Promise<void> {
  const t = r.src.virtType;
  const target = (edit?: (d: DomainSpec) => DomainSpec) => fixtureMigrationGuest(t, [[1], [0]], 'ens5', edit);
  await r.run('no-such-domain', 'source', virshMigrateArgv('fx-none', r.dst));
  await must(
    r.src,
    `virsh define ${await writeXml(r.src, 'off.xml', renderDomain(withoutUuid({ ...target(), name: domainNameSchema.parse('fx-off') })))}`,
  );
  await r.run('not-running', 'source', virshMigrateArgv('fx-off', r.dst));
  const nowhere = { ...r.dst, address: '198.19.255.2' };
  await r.run('target-unreachable', 'source', virshMigrateArgv(FIXTURE_GUEST, nowhere));
  await r.run('target-ssh-refused', 'source', [
    'virsh',
    'migrate',
    '--live',
    FIXTURE_GUEST,
    `qemu+ssh://root@${r.dst.address}:2222/system`,
  ]);
  await r.run('same-host', 'source', ['virsh', 'migrate', '--live', FIXTURE_GUEST, 'qemu:///system']);
  await r.migrate(
    'bridge-missing',
    target((d) => ({ ...d, interfaces: d.interfaces.map((i) => (i.type === 'bridge' ? { ...i, bridge: ifNameSchema.parse('br9') } : i)) })),
  );
  await r.migrate(
    'bridge-missing-p2p',
    target((d) => ({ ...d, interfaces: d.interfaces.map((i) => (i.type === 'bridge' ? { ...i, bridge: ifNameSchema.parse('br9') } : i)) })),
    { p2p: true },
  );
  await r.migrate('macvtap-parent-missing', fixtureMigrationGuest(t, [[1], [0]], 'ens9'));
  await r.migrate(
    'cpu-model-changed',
    target((d) => ({ ...d, cpu: { mode: 'custom', model: 'NoSuchCpu' } })),
  );
  await r.migrate('xml-without-uuid', target(withoutUuid));
  await r.migrate(
    'name-differs',
    target((d) => ({ ...d, name: domainNameSchema.parse('fx-other') })),
  );
  await r.migrate(
    'mac-differs',
    target((d) => ({
      ...d,
      interfaces: d.interfaces.map((i) => (i.type === 'direct' ? { ...i, mac: macAddressSchema.parse('52:54:00:6b:6a:09') } : i)),
    })),
  );
  await r.migrate(
    'nic-removed',
    target((d) => ({ ...d, interfaces: d.interfaces.filter((i) => i.type === 'bridge') })),
  );
  const other = (edit: (d: DomainSpec) => DomainSpec) => writeXml(r.dst, 'other.xml', renderDomain(edit(target())));
  await must(r.dst, `virsh define ${await other((d) => ({ ...d, uuid: '6a1f0c0e-5b0b-4a55-8f3e-0c1e2d3f4a12' }))}`);
  await r.migrate('name-exists-on-target', target());
  await must(r.dst, `virsh undefine ${FIXTURE_GUEST}`);
  await must(r.dst, `virsh define ${await other((d) => ({ ...d, name: domainNameSchema.parse('fx-twin') }))}`);
  await r.migrate('uuid-exists-on-target', target());
  await must(r.dst, 'virsh undefine fx-twin');
  await r.run('domjobinfo-none', 'source', ['virsh', 'domjobinfo', FIXTURE_GUEST]);
  await r.run('domjobabort-none', 'source', ['virsh', 'domjobabort', FIXTURE_GUEST]);
}

/** Starts a migration, reads its job while the target prepares, aborts it. */
async function abort(r: Recorder): Promise<void> {
  const xmlPath = await writeXml(r.src, 'abort.xml', renderDomain(fixtureMigrationGuest(r.src.virtType, [[1], [0]], 'ens5')));
  const migrating = r.run('aborted', 'source', virshMigrateArgv(FIXTURE_GUEST, r.dst, { xmlPath }));
  for (let i = 0; i < 100; i++) {
    const j = await r.run('domjobinfo-migrating', 'source', ['virsh', 'domjobinfo', FIXTURE_GUEST]);
    if (j.stdout.includes('Outgoing migration')) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  await r.run('domjobabort', 'source', ['virsh', 'domjobabort', FIXTURE_GUEST]);
  if ((await migrating).exitCode === 0) throw new Error('the migration ended before domjobabort took effect; record again');
}

/** Records every case (the source must run the fixture guest) and returns the answers. */
export async function recordMigrationAnswers(src: RealHost, dst: RealHost): Promise<Record<string, MigrateAnswer>> {
  const r = recorder(src, dst);
  const t = src.virtType;
  await must(
    src,
    `virsh define ${await writeXml(src, 'source.xml', renderDomain(fixtureMigrationGuest(t, [[0], [1]], 'ens3')))} && virsh start ${FIXTURE_GUEST}`,
  );
  await refusals(r);
  await abort(r);
  await r.migrate('success-verbose', fixtureMigrationGuest(t, [[1], [0]], 'ens5'));
  await r.run('vcpupin-on-target', 'target', ['virsh', 'vcpupin', FIXTURE_GUEST]);
  const back = await writeXml(dst, 'back.xml', renderDomain(fixtureMigrationGuest(t, [[0], [1]], 'ens3')));
  await r.run(
    'success-p2p-quiet',
    'target',
    virshMigrateArgv(FIXTURE_GUEST, src, { xmlPath: back, p2p: true, migrateUri: false, verbose: false }),
  );
  await r.run('offline', 'source', [
    'virsh',
    'migrate',
    '--offline',
    '--persistent',
    '--undefinesource',
    '--verbose',
    'fx-off',
    `qemu+ssh://root@${dst.address}/system`,
  ]);
  return r.out;
}

/** Records into MIGRATION_FIXTURE; true when the file changed. */
export async function recordMigrationFixtures(src: RealHost, dst: RealHost, file = MIGRATION_FIXTURE): Promise<boolean> {
  const text = `${JSON.stringify(await recordMigrationAnswers(src, dst), null, 2)}\n`;
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  writeFileSync(file, text);
  return true;
}
