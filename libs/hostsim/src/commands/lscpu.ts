import { formatCpuList } from '@netpin/contracts';
import type { CpuTopo, HostModel } from '../model';
import { type CommandHandler, fail, ok } from './types';

const COLUMNS: Record<string, { header: string; value: (c: CpuTopo, m: HostModel) => string }> = {
  CPU: { header: 'CPU', value: (c) => `${c.id}` },
  CORE: { header: 'Core', value: (c) => `${c.coreIndex}` },
  SOCKET: { header: 'Socket', value: (c) => `${c.socket}` },
  NODE: { header: 'Node', value: (c) => `${c.node}` },
  BOOK: { header: 'Book', value: () => '' },
  DRAWER: { header: 'Drawer', value: () => '' },
  CACHE: { header: 'L1d:L1i:L2:L3', value: (c) => `${c.coreIndex}:${c.coreIndex}:${c.coreIndex}:${c.socket}` },
  ADDRESS: { header: 'Address', value: () => '' },
  CONFIGURED: { header: 'Configured', value: () => '' },
  ONLINE: { header: 'Online', value: () => 'Y' },
  MAXMHZ: { header: 'MaxMHz', value: (_c, m) => (m.spec.cpu.mhz * 1.5).toFixed(4) },
  MINMHZ: { header: 'MinMHz', value: () => '1000.0000' },
};

const PREAMBLE =
  '# The following is the parsable format, which can be fed to other\n# programs. Each different item in every column has an unique ID\n# starting usually from zero.\n';

function parsable(m: HostModel, spec: string | undefined): string | Error {
  const cpus = [...m.cpus].sort((a, b) => a.id - b.id);
  if (spec === undefined) {
    // The default -p layout, with its historical empty column before the caches.
    const rows = cpus.map((c) => `${c.id},${c.coreIndex},${c.socket},${c.node},,${c.coreIndex},${c.coreIndex},${c.coreIndex},${c.socket}`);
    return `${PREAMBLE}# CPU,Core,Socket,Node,,L1d,L1i,L2,L3\n${rows.join('\n')}\n`;
  }
  const names = spec.split(',').map((s) => s.trim().toUpperCase());
  for (const n of names) if (!(n in COLUMNS)) return new Error(`lscpu: unknown column: ${n}`);
  const cols = names.map((n) => COLUMNS[n]);
  const header = `# ${cols.map((c) => c.header).join(',')}\n`;
  const rows = cpus.map((c) => cols.map((col) => col.value(c, m)).join(','));
  return `${PREAMBLE}${header}${rows.join('\n')}\n`;
}

function summary(m: HostModel): string {
  const c = m.spec.cpu;
  const row = (k: string, v: string | number, indent = 0): string => `${' '.repeat(indent)}${`${k}:`.padEnd(24 - indent)} ${v}`;
  const lines = [
    row('Architecture', 'x86_64'),
    row('CPU op-mode(s)', '32-bit, 64-bit', 2),
    row('Address sizes', '46 bits physical, 48 bits virtual', 2),
    row('Byte Order', 'Little Endian', 2),
    row('CPU(s)', m.nrCpus),
    row('On-line CPU(s) list', formatCpuList(m.allCpus()), 2),
    row('Vendor ID', c.vendor),
    row('Model name', c.modelName, 2),
    row('CPU family', c.family, 4),
    row('Model', c.model, 4),
    row('Thread(s) per core', c.threadsPerCore, 4),
    row('Core(s) per socket', c.coresPerSocket, 4),
    row('Socket(s)', c.sockets, 4),
    row('Flags', c.flags.join(' '), 4),
    ...(c.flags.includes('vmx') ? ['Virtualization features: ', row('Virtualization', 'VT-x', 2)] : []),
    'NUMA:                    ',
    row('NUMA node(s)', m.spec.numaNodes.length, 2),
    ...m.nodeCpus.map((cpus, n) => row(`NUMA node${n} CPU(s)`, formatCpuList(cpus), 2)),
  ];
  return `${lines.join('\n')}\n`;
}

export const lscpu: CommandHandler = (args, ctx) => {
  if (args.length === 0) return ok(summary(ctx.model));
  const a = args[0];
  let spec: string | undefined;
  if (a === '-p' || a === '--parse') spec = args[1];
  else if (a.startsWith('-p=') || a.startsWith('--parse=')) spec = a.slice(a.indexOf('=') + 1);
  else if (a.startsWith('-p')) spec = a.slice(2);
  else return fail(1, `lscpu: unrecognized option '${a}'\nTry 'lscpu --help' for more information.`);
  const out = parsable(ctx.model, spec === '' ? undefined : spec);
  return out instanceof Error ? fail(1, out.message) : ok(out);
};
