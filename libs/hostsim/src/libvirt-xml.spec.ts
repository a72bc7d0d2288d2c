import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { answerView, KVM_PAIR_NOT_RECORDED, verifyDomainXml, viewDifferences } from '@netpin/libvirt-xml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, hostFixture } from './test-fixture';

/**
 * What netpin renders must survive a trip through hostsim's "libvirt" the way it survives
 * real libvirt 9.0's QEMU driver: define accepts it, dumpxml --inactive answers with libvirt's
 * rewrites (units in KiB, machine type expanded, defaults added), the answer verifies in sync
 * with what was defined, and it is spelled as real libvirt spelled its answer to the same
 * definition (__golden__/libvirt-9.0, recorded with `npm run realhost -- goldens`; the live
 * comparison is tools/realhost/src/differential/virsh.spec.ts).
 */
const GOLDEN = join(__dirname, '../../libvirt-xml/__golden__');
/** Real answers per domain type: under KVM, and under QEMU TCG (a machine without /dev/kvm). */
const REAL = { kvm: join(GOLDEN, 'libvirt-9.0'), qemu: join(GOLDEN, 'libvirt-9.0-tcg') } as const;
const cases = readdirSync(GOLDEN).filter((f) => f.endsWith('.xml'));
/** Goldens whose KVM answer could not be recorded (no /dev/kvm): compared under TCG only. */
const kvmRecorded = (c: string) => !KVM_PAIR_NOT_RECORDED.has(c.replace(/\.xml$/, ''));
const runs = cases.flatMap((c) => (['kvm', 'qemu'] as const).filter((t) => t === 'qemu' || kvmRecorded(c)).map((t) => [c, t] as const));

describe('libvirt-xml golden domains on dual-socket-sriov', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await hostFixture('dual-socket-sriov');
  });
  afterAll(async () => f.close());

  it('has golden files and real libvirt answers to compare with', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.filter((c) => (existsSync(join(REAL.kvm, c)) || !kvmRecorded(c)) && existsSync(join(REAL.qemu, c)))).toEqual(cases);
  });

  it.each(runs)('%s as domain type %s: define, then dumpxml --inactive answers as libvirt 9.0 does', async (file, type) => {
    const xml = readFileSync(join(GOLDEN, file), 'utf8').replace(/^<domain type="kvm"/, `<domain type="${type}"`);
    const def = await f.conn.run(['virsh', 'define', '/dev/stdin'], xml);
    expect(def.stderr).toBe('');
    expect(def.code).toBe(0);
    const name = /Domain '([^']+)' defined/.exec(def.stdout)?.[1] ?? '';
    const dumped = await f.conn.run(['virsh', 'dumpxml', '--inactive', name]);
    expect(verifyDomainXml(xml, dumped.stdout)).toEqual([]);
    const real = readFileSync(join(REAL[type], file), 'utf8');
    expect(viewDifferences(answerView(xml, dumped.stdout), answerView(xml, real))).toEqual([]);
    expect(dumped.stdout.endsWith('</domain>\n\n')).toBe(true);
    expect((await f.conn.run(['virsh', 'undefine', name])).code).toBe(0);
  });
});
