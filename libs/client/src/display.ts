/**
 * How netpin's own tools say things to people, shared by the web UI and the CLI so both
 * say the same: CPU lists, free-CPU figures, IRQs grouped by target, where a value comes
 * from, what an interface is. Pure and browser-safe (no imports).
 */

/** [0,1,2,5,7,8] -> "0-2,5,7-8", the kernel's cpulist format; "" for none. */
export function formatCpuList(cpus: readonly number[]): string {
  const s = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === (s[j] ?? 0) + 1) j++;
    parts.push(j > i ? `${s[i]}-${s[j]}` : String(s[i]));
    i = j + 1;
  }
  return parts.join(',');
}

export interface CpuCountsLike {
  usable: number;
  free: number;
  reservedForHost: number;
}

/** "6 of 6 free (+2 reserved for the host)": reserved CPUs are never given out, so they count in neither figure. */
export function formatFreeCpus(c: CpuCountsLike): string {
  return `${c.free} of ${c.usable} free${c.reservedForHost > 0 ? ` (+${c.reservedForHost} reserved for the host)` : ''}`;
}

export interface ValueStateLike {
  source: 'DISCOVERED' | 'PLANNED' | 'APPLIED' | 'VERIFIED';
  at: string | null;
  vmName: string | null;
}

/** "verified", "applied", "planned (not applied yet)", "discovered"; the caller formats `at`. */
export function sourceWord(source: ValueStateLike['source']): string {
  switch (source) {
    case 'VERIFIED':
      return 'verified';
    case 'APPLIED':
      return 'applied';
    case 'PLANNED':
      return 'planned (not applied yet)';
    case 'DISCOVERED':
      return 'discovered';
  }
}

export function describeState(s: ValueStateLike, formatTime: (iso: string) => string): string {
  const when = s.at ? ` ${formatTime(s.at)}` : '';
  return `${sourceWord(s.source)}${when}${s.source !== 'DISCOVERED' && s.vmName ? ` by ${s.vmName}'s plan` : ''}`;
}

export interface IrqLike {
  irq: number;
  queue: number;
  affinity: readonly number[];
  ownerVmId: string | null;
  ownerVmName: string | null;
  state: ValueStateLike;
}

export interface IrqGroup<T extends IrqLike = IrqLike> {
  first: T;
  last: T;
  members: T[];
  /** Union of the members' CPUs: netpin spreads a NIC's queue IRQs round-robin over its node's I/O CPUs */
  cpus: number[];
}

/**
 * A NIC's queue IRQs as runs of consecutive IRQ numbers with one owner and one source: a
 * 32-queue NIC pinned by netpin reads `100–131: 15,47 (vm-a)` instead of 32 lines.
 */
export function irqGroups<T extends IrqLike>(irqs: readonly T[]): IrqGroup<T>[] {
  const groups: IrqGroup<T>[] = [];
  for (const irq of [...irqs].sort((a, b) => a.irq - b.irq)) {
    const g = groups.at(-1);
    if (g && irq.irq === g.last.irq + 1 && irq.ownerVmId === g.last.ownerVmId && irq.state.source === g.last.state.source) {
      g.last = irq;
      g.members.push(irq);
      g.cpus = [...new Set([...g.cpus, ...irq.affinity])].sort((a, b) => a - b);
    } else groups.push({ first: irq, last: irq, members: [irq], cpus: [...irq.affinity].sort((a, b) => a - b) });
  }
  return groups;
}

function span(a: number, b: number, dash: string, prefix = ''): string {
  return a === b ? `${prefix}${a}` : `${prefix}${a}${dash}${prefix}${b}`;
}

/** "100–131", and "q0–q31" when the queues run along with the IRQs (else "32 queues"). */
export function irqGroupNumbers(g: IrqGroup, dash = '–'): { irqs: string; queues: string } {
  const queuesRun = g.members.every((m, i) => m.queue === g.first.queue + i);
  return {
    irqs: span(g.first.irq, g.last.irq, dash),
    queues: queuesRun ? span(g.first.queue, g.last.queue, dash, 'q') : `${g.members.length} queues`,
  };
}

/** `100–131: 15,47 (vm-a)` */
export function formatIrqGroup(g: IrqGroup, dash = '–'): string {
  return `${irqGroupNumbers(g, dash).irqs}: ${formatCpuList(g.cpus) || 'none'}${g.first.ownerVmName ? ` (${g.first.ownerVmName})` : ''}`;
}

export interface InterfaceLike {
  datapath: string | null;
  model: string | null;
  /** null for a VF: its driver in the guest sets the queues */
  queues: number | null;
  nicName?: string | null;
  vfIndex?: number | null;
  failover?: boolean;
}

/**
 * What the guest gets on one interface, next to its datapath. A VF is the NIC's own
 * hardware passed through: the guest runs the VF's driver on the queues the VF has, so no
 * emulated model or virtio queue count applies to it (a paired virtio failover backup is
 * named).
 */
export function describeInterface(i: InterfaceLike): string {
  if (!i.datapath) return 'not placed yet';
  const vfIndex = i.vfIndex ?? null;
  if (i.model === 'vf' || vfIndex !== null) {
    const on = i.nicName ? ` of ${i.nicName}` : '';
    return `VF${vfIndex !== null ? ` ${vfIndex}` : ''}${on} passed through, guest VF driver${i.failover ? ', virtio failover backup' : ''}`;
  }
  const model = i.model ?? '?';
  if (model !== 'virtio' || i.queues === null) return model;
  return `virtio, ${i.queues} queue${i.queues === 1 ? '' : 's'}`;
}
