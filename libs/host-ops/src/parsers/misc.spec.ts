import { describe, expect, it } from 'vitest';
import eth from '../__fixtures__/ethtool-l-ens1f0.txt?raw';
import ethOld from '../__fixtures__/ethtool-l-old.txt?raw';
import ethTg3 from '../__fixtures__/ethtool-l-eno1.txt?raw';
import list from '../__fixtures__/virsh-list-all.txt?raw';
import names from '../__fixtures__/virsh-list-names.txt?raw';
import domstate from '../__fixtures__/virsh-domstate.txt?raw';
import cmdline from '../__fixtures__/cmdline.txt?raw';
import { HostOutputParseError } from '../errors';
import { parseEthtoolChannels } from './ethtool';
import {
  cmdlineEnablesIommu,
  parseCpuMaskFile,
  parseGrepFiles,
  parsePciIdFile,
  parsePciLinkTarget,
  parseReadlinks,
  parseUevent,
} from './files';
import { parseIntFile, parseUintFile } from './lines';
import { parseVirshDomstate, parseVirshList, parseVirshListNames, parseVirshListState } from './virsh';

describe('ethtool -l', () => {
  it('reads combined channels with n/a fields', () => {
    expect(parseEthtoolChannels(eth)).toEqual({ maxCombined: 40, combined: 8, maxRx: 0, rx: 0, maxTx: 0, tx: 0 });
  });
  it('reads the older all-numeric format and separate rx/tx channels', () => {
    expect(parseEthtoolChannels(ethOld)).toMatchObject({ maxCombined: 63, combined: 16 });
    expect(parseEthtoolChannels(ethTg3)).toEqual({ maxCombined: 0, combined: 0, maxRx: 4, rx: 4, maxTx: 4, tx: 1 });
  });
  it('throws on an unsupported-driver answer', () => {
    expect(() =>
      parseEthtoolChannels('Channel parameters for eth0:\nCannot get device channel parameters\n: Operation not supported\n'),
    ).toThrow(HostOutputParseError);
  });
});

describe('virsh', () => {
  it('parses list --all', () => {
    expect(parseVirshList(list)).toEqual([
      { id: 1, name: 'web-01', state: 'running' },
      { id: 3, name: 'db-01', state: 'paused' },
      { id: null, name: 'batch-7', state: 'shut off' },
    ]);
  });
  it('parses list --name and domstate', () => {
    expect(parseVirshListNames(names)).toEqual(['web-01', 'db-01', 'batch-7']);
    expect(parseVirshDomstate(domstate)).toBe('shut off');
    expect(parseVirshDomstate('running\n\n')).toBe('running');
  });
  it("reads one domain's state from list --all, null when it is not listed", () => {
    expect(parseVirshListState(list, 'db-01')).toBe('paused');
    expect(parseVirshListState(list, 'batch-7')).toBe('shut off');
    expect(parseVirshListState(list, 'db')).toBeNull();
    expect(parseVirshListState(list, 'web-0')).toBeNull();
    // another domain's name with a blank that starts with ours is not our row
    const blanks =
      ' Id   Name            State\n-------------------------------\n 2    web-01 old      running\n -    web-01          shut off\n';
    expect(parseVirshListState(blanks, 'web-01')).toBe('shut off');
    expect(() => parseVirshListState(list.replace('paused', 'napping'), 'db-01')).toThrow(/napping/);
    expect(() => parseVirshListState('web-01 running\n', 'web-01')).toThrow(/header/);
  });
  it('rejects unknown states and missing headers', () => {
    expect(() => parseVirshDomstate('sleeping\n')).toThrow(HostOutputParseError);
    expect(() => parseVirshList('web-01 running\n')).toThrow(/header/);
    expect(() => parseVirshList(list.replace('paused', 'napping'))).toThrow(/napping/);
  });
});

describe('sysfs and procfs files', () => {
  it('splits grep -H output by requested path, even with colons in paths', () => {
    const a = '/sys/bus/pci/devices/0000:3b:00.0/numa_node';
    const b = '/sys/bus/pci/devices/0000:3b:00.0/uevent';
    const m = parseGrepFiles(`${a}:1\n${b}:DRIVER=i40e\n${b}:PCI_SLOT_NAME=0000:3b:00.0\n`, [a, b, '/missing']);
    expect(m.get(a)).toBe('1');
    expect(parseUevent(m.get(b) ?? '').get('PCI_SLOT_NAME')).toBe('0000:3b:00.0');
    expect(m.has('/missing')).toBe(false);
    expect(() => parseGrepFiles('/other:1\n', [a])).toThrow(HostOutputParseError);
  });
  it('matches each line to the longest requested path before a colon, whatever colons the path and the content hold', () => {
    const dev = '/sys/bus/pci/devices/0000:3b:00.0';
    const nested = `${dev}:x`; // a requested path that is another one plus ":x"
    const text = `${dev}:a:b\n${nested}:1\n${dev}:0000:3b:00.1\n${nested}:2\n${dev}:\n`;
    const m = parseGrepFiles(text, [dev, nested, dev]);
    expect(m.get(dev)).toBe('a:b\n0000:3b:00.1\n');
    expect(m.get(nested)).toBe('1\n2');
    expect([...m.keys()]).toEqual([dev, nested]);
    expect(() => parseGrepFiles(`${dev}/numa_node:1\n`, [dev])).toThrow(/does not start with a requested path/);
    expect(() => parseGrepFiles('no colon at all\n', [dev])).toThrow(HostOutputParseError);
  });
  it('reads virtfn symlinks', () => {
    expect(parseReadlinks('../0000:3b:02.0\n../0000:3b:02.1\n', 2).map(parsePciLinkTarget)).toEqual(['0000:3b:02.0', '0000:3b:02.1']);
    expect(() => parseReadlinks('../0000:3b:02.0\n', 2)).toThrow(HostOutputParseError);
    expect(() => parsePciLinkTarget('../../devices/virtual/net/x')).toThrow(HostOutputParseError);
  });
  it('reads number files and masks', () => {
    expect(parseUintFile('sriov_totalvfs', '64\n')).toBe(64);
    expect(parseIntFile('numa_node', '-1\n')).toBe(-1);
    expect(() => parseUintFile('sriov_numvfs', 'x\n')).toThrow(HostOutputParseError);
    expect(parseCpuMaskFile('rps_cpus', '00,00f00000\n')).toEqual([20, 21, 22, 23]);
    expect(parseCpuMaskFile('rps_cpus', 'ffffffff,ffffffff,00000001\n')).toHaveLength(65);
    expect(() => parseCpuMaskFile('rps_cpus', 'zz\n')).toThrow(HostOutputParseError);
  });
  it('recognises IOMMU switches on the kernel command line', () => {
    expect(cmdlineEnablesIommu(cmdline)).toBe(true);
    expect(cmdlineEnablesIommu('BOOT_IMAGE=/vmlinuz ro amd_iommu=on\n')).toBe(true);
    expect(cmdlineEnablesIommu('BOOT_IMAGE=/vmlinuz ro quiet intel_iommu=off\n')).toBe(false);
  });
});

describe('sysfs PCI ids', () => {
  it('reads device/vendor and device/device without the 0x, lower case', () => {
    expect(parsePciIdFile('vendor', '0x8086\n')).toBe('8086');
    expect(parsePciIdFile('device', '0x10FB\n')).toBe('10fb');
  });
  it('throws on anything that is not a 16-bit id', () => {
    for (const bad of ['8086', '0x808', '0x80861', 'ffff\n0x1', ''])
      expect(() => parsePciIdFile('vendor', bad)).toThrow(HostOutputParseError);
  });
});
