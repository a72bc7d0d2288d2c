import { describe, expect, it } from 'vitest';
import { fleet, PlacementIndex, planOf, vm } from '@netpin/placement';
import { HostBacklog } from './host-backlog';

function index(hosts: number): PlacementIndex {
  const on = Object.fromEntries(Array.from({ length: hosts }, (_, i) => [`h-${i}`, ['eth0']]));
  const s = fleet()
    .hosts(hosts, 'h', { nodes: 1, coresPerNode: 16, nics: [{ name: 'eth0', node: 0 }] })
    .network('br', 'LINUX_BRIDGE', { on })
    .build();
  return new PlacementIndex(s, { strategy: 'PACK' });
}

const req = (name: string) => vm({ name, vcpus: 1, memoryMiB: 512, cpuPolicy: 'SHARED', interfaces: [{ network: 'br' }] });

/** Place n VMs in a row, each added to the backlog and applied to the index as a create would. */
function burst(ix: PlacementIndex, backlog: HostBacklog, n: number, prefix = 'b'): string[] {
  const hosts: string[] = [];
  for (let i = 0; i < n; i++) {
    const plan = planOf(backlog.place(ix, req(`${prefix}-${i}`)));
    ix.apply(plan);
    backlog.add(plan.hostId, `op-${prefix}-${i}`);
    hosts.push(plan.hostId);
  }
  return hosts;
}

describe('HostBacklog: a burst under PACK does not queue on one host', () => {
  it('PACK alone puts a burst on one host; with the backlog a host takes `limit` until its applies answer', () => {
    const alone = index(3);
    const packed = Array.from({ length: 6 }, (_, i) => {
      const plan = planOf(alone.place(req(`p-${i}`)));
      alone.apply(plan);
      return plan.hostId;
    });
    expect(new Set(packed).size).toBe(1);

    const ix = index(3);
    const backlog = new HostBacklog(2);
    const hosts = burst(ix, backlog, 6);
    const counts = [...new Set(hosts)].map((h) => hosts.filter((x) => x === h).length);
    expect(counts).toEqual([2, 2, 2]);
  });

  it('a host whose applies answered is packed again first; a busy host still takes a VM no other host fits', () => {
    const ix = index(2);
    const backlog = new HostBacklog(2, 10_000);
    const first = burst(ix, backlog, 2);
    expect(new Set(first).size).toBe(1);
    backlog.done('op-b-0');
    backlog.done('op-b-1');
    // the fuller host is PACK's choice again
    expect(planOf(backlog.place(ix, req('again'))).hostId).toBe(first[0]);
    // both busy: placed anyway, on PACK's choice
    const more = burst(ix, backlog, 4, 'c');
    expect(backlog.busy().sort()).toEqual([...new Set(more)].sort());
    expect(backlog.place(ix, req('still')).ok).toBe(true);
  });

  it('forgets creates whose answer it never heard after maxAgeMs, and ignores unknown or repeated ids', () => {
    let t = 0;
    const backlog = new HostBacklog(1, 1000, () => t);
    backlog.add('h-a', 'op-1');
    backlog.add('h-a', 'op-1');
    backlog.done('op-unknown');
    expect(backlog.busy()).toEqual(['h-a']);
    t = 999;
    expect(backlog.busy()).toEqual(['h-a']);
    t = 1000;
    expect(backlog.busy()).toEqual([]);
    backlog.done('op-1');
    backlog.add('h-b', 'op-2');
    expect(backlog.busy()).toEqual(['h-b']);
  });

  it('does not change the request it places', () => {
    const ix = index(2);
    const backlog = new HostBacklog(1);
    burst(ix, backlog, 1);
    const r = req('kept');
    backlog.place(ix, r);
    expect(r.avoidHosts).toEqual([]);
  });
});
