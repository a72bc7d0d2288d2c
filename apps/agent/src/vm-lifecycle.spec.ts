import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffDomain, parseDomain } from '@netpin/libvirt-xml';
import type { SimHost } from '@netpin/hostsim';
import { Harness } from './testing/harness';
import { desiredFor, ifn, teardownOf } from './testing/vms';

describe('vm.apply / vm.verify / vm.teardown on three datapaths over SSH', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start(['dual-socket-sriov', 'small-one-node', 'legacy-no-iommu']);
    await h.agent();
  });
  afterAll(() => h.stop());

  it('configures SR-IOV, going through 0 when the count changes', async () => {
    const host = h.fleet.hosts[0];
    const first = await h.run('host.configureSriov', { host: h.target(host), pf: ifn('ens1f0'), numVfs: 4 });
    expect(first.status, JSON.stringify(first.error)).toBe('SUCCEEDED');
    h.fleet.hosts[0].clearLog();
    const second = await h.run('host.configureSriov', { host: h.target(host), pf: ifn('ens1f0'), numVfs: 6 });
    expect(second.status, JSON.stringify(second.error)).toBe('SUCCEEDED');
    expect(second.data).toEqual({ pf: 'ens1f0', numVfs: 6, previousNumVfs: 4 });
    const writes = host.state().commandLog.filter((c) => c.command.startsWith('tee'));
    expect(writes.map((w) => w.stdinBytes)).toEqual([2, 2]); // "0\n" then "6\n"
    expect(host.state().nics.find((n) => n.name === 'ens1f0')?.numVfs).toBe(6);
    const again = await h.run('host.configureSriov', { host: h.target(host), pf: ifn('ens1f0'), numVfs: 6 });
    expect(again.steps.find((s) => s.name.startsWith('set'))?.state).toBe('SKIPPED');
  });

  it('applies one VM per datapath, verifies it, and tears it down to the baseline', async () => {
    await Promise.all(
      h.fleet.hosts.map(async (host) => {
        const want = desiredFor(host);
        // what the host held before: not "every CPU", so a teardown that resets instead of restoring fails
        for (const [k, irq] of want.irqAffinity.entries()) host.model.irq(irq.irq)!.affinity = [k % 2];
        const baseline = host.state();
        const applied = await h.run('vm.apply', { host: h.target(host), ...want });
        expect(applied.status, `${host.hostname}: ${JSON.stringify(applied.error)}`).toBe('SUCCEEDED');

        const s = host.state();
        for (const vf of want.vfs) {
          const got = s.nics.find((n) => n.name === vf.pf)?.vfs[vf.vfIndex];
          expect(got).toMatchObject({
            mac: vf.mac,
            vlan: vf.vlan,
            spoofchk: vf.spoofchk,
            trust: vf.trust,
            maxTxRate: vf.maxTxRateMbps,
            minTxRate: vf.minTxRateMbps,
          });
        }
        for (const irq of want.irqAffinity) expect(s.irqs.find((i) => i.irq === irq.irq)?.affinity).toEqual(irq.cpus);
        for (const r of want.rps) expect(s.nics.find((n) => n.name === r.dev)?.rps[r.rxQueue]).toEqual(r.cpus);
        const dom = s.domains.find((d) => d.name === want.vmName);
        expect(dom?.state).toBe('running');
        expect(diffDomain(parseDomain(want.domainXml), parseDomain(dom?.inactiveXml ?? ''))).toEqual([]);

        // Applying again changes nothing: every step finds the host already right.
        const again = await h.run('vm.apply', { host: h.target(host), ...want });
        expect(again.status).toBe('SUCCEEDED');
        expect(again.steps.map((st) => st.state)).toEqual(again.steps.map(() => 'SKIPPED'));

        const verified = await h.run('vm.verify', { host: h.target(host), ...want });
        expect(verified.data).toEqual({ vmName: want.vmName, inSync: true, diff: [] });

        const down = await h.run('vm.teardown', { host: h.target(host), ...teardownOf(want) });
        expect(down.status, JSON.stringify(down.error)).toBe('SUCCEEDED');
        const after = host.state();
        expect(after.domains).toEqual(baseline.domains);
        expect(after.nics).toEqual(baseline.nics);
        expect(after.irqs).toEqual(baseline.irqs);
      }),
    );
  });

  it("tags a VF 802.1ad with `proto 802.1ad`, which ixgbe refuses: the apply fails with the kernel's answer, teardown restores", async () => {
    const host = h.fleet.hosts.find((x) => x.spec.nics[0].name === 'eno1') as SimHost;
    const base = desiredFor(host);
    const want = { ...base, vfs: base.vfs.map((v) => ({ ...v, vlanProtocol: 'DOT1AD' as const })) };
    const baseline = host.state();
    const applied = await h.run('vm.apply', { host: h.target(host), ...want });
    expect(applied.status).toBe('FAILED');
    expect(JSON.stringify(applied.error)).toContain('Protocol not supported');
    expect(
      host
        .state()
        .commandLog.map((c) => c.command)
        .filter((c) => c.includes(' vf ')),
    ).toContainEqual(expect.stringMatching(/ vlan 100 proto 802\.1ad /));
    const down = await h.run('vm.teardown', { host: h.target(host), ...teardownOf(want) });
    expect(down.status, JSON.stringify(down.error)).toBe('SUCCEEDED');
    expect(host.state().nics).toEqual(baseline.nics);
  });

  it('defines and starts a new domain with one definition read and state-only read-backs', async () => {
    const host = h.fleet.hosts[1];
    const want = { ...desiredFor(host), vmName: 'vm-fresh-count' } as ReturnType<typeof desiredFor>;
    want.domainXml = want.domainXml.replaceAll(desiredFor(host).vmName, want.vmName);
    host.clearLog();
    const applied = await h.run('vm.apply', { host: h.target(host), ...want });
    expect(applied.status, JSON.stringify(applied.error)).toBe('SUCCEEDED');
    const virsh = host
      .state()
      .commandLog.map((c) => c.command)
      .filter((c) => c.startsWith('virsh'));
    // define: not listed (so no dumpxml), define, listed (shut off); start: the define's read-back said shut off, so
    // start, running; then the bridge taps' live XML (before: 1 + 1 + 3 for the define, 3 + 1 + 3 for the start: 12)
    expect(virsh.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual([
      'virsh list --all',
      expect.stringMatching(/^virsh define/),
      'virsh list --all',
      `virsh start ${want.vmName}`,
      'virsh list --all',
      `virsh dumpxml ${want.vmName}`,
    ]);
    // IRQ and RPS: each one read of the files with their baseline records (RPS: and the CPUs online), one
    // write of the records with their folder and the new values, one read-back (before: 6 and 7 commands)
    expect(
      host
        .state()
        .commandLog.map((c) => c.command)
        .filter((c) => !c.startsWith('virsh'))
        .map((c) => c.split(' ')[0]),
    ).toEqual(['grep', 'bash', 'grep', 'grep', 'bash', 'grep', 'ip']);
    expect(host.state().commandLog).toHaveLength(13);
    // vm.verify reads the IRQ and RPS files in one grep, then the definition and the taps
    host.clearLog();
    const verified = await h.run('vm.verify', { host: h.target(host), ...want });
    expect(verified.data).toEqual({ vmName: want.vmName, inSync: true, diff: [] });
    expect(host.state().commandLog.map((c) => c.command.split(' ').slice(0, 2).join(' '))).toEqual([
      'grep -H',
      'virsh list',
      'virsh dumpxml',
      'virsh dumpxml',
      'ip -d',
    ]);
    await h.run('vm.teardown', { host: h.target(host), ...teardownOf(want) });
  });

  it('never touches a same-named domain netpin did not define', async () => {
    const host = h.fleet.hosts[2];
    const want = desiredFor(host);
    const theirs = want.domainXml.replace(/<metadata>[\s\S]*<\/metadata>/, '').replace(/<uuid>[^<]*<\/uuid>/, '');
    const mine = h.fleet.hosts[2];
    const define = await mine.sh('virsh define /dev/stdin', theirs);
    expect(define.code, define.stderr).toBe(0);
    expect((await mine.sh(`virsh start ${want.vmName}`)).code).toBe(0);

    const applied = await h.run('vm.apply', { host: h.target(host), ...want });
    expect(applied.status).toBe('FAILED');
    expect(applied.error?.code).toBe('FOREIGN_DOMAIN');
    const verified = await h.run('vm.verify', { host: h.target(host), ...want });
    expect(verified.data).toMatchObject({
      inSync: false,
      diff: [{ field: 'domain.owner', expected: want.vmId, actual: 'a domain netpin did not define' }],
    });
    const down = await h.run('vm.teardown', { host: h.target(host), vmId: want.vmId, vmName: want.vmName, vfs: [], irqs: [], rps: [] });
    expect(down.status, JSON.stringify(down.error)).toBe('SUCCEEDED');
    expect(host.state().domains.find((d) => d.name === want.vmName)?.state).toBe('running');
    await mine.sh(`virsh destroy ${want.vmName}`);
    await mine.sh(`virsh undefine ${want.vmName}`);
  });

  it('reports drift made behind its back as a structured diff', async () => {
    const host = h.fleet.hosts[1];
    const want = desiredFor(host);
    const applied = await h.run('vm.apply', { host: h.target(host), ...want });
    expect(applied.status, JSON.stringify(applied.error)).toBe('SUCCEEDED');
    // An operator (or irqbalance) moves the IRQ.
    host.model.irq(30)!.affinity = [0, 1, 2, 3];
    const r = await h.run('vm.verify', { host: h.target(host), ...want });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.data).toEqual({ vmName: want.vmName, inSync: false, diff: [{ field: 'irq.30.affinity', expected: '1', actual: '0-3' }] });
  });

  it('finds a tap moved off its bridge, which the domain XML does not show, and puts it back', async () => {
    const host = h.fleet.hosts[1];
    const want = desiredFor(host);
    expect((await h.run('vm.apply', { host: h.target(host), ...want })).status).toBe('SUCCEEDED');
    const tap = host.state().taps.find((t) => t.domain === want.vmName && t.master === 'br0');
    if (tap === undefined) throw new Error('the guest has no tap on br0');
    expect((await host.sh(`ip link set dev ${tap.name} nomaster`)).code).toBe(0);
    const r = await h.run('vm.verify', { host: h.target(host), ...want });
    expect(r.data).toEqual({
      vmName: want.vmName,
      inSync: false,
      diff: expect.arrayContaining([{ field: `tap.${tap.name}.master`, expected: 'br0', actual: 'none' }]),
    });
    const repaired = await h.run('vm.apply', { host: h.target(host), ...want });
    expect(repaired.steps.find((st) => st.name === 'bridge ports')?.state).toBe('SUCCEEDED');
    expect(host.state().taps.find((t) => t.name === tap.name)?.master).toBe('br0');
    expect((await h.run('vm.verify', { host: h.target(host), ...want })).data).toMatchObject({ inSync: true });
  });
});

