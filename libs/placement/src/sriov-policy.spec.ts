import type { SriovPolicySpec } from '@netpin/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  comparePolicies,
  globMatch,
  resolveSriovPolicies,
  vfMatchesDefaults,
  type SriovHostView,
  type SriovPfView,
  type SriovVfView,
} from './sriov-policy';

function policy(name: string, over: Partial<SriovPolicySpec> = {}): SriovPolicySpec {
  return {
    name,
    priority: 0,
    hostNamePattern: null,
    hostLabels: {},
    pfNamePattern: null,
    driver: null,
    vendorId: null,
    deviceId: null,
    numVfs: 8,
    spoofchk: true,
    trust: false,
    linkState: 'auto',
    maxTxRateMbps: 0,
    ...over,
  };
}

function vf(index: number, over: Partial<SriovVfView> = {}): SriovVfView {
  return { index, spoofchk: true, trust: false, linkState: 'auto', maxTxRateMbps: 0, heldBy: null, ...over };
}

function pf(name: string, numVfs: number, over: Partial<SriovPfView> = {}): SriovPfView {
  return {
    id: `id-${name}`,
    name,
    driver: 'ixgbe',
    vendorId: '8086',
    deviceId: '10fb',
    totalVfs: 63,
    numVfs,
    speedMbps: 10000,
    vfs: Array.from({ length: numVfs }, (_, i) => vf(i)),
    ...over,
  };
}

function host(name: string, pfs: SriovPfView[], labels: Record<string, string> = {}): SriovHostView {
  return { id: `id-${name}`, name, labels, pfs };
}

