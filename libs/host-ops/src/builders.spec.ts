import { ifNameSchema, macAddressSchema, vlanIdSchema, domainNameSchema, type IfName } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import * as b from './builders';
import { shellQuote } from './command';
import { HostCommandArgumentError } from './errors';
import { hostPaths } from './paths';

const pf = ifNameSchema.parse('ens1f0');
const dom = domainNameSchema.parse('web-01');

describe('file commands', () => {
  it('writes sysfs values with tee and stdin', () => {
    expect(b.setSriovNumVfs(pf, 8)).toEqual({ argv: ['tee', '--', '/sys/class/net/ens1f0/device/sriov_numvfs'], stdin: '8\n' });
    expect(b.setIrqAffinity(45, [4, 5, 6, 7, 12])).toEqual({ argv: ['tee', '--', '/proc/irq/45/smp_affinity_list'], stdin: '4-7,12\n' });
    expect(b.setRpsCpus(pf, 3, [32, 33], 64)).toEqual({
      argv: ['tee', '--', '/sys/class/net/ens1f0/queues/rx-3/rps_cpus'],
      stdin: '00000003,00000000\n',
    });
    expect(b.setRpsCpus(pf, 0, [], 40).stdin).toBe('00,00000000\n');
  });
  it('refuses unsafe paths, values and numbers', () => {
    expect(() => b.readFile('/sys/../etc/shadow')).toThrow(HostCommandArgumentError);
    expect(() => b.readFile('relative')).toThrow(HostCommandArgumentError);
    expect(() => b.writeFile('/proc/irq/1/smp_affinity_list', '1\n2')).toThrow(HostCommandArgumentError);
    expect(() => b.setIrqAffinity(-1, [1])).toThrow(HostCommandArgumentError);
    expect(() => b.setIrqAffinity(1, [])).toThrow(HostCommandArgumentError);
    expect(() => hostPaths.rpsCpus(pf, 1.5)).toThrow(HostCommandArgumentError);
    expect(() => b.readFiles([])).toThrow(HostCommandArgumentError);
  });
  it('reads many files with grep -H and accepts partial answers', () => {
    const c = b.readFiles(['/proc/irq/1/smp_affinity_list', '/proc/irq/2/smp_affinity_list']);
    expect(c.argv).toEqual(['grep', '-H', '-s', '', '--', '/proc/irq/1/smp_affinity_list', '/proc/irq/2/smp_affinity_list']);
    expect(c.okExitCodes).toEqual([0, 1, 2]);
  });
});

describe('writeFilesBatch', () => {
  it('joins writeFile commands into one bash list of quoted echo redirections', () => {
    const c = b.writeFilesBatch([b.setIrqAffinity(45, [4, 5, 12]), b.writeFile('/var/lib/netpin/baseline/a b', "x'y; rm -rf /")]);
    expect(c.argv.slice(0, 2)).toEqual(['bash', '-c']);
    expect(c.argv[2]).toBe(`echo 4-5,12 > /proc/irq/45/smp_affinity_list && echo 'x'\\''y; rm -rf /' > '/var/lib/netpin/baseline/a b'`);
    expect(c.stdin).toBeUndefined();
  });

  it('starts with mkdir -p of a folder when asked, so that a record is written in the same round trip', () => {
    const c = b.writeFilesBatch(
      [b.writeFile('/var/lib/netpin/baseline/vf-ens1f0-1', '{"mac":"52:54:00:00:00:01","trust":false}')],
      '/var/lib/netpin/baseline',
    );
    expect(c.argv[2]).toBe(
      `mkdir -p -- /var/lib/netpin/baseline && echo '{"mac":"52:54:00:00:00:01","trust":false}' > /var/lib/netpin/baseline/vf-ens1f0-1`,
    );
    expect(() => b.writeFilesBatch([b.setIrqAffinity(45, [4])], '/var/lib/../etc')).toThrow(/refusing path/);
  });

  it('takes only writeFile commands, and refuses values echo would not print literally', () => {
    expect(() => b.writeFilesBatch([])).toThrow(HostCommandArgumentError);
    expect(() => b.writeFilesBatch([b.makeDir('/var/lib/netpin')])).toThrow(/only writeFile/);
    expect(() => b.writeFilesBatch([b.writeDocument('/var/lib/netpin/x', 'no newline')])).toThrow(/only writeFile/);
    expect(() => b.writeFilesBatch([b.writeFile('/var/lib/netpin/x', '-n')])).toThrow(/echo/);
    expect(() => b.writeFilesBatch([b.writeFile('/var/lib/netpin/x', 'a\\nb')])).toThrow(/echo/);
    expect(() => b.writeFilesBatch([{ argv: ['tee', '--', '/x/../etc/passwd'], stdin: '1\n' }])).toThrow(/refusing path/);
  });
});

