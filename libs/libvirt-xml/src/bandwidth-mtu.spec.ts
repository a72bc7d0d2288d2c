import { describe, expect, it } from 'vitest';
import { GOLDEN_CASES } from './golden-cases';
import type { BridgeInterface, DomainSpec } from './model';
import { parseDomain } from './parse';
import { renderDomain } from './render';
import { verifyDomainXml } from './verify';

const tcg = import.meta.glob<string>('../__golden__/libvirt-9.0-tcg/*.xml', { query: '?raw', import: 'default', eager: true });
const stored = (name: string): string => tcg[`../__golden__/libvirt-9.0-tcg/${name}.xml`] ?? '';
const asQemu = (xml: string) => xml.replace(/^<domain type="kvm"/, '<domain type="qemu"');

describe('<bandwidth> and <mtu> as real libvirt 9.0 stores them', () => {
  it('parses the stored definition back to the golden spec', () => {
    const spec = parseDomain(stored('bandwidth-mtu-ovs'));
    expect(spec.interfaces[0]).toMatchObject({
      type: 'bridge',
      mtu: 9000,
      bandwidth: { inbound: { average: 125_000, peak: 250_000, burst: 1024 }, outbound: { average: 125_000 } },
    });
    expect(parseDomain(stored('bandwidth-macvtap')).interfaces[0]).toMatchObject({
      type: 'direct',
      bandwidth: { outbound: { average: 62_500, burst: 512 } },
    });
  });

  it('verify names a changed rate or MTU on the host (drift), field by field', () => {
    const want = asQemu(renderDomain(GOLDEN_CASES['bandwidth-mtu-bridge']));
    const have = stored('bandwidth-mtu-bridge');
    expect(verifyDomainXml(want, have)).toEqual([]);
    expect(verifyDomainXml(want, have.replace("average='250000'", "average='125000'"))).toEqual([
      { field: 'domain.interfaces[0].bandwidth.outbound.average', expected: '250000', actual: '125000' },
    ]);
    expect(verifyDomainXml(want, have.replace("<mtu size='9000'/>", ''))).toEqual([
      { field: 'domain.interfaces[0].mtu', expected: '9000', actual: 'absent' },
    ]);
    expect(verifyDomainXml(want, have.replace(/<bandwidth>[\s\S]*<\/bandwidth>/, ''))).toEqual([
      { field: 'domain.interfaces[0].bandwidth', expected: '{"outbound":{"average":250000}}', actual: 'absent' },
    ]);
  });

  it('refuses what libvirt would refuse or what means nothing', () => {
    const nic = GOLDEN_CASES['bandwidth-mtu-bridge'].interfaces[0] as BridgeInterface;
    const withNic = (i: Partial<BridgeInterface>): DomainSpec => ({
      ...GOLDEN_CASES['bandwidth-mtu-bridge'],
      interfaces: [{ ...nic, ...i }],
    });
    expect(() => renderDomain(withNic({ mtu: 67 }))).toThrow('interfaces[0].mtu: must be an MTU of 68-65535, got 67');
    expect(() => renderDomain(withNic({ bandwidth: {} }))).toThrow('interfaces[0].bandwidth: an empty <bandwidth> says nothing');
    expect(() => renderDomain(withNic({ bandwidth: { outbound: { average: 0 } } }))).toThrow('interfaces[0].bandwidth.outbound.average');
  });
});
