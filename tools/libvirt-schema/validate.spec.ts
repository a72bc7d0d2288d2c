import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Every golden domain XML of libs/libvirt-xml must pass libvirt's own RelaxNG schema
 * (`virt-xml-validate FILE domain`, Debian package libvirt-clients + libxml2-utils) and be
 * accepted by `virsh define` on the daemon-less test driver. Missing tools FAIL this suite:
 * a schema check that silently skips is no check.
 */
const goldenDir = resolve(__dirname, '../../libs/libvirt-xml/__golden__');
// Real `virsh dumpxml` output the parser is tested on must be schema-valid too.
const fixtureDir = resolve(__dirname, '../../libs/libvirt-xml/src/__fixtures__');
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.xml'));
const goldens = readdirSync(goldenDir)
  .filter((f) => f.endsWith('.xml'))
  .sort();

function validate(file: string): { status: number | null; output: string } {
  const r = spawnSync('virt-xml-validate', [file, 'domain'], { encoding: 'utf8' });
  if (r.error) throw new Error(`virt-xml-validate could not run (apt-get install libvirt-clients libxml2-utils): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const tmp = mkdtempSync(join(tmpdir(), 'libvirt-schema-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('libvirt schema', () => {
  it('has the golden files to check', () => {
    expect(goldens.length).toBeGreaterThanOrEqual(12);
  });

  it('rejects an invalid domain (the validator really validates)', () => {
    const bad = join(tmp, 'bad.xml');
    writeFileSync(
      bad,
      "<domain type='kvm'><name>x</name><memory>1</memory><devices><interface type='hostdev'><bogus/></interface></devices></domain>\n",
    );
    const r = validate(bad);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/fails to validate/);
  });

  for (const file of goldens) {
    it(`${file} validates against the domain schema`, () => {
      const r = validate(join(goldenDir, file));
      expect(r.output).toContain('validates');
      expect(r.status).toBe(0);
    });
  }

  for (const file of fixtures) {
    it(`parser fixture ${file} validates against the domain schema`, () => {
      expect(validate(join(fixtureDir, file)).status).toBe(0);
    });
  }

  it('virsh (test driver) defines every golden domain and reads it back', () => {
    const script = goldens.map((f) => `define '${join(goldenDir, f)}'`).join('; ');
    const out = execFileSync('virsh', ['-c', 'test:///default', `${script}; list --all --name`], { encoding: 'utf8' });
    for (const f of goldens) {
      const name = /<name>([^<]+)<\/name>/.exec(readFileSync(join(goldenDir, f), 'utf8'))?.[1];
      expect(out).toContain(`Domain '${name}' defined`);
    }
  });
});

/**
 * Hot-plug fragments (libs/libvirt-xml __golden__/devices): libvirt parses an attached
 * device with the domain's device grammar, so each is checked inside a minimal domain.
 */
describe('libvirt schema: hot-plug interface fragments', () => {
  const deviceDir = join(goldenDir, 'devices');
  const devices = readdirSync(deviceDir)
    .filter((f) => f.endsWith('.xml'))
    .sort();
  const wrapped = (fragment: string) =>
    `<domain type='kvm'><name>hotplug</name><memory>1048576</memory><os><type>hvm</type></os><devices>${fragment}</devices></domain>\n`;

  it('has one fragment per datapath family', () => {
    expect(devices.length).toBeGreaterThanOrEqual(5);
  });

  it('rejects an invalid fragment (the wrapping keeps the check real)', () => {
    const bad = join(tmp, 'bad-device.xml');
    writeFileSync(bad, wrapped("<interface type='direct'><source dev='eno1' mode='sideways'/></interface>"));
    expect(validate(bad).status).not.toBe(0);
  });

  for (const file of devices) {
    it(`${file} validates as a domain device`, () => {
      const f = join(tmp, `device-${file}`);
      writeFileSync(f, wrapped(readFileSync(join(deviceDir, file), 'utf8')));
      const r = validate(f);
      expect(r.output).toContain('validates');
      expect(r.status).toBe(0);
    });
  }
});
