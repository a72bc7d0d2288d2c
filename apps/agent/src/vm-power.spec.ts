import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimHost } from '@netpin/hostsim';
import { Harness } from './testing/harness';
import { desiredFor, ifn, type Desired } from './testing/vms';

/** vm.stop / vm.reboot (and vm.apply as the start) against hostsim over SSH. */
describe('power actions on a VM the agent applied', () => {
  const h = new Harness();
  let sriov: SimHost;
  let bridge: SimHost;
  beforeAll(async () => {
    await h.start(['dual-socket-sriov', 'small-one-node']);
    [sriov, bridge] = h.fleet.hosts;
    await h.agent();
    const vfs = await h.run('host.configureSriov', { host: h.target(sriov), pf: ifn('ens1f0'), numVfs: 4 });
    expect(vfs.status).toBe('SUCCEEDED');
  });
  afterAll(() => h.stop());

  const domain = (host: SimHost, want: Desired) => host.state().domains.find((d) => d.name === want.vmName);
  const stop = (host: SimHost, want: Desired, shutdownTimeoutMs: number, release = false) =>
    h.run('vm.stop', {
      host: h.target(host),
      vmId: want.vmId,
      vmName: want.vmName,
      shutdownTimeoutMs,
      ...(release
        ? {
            release: {
              vfs: want.vfs.map((v) => ({ pf: v.pf, vfIndex: v.vfIndex })),
              irqs: want.irqAffinity.map((i) => i.irq),
              rps: want.rps.map((r) => ({ dev: r.dev, rxQueue: r.rxQueue })),
            },
          }
        : {}),
    });
  const apply = async (host: SimHost, want: Desired) => {
    const r = await h.run('vm.apply', { host: h.target(host), ...want });
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    return r;
  };

  it('stops gracefully when the guest honours ACPI, keeping the definition and host settings; vm.apply starts it again', async () => {
    const want = desiredFor(bridge);
    await apply(bridge, want);
    bridge.model.guest = { acpi: 'honour', shutdownDelayMs: 200 };
    const before = bridge.state();
    const r = await stop(bridge, want, 10_000);
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    expect(r.data).toMatchObject({ forced: false });
    expect(r.steps.map((s) => [s.name, s.state])).toEqual([
      ['shut down domain', 'SUCCEEDED'],
      ['destroy domain', 'SKIPPED'],
    ]);
    expect(domain(bridge, want)?.state).toBe('shut off');
    expect((await bridge.sh(`virsh domstate --reason ${want.vmName}`)).stdout).toBe('shut off (shutdown)\n\n');
    const log = bridge.state().commandLog.map((c) => c.command);
    expect(log.some((c) => c.includes('virsh destroy'))).toBe(false);
    // a stop without release leaves the host's settings for this VM where they were
    const after = bridge.state();
    expect(after.irqs).toEqual(before.irqs);
    expect(after.nics.map((n) => n.rps)).toEqual(before.nics.map((n) => n.rps));

    const again = await stop(bridge, want, 10_000);
    expect(again.steps.map((s) => s.state)).toEqual(['SKIPPED', 'SKIPPED']);

    const started = await apply(bridge, want);
    expect(started.steps.filter((s) => s.state === 'SUCCEEDED').map((s) => s.name)).toEqual(['start domain']);
    expect(domain(bridge, want)?.state).toBe('running');
  });

  it('destroys the domain when the guest ignores ACPI past the timeout', async () => {
    const want = desiredFor(bridge);
    bridge.model.guest = { acpi: 'ignore', shutdownDelayMs: 0 };
    const t0 = Date.now();
    const r = await stop(bridge, want, 600);
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    expect(r.data).toMatchObject({ forced: true });
    expect(r.steps.map((s) => [s.name, s.state])).toEqual([
      ['shut down domain', 'SKIPPED'],
      ['destroy domain', 'SUCCEEDED'],
    ]);
    expect((await bridge.sh(`virsh domstate --reason ${want.vmName}`)).stdout).toBe('shut off (destroyed)\n\n');
    await apply(bridge, want);
  });

  it('fails with the host stderr when the host refuses to destroy, and the domain keeps running', async () => {
    const want = desiredFor(bridge);
    bridge.model.guest = { acpi: 'ignore', shutdownDelayMs: 0 };
    bridge.setFaults({
      failCommands: [{ pattern: 'virsh destroy', exitCode: 1, stderr: 'error: Failed to destroy domain\nerror: injected' }],
    });
    try {
      const r = await stop(bridge, want, 300);
      expect(r.status).toBe('FAILED');
      expect(r.error).toMatchObject({ code: 'COMMAND_FAILED', stderr: expect.stringContaining('injected') });
      expect(r.steps.map((s) => [s.name, s.state])).toEqual([
        ['shut down domain', 'SKIPPED'],
        ['destroy domain', 'FAILED'],
      ]);
    } finally {
      bridge.setFaults({});
    }
    expect(domain(bridge, want)?.state).toBe('running');
  });

  it('reboots a running domain in place and refuses one that is not running', async () => {
    const want = desiredFor(bridge);
    bridge.model.guest = { acpi: 'honour', shutdownDelayMs: 20 };
    const id = bridge.model.domains.get(want.vmName)?.id;
    const r = await h.run('vm.reboot', { host: h.target(bridge), vmId: want.vmId, vmName: want.vmName });
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    for (let i = 0; i < 50 && (bridge.model.domains.get(want.vmName)?.guestReboots ?? 0) === 0; i++)
      await new Promise((x) => setTimeout(x, 20));
    expect(bridge.model.domains.get(want.vmName)).toMatchObject({ id, guestReboots: 1 });

    await stop(bridge, want, 5_000);
    const refused = await h.run('vm.reboot', { host: h.target(bridge), vmId: want.vmId, vmName: want.vmName });
    expect(refused.status).toBe('FAILED');
    expect(refused.error).toMatchObject({ code: 'COMMAND_FAILED', stderr: expect.stringContaining('domain is not running') });
  });

  it('with release, undefines the domain and restores the VF and IRQs to what the host held before', async () => {
    const want = desiredFor(sriov);
    for (const [k, irq] of want.irqAffinity.entries()) sriov.model.irq(irq.irq)!.affinity = [k % 2];
    const baseline = sriov.state();
    await apply(sriov, want);
    sriov.model.guest = { acpi: 'honour', shutdownDelayMs: 50 };
    const r = await stop(sriov, want, 5_000, true);
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    expect(r.steps.map((s) => [s.name, s.state])).toEqual([
      ['shut down domain', 'SUCCEEDED'],
      ['destroy domain', 'SKIPPED'],
      ['undefine domain', 'SUCCEEDED'],
      ['restore VFs', 'SUCCEEDED'],
      ['restore IRQ affinity', 'SUCCEEDED'],
      ['restore RPS masks', 'SKIPPED'],
    ]);
    const after = sriov.state();
    expect(after.domains).toEqual(baseline.domains);
    expect(after.nics).toEqual(baseline.nics);
    expect(after.irqs).toEqual(baseline.irqs);
  });

  it("never stops or reboots a same-named domain without this VM's mark", async () => {
    const want = desiredFor(sriov);
    const theirs = want.domainXml.replace(/<metadata>[\s\S]*<\/metadata>/, '').replace(/<uuid>[^<]*<\/uuid>/, '');
    const xmlNoVf = theirs.replace(/<interface[\s\S]*<\/interface>/, '');
    expect((await sriov.sh('virsh define /dev/stdin', xmlNoVf)).code).toBe(0);
    expect((await sriov.sh(`virsh start ${want.vmName}`)).code).toBe(0);
    sriov.clearLog();
    const stopped = await stop(sriov, want, 1_000, true);
    expect(stopped.error?.code).toBe('FOREIGN_DOMAIN');
    const rebooted = await h.run('vm.reboot', { host: h.target(sriov), vmId: want.vmId, vmName: want.vmName });
    expect(rebooted.error?.code).toBe('FOREIGN_DOMAIN');
    expect(sriov.state().commandLog.some((c) => /virsh (shutdown|reboot|destroy|undefine)/.test(c.command))).toBe(false);
    expect(domain(sriov, want)?.state).toBe('running');
    await sriov.sh(`virsh destroy ${want.vmName}`);
    await sriov.sh(`virsh undefine ${want.vmName}`);
  });

  it('a stop raises the VM fence: an apply made before it stops with STALE_JOB and never starts the domain again', async () => {
    const want = desiredFor(bridge);
    await apply(bridge, want);
    bridge.model.guest = { acpi: 'honour', shutdownDelayMs: 20 };
    const stopped = await h.run('vm.stop', {
      host: h.target(bridge),
      vmId: want.vmId,
      vmName: want.vmName,
      vmGeneration: 3,
      shutdownTimeoutMs: 5_000,
    });
    expect(stopped.status, JSON.stringify(stopped.error)).toBe('SUCCEEDED');
    const stale = await h.run('vm.apply', { host: h.target(bridge), ...want, vmGeneration: 2 });
    expect(stale.error?.code).toBe('STALE_JOB');
    expect(domain(bridge, want)?.state).toBe('shut off');
    const current = await h.run('vm.apply', { host: h.target(bridge), ...want, vmGeneration: 3 });
    expect(current.status, JSON.stringify(current.error)).toBe('SUCCEEDED');
    expect(domain(bridge, want)?.state).toBe('running');
  });
});
