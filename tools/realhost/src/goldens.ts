import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RealHost } from './realhost';

/**
 * The "XML in -> XML out" pairs of the golden files: each golden is defined in real
 * libvirt's QEMU driver and read back with `virsh dumpxml --inactive`. The outputs are kept
 * in libs/libvirt-xml/__golden__/libvirt-<version>/ (defined as domain type kvm) and
 * libvirt-<version>-tcg/ (domain type qemu, where the machine has no /dev/kvm: libvirt then
 * adds its default guest CPU) and checked by libvirt-xml's unit tests.
 */
export const GOLDEN_DIR = resolve(__dirname, '../../../libs/libvirt-xml/__golden__');

/** Where the pairs of this libvirt version and virt type are kept. */
export function pairDir(version: string, virtType: 'kvm' | 'qemu'): string {
  return resolve(GOLDEN_DIR, virtType === 'kvm' ? `libvirt-${version}` : `libvirt-${version}-tcg`);
}

export function goldenNames(): string[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/**
 * The golden as it is defined on a host of this virt type. A machine without /dev/kvm has
 * no kvm domain type (libvirt refuses to define one), so there the domain type is qemu;
 * nothing else is changed.
 */
export function goldenFor(name: string, virtType: 'kvm' | 'qemu'): string {
  const xml = readFileSync(resolve(GOLDEN_DIR, `${name}.xml`), 'utf8');
  return virtType === 'kvm' ? xml : xml.replace(/^<domain type="kvm"/, '<domain type="qemu"');
}

export function domainNameOf(xml: string): string {
  const m = /<name>([^<]+)<\/name>/.exec(xml);
  if (m === null) throw new Error('domain XML without <name>');
  return m[1];
}

/** define -> dumpxml --inactive -> undefine; the persistent definition as libvirt stores it. */
export async function defineAndRead(host: RealHost, xml: string): Promise<string> {
  const name = domainNameOf(xml);
  const b64 = Buffer.from(xml).toString('base64');
  const r = await host.sh(
    `set -e; echo ${b64} | base64 -d > /tmp/np-golden-$$.xml; trap 'rm -f /tmp/np-golden-$$.xml; virsh undefine ${name} >/dev/null 2>&1 || true' EXIT; ` +
      `virsh define /tmp/np-golden-$$.xml >/dev/null; virsh dumpxml --inactive ${name}`,
  );
  if (r.code !== 0) throw new Error(`defining ${name} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export async function libvirtVersion(host: RealHost): Promise<string> {
  const r = await host.sh('virsh version --daemon');
  const m = /Running against daemon: (\d+\.\d+)/.exec(r.stdout) ?? /library: libvirt (\d+\.\d+)/.exec(r.stdout);
  if (m === null) throw new Error(`no libvirt version in: ${r.stdout}${r.stderr}`);
  return m[1];
}

/** The domain uuid (unless the golden gives one) and OVS port ids are new at every define. */
export function withoutGeneratedIds(xml: string): string {
  return xml.replace(/<uuid>[^<]*<\/uuid>/, '').replace(/ interfaceid='[^']*'/g, '');
}
