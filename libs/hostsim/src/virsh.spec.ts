import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, hostFixture } from './test-fixture';
import { parseXml, select } from './xml-tree';

function domainXml(o: {
  name: string;
  vcpuPins?: string[];
  emulator?: string;
  bridge?: string;
  vf?: string;
  direct?: string;
  hugepages?: boolean;
  vhost?: boolean;
}): string {
  const vf = o.vf?.match(/^0000:([0-9a-f]{2}):([0-9a-f]{2})\.(\d)$/);
  return `<domain type='kvm'>
  <name>${o.name}</name>
  <memory unit='GiB'>4</memory>
  <vcpu>${o.vcpuPins?.length ?? 2}</vcpu>
  ${o.vcpuPins ? `<cputune>${o.vcpuPins.map((c, i) => `<vcpupin vcpu='${i}' cpuset='${c}'/>`).join('')}${o.emulator ? `<emulatorpin cpuset='${o.emulator}'/>` : ''}</cputune>` : ''}
  <numatune><memory mode='strict' nodeset='0'/></numatune>
  ${o.hugepages ? "<memoryBacking><hugepages><page size='2048' unit='KiB'/></hugepages></memoryBacking>" : ''}
  <os><type>hvm</type></os>
  <devices>
    ${o.bridge ? `<interface type='bridge'><source bridge='${o.bridge}'/><model type='virtio'/>${o.vhost ? "<driver name='vhost' queues='2'/>" : ''}</interface>` : ''}
    ${vf ? `<interface type='hostdev' managed='yes'><mac address='52:54:00:00:00:0${o.name.length}'/><source><address type='pci' domain='0x0000' bus='0x${vf[1]}' slot='0x${vf[2]}' function='0x${vf[3]}'/></source><vlan><tag id='42'/></vlan></interface>` : ''}
    ${o.direct ? `<interface type='direct'><source dev='${o.direct}' mode='passthrough'/><model type='virtio'/></interface>` : ''}
  </devices>
</domain>`;
}

