import { describe, expect, it } from 'vitest';
import { place } from '../api';
import { PlacementIndex } from '../engine';
import { fleet, vm } from '../testing/fleet-builder';
import { planOf } from '../testing/results';

/**
 * The index remembers per request shape which hosts fit nothing and passes over them
 * without looking; every change to a host must make it look again.
 */
describe('shape cache: hosts that fit nothing', () => {
  const shape = (i: number) => vm({ name: `v${i}`, vcpus: 4, cpuPolicy: 'SHARED', memoryMiB: 1024 });

  it('a full host is searched again once a release frees it, and the answer is the pure function’s', () => {
    const idx = new PlacementIndex(fleet().hosts(3, 'h', { nodes: 1, coresPerNode: 4, threadsPerCore: 2 }).build());
    const placed: { vmId: string; hostName: string }[] = [];
    for (let i = 0; ; i++) {
      const r = idx.place(shape(i));
      if (!r.ok) break;
      idx.apply(r.plan);
      placed.push({ vmId: r.plan.vmId, hostName: r.plan.hostName });
    }
    expect(new Set(placed.map((p) => p.hostName)).size).toBe(3);
    // every host now fits nothing: each is marked so for the shape
    expect(idx.place(shape(100)).ok).toBe(false);
    for (const [k, host] of ['h-1', 'h-0', 'h-2'].entries()) {
      const victim = placed.find((p) => p.hostName === host);
      if (!victim) throw new Error(`nothing on ${host}`);
      idx.release(victim.vmId);
      const expected = planOf(place(idx.toSnapshot(), shape(200 + k)));
      const got = planOf(idx.place(shape(200 + k)));
      expect(got.hostName).toBe(host);
      expect(got).toEqual(expected);
      idx.apply(got);
      placed.splice(placed.indexOf(victim), 1);
    }
  });
});
