import { describe, expect, it } from 'vitest';
import { GOLDEN_CASES } from './golden-cases';
import { LibvirtXmlError } from './model';
import { parseDomain } from './parse';
import { renderDomain, renderInterfaceDevice } from './render';

/**
 * Hot-plug fragments (`virsh attach-device NAME FILE --live --config`): one `<interface>` per
 * datapath, kept in __golden__/devices/ and checked against libvirt's domain schema by
 * tools/libvirt-schema (wrapped in a minimal domain, as libvirt parses a device).
 */
const DEVICE_CASES: Record<string, [domainCase: string, nic: number]> = {
  'hostdev-vf-vlan': ['sriov', 0],
  'macvtap-passthrough': ['macvtap-passthrough', 0],
  'macvtap-vhost-multiqueue': ['combo-macvtap-multiqueue-2m', 0],
  'ovs-vhost': ['combo-ovs-and-legacy', 0],
  'bridge-e1000': ['e1000', 0],
  'vhostuser-multiqueue': ['vhostuser', 0],
  'vdpa-multiqueue': ['vdpa', 0],
};

describe('renderInterfaceDevice', () => {
  for (const [file, [domainCase, k]] of Object.entries(DEVICE_CASES)) {
    it(`${file} matches __golden__/devices/${file}.xml and is the <interface> renderDomain writes`, async () => {
      const spec = GOLDEN_CASES[domainCase];
      expect(spec, domainCase).toBeDefined();
      const nic = spec.interfaces[k];
      const xml = renderInterfaceDevice(nic);
      await expect(xml).toMatchFileSnapshot(`../__golden__/devices/${file}.xml`);
      // the same element, byte for byte (indented one level deeper), as inside the domain
      const inDomain = renderDomain(spec);
      const indented = xml
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n');
      expect(inDomain).toContain(indented);
      // and a domain holding just this device parses back to it
      expect(parseDomain(renderDomain({ ...spec, interfaces: [nic] })).interfaces).toEqual([nic]);
    });
  }

  it('refuses what the domain render refuses, naming the interface', () => {
    const sriov = GOLDEN_CASES['sriov'].interfaces[0];
    expect(() => renderInterfaceDevice({ ...sriov, alias: 'bad alias' })).toThrow(LibvirtXmlError);
    expect(() => renderInterfaceDevice({ ...sriov, alias: 'bad alias' })).toThrow(/interface\.alias/);
  });

  it('accepts a transient teaming VF only next to the persistent member the domain has', () => {
    const [, vf] = GOLDEN_CASES['sriov-failover-teaming'].interfaces;
    expect(() => renderInterfaceDevice(vf)).toThrow(/interface\.teaming/);
    expect(renderInterfaceDevice(vf, ['ua-backup0'])).toContain('<teaming type="transient" persistent="ua-backup0"/>');
  });
});