describe('virsh on dual-socket-sriov', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await hostFixture('dual-socket-sriov');
  });
  afterAll(async () => f.close());
  const run = (cmd: string | string[], stdin?: string) => f.conn.run(cmd, stdin);
  const define = (xml: string) => run(['virsh', 'define', '/dev/stdin'], xml);

  it('defines from stdin and adds what libvirt adds', async () => {
    const xml = domainXml({
      name: 'vm1',
      vcpuPins: ['2', '3', '4', '5'],
      emulator: '34',
      bridge: 'br0',
      vf: '0000:3b:10.0',
      direct: 'ens5f0',
      hugepages: true,
      vhost: true,
    });
    expect(await define(xml)).toEqual({ stdout: "Domain 'vm1' defined from /dev/stdin\n\n", stderr: '', code: 0 });
    const dom = parseXml((await run(['virsh', 'dumpxml', 'vm1'])).stdout);
    expect(select(dom, 'uuid')[0].text).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(select(dom, 'memory')[0]).toMatchObject({ attrs: { unit: 'KiB' }, text: '4194304' });
    expect(select(dom, 'vcpu')[0].attrs.placement).toBe('static');
    expect(dom.attrs.id).toBeUndefined();
    const macs = select(dom, 'devices/interface/mac').map((m) => m.attrs.address);
    expect(macs).toHaveLength(3);
    for (const m of macs) expect(m).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect((await run(['virsh', 'list', '--all'])).stdout).toBe(' Id   Name   State\n-----------------------\n -    vm1    shut off\n\n');
  });

  it('refuses to start with a hostdev VF that does not exist yet', async () => {
    const r = await run(['virsh', 'start', 'vm1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: Failed to start domain 'vm1'\nerror: Device 0000:3b:10.0 not found: could not access /sys/bus/pci/devices/0000:3b:10.0/config: No such file or directory\n",
    );
  });

  it('starts once the VF exists and shows the live XML', async () => {
    await run(['tee', '/sys/class/net/ens1f0/device/sriov_numvfs'], '4\n');
    const before = f.host.state().hugepages[0].size2M.free;
    expect(await run(['virsh', 'start', 'vm1'])).toEqual({ stdout: "Domain 'vm1' started\n\n", stderr: '', code: 0 });
    const live = parseXml((await run(['virsh', 'dumpxml', 'vm1'])).stdout);
    // The failed start before used up id 1 (libvirt numbers a domain before it can fail).
    expect(live.attrs.id).toBe('2');
    const ifaces = select(live, 'devices/interface');
    expect(select(ifaces[0], 'target')[0].attrs.dev).toBe('vnet0');
    expect(select(ifaces[2], 'target')[0].attrs.dev).toBe('macvtap0');
    expect(ifaces.map((i) => select(i, 'alias')[0].attrs.name)).toEqual(['net0', 'hostdev1', 'net2']);
    // The inactive definition carries none of that.
    const inactive = parseXml((await run(['virsh', 'dumpxml', '--inactive', 'vm1'])).stdout);
    expect(select(inactive, 'devices/interface/target')).toHaveLength(0);
    // libvirt programs the VF with the interface MAC and VLAN.
    const vfMac = select(ifaces[1], 'mac')[0].attrs.address;
    expect(f.host.state().nics.find((n) => n.name === 'ens1f0')?.vfs[0]).toMatchObject({ mac: vfMac, vlan: 42 });
    expect((await run(['ip', 'link', 'show', 'dev', 'vnet0'])).stdout).toMatch(/master br0/);
    // 4 GiB of 2 MiB pages on node 0.
    expect(before - f.host.state().hugepages[0].size2M.free).toBe(2048);
    expect((await run(['virsh', 'domstate', 'vm1'])).stdout).toBe('running\n\n');
    expect((await run(['virsh', 'list'])).stdout).toContain(' 2    vm1    running\n');
  });

  it('moves a tap off and back onto its bridge as iproute2 does', async () => {
    // exit codes and messages as iproute2 6.1 answers them (Debian 12), recorded in a network namespace
    expect(await run(['ip', 'link', 'set', 'dev', 'vnet0', 'nomaster'])).toEqual({ stdout: '', stderr: '', code: 0 });
    expect((await run(['ip', 'link', 'show', 'dev', 'vnet0'])).stdout).not.toMatch(/master/);
    expect(await run(['ip', 'link', 'set', 'dev', 'vnet0', 'nomaster'])).toMatchObject({ code: 0 });
    const missing = await run(['ip', 'link', 'set', 'dev', 'vnet0', 'master', 'nosuchbr']);
    expect(missing).toMatchObject({ code: 255, stderr: 'Error: argument "nosuchbr" is wrong: Device does not exist\n' });
    expect(await run(['ip', 'link', 'set', 'dev', 'vnet0', 'master', 'br0'])).toEqual({ stdout: '', stderr: '', code: 0 });
    expect((await run(['ip', 'link', 'show', 'dev', 'vnet0'])).stdout).toMatch(/master br0/);
  });

  it('refuses a VF held by another running domain', async () => {
    await define(domainXml({ name: 'vm2', vf: '0000:3b:10.0' }));
    const r = await run(['virsh', 'start', 'vm2']);
    expect(r.stderr).toBe(
      "error: Failed to start domain 'vm2'\nerror: Requested operation is not valid: PCI device 0000:3b:10.0 is in use by driver QEMU, domain vm1\n",
    );
  });

  it('refuses pins on CPUs the host lacks', async () => {
    await define(domainXml({ name: 'vm3', vcpuPins: ['1', '70'] }));
    expect((await run(['virsh', 'start', 'vm3'])).stderr).toBe(
      "error: Failed to start domain 'vm3'\nerror: Invalid value '70' for 'cpuset.cpus': Invalid argument\n",
    );
    // virsh checks the list against the host's CPU count before asking libvirtd.
    expect((await run(['virsh', 'vcpupin', 'vm1', '0', '64'])).stderr).toBe("error: CPU 64 in cpulist '64' exceed the maxcpu 64\n");
  });

  it('refuses a bridge the host does not have, and a Linux-bridge interface on an OVS bridge', async () => {
    await define(domainXml({ name: 'vm4', bridge: 'br9' }));
    expect((await run(['virsh', 'start', 'vm4'])).stderr).toBe(
      "error: Failed to start domain 'vm4'\nerror: Cannot get interface MTU on 'br9': No such device\n",
    );
    await define(domainXml({ name: 'vm5', bridge: 'ovsbr0' }));
    expect((await run(['virsh', 'start', 'vm5'])).stderr).toMatch(/Unable to add bridge ovsbr0 port vnet\d: Operation not supported/);
  });

  it('refuses hugepages the node no longer has', async () => {
    await define(domainXml({ name: 'vm6', hugepages: true }));
    expect((await run(['virsh', 'start', 'vm6'])).stderr).toMatch(/unable to map backing store for guest RAM: Cannot allocate memory/);
  });

  it('repins vCPUs and the emulator of a running domain', async () => {
    expect((await run(['virsh', 'vcpupin', 'vm1', '0', '6', '--live'])).code).toBe(0);
    expect((await run(['virsh', 'emulatorpin', 'vm1', '35-36'])).code).toBe(0);
    const live = parseXml((await run(['virsh', 'dumpxml', 'vm1'])).stdout);
    expect(select(live, 'cputune/vcpupin').map((p) => p.attrs.cpuset)).toEqual(['6', '3', '4', '5']);
    expect(select(live, 'cputune/emulatorpin')[0].attrs.cpuset).toBe('35-36');
    expect((await run(['virsh', 'vcpupin', 'vm1'])).stdout).toBe(
      ' VCPU   CPU Affinity\n----------------------\n 0      6\n 1      3\n 2      4\n 3      5\n\n',
    );
    // --live changes do not touch the persistent definition.
    const inactive = parseXml((await run(['virsh', 'dumpxml', '--inactive', 'vm1'])).stdout);
    expect(select(inactive, 'cputune/vcpupin')[0].attrs.cpuset).toBe('2');
  });

  it('destroys, frees the VF for another domain, and undefines', async () => {
    expect((await run(['virsh', 'destroy', 'vm1'])).stdout).toBe("Domain 'vm1' destroyed\n\n");
    expect((await run(['virsh', 'destroy', 'vm1'])).stderr).toMatch(/domain is not running/);
    expect((await run(['virsh', 'start', 'vm2'])).code).toBe(0);
    expect((await run(['virsh', 'undefine', 'vm1'])).stdout).toBe("Domain 'vm1' has been undefined\n\n");
    expect((await run(['virsh', 'dumpxml', 'vm1'])).stderr).toBe("error: failed to get domain 'vm1'\n");
    expect((await run(['virsh', 'list', '--all', '--name'])).stdout.split('\n').filter(Boolean)).toEqual([
      'vm2',
      'vm3',
      'vm4',
      'vm5',
      'vm6',
    ]);
  });

  it('rejects malformed XML at define', async () => {
    const r = await define('<domain type="kvm"><name>x</name>');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Failed to define domain from \/dev\/stdin\nerror: \(domain_definition\):1: /);
  });
});