describe('ip and ethtool', () => {
  it('sets VF attributes in the order ip expects', () => {
    const c = b.ipLinkSetVf(pf, 3, {
      mac: macAddressSchema.parse('52:54:00:AA:bb:01'),
      vlan: vlanIdSchema.parse(100),
      qos: 2,
      spoofChk: true,
      trust: false,
      maxTxRateMbps: 1000,
      minTxRateMbps: 0,
      state: 'auto',
    });
    expect(shellQuote(c.argv)).toBe(
      'ip link set ens1f0 vf 3 mac 52:54:00:aa:bb:01 vlan 100 qos 2 spoofchk on trust off max_tx_rate 1000 min_tx_rate 0 state auto',
    );
    // an SR-IOV policy's defaults for a free VF: no MAC or VLAN, only the attributes
    expect(b.ipLinkSetVf(pf, 7, { spoofChk: false, trust: true, maxTxRateMbps: 2500, state: 'disable' }).argv).toEqual([
      'ip',
      'link',
      'set',
      'ens1f0',
      'vf',
      '7',
      'spoofchk',
      'off',
      'trust',
      'on',
      'max_tx_rate',
      '2500',
      'state',
      'disable',
    ]);
    expect(() => b.ipLinkSetVf(pf, 3, {})).toThrow(/nothing to set/);
    expect(() => b.ipLinkSetVf(pf, 3, { qos: 1 })).toThrow(/vlan/);
  });
  it('builds link, channel and CPU reads', () => {
    expect(b.ipLinkShow().argv).toEqual(['ip', '-d', 'link', 'show']);
    expect(b.ipLinkShow(pf).argv).toEqual(['ip', '-d', 'link', 'show', 'dev', 'ens1f0']);
    expect(b.ethtoolShowChannels(pf).argv).toEqual(['ethtool', '-l', 'ens1f0']);
    expect(b.ethtoolSetCombined(pf, 8).argv).toEqual(['ethtool', '-L', 'ens1f0', 'combined', '8']);
    expect(() => b.ethtoolSetCombined(pf, 0)).toThrow(HostCommandArgumentError);
    expect(b.lscpu().argv).toEqual(['lscpu', '-p=CPU,CORE,SOCKET,NODE']);
  });
  it('only accepts branded names (compile-time)', () => {
    // @ts-expect-error a plain string is not an IfName
    const c = b.ipLinkShow('eth0; reboot');
    expect(c.argv).toContain('eth0; reboot');
    const ok: IfName = pf;
    expect(ok).toBe('ens1f0');
  });
});

describe('virsh', () => {
  it('defines from stdin and pins', () => {
    expect(b.virshDefine('<domain/>')).toEqual({ argv: ['virsh', 'define', '/dev/stdin'], stdin: '<domain/>' });
    expect(b.virshVcpupin(dom, 1, [4, 24], { live: true, config: true }).argv).toEqual([
      'virsh',
      'vcpupin',
      'web-01',
      '1',
      '4,24',
      '--live',
      '--config',
    ]);
    expect(b.virshEmulatorpin(dom, [2], { uri: 'test:///default' }).argv).toEqual([
      'virsh',
      '-c',
      'test:///default',
      'emulatorpin',
      'web-01',
      '2',
    ]);
    expect(b.virshDumpxml(dom, { inactive: true }).argv).toEqual(['virsh', 'dumpxml', '--inactive', 'web-01']);
    expect(b.virshListAllNames().argv).toEqual(['virsh', 'list', '--all', '--name']);
    expect(b.virshListAll().argv).toEqual(['virsh', 'list', '--all']);
    for (const f of [b.virshStart, b.virshShutdown, b.virshReboot, b.virshDestroy, b.virshUndefine, b.virshDomstate])
      expect(f(dom).argv[2]).toBe('web-01');
    expect(() => b.virshStart(dom, { uri: 'qemu:///system; rm -rf /' })).toThrow(HostCommandArgumentError);
    expect(() => b.virshVcpupin(dom, 0, [])).toThrow(HostCommandArgumentError);
  });

  it('attach-device / detach-device take the device on stdin and say where it applies', () => {
    const xml = '<interface type="bridge"/>';
    expect(b.virshAttachDevice(dom, xml, { live: true, config: true })).toEqual({
      argv: ['virsh', 'attach-device', 'web-01', '/dev/stdin', '--live', '--config'],
      stdin: xml,
    });
    expect(b.virshDetachDevice(dom, xml, { live: false, config: true }).argv).toEqual([
      'virsh',
      'detach-device',
      'web-01',
      '/dev/stdin',
      '--config',
    ]);
    // neither: virsh would pick one by the domain's state, which the agent decides itself
    expect(() => b.virshDetachDevice(dom, xml, { live: false, config: false })).toThrow(HostCommandArgumentError);
  });
});
