import { type HostModel, SIZE_1G_KIB, SIZE_2M_KIB } from './model';

/** /proc/cpuinfo: one block per logical CPU, fields in the kernel's order. */
export function renderCpuinfo(m: HostModel): string {
  const c = m.spec.cpu;
  const threads = c.coresPerSocket * c.threadsPerCore;
  return m
    .allCpus()
    .map((id) => {
      const t = m.cpus[id];
      const apic = (t.socket << 6) | (t.core << 1) | t.thread;
      return [
        `processor\t: ${id}`,
        `vendor_id\t: ${c.vendor}`,
        `cpu family\t: ${c.family}`,
        `model\t\t: ${c.model}`,
        `model name\t: ${c.modelName}`,
        'stepping\t: 4',
        `cpu MHz\t\t: ${c.mhz.toFixed(3)}`,
        'cache size\t: 22528 KB',
        `physical id\t: ${t.socket}`,
        `siblings\t: ${threads}`,
        `core id\t\t: ${t.core}`,
        `cpu cores\t: ${c.coresPerSocket}`,
        `apicid\t\t: ${apic}`,
        `initial apicid\t: ${apic}`,
        'fpu\t\t: yes',
        'fpu_exception\t: yes',
        'cpuid level\t: 22',
        'wp\t\t: yes',
        `flags\t\t: ${c.flags.join(' ')}`,
        ...(c.flags.includes('vmx')
          ? [
              `vmx flags\t: vnmi preemption_timer invvpid${c.flags.includes('ept') ? ' ept_x_only ept_ad ept_1gb flexpriority tsc_offset vtpr mtf vapic ept vpid unrestricted_guest' : ' tsc_offset vtpr'}`,
            ]
          : []),
        `bogomips\t: ${(c.mhz * 2).toFixed(2)}`,
        'clflush size\t: 64',
        'cache_alignment\t: 64',
        'address sizes\t: 46 bits physical, 48 bits virtual',
        'power management:',
        '',
        '',
      ].join('\n');
    })
    .join('');
}

/** /proc/interrupts with per-CPU counts that grow with activity on the CPUs an IRQ targets. */
export function renderInterrupts(m: HostModel): string {
  const cpus = m.allCpus();
  const head = `${' '.repeat(11)}${cpus.map((c) => `CPU${c}`.padEnd(11)).join('')}`.trimEnd();
  const lines = [head];
  const tick = m.commandCount + m.bootCount * 17;
  for (const irq of m.irqs) {
    const counts = cpus.map((c) => (irq.affinity.includes(c) ? irq.weight * 131 + tick * 7 + c : 0));
    const label = `${String(irq.irq).padStart(4)}:`;
    lines.push(`${label}${counts.map((n) => String(n).padStart(11)).join('')}  ${irq.chip.padEnd(7)} ${irq.hwirq.padEnd(12)} ${irq.name}`);
  }
  const nmi = cpus.map((c) => String(c + 5).padStart(11)).join('');
  lines.push(` NMI:${nmi}   Non-maskable interrupts`);
  lines.push(` LOC:${cpus.map((c) => String(100000 + c * 13 + tick).padStart(11)).join('')}   Local timer interrupts`);
  lines.push(' ERR:          0');
  lines.push(' MIS:          0');
  return `${lines.join('\n')}\n`;
}

function nodeUsedKiB(m: HostModel, n: number): number {
  const h = m.hugepages[n];
  return h.p2M.nr * SIZE_2M_KIB + h.p1G.nr * SIZE_1G_KIB;
}

/** /sys/devices/system/node/nodeN/meminfo (subset of lines, real formatting). */
export function renderNodeMeminfo(m: HostModel, n: number): string {
  const total = m.spec.numaNodes[n].memoryMiB * 1024;
  const used = nodeUsedKiB(m, n) + 1048576;
  const free = Math.max(0, total - used);
  const h = m.hugepages[n];
  const row = (k: string, v: number, unit = true): string =>
    `Node ${n} ${`${k}:`.padEnd(16)}${String(v).padStart(unit ? 8 : 6)}${unit ? ' kB' : ''}`;
  return `${[
    row('MemTotal', total),
    row('MemFree', free),
    row('MemUsed', total - free),
    row('HugePages_Total', h.p2M.nr, false),
    row('HugePages_Free', h.p2M.nr - h.p2M.used, false),
    row('HugePages_Surp', 0, false),
  ].join('\n')}\n`;
}

export function renderMeminfo(m: HostModel): string {
  const nodes = m.spec.numaNodes.map((_, i) => i);
  const total = m.spec.numaNodes.reduce((a, n) => a + n.memoryMiB * 1024, 0);
  const huge = nodes.reduce((a, n) => a + nodeUsedKiB(m, n), 0);
  const free = Math.max(0, total - huge - 1048576 * nodes.length);
  const nr2 = nodes.reduce((a, n) => a + m.hugepages[n].p2M.nr, 0);
  const free2 = nodes.reduce((a, n) => a + m.hugepages[n].p2M.nr - m.hugepages[n].p2M.used, 0);
  const row = (k: string, v: number, unit = true): string => `${`${k}:`.padEnd(16)}${String(v).padStart(unit ? 8 : 8)}${unit ? ' kB' : ''}`;
  return `${[
    row('MemTotal', total),
    row('MemFree', free),
    row('MemAvailable', free),
    row('HugePages_Total', nr2, false),
    row('HugePages_Free', free2, false),
    row('HugePages_Rsvd', 0, false),
    row('HugePages_Surp', 0, false),
    row('Hugepagesize', SIZE_2M_KIB),
    row('Hugetlb', huge),
  ].join('\n')}\n`;
}