describe('virsh on legacy-no-iommu', () => {
  it('refuses PCI passthrough and vhost-net', async () => {
    const f = await hostFixture('legacy-no-iommu');
    try {
      await f.conn.run(['virsh', 'define', '/dev/stdin'], domainXml({ name: 'pt', vf: '0000:02:00.0' }));
      expect((await f.conn.run(['virsh', 'start', 'pt'])).stderr).toMatch(/host doesn't support passthrough of host PCI devices/);
      await f.conn.run(['virsh', 'define', '/dev/stdin'], domainXml({ name: 'vh', bridge: 'br0', vhost: true }));
      expect((await f.conn.run(['virsh', 'start', 'vh'])).stderr).toMatch(/vhost-net is not supported/);
      await f.conn.run(['virsh', 'define', '/dev/stdin'], domainXml({ name: 'ok', bridge: 'br0' }));
      expect((await f.conn.run(['virsh', 'start', 'ok'])).code).toBe(0);
    } finally {
      await f.close();
    }
  });
});

/** What a real libvirtd 9 answered on the real-host tier (tools/realhost), copied from there. */
describe('virsh power actions, as libvirt answers them', () => {
  let f: Fixture;
  const run = (cmd: string[]) => f.conn.run(cmd);
  beforeAll(async () => {
    f = await hostFixture('small-one-node');
    await f.conn.run(['virsh', 'define', '/dev/stdin'], domainXml({ name: 'p1', bridge: 'br0' }));
  });
  afterAll(async () => f.close());
  const until = async (cond: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 100 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 20));
  };

  it('refuses shutdown, reboot and destroy of a domain that is not running', async () => {
    for (const verb of ['shutdown', 'reboot', 'destroy']) {
      expect(await run(['virsh', verb, 'p1'])).toEqual({
        stdout: '\n',
        stderr: `error: Failed to ${verb} domain 'p1'\nerror: Requested operation is not valid: domain is not running\n`,
        code: 1,
      });
    }
    expect((await run(['virsh', 'shutdown', 'nosuch'])).stderr).toBe("error: failed to get domain 'nosuch'\n");
  });

  it('answers a second start with "Domain is already active"', async () => {
    expect((await run(['virsh', 'start', 'p1'])).code).toBe(0);
    expect(await run(['virsh', 'start', 'p1'])).toEqual({ stdout: '\n', stderr: 'error: Domain is already active\n', code: 1 });
    expect((await run(['virsh', 'domstate', '--reason', 'p1'])).stdout).toBe('running (booted)\n\n');
  });

  it('shutdown returns at once; a guest that honours ACPI powers off later', async () => {
    f.host.model.guest = { acpi: 'honour', shutdownDelayMs: 150 };
    expect(await run(['virsh', 'shutdown', 'p1'])).toEqual({ stdout: "Domain 'p1' is being shutdown\n\n", stderr: '', code: 0 });
    expect((await run(['virsh', 'domstate', 'p1'])).stdout).toBe('running\n\n');
    await until(async () => (await run(['virsh', 'domstate', 'p1'])).stdout === 'shut off\n\n');
    expect((await run(['virsh', 'domstate', '--reason', 'p1'])).stdout).toBe('shut off (shutdown)\n\n');
    expect(f.host.state().domains.find((d) => d.name === 'p1')?.state).toBe('shut off');
  });

  it('a guest that ignores ACPI keeps running through shutdown and reboot until destroyed', async () => {
    f.host.model.guest = { acpi: 'ignore', shutdownDelayMs: 10 };
    await run(['virsh', 'start', 'p1']);
    expect((await run(['virsh', 'shutdown', 'p1'])).code).toBe(0);
    expect(await run(['virsh', 'reboot', 'p1'])).toEqual({ stdout: "Domain 'p1' is being rebooted\n\n", stderr: '', code: 0 });
    await new Promise((r) => setTimeout(r, 60));
    expect((await run(['virsh', 'domstate', 'p1'])).stdout).toBe('running\n\n');
    expect((await run(['virsh', 'destroy', 'p1'])).stdout).toBe("Domain 'p1' destroyed\n\n");
    expect((await run(['virsh', 'domstate', '--reason', 'p1'])).stdout).toBe('shut off (destroyed)\n\n');
  });

  it('a reboot keeps the domain running with the same id; a stale shutdown never stops a later run', async () => {
    f.host.model.guest = { acpi: 'honour', shutdownDelayMs: 40 };
    await run(['virsh', 'start', 'p1']);
    const id = f.host.model.domains.get('p1')?.id;
    await run(['virsh', 'reboot', 'p1']);
    await until(async () => (f.host.model.domains.get('p1')?.guestReboots ?? 0) > 0);
    expect(f.host.model.domains.get('p1')).toMatchObject({ id, guestReboots: 1 });
    await run(['virsh', 'shutdown', 'p1']);
    await run(['virsh', 'destroy', 'p1']);
    await run(['virsh', 'start', 'p1']);
    await new Promise((r) => setTimeout(r, 100));
    expect((await run(['virsh', 'domstate', 'p1'])).stdout).toBe('running\n\n');
    await run(['virsh', 'destroy', 'p1']);
  });
});

