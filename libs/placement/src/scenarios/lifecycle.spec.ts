import type { FleetSnapshot } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { PlacementConflictError } from '../allocation';
import { applyPlan, capacity, explain, place, releaseVm } from '../api';
import { PlacementIndex } from '../engine';
import { fleet, vm } from '../testing/fleet-builder';
import { planOf } from '../testing/results';

function twoHosts(): FleetSnapshot {
  return fleet()
    .hosts(2, 'h', { nics: [{ name: 'ens1f0', node: 1, vfs: 2 }] })
    .network('phys', 'SRIOV_PHYSNET', { on: { 'h-0': ['ens1f0'], 'h-1': ['ens1f0'] } })
    .build();
}
const sriov = (name: string) => vm({ name, vcpus: 2, interfaces: [{ network: 'phys', datapath: 'SRIOV' }] });

describe('applyPlan', () => {
  const s0 = twoHosts();
  const plan = planOf(place(s0, sriov('a')));
  const s1 = applyPlan(s0, plan);

  it('records CPU owners, the VF and the allocation without touching the input', () => {
    const h = s1.hosts.find((x) => x.id === plan.hostId);
    const owned = h?.cpus.filter((c) => c.owner?.vmId === 'a').map((c) => c.id);
    expect(owned?.sort((x, y) => x - y)).toEqual(plan.allocation.cpus.map((c) => c.cpu));
    expect(h?.nics[0].vfs[0]).toMatchObject({ state: 'ALLOCATED', ownerVmId: 'a' });
    expect(s1.allocations).toHaveLength(1);
    expect(s0.allocations).toHaveLength(0);
    expect(s0.hosts[0].cpus.every((c) => c.owner === null)).toBe(true);
  });
  it('is a no-op when the same plan is applied again', () => {
    expect(applyPlan(s1, plan)).toBe(s1);
  });
  it('refuses a different plan for the same VM', () => {
    const other = planOf(place(s1, sriov('a')));
    expect(() => applyPlan(s1, other)).toThrow(PlacementConflictError);
  });
  it('refuses a stale plan whose CPUs are taken', () => {
    const stale = { ...plan, vmId: 'b', allocation: { ...plan.allocation, vmId: 'b' } };
    expect(() => applyPlan(s1, stale)).toThrow(/CPU/);
  });
  it('makes the next VM use other CPUs and the next VF', () => {
    const next = planOf(place(s1, sriov('b')));
    expect(next.hostId).toBe(plan.hostId);
    expect(next.interfaces[0].vf?.index).toBe(1);
    const a = new Set(plan.allocation.cpus.map((c) => c.cpu));
    expect(next.allocation.cpus.filter((c) => c.role !== 'IRQ').some((c) => a.has(c.cpu))).toBe(false);
    expect(next.ioCpus[0].newlyAllocated).toBe(false);
  });
});

describe('releaseVm', () => {
  it('gives everything back, and hands shared I/O CPUs to the next user first', () => {
    let s = twoHosts();
    const pa = planOf(place(s, sriov('a')));
    s = applyPlan(s, pa);
    const pb = planOf(place(s, sriov('b')));
    s = applyPlan(s, pb);
    s = releaseVm(s, 'a');
    const h = s.hosts.find((x) => x.id === pa.hostId);
    const io = pa.ioCpus[0].cpus;
    expect(h?.cpus.filter((c) => io.includes(c.id)).map((c) => c.owner)).toEqual(io.map(() => ({ vmId: 'b', role: 'IRQ' })));
    s = releaseVm(s, 'b');
    expect(s.allocations).toEqual([]);
    expect(s.hosts.every((x) => x.cpus.every((c) => c.owner === null) && x.nics[0].vfs.every((v) => v.state === 'FREE'))).toBe(true);
    expect(releaseVm(s, 'unknown')).toBe(s);
  });
});

