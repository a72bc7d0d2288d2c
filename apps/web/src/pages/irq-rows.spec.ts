import { describe, expect, it } from 'vitest';
import { irqRows } from './irq-rows';

const irq = (n: number, queue: number, affinity: number[]) => ({ irq: n, queue, affinity });

describe('irqRows', () => {
  it('folds consecutive unowned IRQs with the same affinity into one line', () => {
    const rows = irqRows([irq(100, 0, [0, 1, 2, 3]), irq(101, 1, [0, 1, 2, 3]), irq(102, 2, [0, 1, 2, 3]), irq(103, 3, [2])], new Map());
    expect(rows.map((r) => [r.irqs, r.queues, r.cpus])).toEqual([
      ['100–102', 'q0–q2', '0-3'],
      ['103', 'q3', '2'],
    ]);
  });

  it('gives an IRQ to the VM whose plan pins it and shows the planned CPUs over a stale discovery', () => {
    const planned = new Map([[31, { vmId: 'vm-a', cpus: [7] }]]);
    const rows = irqRows(
      [irq(30, 0, [0, 1, 2, 3, 4, 5, 6, 7]), irq(31, 1, [0, 1, 2, 3, 4, 5, 6, 7]), irq(32, 2, [0, 1, 2, 3, 4, 5, 6, 7])],
      planned,
    );
    expect(rows).toEqual([
      { irq: 30, irqs: '30', queues: 'q0', cpus: '0-7', discovered: null, ownerVmId: null },
      { irq: 31, irqs: '31', queues: 'q1', cpus: '7', discovered: '0-7', ownerVmId: 'vm-a' },
      { irq: 32, irqs: '32', queues: 'q2', cpus: '0-7', discovered: null, ownerVmId: null },
    ]);
  });

  it('does not claim an IRQ for a VM only because the IRQ may run on its CPUs', () => {
    const rows = irqRows([irq(40, 0, [0, 1, 2, 3])], new Map([[41, { vmId: 'vm-a', cpus: [1] }]]));
    expect(rows.every((r) => r.ownerVmId === null)).toBe(true);
  });
});
