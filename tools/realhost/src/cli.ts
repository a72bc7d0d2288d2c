import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DIFF_HOST, DIFF_MIGRATION_TARGET } from './differential/pair';
import { recordFixtures, REAL_FIXTURE_DIR } from './fixtures';
import { defineAndRead, goldenFor, goldenNames, libvirtVersion, pairDir, withoutGeneratedIds } from './goldens';
import { linkForMigration } from './migration';
import { MIGRATION_FIXTURE, recordMigrationFixtures } from './migration-fixtures';
import { realHostUnavailable, startRealHost, type RealHost } from './realhost';
import { MIGRATION_TARGET_HOST, STANDARD_HOST } from './standard-host';

/**
 * `npm run realhost -- goldens`: rewrite __golden__/libvirt-<version>[-tcg]/ from a real libvirtd
 * (review the diff in the commit). `npm run realhost -- up NAME INDEX`: start a real host
 * and print how to reach it; Ctrl-C stops it.
 */
async function goldens(): Promise<void> {
  const host = await startRealHost({ ...STANDARD_HOST, name: 'goldens', index: 250, stateDir: '/tmp/netpin-realhost' });
  try {
    const dir = pairDir(await libvirtVersion(host), host.virtType);
    mkdirSync(dir, { recursive: true });
    for (const name of goldenNames()) {
      const file = resolve(dir, `${name}.xml`);
      const out = await defineAndRead(host, goldenFor(name, host.virtType));
      // libvirt makes a new uuid (and OVS interface id) at every define: keep a file that differs only there.
      if (existsSync(file) && withoutGeneratedIds(readFileSync(file, 'utf8')) === withoutGeneratedIds(out)) continue;
      writeFileSync(file, out);
      process.stdout.write(`${name}\n`);
    }
    process.stdout.write(`wrote ${dir} (domain type ${host.virtType})\n`);
  } finally {
    await host.stop();
  }
}

/** The parsers' fixtures on one host, then virsh migrate's answers from it to a second one. */
async function fixtures(): Promise<void> {
  const [host, target] = await Promise.all([
    startRealHost({ ...DIFF_HOST, name: 'fixtures', index: 249, stateDir: '/tmp/netpin-realhost' }),
    startRealHost({ ...DIFF_MIGRATION_TARGET, name: 'fxtarget', index: 248, stateDir: '/tmp/netpin-realhost' }),
  ]);
  const link = await linkForMigration([host, target]).catch(async (e: unknown) => {
    await Promise.all([host.stop(), target.stop()]);
    throw e;
  });
  try {
    for (const f of await recordFixtures(host)) process.stdout.write(`${f}\n`);
    if (await recordMigrationFixtures(host, target)) process.stdout.write(`${MIGRATION_FIXTURE}\n`);
    process.stdout.write(`wrote ${REAL_FIXTURE_DIR} (guest domain type ${host.virtType})\n`);
  } finally {
    await link.close();
    await Promise.all([host.stop(), target.stop()]);
  }
}

const describe = (h: RealHost): string =>
  `${h.name}: ssh -i ${h.clientKeyPath} root@${h.address}  (host key ${h.fingerprint}, namespace ${h.namespace})\n`;

/** A pending promise alone does not keep Node running: hold the event loop until Ctrl-C. */
async function untilInterrupted(): Promise<void> {
  const alive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((done) => process.once('SIGINT', () => done()));
  clearInterval(alive);
}

async function up(name: string, index: number): Promise<void> {
  const host = await startRealHost({ ...STANDARD_HOST, name, index, stateDir: '/tmp/netpin-realhost' });
  process.stdout.write(describe(host));
  await untilInterrupted();
  await host.stop();
}

/** Two real hosts linked for migration (`<name>a` standard, `<name>b` with ens5 too) on index and index+1. */
async function upPair(name: string, index: number): Promise<void> {
  const hosts = await Promise.all([
    startRealHost({ ...STANDARD_HOST, name: `${name}a`, index, stateDir: '/tmp/netpin-realhost' }),
    startRealHost({ ...MIGRATION_TARGET_HOST, name: `${name}b`, index: index + 1, stateDir: '/tmp/netpin-realhost' }),
  ]);
  const link = await linkForMigration(hosts);
  for (const h of hosts) process.stdout.write(describe(h));
  process.stdout.write(`linked for migration (bridge ${link.bridge}): virsh migrate ... qemu+ssh://root@${hosts[1].address}/system\n`);
  await untilInterrupted();
  await link.close();
  await Promise.all(hosts.map((h) => h.stop()));
}

async function main(): Promise<void> {
  const why = realHostUnavailable();
  if (why !== null) throw new Error(`cannot run a real host here: ${why}`);
  const [cmd, name, index] = process.argv.slice(2);
  if (cmd === 'goldens') return goldens();
  if (cmd === 'fixtures') return fixtures();
  if (cmd === 'up') return up(name ?? 'dev', Number(index ?? 240));
  if (cmd === 'up-pair') return upPair(name ?? 'mig', Number(index ?? 241));
  throw new Error('usage: realhost goldens | fixtures | up [NAME] [INDEX] | up-pair [NAME] [INDEX]');
}

main().catch((e: unknown) => {
  process.stderr.write(`realhost: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
