import { formatCpuList } from '../lib/format';

export interface IrqRow {
  /** First IRQ number of the run (also the React key) */
  irq: number;
  /** "100" or "100–131" */
  irqs: string;
  /** "q0" or "q0–q31" */
  queues: string;
  /** The affinity the host has now, as far as netpin knows */
  cpus: string;
  /** Affinity seen by the last discovery when a VM's plan has changed it since */
  discovered: string | null;
  ownerVmId: string | null;
}

interface Irq {
  irq: number;
  queue: number;
  affinity: readonly number[];
}

/**
 * The NIC's IRQs for display. A VM holding the host owns the IRQs its plan pins (by IRQ
 * number, not by CPU overlap: a discovered "0-63" overlaps every VM); the planned CPUs
 * are shown because the inventory's affinity is a discovery snapshot. Consecutive
 * unowned IRQs with the same affinity fold into one line: a 32-queue NIC otherwise
 * fills a screen with "→ 0-63".
 */
export function irqRows(irqs: readonly Irq[], planned: ReadonlyMap<number, { vmId: string; cpus: readonly number[] }>): IrqRow[] {
  const rows: IrqRow[] = [];
  let run: { first: Irq; last: Irq; cpus: string } | null = null;
  const flush = () => {
    if (!run) return;
    const one = run.first === run.last;
    rows.push({
      irq: run.first.irq,
      irqs: one ? String(run.first.irq) : `${run.first.irq}–${run.last.irq}`,
      queues: one ? `q${run.first.queue}` : `q${run.first.queue}–q${run.last.queue}`,
      cpus: run.cpus,
      discovered: null,
      ownerVmId: null,
    });
    run = null;
  };
  for (const irq of [...irqs].sort((a, b) => a.irq - b.irq)) {
    const plan = planned.get(irq.irq);
    const seen = formatCpuList(irq.affinity);
    if (plan) {
      flush();
      const cpus = formatCpuList(plan.cpus);
      rows.push({
        irq: irq.irq,
        irqs: String(irq.irq),
        queues: `q${irq.queue}`,
        cpus,
        discovered: cpus === seen ? null : seen,
        ownerVmId: plan.vmId,
      });
      continue;
    }
    if (run && run.cpus === seen && irq.irq === run.last.irq + 1 && irq.queue === run.last.queue + 1) run.last = irq;
    else {
      flush();
      run = { first: irq, last: irq, cpus: seen };
    }
  }
  flush();
  return rows;
}
