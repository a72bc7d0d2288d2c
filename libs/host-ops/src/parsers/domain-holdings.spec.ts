import { describe, expect, it } from 'vitest';
import foreign from '../__fixtures__/dumpxml-foreign.xml?raw';
import netpin from '../__fixtures__/dumpxml-netpin.xml?raw';
import { HostOutputParseError } from '../errors';
import { parseDomainHoldings } from './domain-holdings';

describe('parseDomainHoldings (virsh dumpxml)', () => {
  it("reads a foreign domain's pinned CPUs (vcpupin, emulatorpin, vcpu cpuset with ^ exclusions) and PCI passthrough", () => {
    expect(parseDomainHoldings(foreign)).toEqual({
      name: 'legacy-db',
      ownedByNetpin: false,
      cpus: [4, 5, 6, 20, 21, 23, 24, 25],
      // the interface hostdev and the PCI hostdev; not the USB one, not guest-side addresses
      pciDevices: ['0000:3b:02.1', '0000:af:00.3'],
    });
  });

  it("recognises netpin's ownership mark", () => {
    expect(parseDomainHoldings(netpin)).toMatchObject({ name: 'web-1', ownedByNetpin: true, cpus: [8, 9], pciDevices: ['0000:3b:02.0'] });
    const otherNs = netpin.replace('https://netpin.dev/xmlns/domain/1', 'https://example.com/not-netpin');
    expect(parseDomainHoldings(otherNs).ownedByNetpin).toBe(false);
  });

  it('an unpinned domain holds no CPUs', () => {
    expect(parseDomainHoldings("<domain type='kvm'><name>free</name><vcpu>2</vcpu></domain>")).toEqual({
      name: 'free',
      ownedByNetpin: false,
      cpus: [],
      pciDevices: [],
    });
  });

  it('refuses what is not a domain', () => {
    expect(() => parseDomainHoldings('<domain><uuid>x</uuid></domain>')).toThrow(HostOutputParseError);
    expect(() => parseDomainHoldings("<domain><name>x</name><vcpu cpuset='a-b'>1</vcpu></domain>")).toThrow(HostOutputParseError);
  });
});
