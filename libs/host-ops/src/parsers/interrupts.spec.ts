import type { IfName, PciAddress } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import irq6 from '../__fixtures__/interrupts-2s.txt?raw';
import irq5 from '../__fixtures__/interrupts-5x.txt?raw';
import { HostOutputParseError } from '../errors';
import { nicQueueIrqs, parseProcInterrupts } from './interrupts';

const ifn = (s: string) => s as IfName;
const pci = (s: string) => s as PciAddress;

describe('parseProcInterrupts', () => {
  it('reads a 40-CPU Linux 6.x table', () => {
    const t = parseProcInterrupts(irq6);
    expect(t.cpus).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const q3 = t.irqs.find((l) => l.actions.includes('i40e-ens1f0-TxRx-3'));
    expect(q3).toMatchObject({ chip: 'IR-PCI-MSIX-0000:3b:00.0', hwirqType: '4-edge' });
    expect(q3?.counts.get(5)).toBeGreaterThan(0);
    expect(q3?.counts.get(4)).toBe(0);
    expect(t.irqs.some((l) => l.irq === 0 && l.actions[0] === 'timer')).toBe(true);
  });

  it('finds queue IRQs by interface name and, for mlx5, by PCI address', () => {
    const t = parseProcInterrupts(irq6);
    const i40e = nicQueueIrqs(t, ifn('ens1f0'), pci('0000:3b:00.0'));
    expect(i40e.map((q) => q.queue)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(i40e.map((q) => q.irq)).toEqual([27, 28, 29, 30, 31, 32, 33, 34]);
    expect(nicQueueIrqs(t, ifn('ens1f1'), pci('0000:3b:00.1')).map((q) => q.name)).toEqual([
      'i40e-ens1f1-TxRx-0',
      'i40e-ens1f1-TxRx-1',
      'i40e-ens1f1-TxRx-2',
      'i40e-ens1f1-TxRx-3',
    ]);
    expect(nicQueueIrqs(t, ifn('eno1'), pci('0000:19:00.0')).map((q) => q.name)).toEqual(['eno1-0', 'eno1-1', 'eno1-2', 'eno1-3']);
    const mlx = nicQueueIrqs(t, ifn('ens2f0np0'), pci('0000:af:00.0'));
    expect(mlx.map((q) => q.name)).toEqual(Array.from({ length: 8 }, (_, i) => `mlx5_comp${i}@pci:0000:af:00.0`));
    expect(nicQueueIrqs(t, ifn('ens2f0np0'), null)).toEqual([]);
  });

  it('reads the Linux 5.x layout with a separate hwirq word', () => {
    const t = parseProcInterrupts(irq5);
    expect(t.cpus).toEqual([0, 1, 2, 3]);
    const l = t.irqs.find((x) => x.irq === 120);
    expect(l).toMatchObject({ chip: 'IR-PCI-MSI', hwirqType: '31457281-edge', actions: ['mlx5_comp0@pci:0000:3c:00.0'] });
    expect(nicQueueIrqs(t, ifn('ens1f0'), null).map((q) => [q.irq, q.queue])).toEqual([
      [130, 0],
      [131, 1],
    ]);
  });

  it('keeps only online CPU columns', () => {
    const t = parseProcInterrupts('           CPU0       CPU2       \n  5:         10         20  IO-APIC   5-edge      eth0-rx-0\n');
    expect(t.cpus).toEqual([0, 2]);
    expect([...t.irqs[0].counts]).toEqual([
      [0, 10],
      [2, 20],
    ]);
  });

  it('throws on a truncated row', () => {
    expect(() => parseProcInterrupts('           CPU0       CPU1       \n 24:          1\n')).toThrow(HostOutputParseError);
    expect(() => parseProcInterrupts('garbage\n')).toThrow(/header/);
  });

  it('checks every per-CPU count even though the counts are built only when read', () => {
    const head = '           CPU0       CPU1       CPU2\n';
    expect(() => parseProcInterrupts(`${head} 24:  1  2  x3  PCI-MSI 1-edge eth0-0\n`)).toThrow(/per-CPU counts/);
    expect(() => parseProcInterrupts(`${head} 24:  1  2  PCI-MSI 1-edge eth0-0\n`)).toThrow(/per-CPU counts/);
    const t = parseProcInterrupts(`${head} 24:  1  2  3  PCI-MSI 1-edge eth0-0\n`);
    expect(t.irqs[0].counts.get(2)).toBe(3);
    expect(t.irqs[0].counts).toBe(t.irqs[0].counts);
  });
});
