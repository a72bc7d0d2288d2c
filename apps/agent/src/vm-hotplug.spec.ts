import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainNameSchema, macAddressSchema, pciAddressSchema, vlanIdSchema } from '@netpin/contracts';
import type { SimHost } from '@netpin/hostsim';
import { parseDomain, renderDomain, renderInterfaceDevice, type InterfaceSpec } from '@netpin/libvirt-xml';
import { Harness, type JobBody } from './testing/harness';
import { desiredFor, ifn, type Desired } from './testing/vms';

/**
 * NIC hot-plug (vm.attachInterface / vm.detachInterface) against hostsim over SSH: a VF on a
 * second PF of a running SR-IOV VM (VF programmed, IRQ affinity and RPS re-planned for the
 * new NIC), a bridge NIC, a guest that keeps a device it was asked to release, and a failure
 * at every step of an attach followed by the clean-up detach the API sends, after which the
 * host is as it was.
 */
const mac = (s: string) => macAddressSchema.parse(s);
const NEW_MAC = mac('52:54:00:aa:00:02');

describe('NIC hot-plug on a VM the agent applied', () => {
  const h = new Harness();
  let sriov: SimHost;
  let bridge: SimHost;
  let base: Desired;
  beforeAll(async () => {
    await h.start(['dual-socket-sriov', 'small-one-node']);
    [sriov, bridge] = h.fleet.hosts;
    await h.agent();
    for (const pf of ['ens1f0', 'ens5f0'])
      expect((await h.run('host.configureSriov', { host: h.target(sriov), pf: ifn(pf), numVfs: 4 })).status).toBe('SUCCEEDED');
    base = desiredFor(sriov);
    const r = await h.run('vm.apply', { host: h.target(sriov), ...base });
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    sriov.model.guest = { acpi: 'honour', shutdownDelayMs: 50 };
  });
  afterAll(() => h.stop());

  /** A VF of ens5f0 (node 1, IRQs 200.., not used by the VM yet) with VLAN 200. */
  const newVf = (): Extract<InterfaceSpec, { type: 'hostdev' }> => ({
    type: 'hostdev',
    mac: NEW_MAC,
    pciAddress: pciAddressSchema.parse(sriov.model.vfPci(sriov.spec.nics[2], 0)),
    vlan: vlanIdSchema.parse(200),
  });
  const withNic = (nic: InterfaceSpec, domain = base.domainXml) => {
    const spec = parseDomain(domain);
    return renderDomain({ ...spec, name: domainNameSchema.parse(base.vmName), interfaces: [...spec.interfaces, nic] });
  };
  const attachBody = (nic = newVf(), domainXml = withNic(nic)): JobBody<'vm.attachInterface'> => ({
    host: h.target(sriov),
    ...base,
    domainXml,
    vfs: [
      ...base.vfs,
      {
        pf: ifn('ens5f0'),
        vfIndex: 0,
        mac: NEW_MAC,
        vlan: vlanIdSchema.parse(200),
        spoofchk: true,
        trust: false,
        maxTxRateMbps: 0,
        minTxRateMbps: 0,
      },
    ],
    irqAffinity: [...base.irqAffinity, { irq: 200, cpus: [6] }, { irq: 201, cpus: [7] }],
    rps: [{ dev: ifn('ens5f0'), rxQueue: 0, cpus: [6, 7] }],
    deviceXml: renderInterfaceDevice(nic),
    mac: NEW_MAC,
  });
  const detachBody = (nic = newVf(), releaseTimeoutMs = 5_000): JobBody<'vm.detachInterface'> => ({
    host: h.target(sriov),
    vmId: base.vmId,
    vmName: base.vmName,
    domainXml: base.domainXml,
    deviceXml: renderInterfaceDevice(nic),
    mac: nic.mac,
    release: { vfs: [{ pf: ifn('ens5f0'), vfIndex: 0 }], irqs: [200, 201], rps: [{ dev: ifn('ens5f0'), rxQueue: 0 }] },
    releaseTimeoutMs,
  });
  const dom = () => sriov.state().domains.find((d) => d.name === base.vmName);
  const macsIn = (xml: string | undefined) => parseDomain(xml ?? '<domain/>').interfaces.map((i) => i.mac);
  /** What an attach changes on the host and a detach must put back. */
  const hostSide = () => {
    const s = sriov.state();
    const nic = s.nics.find((n) => n.name === 'ens5f0');
    return { vf0: nic?.vfs[0], rps: nic?.rps, irqs: s.irqs.filter((i) => i.irq === 200 || i.irq === 201) };
  };

  it('plugs a VF of a second PF into the running guest: VF programmed, IRQs and RPS planned, live and in the definition', async () => {
    const before = hostSide();
    const r = await h.run('vm.attachInterface', attachBody());
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    expect(r.steps.map((s) => [s.name, s.state])).toEqual([
      ['VF attributes', 'SUCCEEDED'],
      ['IRQ affinity', 'SUCCEEDED'],
      ['RPS masks', 'SUCCEEDED'],
      ['attach interface', 'SUCCEEDED'],
      ['verify interface', 'SKIPPED'],
    ]);
    expect(r.data).toMatchObject({ mac: NEW_MAC, live: true });
    expect(macsIn(dom()?.xml)).toEqual(['52:54:00:aa:00:01', NEW_MAC]);
    expect(macsIn(dom()?.inactiveXml)).toEqual(['52:54:00:aa:00:01', NEW_MAC]);
    expect(dom()?.heldPci).toContain(sriov.model.vfPci(sriov.spec.nics[2], 0));
    expect(hostSide().vf0).toMatchObject({ mac: NEW_MAC, vlan: 200 });
    expect(hostSide().irqs.map((i) => i.affinity)).toEqual([[6], [7]]);
    expect(hostSide().rps).toEqual({ 0: [6, 7] });

    // a retry (the job delivered again) plugs nothing twice: libvirt itself would accept a second device with this MAC
    const again = await h.run('vm.attachInterface', attachBody());
    expect(again.steps.map((s) => s.state)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(macsIn(dom()?.xml)).toEqual(['52:54:00:aa:00:01', NEW_MAC]);

    const d = await h.run('vm.detachInterface', detachBody());
    expect(d.status, JSON.stringify(d.error)).toBe('SUCCEEDED');
    expect(d.steps.map((s) => [s.name, s.state])).toEqual([
      ['detach interface', 'SUCCEEDED'],
      ['wait for the guest to release it', 'SUCCEEDED'],
      ['verify definition', 'SKIPPED'],
      ['restore VFs', 'SUCCEEDED'],
      ['restore IRQ affinity', 'SUCCEEDED'],
      ['restore RPS masks', 'SUCCEEDED'],
    ]);
    expect(macsIn(dom()?.xml)).toEqual(['52:54:00:aa:00:01']);
    expect(macsIn(dom()?.inactiveXml)).toEqual(['52:54:00:aa:00:01']);
    expect(dom()?.heldPci).not.toContain(sriov.model.vfPci(sriov.spec.nics[2], 0));
    expect(hostSide()).toEqual(before);
    expect(dom()?.state).toBe('running');
  });

  it('a guest that ignores the unplug request keeps the VF: DEVICE_NOT_RELEASED, nothing given back; a retry once it lets go finishes', async () => {
    expect((await h.run('vm.attachInterface', attachBody())).status).toBe('SUCCEEDED');
    const plugged = hostSide();
    sriov.model.guest = { acpi: 'ignore', shutdownDelayMs: 0 };
    const t0 = Date.now();
    const r = await h.run('vm.detachInterface', detachBody(newVf(), 600));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    expect(r.status).toBe('FAILED');
    expect(r.error).toMatchObject({
      code: 'DEVICE_NOT_RELEASED',
      message: expect.stringContaining('did not release the interface with MAC 52:54:00:aa:00:02'),
    });
    expect(r.steps.map((s) => [s.name, s.state])).toEqual([
      ['detach interface', 'SUCCEEDED'],
      ['wait for the guest to release it', 'FAILED'],
    ]);
    // libvirt took it out of the definition at once; the guest still has it, and its VF is untouched
    expect(macsIn(dom()?.inactiveXml)).toEqual(['52:54:00:aa:00:01']);
    expect(macsIn(dom()?.xml)).toEqual(['52:54:00:aa:00:01', NEW_MAC]);
    expect(hostSide()).toEqual(plugged);

    sriov.model.guest = { acpi: 'honour', shutdownDelayMs: 50 };
    const retry = await h.run('vm.detachInterface', detachBody());
    expect(retry.status, JSON.stringify(retry.error)).toBe('SUCCEEDED');
    expect(macsIn(dom()?.xml)).toEqual(['52:54:00:aa:00:01']);
    const log = sriov
      .state()
      .commandLog.map((c) => c.command)
      .filter((c) => c.includes('detach-device'));
    // the retry asked only the running guest: the definition no longer had it
    expect(log.at(-1)).toMatch(/detach-device \S+ \/dev\/stdin --live$/);
  });

  const failures: [step: string, pattern: string | RegExp, stderr: string][] = [
    ['VF attributes', 'ip link set ens5f0 vf 0', 'RTNETLINK answers: Operation not permitted'],
    // the write itself: one tee per file, or an echo in a batch of writes (writeFilesBatch)
    ['IRQ affinity', /(tee --|>) \/proc\/irq\/200\/smp_affinity_list/, 'tee: /proc/irq/200/smp_affinity_list: Input/output error'],
    ['RPS masks', /(tee --|>) \/sys\/class\/net\/ens5f0\/queues\/rx-0\/rps_cpus/, 'tee: rps_cpus: Invalid argument'],
    ['attach interface', 'virsh attach-device', 'error: Failed to attach device\nerror: internal error: No more available PCI slots'],
  ];
  for (const [step, pattern, stderr] of failures) {
    it(`fails at "${step}" with the host's stderr, the guest keeps its interfaces, and the clean-up leaves the host as it was`, async () => {
      const before = hostSide();
      sriov.setFaults({ failCommands: [{ pattern, exitCode: 1, stderr }] });
      let r;
      try {
        r = await h.run('vm.attachInterface', attachBody());
      } finally {
        sriov.setFaults({});
      }
      expect(r.status).toBe('FAILED');
      expect(r.error).toMatchObject({ code: 'COMMAND_FAILED', stderr: expect.stringContaining(stderr.split('\n').at(-1) ?? '') });
      expect(r.steps.at(-1)).toMatchObject({ name: step, state: 'FAILED' });
      expect(dom()?.state).toBe('running');
      expect(macsIn(dom()?.xml)).toEqual(['52:54:00:aa:00:01']);
      const clean = await h.run('vm.detachInterface', detachBody());
      expect(clean.status, JSON.stringify(clean.error)).toBe('SUCCEEDED');
      expect(clean.steps[0]).toMatchObject({ name: 'detach interface', state: 'SKIPPED' });
      expect(hostSide()).toEqual(before);
      expect(macsIn(dom()?.inactiveXml)).toEqual(['52:54:00:aa:00:01']);
    });
  }

  it('fails at "verify interface" when the host does not hold what was asked, and the clean-up unplugs it again', async () => {
    const before = hostSide();
    // the definition is to carry VLAN 300; the device plugged says 200: libvirt "took" something else
    const r = await h.run('vm.attachInterface', attachBody(newVf(), withNic({ ...newVf(), vlan: vlanIdSchema.parse(300) })));
    expect(r.status).toBe('FAILED');
    expect(r.error).toMatchObject({ code: 'VERIFY_MISMATCH', message: expect.stringContaining('vlan') });
    expect(r.steps.at(-1)).toMatchObject({ name: 'verify interface', state: 'FAILED' });
    expect(macsIn(dom()?.xml)).toEqual(['52:54:00:aa:00:01', NEW_MAC]);
    const clean = await h.run('vm.detachInterface', detachBody());
    expect(clean.status, JSON.stringify(clean.error)).toBe('SUCCEEDED');
    expect(macsIn(dom()?.xml)).toEqual(['52:54:00:aa:00:01']);
    expect(hostSide()).toEqual(before);
  });

  it('on a Linux bridge: a tap on br0 for the running guest; on a shut-off domain only the definition changes', async () => {
    const vm = desiredFor(bridge);
    expect((await h.run('vm.apply', { host: h.target(bridge), ...vm })).status).toBe('SUCCEEDED');
    bridge.model.guest = { acpi: 'honour', shutdownDelayMs: 20 };
    const nic: InterfaceSpec = {
      type: 'bridge',
      mac: mac('52:54:00:bb:00:02'),
      bridge: ifn('br0'),
      model: 'virtio',
      driver: { name: 'vhost', queues: 2 },
    };
    const spec = parseDomain(vm.domainXml);
    const domainXml = renderDomain({ ...spec, interfaces: [...spec.interfaces, nic] });
    const body = { host: h.target(bridge), ...vm, domainXml, deviceXml: renderInterfaceDevice(nic), mac: nic.mac };
    const r = await h.run('vm.attachInterface', body);
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    expect(r.steps.map((s) => s.name)).toContain('bridge ports');
    const tap = bridge.state().taps.find((t) => t.mac === nic.mac);
    expect(tap).toMatchObject({ kind: 'tap', master: 'br0', multiQueue: true, domain: vm.vmName });

    const detach = {
      host: h.target(bridge),
      vmId: vm.vmId,
      vmName: vm.vmName,
      domainXml: vm.domainXml,
      deviceXml: body.deviceXml,
      mac: nic.mac,
    };
    const release = { vfs: [], irqs: [], rps: [] };
    expect((await h.run('vm.detachInterface', { ...detach, release, releaseTimeoutMs: 5_000 })).status).toBe('SUCCEEDED');
    expect(bridge.state().taps.some((t) => t.mac === nic.mac)).toBe(false);

    expect((await bridge.sh(`virsh destroy ${vm.vmName}`)).code).toBe(0);
    const off = await h.run('vm.attachInterface', { ...body, start: false });
    expect(off.status, JSON.stringify(off.error)).toBe('SUCCEEDED');
    expect(off.data).toMatchObject({ live: false });
    const log = bridge
      .state()
      .commandLog.map((c) => c.command)
      .filter((c) => c.includes('attach-device'));
    expect(log.at(-1)).toMatch(/attach-device \S+ \/dev\/stdin --config$/);
    const d = bridge.state().domains.find((x) => x.name === vm.vmName);
    expect(parseDomain(d?.inactiveXml ?? '').interfaces.map((i) => i.mac)).toEqual(['52:54:00:bb:00:01', nic.mac]);
  });
});
