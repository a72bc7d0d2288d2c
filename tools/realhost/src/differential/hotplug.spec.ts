import { domainNameSchema, ifNameSchema, macAddressSchema } from '@netpin/contracts';
import {
  virshAttachDevice,
  virshDefine,
  virshDestroy,
  virshDetachDevice,
  virshDumpxml,
  virshStart,
  virshUndefine,
  type CommandOutput,
  type HostCommand,
} from '@netpin/host-ops';
import { liveBridgePorts, parseDomain, renderInterfaceDevice } from '@netpin/libvirt-xml';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRealHost } from '../tier';
import { pairIndex, startPair, type HostPair } from './pair';

/**
 * NIC hot-plug, hostsim's virsh against real virsh + libvirtd: the fragment netpin renders
 * (renderInterfaceDevice) attached and detached with the scopes the agent uses, compared on
 * exit code, stdout, the error reason and what the live and persistent XML then hold. What
 * a real guest does with a live detach (ACPI PCI hot-unplug) depends on the guest: a
 * diskless TCG guest has no OS to answer, so only libvirt's answers are compared, and what
 * the live XML shows afterwards is recorded, not asserted.
 */
const dom = domainNameSchema.parse('dv-hp');
const NIC = renderInterfaceDevice({
  type: 'bridge',
  mac: macAddressSchema.parse('52:54:00:6b:2c:01'),
  bridge: ifNameSchema.parse('br0'),
  model: 'virtio',
});
const OTHER = NIC.replace('52:54:00:6b:2c:01', '52:54:00:6b:2c:02');

function guest(type: 'kvm' | 'qemu'): string {
  return `<domain type="${type}"><name>${dom}</name><memory unit="MiB">256</memory><vcpu>1</vcpu>
<os><type arch="x86_64" machine="q35">hvm</type></os>
<devices><interface type="bridge"><mac address="52:54:00:6b:2c:00"/><source bridge="br0"/><model type="virtio"/></interface></devices></domain>`;
}

const reason = (o: CommandOutput): string =>
  (o.stderr ?? '')
    .split('\n')
    .filter((l) => l.startsWith('error: '))
    .pop() ?? '';
const macs = (xml: string): string[] => parseDomain(xml).interfaces.map((i) => i.mac);

describeRealHost('differential: virsh attach-device / detach-device (hostsim vs real libvirtd)', () => {
  let p: HostPair;
  beforeAll(async () => {
    p = await startPair(`dh-${process.pid % 1000}`, pairIndex(210));
    await p.runOk(virshDefine(guest(p.real.virtType)));
  }, 300_000);
  afterAll(async () => {
    await p?.run(virshDestroy(dom));
    await p?.run(virshUndefine(dom));
    await p?.close();
  });

  const same = async (cmd: HostCommand): Promise<{ real: CommandOutput; sim: CommandOutput }> => {
    const o = await p.run(cmd);
    expect({ code: o.sim.exitCode, stdout: o.sim.stdout, error: reason(o.sim) }).toEqual({
      code: o.real.exitCode,
      stdout: o.real.stdout,
      error: reason(o.real),
    });
    return o;
  };
  const xmlOf = async (inactive: boolean) => {
    const o = await p.runOk(virshDumpxml(dom, { inactive }));
    return { real: o.real.stdout, sim: o.sim.stdout };
  };

  it('on a shut-off domain: --live is refused, --config changes the definition alone; a second device with one MAC is accepted, its detach refused', async () => {
    await same(virshAttachDevice(dom, NIC, { live: true, config: true }));
    await same(virshAttachDevice(dom, NIC, { live: false, config: true }));
    let x = await xmlOf(true);
    expect(macs(x.sim)).toEqual(macs(x.real));
    expect(macs(x.real)).toEqual(['52:54:00:6b:2c:00', '52:54:00:6b:2c:01']);
    expect(parseDomain(x.sim).interfaces).toEqual(parseDomain(x.real).interfaces);
    await same(virshAttachDevice(dom, NIC, { live: false, config: true })); // libvirt does not look for the MAC
    await same(virshDetachDevice(dom, NIC, { live: false, config: true })); // "multiple devices matching MAC"
    await same(virshDetachDevice(dom, OTHER, { live: false, config: true })); // "device not found"
    // clean up the pair the only way libvirt allows: define again
    await p.runOk(virshUndefine(dom));
    await p.runOk(virshDefine(guest(p.real.virtType)));
    x = await xmlOf(true);
    expect(macs(x.real)).toEqual(['52:54:00:6b:2c:00']);
  });

  it('on a running guest: one live plug fits (the spare root port), a second finds no PCI slot; detach answers the same at once', async () => {
    await p.runOk(virshStart(dom));
    // a bridge the host does not have: refused before anything is plugged
    await same(virshAttachDevice(dom, OTHER.replace('"br0"', '"br9"'), { live: true, config: true }));
    await same(virshAttachDevice(dom, NIC, { live: true, config: true }));
    const live = await xmlOf(false);
    expect(macs(live.sim)).toEqual(macs(live.real));
    expect(parseDomain(live.sim).interfaces).toEqual(parseDomain(live.real).interfaces);
    const ports = (xml: string) => liveBridgePorts(xml).map((b) => ({ bridge: b.bridge, vnet: /^vnet\d+$/.test(b.dev) }));
    expect(ports(live.sim)).toEqual(ports(live.real));
    expect(ports(live.real)).toHaveLength(2);
    expect(macs((await xmlOf(true)).sim)).toEqual(macs((await xmlOf(true)).real));
    // libvirt 9.0 gives a q35 domain one spare PCIe root port: the second live plug has none
    const second = await same(virshAttachDevice(dom, OTHER, { live: true, config: true }));
    expect(reason(second.real)).toBe('error: internal error: No more available PCI slots');

    await same(virshDetachDevice(dom, NIC, { live: false, config: true }));
    expect(macs((await xmlOf(true)).real)).toEqual(['52:54:00:6b:2c:00']);
    // what the agent's retry after DEVICE_NOT_RELEASED sends: --live only
    await same(virshDetachDevice(dom, NIC, { live: true, config: false }));
    // the guest's answer is the guest's: record it (a diskless guest under TCG has no OS to answer ACPI)
    let released = false;
    for (let i = 0; i < 20 && !released; i++) {
      released = !macs((await xmlOf(false)).real).includes('52:54:00:6b:2c:01');
      if (!released) await sleep(250);
    }
    process.stdout.write(
      `real libvirt ${p.real.virtType}: a live detach of a virtio NIC was ${released ? 'completed by the guest' : 'not answered by the guest within 5 s'}\n`,
    );
  });
});
