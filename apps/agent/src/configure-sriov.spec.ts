import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ifNameSchema } from '@netpin/contracts';
import { Harness } from './testing/harness';

const ens1f0 = ifNameSchema.parse('ens1f0');

/** host.configureSriov as an SR-IOV policy sends it: a count plus attributes for free VFs. */
describe('host.configureSriov with VF defaults over SSH', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start(['dual-socket-sriov']);
    await h.agent();
  });
  afterAll(() => h.stop());

  const vfsOf = () => h.fleet.hosts[0].state().nics.find((n) => n.name === 'ens1f0')!.vfs;

  it('sets the count, then gives every free VF the attributes with ip link set', async () => {
    const host = h.fleet.hosts[0];
    const r = await h.run('host.configureSriov', {
      host: h.target(host),
      pf: ens1f0,
      numVfs: 4,
      vfDefaults: { spoofchk: false, trust: true, linkState: 'enable', maxTxRateMbps: 500 },
      refuseIfVfsInUse: true,
    });
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    expect(r.data).toEqual({ pf: 'ens1f0', numVfs: 4, previousNumVfs: 0, configuredVfs: [0, 1, 2, 3], skippedInUse: [] });
    expect(vfsOf().map((v) => [v.spoofchk, v.trust, v.linkState, v.maxTxRate])).toEqual(
      Array.from({ length: 4 }, () => [false, true, 'enable', 500]),
    );
    const sets = host.state().commandLog.filter((c) => c.command.startsWith('ip link set'));
    expect(sets.map((c) => c.command)).toContain('ip link set ens1f0 vf 3 spoofchk off trust on max_tx_rate 500 state enable');
  });

  it('leaves VFs the API keeps and VFs carrying a MAC alone', async () => {
    const host = h.fleet.hosts[0];
    // a VM's MAC on VF 1 (what vm.apply leaves), VF 2 held according to the API
    host.model.nics.find((n) => n.spec.name === 'ens1f0')!.vfs[1].mac = '52:54:00:aa:00:01';
    const r = await h.run('host.configureSriov', {
      host: h.target(host),
      pf: ens1f0,
      numVfs: 4,
      vfDefaults: { spoofchk: true, trust: false, linkState: 'auto', maxTxRateMbps: 0 },
      keepVfs: [2],
    });
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    expect(r.data).toMatchObject({ configuredVfs: [0, 3], skippedInUse: [1] });
    expect(vfsOf().map((v) => v.trust)).toEqual([false, true, true, false]);
    expect(r.steps.find((s) => s.name.startsWith('set sriov_numvfs'))?.state).toBe('SKIPPED');
  });

  it('refuses to change the count while a VF carries a MAC, touching nothing', async () => {
    const host = h.fleet.hosts[0];
    const r = await h.run('host.configureSriov', {
      host: h.target(host),
      pf: ens1f0,
      numVfs: 6,
      vfDefaults: { spoofchk: true, trust: false, linkState: 'auto', maxTxRateMbps: 0 },
      refuseIfVfsInUse: true,
    });
    expect(r.status).toBe('FAILED');
    expect(r.error).toMatchObject({ code: 'COMMAND_FAILED' });
    expect(r.error?.message).toMatch(/VF\(s\) 1 carry a MAC address/);
    expect(host.state().nics.find((n) => n.name === 'ens1f0')!.numVfs).toBe(4);
  });
});

/** igb has no ndo_set_vf_link_state: even "state auto" is refused (VF_DRIVER_CAPABILITIES), so the agent must not send it. */
describe('host.configureSriov on an igb PF', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start(['small-one-node']);
    await h.agent();
  });
  afterAll(() => h.stop());

  it('sets trust without touching the link state', async () => {
    const host = h.fleet.hosts[0];
    const r = await h.run('host.configureSriov', {
      host: h.target(host),
      pf: ifNameSchema.parse('enp1s0'),
      numVfs: 2,
      vfDefaults: { spoofchk: true, trust: true, linkState: 'auto', maxTxRateMbps: 0 },
    });
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    expect(r.data).toMatchObject({ configuredVfs: [0, 1] });
    const sets = host.state().commandLog.filter((c) => c.command.startsWith('ip link set'));
    expect(sets.map((c) => c.command)).toContain('ip link set enp1s0 vf 1 spoofchk on trust on max_tx_rate 0');
  });
});
