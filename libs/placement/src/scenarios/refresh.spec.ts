import type { FleetSnapshot } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { applyPlan, place } from '../api';
import { PlacementIndex } from '../engine';
import { fleet, vm } from '../testing/fleet-builder';
import { planOf } from '../testing/results';

/** What another API process sees: the fleet re-read for the hosts some writer changed. */
function threeHosts(): FleetSnapshot {
  const on = { 'h-0': ['ens1f0'], 'h-1': ['ens1f0'], 'h-2': ['ens1f0'] };
  return fleet()
    .hosts(3, 'h', { nics: [{ name: 'ens1f0', node: 1, vfs: 2 }] })
    .network('phys', 'SRIOV_PHYSNET', { on })
    .build();
}
const sriov = (name: string) => vm({ name, vcpus: 2, interfaces: [{ network: 'phys', datapath: 'SRIOV' }] });
const only = (s: FleetSnapshot, hostId: string): FleetSnapshot => ({
  hosts: s.hosts.filter((h) => h.id === hostId),
  networks: s.networks,
  allocations: s.allocations.filter((a) => a.hostId === hostId),
});

describe('PlacementIndex.refreshHosts', () => {
  it('swapping in the re-read hosts gives the same index as building one from the whole new fleet', () => {
    const s0 = threeHosts();
    const idx = new PlacementIndex(s0);
    // some other process placed two VMs on one host
    const a = planOf(place(s0, sriov('a')));
    const s1 = applyPlan(s0, a);
    const s2 = applyPlan(s1, planOf(place(s1, sriov('b'))));
    expect(idx.place(sriov('c'))).toEqual(place(s0, sriov('c')));
    expect(idx.refreshHosts(only(s2, a.hostId), [a.hostId])).toBe(true);
    expect(idx.toSnapshot()).toEqual(new PlacementIndex(s2).toSnapshot());
    expect(idx.place(sriov('c'))).toEqual(place(s2, sriov('c')));
  });

  it('drops what a refreshed host no longer holds', () => {
    const s0 = threeHosts();
    const a = planOf(place(s0, sriov('a')));
    const idx = new PlacementIndex(applyPlan(s0, a));
    expect(idx.refreshHosts(only(s0, a.hostId), [a.hostId])).toBe(true);
    expect(idx.release('a')).toBeNull();
    expect(idx.place(sriov('c'))).toEqual(place(s0, sriov('c')));
  });

  it('refuses, changing nothing, when the set of hosts or the networks changed', () => {
    const s0 = threeHosts();
    const idx = new PlacementIndex(s0);
    const gone = s0.hosts[1].id;
    expect(idx.refreshHosts({ ...only(s0, gone), hosts: [] }, [gone])).toBe(false);
    const renamed = { ...only(s0, gone), hosts: [{ ...s0.hosts[1], name: 'x' }] };
    expect(idx.refreshHosts(renamed, [gone])).toBe(false);
    const nets = { ...only(s0, gone), networks: [{ ...s0.networks[0], vlan: 12 }] };
    expect(idx.refreshHosts(nets, [gone])).toBe(false);
    expect(idx.toSnapshot()).toEqual(s0);
  });
});
