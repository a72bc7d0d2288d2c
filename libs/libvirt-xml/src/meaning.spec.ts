import { describe, expect, it } from 'vitest';
import { KVM_PAIR_NOT_RECORDED } from './golden-cases';
import { domainXmlContainment } from './meaning';
import { verifyDomainXml } from './verify';

/**
 * Each golden next to what real libvirt 9.0 (QEMU driver, QEMU 7.2) stored when it was
 * defined (`npm run realhost -- goldens` rewrites __golden__/libvirt-9.0). On a machine
 * without /dev/kvm the goldens were defined as domain type qemu, the only change made.
 */
const goldens = import.meta.glob<string>('../__golden__/*.xml', { query: '?raw', import: 'default', eager: true });
const kvm = import.meta.glob<string>('../__golden__/libvirt-9.0/*.xml', { query: '?raw', import: 'default', eager: true });
const tcg = import.meta.glob<string>('../__golden__/libvirt-9.0-tcg/*.xml', { query: '?raw', import: 'default', eager: true });
const caseOf = (path: string): string => path.replace(/^.*\//, '').replace(/\.xml$/, '');
const byCase = (files: Record<string, string>): Map<string, string> => new Map(Object.entries(files).map(([p, xml]) => [caseOf(p), xml]));
const storedByCase = byCase(tcg);

function asDefined(golden: string, libvirtOut: string): string {
  const type = /^<domain type='(\w+)'/.exec(libvirtOut)?.[1] ?? 'kvm';
  return golden.replace(/^<domain type="kvm"/, `<domain type="${type}"`);
}

describe.each([
  ['KVM', byCase(kvm), KVM_PAIR_NOT_RECORDED],
  ['QEMU TCG', byCase(tcg), new Set<string>()],
])('every golden, as real libvirt stored it (%s), means what was asked', (_type, pairs, notRecorded) => {
  it('has a libvirt output for every golden (but those listed as not recorded, which have none)', () => {
    const all = Object.keys(goldens).map(caseOf).sort();
    expect([...pairs.keys()].sort()).toEqual(all.filter((n) => !notRecorded.has(n)));
    for (const n of notRecorded) expect(all, n).toContain(n);
  });

  for (const [path, golden] of Object.entries(goldens)) {
    const name = caseOf(path);
    if (notRecorded.has(name)) continue;
    it(name, () => {
      const out = pairs.get(name);
      expect(out).toBeDefined();
      expect(domainXmlContainment(asDefined(golden, out ?? ''), out ?? '')).toBeNull();
      // what the agent's verify step runs: model diff and containment
      expect(verifyDomainXml(asDefined(golden, out ?? ''), out ?? '')).toEqual([]);
    });
  }
});

describe('what libvirt rewrites still has to match in meaning', () => {
  const golden = asDefined(goldens['../__golden__/cpu-topology-numa-cell.xml'], "<domain type='qemu'");
  const out = storedByCase.get('cpu-topology-numa-cell') ?? '';

  it('accepts the expanded machine type but not another family', () => {
    expect(out).toMatch(/machine='pc-q35-\d+\.\d+'/);
    expect(domainXmlContainment(golden, out.replace(/pc-q35-(\d+\.\d+)/, 'pc-i440fx-$1'))).toEqual({
      path: 'domain/os/type/@machine',
      expected: 'q35',
      actual: 'pc-i440fx-7.2',
    });
  });

  it('compares a NUMA cell size in KiB, whatever unit each side used', () => {
    expect(out).toMatch(/<cell id='0' cpus='0-3' memory='4194304' unit='KiB'\/>/);
    const smaller = out.replace("memory='4194304' unit='KiB'", "memory='4095' unit='MiB'");
    expect(domainXmlContainment(golden, smaller)).toEqual({ path: 'domain/cpu/numa/cell/@memory', expected: '4194304', actual: '4193280' });
    expect(domainXmlContainment(golden, out.replace("memory='4194304' unit='KiB'", "memory='4' unit='GiB'"))).toBeNull();
  });

  it('compares CPU sets as sets', () => {
    expect(domainXmlContainment(golden, out.replace("cpus='0-3'", "cpus='0,1,2,3'"))).toBeNull();
    expect(domainXmlContainment(golden, out.replace("cpus='0-3'", "cpus='0-2'"))).toMatchObject({ path: 'domain/cpu/numa/cell/@cpus' });
  });
});

describe('addresses and MACs', () => {
  const golden = goldens['../__golden__/plan-sriov.xml'].replace(/^<domain type="kvm"/, '<domain type="qemu"');
  const out = storedByCase.get('plan-sriov') ?? '';

  it('reads PCI address parts as numbers and MACs in any case', () => {
    const padded = out.replace(/slot='0x(\w\w)'/, (_m, s: string) => `slot='0x${Number.parseInt(s, 16)}'`);
    expect(
      domainXmlContainment(
        golden,
        padded.replace(/52:54:00:([0-9a-f:]+)/, (m) => m.toUpperCase()),
      ),
    ).toBeNull();
  });

  it('reports a VF moved to another PCI function', () => {
    const moved = out.replace(/(<source>\s*<address type='pci' domain='0x0000' bus='0x\w+' slot='0x\w+' function=')0x\d'/, "$10x7'");
    expect(moved).not.toBe(out);
    expect(domainXmlContainment(golden, moved)).toMatchObject({ path: 'domain/devices/interface/source/address/@function' });
  });
});