/**
 * A create can fail at any of its steps; whatever has been changed by then, the teardown
 * that follows puts the host back exactly as it was: same domains, VFs, IRQ affinities, RPS
 * masks and taps, and no baseline record left behind.
 */
describe('a create that fails at any step leaves the host at its baseline after teardown', () => {
  const h = new Harness();
  const PROFILES = ['dual-socket-sriov', 'small-one-node'];
  beforeAll(async () => {
    await h.start(PROFILES);
    await h.agent();
    const sriov = await h.run('host.configureSriov', { host: h.target(h.fleet.hosts[0]), pf: ifn('ens1f0'), numVfs: 4 });
    expect(sriov.status, JSON.stringify(sriov.error)).toBe('SUCCEEDED');
  });
  afterAll(() => h.stop());

  const STEPS: [step: string, failing: RegExp, profiles: string[]][] = [
    ['VF attributes', /ip link set \S+ vf /, ['dual-socket-sriov']],
    // the write itself, one tee per file or an echo in a batch of writes (writeFilesBatch)
    ['IRQ affinity', /(tee --|>) \/proc\/irq\//, ['dual-socket-sriov', 'small-one-node']],
    ['RPS masks', /(tee --|>) \/sys\/class\/net\/[^/]+\/queues\//, ['small-one-node']],
    ['define domain', /virsh define/, ['dual-socket-sriov', 'small-one-node']],
    ['start domain', /virsh start/, ['dual-socket-sriov', 'small-one-node']],
  ];

  function hostAsItIs(host: SimHost): unknown {
    const { commandLog: _log, ...state } = host.state();
    return { ...state, files: [...host.model.files.entries()].sort() };
  }

  it('a write that keeps failing inside a batch is named by its own tee message (the batch is re-run one write at a time)', async () => {
    const host = h.fleet.hosts[0];
    const want = desiredFor(host);
    const before = hostAsItIs(host);
    expect(want.irqAffinity.length).toBeGreaterThan(1); // a batch, and the failing write not its first
    const irq = want.irqAffinity.at(-1)!.irq;
    host.setFaults({
      failCommands: [{ pattern: new RegExp(`(tee --|>) /proc/irq/${irq}/`), exitCode: 1, stderr: 'tee: write error: Invalid argument' }],
    });
    const applied = await h.run('vm.apply', { host: h.target(host), ...want }, { attempts: 1 });
    host.setFaults({});
    expect(applied.status).toBe('FAILED');
    expect(applied.steps.find((s) => s.state === 'FAILED')?.name).toBe('IRQ affinity');
    expect(applied.error).toMatchObject({ code: 'COMMAND_FAILED', message: 'tee exited 1: tee: write error: Invalid argument' });
    expect(applied.error?.command).toBe(`tee -- /proc/irq/${irq}/smp_affinity_list`);
    const down = await h.run('vm.teardown', { host: h.target(host), ...teardownOf(want) });
    expect(down.status, JSON.stringify(down.error)).toBe('SUCCEEDED');
    expect(hostAsItIs(host)).toEqual(before);
  });

  for (const [step, failing, profiles] of STEPS) {
    for (const profile of profiles) {
      it(`fails at "${step}" on ${profile}`, async () => {
        const host = h.fleet.hosts[PROFILES.indexOf(profile)];
        const want = desiredFor(host);
        const before = hostAsItIs(host);
        host.setFaults({ failCommands: [{ pattern: failing, exitCode: 1, stderr: 'injected failure', times: 1 }] });
        const applied = await h.run('vm.apply', { host: h.target(host), ...want }, { attempts: 1 });
        host.setFaults({});
        expect(applied.status).toBe('FAILED');
        expect(applied.steps.find((s) => s.state === 'FAILED')?.name).toBe(step);

        const down = await h.run('vm.teardown', { host: h.target(host), ...teardownOf(want) });
        expect(down.status, JSON.stringify(down.error)).toBe('SUCCEEDED');
        expect(hostAsItIs(host)).toEqual(before);
      });
    }
  }
});