describe('PACK and SPREAD', () => {
  it('PACK fills h-0 before h-1; SPREAD alternates', () => {
    let packed = twoHosts();
    let spread = twoHosts();
    const packHosts: string[] = [];
    const spreadHosts: string[] = [];
    for (const name of ['a', 'b']) {
      const p = planOf(place(packed, sriov(name)));
      packed = applyPlan(packed, p);
      packHosts.push(p.hostName);
      const q = planOf(place(spread, sriov(name), { strategy: 'SPREAD' }));
      spread = applyPlan(spread, q);
      spreadHosts.push(q.hostName);
    }
    expect(packHosts).toEqual(['h-0', 'h-0']);
    expect(spreadHosts).toEqual(['h-0', 'h-1']);
  });
});

describe('a faster datapath beats a fuller host', () => {
  it('chooses the host that still has a free VF', () => {
    let s = twoHosts();
    for (const name of ['a', 'b']) s = applyPlan(s, planOf(place(s, sriov(name))));
    const p = planOf(place(s, vm({ name: 'c', interfaces: [{ network: 'phys' }] })));
    expect(p).toMatchObject({ hostName: 'h-1' });
    expect(p.interfaces[0].datapath).toBe('SRIOV');
  });
});

describe('rejection summary', () => {
  it('counts hosts per reason with a few examples', () => {
    const s = fleet().hosts(5, 'm', { state: 'MAINTENANCE' }).hosts(2, 'r', { state: 'REGISTERED' }).build();
    const r = place(s, vm());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.rejection.summary).toEqual([
      { code: 'HOST_IN_MAINTENANCE', hosts: 5, examples: ['m-0', 'm-1', 'm-2'] },
      { code: 'HOST_NOT_READY', hosts: 2, examples: ['r-0', 'r-1'] },
    ]);
    expect(r.rejection.message).toMatch(/HOST_IN_MAINTENANCE on 5 host/);
  });
});

describe('explain', () => {
  it('lists every reason one host fails, not just the first', () => {
    const s = fleet()
      .host({ name: 'h1', state: 'MAINTENANCE', caps: { iommu: false, kvm: false }, nics: [{ name: 'ens1f0', node: 1, vfs: 2 }] })
      .network('phys', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] } })
      .build();
    const e = explain(s, vm({ avoidHosts: ['h1'], interfaces: [{ network: 'phys', datapath: 'SRIOV' }] }), 'h1');
    expect(e.fits).toBe(false);
    expect(e.reasons.map((r) => r.code)).toEqual(['HOST_AVOIDED', 'HOST_IN_MAINTENANCE', 'HOST_LACKS_VIRTUALIZATION', 'IOMMU_DISABLED']);
  });
  it('says a fitting host fits', () => {
    expect(explain(twoHosts(), sriov('a'), 'h-1')).toMatchObject({ fits: true, reasons: [] });
  });
});

describe('capacity', () => {
  it('counts per host and per datapath, VFs first then macvtap on the PF', () => {
    // 2 hosts x 2 VFs; 16 CPUs per host, node 1 has 8: 2 I/O CPUs + three 2-vCPU VMs.
    const report = capacity(twoHosts(), vm({ name: 'shape', vcpus: 2, interfaces: [{ network: 'phys' }] }));
    expect(report.perHost.map((h) => h.count)).toEqual([3, 3]);
    expect(report.byDatapath).toEqual({ SRIOV: 4, VHOST_MACVTAP: 2 });
    expect(report.total).toBe(6);
  });
});

describe('PlacementIndex', () => {
  it('answers like the pure functions over a sequence of placements', () => {
    let s = twoHosts();
    const idx = new PlacementIndex(s);
    for (const name of ['a', 'b', 'c', 'd']) {
      const viaPure = planOf(place(s, sriov(name)));
      const viaIndex = planOf(idx.place(sriov(name)));
      expect(viaIndex).toEqual(viaPure);
      s = applyPlan(s, viaPure);
      idx.apply(viaIndex);
    }
    expect(idx.toSnapshot()).toEqual(s);
  });
});

describe('pinHost and avoidHosts', () => {
  it('pinHost (by name) puts the VM there even when PACK would pick another host', () => {
    expect(planOf(place(twoHosts(), vm({ pinHost: 'h-1' }))).hostName).toBe('h-1');
  });
  it('avoidHosts skips a host that would otherwise win', () => {
    expect(planOf(place(twoHosts(), vm({ avoidHosts: ['h-0'] }))).hostName).toBe('h-1');
  });
});
