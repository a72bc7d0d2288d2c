import type { IfName, PciAddress } from '@netpin/contracts';
import { HostOutputParseError } from '../errors';
import { splitLines } from './lines';

export interface IrqLine {
  irq: number;
  /** Per-CPU counts keyed by the CPU ids of the header (offline CPUs have no column). */
  counts: Map<number, number>;
  /** Interrupt chip, e.g. "IR-PCI-MSIX-0000:3b:00.0" or "IR-PCI-MSI". */
  chip: string;
  /** "1-edge", "31457281-edge". */
  hwirqType: string;
  /** Action names (devices sharing the line are separated by ", "). */
  actions: string[];
}

export interface ProcInterrupts {
  cpus: number[];
  irqs: IrqLine[];
}

const SRC = '/proc/interrupts';

/**
 * /proc/interrupts: a header of "CPUn" columns, then "IRQ: count... chip hwirq-type
 * actions". Named rows (NMI, LOC, ERR, MIS ...) are arch counters and are skipped.
 */
export function parseProcInterrupts(text: string): ProcInterrupts {
  const lines = splitLines(text);
  const header = lines[0] ?? '';
  const cpus = header
    .trim()
    .split(/\s+/)
    .map((c) => {
      const m = /^CPU(\d+)$/.exec(c);
      if (!m) throw new HostOutputParseError(SRC, 'header is not a list of CPUn columns', header, 1);
      return Number(m[1]);
    });
  const irqs: IrqLine[] = [];
  lines.slice(1).forEach((line, i) => {
    const n = i + 2;
    const m = /^\s*(\S+):(.*)$/.exec(line);
    if (!m) throw new HostOutputParseError(SRC, 'expected "IRQ:" at line start', line, n);
    if (!/^\d+$/.test(m[1])) return;
    const tokens = m[2].trim().split(/\s+/);
    const values = perCpuCounts(tokens, cpus.length);
    if (values === null) throw new HostOutputParseError(SRC, `expected ${cpus.length} per-CPU counts, a chip and a type`, line, n);
    const rest = tokens.slice(cpus.length);
    // Older kernels print the chip and its hwirq as two words ("IR-PCI-MSI 31457281-edge");
    // either way the type token is the first one containing "-" after the chip.
    const typeAt = rest.findIndex((t, k) => k > 0 && /^\d*-[A-Za-z]+$/.test(t));
    if (typeAt < 0) throw new HostOutputParseError(SRC, 'no hwirq-type field', line, n);
    const actionsText = rest.slice(typeAt + 1).join(' ');
    let counts: Map<number, number> | undefined;
    irqs.push({
      irq: Number(m[1]),
      // built when asked for: discovery reads only the chips and actions of ~100 lines of 64+ columns
      get counts() {
        return (counts ??= new Map(cpus.map((c, k) => [c, values[k]])));
      },
      chip: rest.slice(0, typeAt).join(' '),
      hwirqType: rest[typeAt],
      actions: actionsText === '' ? [] : actionsText.split(/,\s*/),
    });
  });
  return { cpus, irqs };
}

/** The first `n` tokens as counts (each all digits), or null when there are too few tokens for them, a chip and a type. */
function perCpuCounts(tokens: readonly string[], n: number): number[] | null {
  if (tokens.length < n + 2) return null;
  const values = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    if (!DIGITS.test(tokens[k])) return null;
    values[k] = Number(tokens[k]);
  }
  return values;
}

const DIGITS = /^\d+$/;

export interface QueueIrq {
  irq: number;
  name: string;
  queue: number;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The queue (RSS) interrupts of one NIC, sorted by queue. Drivers name them differently:
 * ixgbe/igb/bnxt "ens1f0-TxRx-3", i40e/ice "i40e-ens1f0-TxRx-3", some "ens1f0-rx-3",
 * tg3 "eno1-3", mlx5 "mlx5_comp3@pci:0000:3b:00.0" (by PCI address, not name).
 */
export function nicQueueIrqs(interrupts: ProcInterrupts, ifName: IfName, pci: PciAddress | null): QueueIrq[] {
  const byName = new RegExp(`^(?:[a-z0-9_]+-)?${escape(ifName)}-(?:(?:TxRx|rx|tx|fp)-)?(\\d+)$`);
  const byPci = pci === null ? null : new RegExp(`^mlx5_comp(\\d+)@pci:${escape(pci)}$`);
  const out: QueueIrq[] = [];
  for (const line of interrupts.irqs) {
    for (const name of line.actions) {
      const m = byName.exec(name) ?? byPci?.exec(name) ?? null;
      if (m) out.push({ irq: line.irq, name, queue: Number(m[1]) });
    }
  }
  return out.sort((a, b) => a.queue - b.queue || a.irq - b.irq);
}
