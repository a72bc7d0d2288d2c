import { ifNameSchema, pciAddressSchema, vlanIdSchema } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { GOLDEN_CASES } from './golden-cases';
import { renderDomain } from './render';
import { parseDomain } from './parse';
import { LibvirtXmlError, type DomainSpec } from './model';

describe('renderDomain golden files', () => {
  it('covers at least 12 cases', () => {
    expect(Object.keys(GOLDEN_CASES).length).toBeGreaterThanOrEqual(12);
  });
  for (const [name, spec] of Object.entries(GOLDEN_CASES)) {
    it(`${name} matches __golden__/${name}.xml and parses back`, async () => {
      const xml = renderDomain(spec);
      await expect(xml).toMatchFileSnapshot(`../__golden__/${name}.xml`);
      expect(parseDomain(xml)).toEqual(spec);
    });
  }
});

describe('renderDomain', () => {
  const sriov = GOLDEN_CASES['sriov'];
  it('writes the VF address, MAC and VLAN of a hostdev interface', () => {
    const xml = renderDomain(sriov);
    expect(xml).toContain('<interface type="hostdev" managed="yes">');
    expect(xml).toContain('<address type="pci" domain="0x0000" bus="0x3b" slot="0x02" function="0x0"/>');
    expect(xml).toContain('<tag id="100"/>');
  });
  it('lets xmlbuilder2 escape attribute and text content', () => {
    const xml = renderDomain({ ...sriov, interfaces: [{ ...sriov.interfaces[0], alias: 'ua-a_b-c' }] });
    expect(parseDomain(xml).interfaces[0].alias).toBe('ua-a_b-c');
  });
  const mac = sriov.interfaces[0].mac;
  const br0 = ifNameSchema.parse('br0');
  const bad: Array<[string, Partial<DomainSpec>]> = [
    ['a malformed uuid', { uuid: 'not-a-uuid' }],
    ['a vcpupin out of range', { cputune: { vcpupins: [{ vcpu: 2, cpuset: [1] }] } }],
    [
      'a vCPU pinned twice',
      {
        cputune: {
          vcpupins: [
            { vcpu: 0, cpuset: [1] },
            { vcpu: 0, cpuset: [2] },
          ],
        },
      },
    ],
    ['a topology that does not multiply to vcpus', { cpu: { mode: 'host-passthrough', topology: { sockets: 1, cores: 2, threads: 2 } } }],
    ['a NUMA cell naming a missing vCPU', { cpu: { mode: 'host-passthrough', cells: [{ id: 0, cpus: [0, 5], memoryMiB: 2048 }] } }],
    [
      'a transient member without a persistent one',
      {
        interfaces: [
          { type: 'hostdev', mac, pciAddress: pciAddressSchema.parse('0000:3b:02.0'), teaming: { type: 'transient', persistent: 'ua-x' } },
        ],
      },
    ],
    [
      'a persistent member without an alias',
      { interfaces: [{ type: 'bridge', mac, bridge: br0, model: 'virtio', teaming: { type: 'persistent' } }] },
    ],
    ['an alias without the ua- prefix', { interfaces: [{ type: 'bridge', mac, bridge: br0, model: 'virtio', alias: 'net0' }] }],
    ['a VLAN on a Linux bridge', { interfaces: [{ type: 'bridge', mac, bridge: br0, model: 'virtio', vlan: vlanIdSchema.parse(5) }] }],
    ['a vhost driver on e1000', { interfaces: [{ type: 'bridge', mac, bridge: br0, model: 'e1000', driver: { name: 'vhost' } }] }],
    ['zero vhost queues', { interfaces: [{ type: 'bridge', mac, bridge: br0, model: 'virtio', driver: { name: 'vhost', queues: 0 } }] }],
    ['zero memory', { memoryMiB: 0 }],
  ];
  for (const [what, patch] of bad) {
    it(`refuses ${what}`, () => {
      expect(() => renderDomain({ ...sriov, ...patch })).toThrow(LibvirtXmlError);
    });
  }
});