/** NIC hot-plug, as a real libvirtd 9.0 answered on the real-host tier (tools/realhost). */
describe('virsh attach-device / detach-device of an <interface>', () => {
  let f: Fixture;
  const run = (cmd: string[], stdin?: string) => f.conn.run(cmd, stdin);
  const nic = (mac: string, bridge = 'br0') =>
    `<interface type='bridge'><mac address='${mac}'/><source bridge='${bridge}'/><model type='virtio'/></interface>`;
  const macs = (xml: string) => select(parseXml(xml), 'devices/interface/mac').map((m) => m.attrs.address);
  beforeAll(async () => {
    f = await hostFixture('small-one-node');
    await f.conn.run(['virsh', 'define', '/dev/stdin'], domainXml({ name: 'hp' }));
  });
  afterAll(async () => f.close());

  it('refuses a live attach to a domain that is not running; --config alone is fine', async () => {
    expect(await run(['virsh', 'attach-device', 'hp', '/dev/stdin', '--live', '--config'], nic('52:54:00:00:aa:01'))).toEqual({
      stdout: '\n',
      stderr: 'error: Failed to attach device from /dev/stdin\nerror: Requested operation is not valid: domain is not running\n',
      code: 1,
    });
    const r = await run(['virsh', 'attach-device', 'hp', '/dev/stdin', '--config'], nic('52:54:00:00:aa:01'));
    expect(r).toEqual({ stdout: 'Device attached successfully\n\n', stderr: '', code: 0 });
    expect(macs((await run(['virsh', 'dumpxml', '--inactive', 'hp'])).stdout)).toEqual(['52:54:00:00:aa:01']);
  });

  it('plugs a live NIC with its tap into the one spare root port; a second live plug finds none; a second device with one MAC is accepted, and a detach then refuses', async () => {
    f.host.model.guest = { acpi: 'honour', shutdownDelayMs: 30 };
    expect((await run(['virsh', 'start', 'hp'])).code).toBe(0);
    const two = nic('52:54:00:00:aa:02');
    expect((await run(['virsh', 'attach-device', 'hp', '/dev/stdin', '--live', '--config'], two)).code).toBe(0);
    const live = (await run(['virsh', 'dumpxml', 'hp'])).stdout;
    expect(macs(live)).toEqual(['52:54:00:00:aa:01', '52:54:00:00:aa:02']);
    expect(select(parseXml(live), 'devices/interface/target').map((t) => t.attrs.dev)).toHaveLength(2);
    expect(f.host.state().taps).toHaveLength(2);
    expect(await run(['virsh', 'attach-device', 'hp', '/dev/stdin', '--live'], nic('52:54:00:00:aa:05'))).toEqual({
      stdout: '\n',
      stderr: 'error: Failed to attach device from /dev/stdin\nerror: internal error: No more available PCI slots\n',
      code: 1,
    });
    expect((await run(['virsh', 'attach-device', 'hp', '/dev/stdin', '--config'], two)).code).toBe(0);
    const dup = await run(['virsh', 'detach-device', 'hp', '/dev/stdin', '--config'], two);
    expect(dup.stderr).toBe(
      'error: Failed to detach device from /dev/stdin\nerror: operation failed: multiple devices matching MAC address 52:54:00:00:aa:02 found\n',
    );
  });

  it('detaches from the config at once and from the live domain when the guest releases it', async () => {
    const one = nic('52:54:00:00:aa:01');
    expect(await run(['virsh', 'detach-device', 'hp', '/dev/stdin', '--live', '--config'], one)).toEqual({
      stdout: 'Device detached successfully\n\n',
      stderr: '',
      code: 0,
    });
    expect(macs((await run(['virsh', 'dumpxml', '--inactive', 'hp'])).stdout)).not.toContain('52:54:00:00:aa:01');
    for (let i = 0; i < 50 && macs((await run(['virsh', 'dumpxml', 'hp'])).stdout).includes('52:54:00:00:aa:01'); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(macs((await run(['virsh', 'dumpxml', 'hp'])).stdout)).not.toContain('52:54:00:00:aa:01');
    const missing = await run(['virsh', 'detach-device', 'hp', '/dev/stdin', '--config'], one);
    expect(missing.stderr).toBe(
      "error: Failed to detach device from /dev/stdin\nerror: device not found: no device found at address '(<null>)' matching MAC address '52:54:00:00:aa:01' and alias '(<null>)'\n",
    );
  });

  it('refuses a bridge the host does not have, with libvirt words (once a root port is free again)', async () => {
    const r = await run(['virsh', 'attach-device', 'hp', '/dev/stdin', '--live'], nic('52:54:00:00:aa:03', 'nobr'));
    expect(r.stderr).toBe("error: Failed to attach device from /dev/stdin\nerror: Cannot get interface MTU on 'nobr': No such device\n");
  });

  it('a guest that ignores ACPI keeps a live NIC it was asked to release, though virsh reports success', async () => {
    f.host.model.guest = { acpi: 'ignore', shutdownDelayMs: 0 };
    const four = nic('52:54:00:00:aa:04');
    await run(['virsh', 'attach-device', 'hp', '/dev/stdin', '--live'], four);
    expect((await run(['virsh', 'detach-device', 'hp', '/dev/stdin', '--live'], four)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(macs((await run(['virsh', 'dumpxml', 'hp'])).stdout)).toContain('52:54:00:00:aa:04');
  });
});