describe('globMatch', () => {
  it.each([
    ['hv-*', 'hv-01', true],
    ['hv-*', 'hv-', true],
    ['hv-*', 'xhv-01', false],
    ['ens?f0', 'ens1f0', true],
    ['ens?f0', 'ens10f0', false],
    ['*f0', 'ens1f0', true],
    ['*f0', 'ens1f1', false],
    ['e*s*f*', 'ens5f0', true],
    ['*', '', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYbZ', false],
    ['ens1f0', 'ens1f0', true],
    ['ens1f0', 'ens1f00', false],
  ])('%s ~ %s = %s', (p, s, want) => {
    expect(globMatch(p, s)).toBe(want);
  });

  it('agrees with the equivalent regular expression', () => {
    const ch = fc.constantFrom('a', 'b', '-', '1');
    fc.assert(
      fc.property(fc.array(fc.oneof(ch, fc.constantFrom('*', '?')), { maxLength: 8 }), fc.array(ch, { maxLength: 10 }), (p, s) => {
        const re = new RegExp(`^${p.map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c)).join('')}$`);
        expect(globMatch(p.join(''), s.join(''))).toBe(re.test(s.join('')));
      }),
      { numRuns: 500 },
    );
  });
});

describe('selectors', () => {
  const fleet = [
    host(
      'hv-01',
      [
        pf('eno1', 0, { totalVfs: 0, driver: 'tg3' }),
        pf('ens1f0', 8),
        pf('ens5f0', 8, { driver: 'mlx5_core', vendorId: '15b3', deviceId: '1017', totalVfs: 64 }),
      ],
      { rack: 'a', tier: 'gold' },
    ),
    host('hv-02', [pf('ens1f0', 8)], { rack: 'b' }),
    host('db-01', [pf('ens1f0', 8)], { rack: 'a' }),
  ];
  const matched = (p: SriovPolicySpec) => resolveSriovPolicies(fleet, [p]).map((d) => `${d.hostName}/${d.pfName}`);

  it('never matches a PF that is not SR-IOV capable, however broad the pattern', () => {
    expect(matched(policy('all'))).toEqual(['db-01/ens1f0', 'hv-01/ens1f0', 'hv-01/ens5f0', 'hv-02/ens1f0']);
  });
  it('selects hosts by name pattern and by every label given', () => {
    expect(matched(policy('p', { hostNamePattern: 'hv-*' }))).toEqual(['hv-01/ens1f0', 'hv-01/ens5f0', 'hv-02/ens1f0']);
    expect(matched(policy('p', { hostLabels: { rack: 'a' } }))).toEqual(['db-01/ens1f0', 'hv-01/ens1f0', 'hv-01/ens5f0']);
    expect(matched(policy('p', { hostLabels: { rack: 'a', tier: 'gold' } }))).toEqual(['hv-01/ens1f0', 'hv-01/ens5f0']);
    expect(matched(policy('p', { hostLabels: { rack: 'c' } }))).toEqual([]);
  });
  it('selects PFs by name pattern, driver and PCI ids', () => {
    expect(matched(policy('p', { pfNamePattern: 'ens5*' }))).toEqual(['hv-01/ens5f0']);
    expect(matched(policy('p', { driver: 'ixgbe', hostNamePattern: 'hv-01' }))).toEqual(['hv-01/ens1f0']);
    expect(matched(policy('p', { vendorId: '15b3' }))).toEqual(['hv-01/ens5f0']);
    expect(matched(policy('p', { vendorId: '8086', deviceId: '1572' }))).toEqual([]);
  });
});

describe('the winning policy', () => {
  const fleet = [host('hv-01', [pf('ens1f0', 0)])];
  it('is the highest priority, then the smallest name', () => {
    const [d] = resolveSriovPolicies(fleet, [
      policy('b', { priority: 5, numVfs: 4 }),
      policy('a', { priority: 5, numVfs: 2 }),
      policy('z', { priority: 9, numVfs: 6 }),
    ]);
    expect(d).toMatchObject({ policy: 'z', outranked: ['a', 'b'], desired: { numVfs: 6 } });
    const [tie] = resolveSriovPolicies(fleet, [policy('b', { numVfs: 4 }), policy('a', { numVfs: 2 })]);
    expect(tie).toMatchObject({ policy: 'a', outranked: ['b'], desired: { numVfs: 2 } });
  });
  it('a policy that matches nothing on the host does not outrank anything', () => {
    const [d] = resolveSriovPolicies(fleet, [policy('high', { priority: 100, pfNamePattern: 'ens9*' }), policy('low', { numVfs: 3 })]);
    expect(d).toMatchObject({ policy: 'low', outranked: [] });
  });
});

describe('actions', () => {
  const decide = (p: SriovPfView, pol = policy('p')) => resolveSriovPolicies([host('hv-01', [p])], [pol])[0];

  it('CONVERGED when the count and every free VF are as the policy says', () => {
    expect(decide(pf('ens1f0', 8))).toMatchObject({ action: 'CONVERGED', reason: null, vfsToConfigure: [], changeNumVfs: false });
  });
  it('CONFIGURE a count change when every VF is free, all new VFs get the attributes', () => {
    expect(decide(pf('ens1f0', 2), policy('p', { numVfs: 4 }))).toMatchObject({
      action: 'CONFIGURE',
      changeNumVfs: true,
      vfsToConfigure: [0, 1, 2, 3],
    });
    expect(decide(pf('ens1f0', 8), policy('p', { numVfs: 0 }))).toMatchObject({
      action: 'CONFIGURE',
      changeNumVfs: true,
      vfsToConfigure: [],
    });
  });
  it("CONFIGURE only the free VFs whose attributes differ; held VFs are the VM's business", () => {
    const p = pf('ens1f0', 4, {
      vfs: [vf(0, { spoofchk: false, heldBy: 'vm-a' }), vf(1, { trust: true }), vf(2), vf(3, { linkState: 'disable' })],
    });
    expect(decide(p, policy('p', { numVfs: 4 }))).toMatchObject({
      action: 'CONFIGURE',
      changeNumVfs: false,
      vfsToConfigure: [1, 3],
      heldVfs: [0],
    });
    expect(decide(p, policy('p', { numVfs: 4, trust: true, maxTxRateMbps: 1000 }))).toMatchObject({ vfsToConfigure: [1, 2, 3] });
  });
  it('BLOCKED when the count must change and VFs are held, naming the VMs once each', () => {
    const p = pf('ens1f0', 8, { vfs: [vf(0, { heldBy: 'web-2' }), vf(1), vf(2, { heldBy: 'web-1' }), vf(3, { heldBy: 'web-2' })] });
    const d = decide(p, policy('p', { numVfs: 16 }));
    expect(d).toMatchObject({ action: 'BLOCKED', blockedBy: ['web-1', 'web-2'], changeNumVfs: false, vfsToConfigure: [] });
    expect(d.reason).toMatch(/from 8 to 16 VFs would destroy 3 VF\(s\) held by web-1, web-2/);
  });
  it('restores the count after a reboot reset it, keeping held VFs out of the attribute pass', () => {
    const p = pf('ens1f0', 0, { vfs: [vf(5, { heldBy: 'vm-a' })] });
    expect(decide(p, policy('p', { numVfs: 8 }))).toMatchObject({
      action: 'CONFIGURE',
      changeNumVfs: true,
      vfsToConfigure: [0, 1, 2, 3, 4, 6, 7],
    });
    // ... unless the new count would drop the held VF
    expect(decide(p, policy('p', { numVfs: 4 }))).toMatchObject({ action: 'BLOCKED', blockedBy: ['vm-a'] });
  });
  it('FAILED when the PF cannot hold the count', () => {
    const d = decide(pf('ens1f0', 8, { totalVfs: 8 }), policy('big', { numVfs: 9 }));
    expect(d).toMatchObject({ action: 'FAILED', vfsToConfigure: [] });
    expect(d.reason).toBe('ens1f0 supports at most 8 VFs (sriov_totalvfs); policy big asks for 9');
  });
  it('FAILED when the PF driver refuses an attribute the policy sets (VF_DRIVER_CAPABILITIES)', () => {
    const d = decide(pf('enp1s0', 8, { driver: 'igb' }), policy('up', { linkState: 'enable' }));
    expect(d).toMatchObject({ action: 'FAILED', vfsToConfigure: [] });
    expect(d.reason).toBe('the igb driver refuses VF state (EOPNOTSUPP) asked by policy up');
    expect(decide(pf('enp1s0', 8, { driver: 'igb' }), policy('auto', { linkState: 'auto' })).action).not.toBe('FAILED');
    expect(decide(pf('enp1s0', 8, { driver: 'i40e' }), policy('up', { linkState: 'enable' })).action).not.toBe('FAILED');
  });
  it('FAILED when the VF rate is above the link speed (every driver refuses it)', () => {
    const d = decide(pf('enp1s0', 8, { speedMbps: 1000 }), policy('fast', { maxTxRateMbps: 2000 }));
    expect(d).toMatchObject({
      action: 'FAILED',
      reason: 'max_tx_rate 2000 Mbit/s of policy fast exceeds the link speed of enp1s0 (1000 Mbit/s)',
    });
    expect(decide(pf('enp1s0', 8, { speedMbps: null }), policy('fast', { maxTxRateMbps: 2000 })).action).toBe('CONFIGURE');
  });
});

// ---------------------------------------------------------------------------------------
// Properties

const RUNS = { numRuns: Number(process.env['PLACEMENT_PROPERTY_RUNS'] ?? 300) };

const vfArb = (index: number) =>
  fc.record({
    index: fc.constant(index),
    spoofchk: fc.boolean(),
    trust: fc.boolean(),
    linkState: fc.constantFrom('auto', 'enable', 'disable'),
    maxTxRateMbps: fc.constantFrom(0, 0, 1000),
    heldBy: fc.option(fc.constantFrom('vm-a', 'vm-b', 'vm-c'), { freq: 3 }),
  });

const pfArb = (name: string) =>
  fc
    .record({
      totalVfs: fc.constantFrom(0, 4, 8),
      numVfs: fc.integer({ min: 0, max: 8 }),
      // sometimes sysfs says 0 while VF rows (held ones) remain: numvfs reset by a reboot
      reset: fc.boolean(),
      driver: fc.constantFrom('ixgbe', 'mlx5_core'),
      vendorId: fc.constantFrom('8086', '15b3'),
    })
    .chain(({ reset, ...p }) => {
      const rows = Math.min(p.numVfs, p.totalVfs);
      return fc
        .tuple(...Array.from({ length: rows }, (_, i) => vfArb(i)))
        .map((vfs): SriovPfView => ({ id: `id-${name}`, name, deviceId: '10fb', speedMbps: null, ...p, numVfs: reset ? 0 : rows, vfs }));
    });

const fleetArb = fc
  .array(
    fc
      .tuple(fc.constantFrom('hv-01', 'hv-02', 'db-01'), fc.constantFrom('a', 'b'), pfArb('ens1f0'), pfArb('ens5f0'))
      .map(([name, rack, a, b]): SriovHostView => ({ id: `id-${name}`, name, labels: { rack }, pfs: [a, b] })),
    { maxLength: 3 },
  )
  .map((hs) => hs.filter((h, i) => hs.findIndex((o) => o.name === h.name) === i));

const policyArb = fc.record({
  name: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
  priority: fc.integer({ min: -2, max: 2 }),
  hostNamePattern: fc.constantFrom(null, 'hv-*', 'db-?1', '*'),
  hostLabels: fc.constantFrom<Record<string, string>>({}, { rack: 'a' }, { rack: 'b' }),
  pfNamePattern: fc.constantFrom(null, 'ens1*', 'ens?f0'),
  driver: fc.constantFrom(null, null, 'ixgbe'),
  vendorId: fc.constantFrom(null, null, '15b3'),
  deviceId: fc.constant(null),
  numVfs: fc.integer({ min: 0, max: 10 }),
  spoofchk: fc.boolean(),
  trust: fc.boolean(),
  linkState: fc.constantFrom('auto' as const, 'enable' as const, 'disable' as const),
  maxTxRateMbps: fc.constantFrom(0, 1000),
});
const policiesArb = fc.uniqueArray(policyArb, { selector: (p) => p.name, maxLength: 4 });

describe('properties', () => {
  it('never CONFIGUREs a count change that would destroy an allocated VF', () => {
    fc.assert(
      fc.property(fleetArb, policiesArb, (hosts, policies) => {
        for (const d of resolveSriovPolicies(hosts, policies)) {
          const p = hosts.find((h) => h.id === d.hostId)!.pfs.find((x) => x.id === d.pfId)!;
          const held = p.vfs.filter((v) => v.heldBy !== null);
          if (d.action === 'CONFIGURE' && d.changeNumVfs) {
            expect(p.numVfs === 0 || held.length === 0).toBe(true);
            expect(held.every((v) => v.index < d.desired.numVfs)).toBe(true);
          }
          // a held VF is never reconfigured
          expect(d.vfsToConfigure.filter((i) => held.some((v) => v.index === i))).toEqual([]);
          if (d.action === 'BLOCKED') expect(d.blockedBy).toEqual([...new Set(held.map((v) => v.heldBy))].sort());
        }
      }),
      RUNS,
    );
  });

  it('picks the same winner whatever order the policies come in', () => {
    fc.assert(
      fc.property(
        fleetArb,
        policiesArb.chain((ps) => fc.tuple(fc.constant(ps), fc.shuffledSubarray(ps, { minLength: ps.length, maxLength: ps.length }))),
        (hosts, [ps, shuffled]) => {
          expect(resolveSriovPolicies(hosts, shuffled)).toEqual(resolveSriovPolicies(hosts, ps));
        },
      ),
      RUNS,
    );
  });

  it('the winner outranks every other matching policy', () => {
    fc.assert(
      fc.property(fleetArb, policiesArb, (hosts, policies) => {
        for (const d of resolveSriovPolicies(hosts, policies)) {
          const win = policies.find((p) => p.name === d.policy)!;
          for (const o of d.outranked)
            expect(
              comparePolicies(
                win,
                policies.find((p) => p.name === o)!,
              ),
            ).toBeLessThan(0);
        }
      }),
      RUNS,
    );
  });

  it('CONVERGED means nothing differs and FAILED means the PF is too small', () => {
    fc.assert(
      fc.property(fleetArb, policiesArb, (hosts, policies) => {
        for (const d of resolveSriovPolicies(hosts, policies)) {
          const p = hosts.find((h) => h.id === d.hostId)!.pfs.find((x) => x.id === d.pfId)!;
          expect(d.action === 'FAILED').toBe(d.desired.numVfs > p.totalVfs);
          if (d.action === 'CONVERGED') {
            expect(p.numVfs).toBe(d.desired.numVfs);
            // rows past the count are VFs a reset removed: nothing to configure on them
            expect(p.vfs.filter((v) => v.heldBy === null && v.index < p.numVfs).every((v) => vfMatchesDefaults(v, d.desired))).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });
});
