import { describe, expect, it } from 'vitest';
import {
  describeInterface,
  describeState,
  formatCpuList,
  formatFreeCpus,
  formatIrqGroup,
  irqGroupNumbers,
  irqGroups,
  type IrqLike,
} from './display';

const applied = { source: 'APPLIED' as const, at: '2026-01-01T11:00:00Z', vmName: 'vm-b' };
const discovered = { source: 'DISCOVERED' as const, at: '2026-01-01T10:00:00Z', vmName: null };
const irq = (n: number, cpus: number[], owner: string | null, state = owner ? applied : discovered): IrqLike => ({
  irq: n,
  queue: n - 100,
  affinity: cpus,
  ownerVmId: owner,
  ownerVmName: owner,
  state,
});

describe('display rules shared by the web UI and the CLI', () => {
  it('groups a 32-queue NIC pinned round-robin to two CPUs into one line naming its owner', () => {
    const irqs = Array.from({ length: 32 }, (_, q) => irq(100 + q, [q % 2 ? 47 : 15], 'vm-a'));
    const groups = irqGroups(irqs);
    expect(groups).toHaveLength(1);
    expect(formatIrqGroup(groups[0]!)).toBe('100–131: 15,47 (vm-a)');
    expect(irqGroupNumbers(groups[0]!, '-')).toEqual({ irqs: '100-131', queues: 'q0-q31' });
  });

  it('starts a new group where the owner, the source or the IRQ numbering changes', () => {
    const groups = irqGroups([
      irq(100, [2], 'vm-a'),
      irq(101, [3], 'vm-a'),
      irq(102, [0, 1, 2, 3], null),
      irq(103, [0, 1, 2, 3], null),
      irq(110, [0, 1, 2, 3], null),
    ]);
    expect(groups.map((g) => formatIrqGroup(g))).toEqual(['100–101: 2-3 (vm-a)', '102–103: 0-3', '110: 0-3']);
  });

  it('says whether reserved CPUs count: they are in neither figure', () => {
    expect(formatFreeCpus({ usable: 6, free: 4, reservedForHost: 2 })).toBe('4 of 6 free (+2 reserved for the host)');
    expect(formatFreeCpus({ usable: 4, free: 4, reservedForHost: 0 })).toBe('4 of 4 free');
  });

  it('names where a value comes from and since when', () => {
    expect(describeState(applied, (t) => t.slice(11, 16))).toBe("applied 11:00 by vm-b's plan");
    expect(describeState(discovered, (t) => t.slice(11, 16))).toBe('discovered 10:00');
    expect(describeState({ source: 'PLANNED', at: null, vmName: 'vm-c' }, String)).toBe("planned (not applied yet) by vm-c's plan");
  });

  it('describes a VF as passed through, never as a virtio model with queues', () => {
    expect(describeInterface({ datapath: 'SRIOV', model: 'vf', queues: null, nicName: 'ens1f0', vfIndex: 3 })).toBe(
      'VF 3 of ens1f0 passed through, guest VF driver',
    );
    expect(describeInterface({ datapath: 'SRIOV', model: 'vf', queues: null, failover: true })).toBe(
      'VF passed through, guest VF driver, virtio failover backup',
    );
    expect(describeInterface({ datapath: 'VHOST_BRIDGE', model: 'virtio', queues: 2 })).toBe('virtio, 2 queues');
    expect(describeInterface({ datapath: 'E1000', model: 'e1000', queues: 1 })).toBe('e1000');
    // a plan stored before VFs were reported as model "vf" still reads as a VF by its index
    expect(describeInterface({ datapath: 'SRIOV', model: 'virtio', queues: 2, vfIndex: 0 })).toBe('VF 0 passed through, guest VF driver');
  });

  it('formats CPU lists the way the kernel does', () => {
    expect(formatCpuList([8, 0, 1, 2, 3, 10, 11])).toBe('0-3,8,10-11');
    expect(formatCpuList([])).toBe('');
  });
});
