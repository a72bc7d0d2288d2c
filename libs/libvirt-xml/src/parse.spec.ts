import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import nfv01 from './__fixtures__/dumpxml-test-nfv-01.xml?raw';
import legacy from './__fixtures__/dumpxml-test-legacy-mix.xml?raw';
import failover from './__fixtures__/dumpxml-test-sriov-failover.xml?raw';
import qemuRunning from './__fixtures__/dumpxml-qemu-running.xml?raw';
import { domainSpecArb } from './arbitraries';
import { GOLDEN_CASES } from './golden-cases';
import { LibvirtXmlError } from './model';
import { normaliseDomain } from './normalise';
import { parseDomain } from './parse';
import { renderDomain } from './render';

const uuidOf = (xml: string) => /<uuid>([0-9a-f-]{36})<\/uuid>/.exec(xml)?.[1];

describe('parseDomain on virsh dumpxml output', () => {
  it('reads back what libvirt stored (test driver), ignoring its additions', () => {
    expect(parseDomain(nfv01)).toEqual(GOLDEN_CASES['combo-sriov-pinned-1g']);
    // libvirt generated these uuids on define
    expect(parseDomain(failover)).toEqual({ ...GOLDEN_CASES['sriov-failover-teaming'], uuid: uuidOf(failover) });
    expect(parseDomain(legacy)).toEqual({ ...GOLDEN_CASES['combo-ovs-and-legacy'], uuid: uuidOf(legacy) });
  });

  it('reads a running qemu domain: KiB units, vfio driver, net0/hostdev0 aliases, guest addresses', () => {
    const s = parseDomain(qemuRunning);
    expect(s).toMatchObject({
      name: 'nfv-02',
      memoryMiB: 4096,
      vcpus: 4,
      hugepageSizeKiB: 2048,
      numaMemory: { mode: 'strict', nodeset: [0] },
    });
    expect(s.cputune).toEqual({ vcpupins: [0, 1, 2, 3].map((v) => ({ vcpu: v, cpuset: [v + 2] })), emulatorpin: [1] });
    expect(s.cpu).toEqual({
      mode: 'host-passthrough',
      topology: { sockets: 1, cores: 2, threads: 2 },
      cells: [{ id: 0, cpus: [0, 1, 2, 3], memoryMiB: 4096 }],
    });
    expect(s.interfaces).toEqual([
      {
        type: 'direct',
        mac: '52:54:00:6b:1a:90',
        sourceDev: 'ens1f1',
        mode: 'bridge',
        model: 'virtio',
        driver: { name: 'vhost', queues: 4 },
      },
      { type: 'hostdev', mac: '52:54:00:6b:1a:91', pciAddress: '0000:3b:02.3', vlan: 120 },
    ]);
  });

  it('round-trips every valid spec: parseDomain(renderDomain(s)) equals normaliseDomain(s)', () => {
    fc.assert(
      fc.property(domainSpecArb, (s) => {
        expect(parseDomain(renderDomain(s))).toEqual(normaliseDomain(s));
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('converts libvirt memory units', () => {
    const xml = (mem: string) => `<domain type='kvm'><name>u</name>${mem}<vcpu>1</vcpu></domain>`;
    expect(parseDomain(xml("<memory unit='GiB'>2</memory>")).memoryMiB).toBe(2048);
    expect(parseDomain(xml('<memory>1048576</memory>')).memoryMiB).toBe(1024);
    expect(parseDomain(xml("<memory unit='b'>1073741824</memory>")).memoryMiB).toBe(1024);
    expect(() => parseDomain(xml("<memory unit='KiB'>1000</memory>"))).toThrow(LibvirtXmlError);
    expect(() => parseDomain(xml("<memory unit='parsecs'>1</memory>"))).toThrow(/unknown unit/);
  });

  it('throws LibvirtXmlError with a path on what it cannot model', () => {
    const wrap = (dev: string) =>
      `<domain type='kvm'><name>u</name><memory>1048576</memory><vcpu>1</vcpu><devices>${dev}</devices></domain>`;
    expect(() =>
      parseDomain(wrap("<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface>")),
    ).toThrow(/interfaces\[0\]/);
    expect(() => parseDomain(wrap("<interface type='bridge'><mac address='zz'/><source bridge='br0'/></interface>"))).toThrow(
      /interfaces\[0\]\.mac/,
    );
    expect(() => parseDomain(wrap("<interface type='hostdev'><mac address='52:54:00:00:00:01'/><source/></interface>"))).toThrow(
      /PCI source/,
    );
    expect(() => parseDomain('<network><name>x</name></network>')).toThrow(/no <domain>/);
    expect(() => parseDomain("<domain type='kvm'><name>bad name!</name><memory>1</memory><vcpu>1</vcpu></domain>")).toThrow(
      LibvirtXmlError,
    );
  });
});

describe('normaliseDomain', () => {
  it('sorts pins and sets and drops an empty cputune', () => {
    const base = GOLDEN_CASES['sriov'];
    expect(normaliseDomain({ ...base, cputune: { vcpupins: [] } })).toEqual(base);
    expect(
      normaliseDomain({
        ...base,
        uuid: '3F6D1C2A-8B4E-4F1A-9C7D-2E5B8A0F6C11',
        cputune: {
          vcpupins: [
            { vcpu: 1, cpuset: [9, 3, 3] },
            { vcpu: 0, cpuset: [2] },
          ],
          emulatorpin: [5, 4],
        },
      }),
    ).toEqual({
      ...base,
      uuid: '3f6d1c2a-8b4e-4f1a-9c7d-2e5b8a0f6c11',
      cputune: {
        vcpupins: [
          { vcpu: 0, cpuset: [2] },
          { vcpu: 1, cpuset: [3, 9] },
        ],
        emulatorpin: [4, 5],
      },
    });
  });
});
