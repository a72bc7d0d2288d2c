import { describe, expect, it } from 'vitest';
import { domainXmlDiff } from './domain-compare';

const want = `<domain type='kvm'><name>vm1</name><memory unit='KiB'>1048576</memory><vcpu placement='static'>2</vcpu>
<cputune><vcpupin vcpu='0' cpuset='4'/><vcpupin vcpu='1' cpuset='5'/></cputune>
<devices><interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/><model type='virtio'/></interface></devices></domain>`;

describe('domainXmlDiff', () => {
  it('ignores what libvirt adds on define', () => {
    const have = `<domain type="kvm">
  <name>vm1</name>
  <uuid>0b3f9c1e-0000-4000-8000-000000000001</uuid>
  <memory unit="KiB">1048576</memory>
  <currentMemory unit="KiB">1048576</currentMemory>
  <vcpu placement="static">2</vcpu>
  <cputune>
    <vcpupin vcpu="1" cpuset="5"/>
    <vcpupin vcpu="0" cpuset="4"/>
  </cputune>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type="bridge"><mac address="52:54:00:00:00:01"/><source bridge="br0"/><model type="virtio"/><address type="pci" bus="0x01"/></interface>
  </devices>
</domain>`;
    expect(domainXmlDiff(want, have)).toEqual([]);
  });

  it('names the attribute that differs', () => {
    const have = want.replace("cpuset='5'", "cpuset='7'");
    expect(domainXmlDiff(want, have)).toEqual([{ field: 'domain.cputune.vcpupins[1].cpuset', expected: '5', actual: '7' }]);
  });

  it('reports a missing device', () => {
    const have = want.replace(/<interface[\s\S]*<\/interface>/, '');
    expect(domainXmlDiff(want, have)).toMatchObject([{ field: 'domain.interfaces[0]', actual: 'absent' }]);
  });

  it('compares text content', () => {
    expect(domainXmlDiff(want, want.replace('>2</vcpu>', '>4</vcpu>'))).toEqual([{ field: 'domain.vcpus', expected: '2', actual: '4' }]);
  });
});

describe('domainXmlDiff units', () => {
  it('treats sizes in other units as the KiB libvirt stores', () => {
    const mib = want.replace("<memory unit='KiB'>1048576</memory>", "<memory unit='GiB'>1</memory>");
    expect(domainXmlDiff(mib, want)).toEqual([]);
    expect(domainXmlDiff(mib.replace('>1</memory>', '>2</memory>'), want)).toEqual([
      { field: 'domain.memoryMiB', expected: '2048', actual: '1024' },
    ]);
  });
});

describe('domainXmlDiff outside the libvirt-xml model', () => {
  // <description> is not part of netpin's DomainSpec: the structural check still sees it.
  const extra = want.replace('<name>vm1</name>', '<name>vm1</name><description>owner: team-a</description>');

  it('passes when the host kept it', () => {
    expect(domainXmlDiff(extra, extra.replace(/'/g, '"'))).toEqual([]);
  });

  it('reports it when the host lost or changed it', () => {
    expect(domainXmlDiff(extra, want)).toEqual([{ field: 'domain/description', expected: 'present', actual: 'absent' }]);
    expect(domainXmlDiff(extra, extra.replace('team-a', 'team-b'))).toEqual([
      { field: 'domain/description/text()', expected: 'owner: team-a', actual: 'owner: team-b' },
    ]);
  });
});
