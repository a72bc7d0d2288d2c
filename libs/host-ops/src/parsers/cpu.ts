import { parseCpuList, ValueParseError } from '@netpin/contracts';
import { HostOutputParseError } from '../errors';
import { parseUint, splitLines } from './lines';

export interface LscpuRow {
  cpu: number;
  core: number;
  socket: number;
  /** 0 when the machine has no NUMA (lscpu prints an empty Node column). */
  node: number;
}

/**
 * `lscpu -p=CPU,CORE,SOCKET,NODE`: "#" comment lines (the last names the columns), then
 * one comma-separated row per logical CPU. Offline CPUs are listed with empty fields
 * unless --online; we skip rows whose core is empty.
 */
export function parseLscpu(text: string): LscpuRow[] {
  const src = 'lscpu -p';
  const rows: LscpuRow[] = [];
  let columns: string[] | null = null;
  splitLines(text).forEach((line, i) => {
    if (line.startsWith('#')) {
      const m = /^#\s*([A-Za-z]+(,[A-Za-z]+)*)\s*$/.exec(line);
      if (m && m[1].includes(',')) columns = m[1].toLowerCase().split(',');
      return;
    }
    if (line.trim() === '') return;
    const cols = columns ?? ['cpu', 'core', 'socket', 'node'];
    const f = line.split(',');
    if (f.length !== cols.length) throw new HostOutputParseError(src, `expected ${cols.length} fields`, line, i + 1);
    const get = (name: string): string => {
      const idx = cols.indexOf(name);
      if (idx < 0) throw new HostOutputParseError(src, `column ${name} missing from header`, line, i + 1);
      return f[idx];
    };
    if (get('core') === '') return;
    rows.push({
      cpu: parseUint(src, get('cpu'), line, i + 1),
      core: parseUint(src, get('core'), line, i + 1),
      socket: parseUint(src, get('socket'), line, i + 1),
      node: get('node') === '' ? 0 : parseUint(src, get('node'), line, i + 1),
    });
  });
  if (rows.length === 0) throw new HostOutputParseError(src, 'no CPU rows');
  return rows;
}

/** Siblings of each CPU: CPUs sharing (socket, core). */
export function siblingsFromLscpu(rows: readonly LscpuRow[]): Map<number, number[]> {
  const byCore = new Map<string, number[]>();
  for (const r of rows) {
    const key = `${r.socket}/${r.core}`;
    byCore.set(key, [...(byCore.get(key) ?? []), r.cpu]);
  }
  const out = new Map<number, number[]>();
  for (const r of rows)
    out.set(
      r.cpu,
      [...(byCore.get(`${r.socket}/${r.core}`) ?? [])].sort((a, b) => a - b),
    );
  return out;
}

export interface SysfsCpuTopology {
  cpu: number;
  core: number;
  socket: number;
  siblings: number[];
}

/**
 * /sys/devices/system/cpu/cpuN/topology/{core_id,physical_package_id,thread_siblings_list}
 * as read by `readFiles`. Unlike lscpu, core_id is only unique within a package.
 */
export function parseSysfsCpuTopology(files: ReadonlyMap<string, string>): SysfsCpuTopology[] {
  const src = 'sysfs cpu topology';
  const cpus = new Map<number, Partial<SysfsCpuTopology>>();
  for (const [path, value] of files) {
    const m = /^\/sys\/devices\/system\/cpu\/cpu(\d+)\/topology\/(core_id|physical_package_id|thread_siblings_list)$/.exec(path);
    if (!m) continue;
    const cpu = Number(m[1]);
    const e = cpus.get(cpu) ?? { cpu };
    const v = value.trim();
    if (m[2] === 'core_id') e.core = parseUint(src, v, `${path}:${v}`);
    else if (m[2] === 'physical_package_id') e.socket = parseUint(src, v, `${path}:${v}`);
    else e.siblings = cpuList(src, v, `${path}:${v}`);
    cpus.set(cpu, e);
  }
  return [...cpus.values()]
    .map((e) => {
      if (e.core === undefined || e.socket === undefined || e.siblings === undefined) {
        throw new HostOutputParseError(src, `incomplete topology for cpu${String(e.cpu)}`);
      }
      return e as SysfsCpuTopology;
    })
    .sort((a, b) => a.cpu - b.cpu);
}

export function cpuList(source: string, text: string, line = text): number[] {
  try {
    return parseCpuList(text);
  } catch (e) {
    if (e instanceof ValueParseError) throw new HostOutputParseError(source, e.message, line);
    throw e;
  }
}

export interface NodeMeminfo {
  memTotalKiB: number;
  memFreeKiB: number;
  /** Default-size huge pages as the node's meminfo counts them. */
  hugePagesTotal: number;
  hugePagesFree: number;
}

/** /sys/devices/system/node/nodeN/meminfo: "Node 0 MemTotal:       196314056 kB" lines. */
export function parseNodeMeminfo(text: string): NodeMeminfo {
  const src = 'node meminfo';
  const values = new Map<string, number>();
  splitLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^Node (\d+) ([A-Za-z0-9_()]+):\s+(\d+)(?: kB)?$/.exec(line);
    if (!m) throw new HostOutputParseError(src, 'unexpected line', line, i + 1);
    values.set(m[2], Number(m[3]));
  });
  const need = (k: string): number => {
    const v = values.get(k);
    if (v === undefined) throw new HostOutputParseError(src, `${k} missing`);
    return v;
  };
  return {
    memTotalKiB: need('MemTotal'),
    memFreeKiB: need('MemFree'),
    hugePagesTotal: values.get('HugePages_Total') ?? 0,
    hugePagesFree: values.get('HugePages_Free') ?? 0,
  };
}

export interface CpuVirtFlags {
  virtExtension: 'vmx' | 'svm' | null;
  /** ept (Intel) or npt (AMD). */
  secondLevelPaging: boolean;
}

/**
 * The "flags" (and, since Linux 5.8, "vmx flags") lines of /proc/cpuinfo: whole file or
 * the lines `grep -m 2 -E '^(flags|vmx flags)'` keeps.
 */
export function parseCpuFlags(text: string): CpuVirtFlags {
  const flags = new Set<string>();
  let seen = false;
  for (const line of splitLines(text)) {
    const m = /^(flags|vmx flags)\s*:(.*)$/.exec(line);
    if (!m) continue;
    seen = true;
    for (const f of m[2].trim().split(/\s+/)) if (f !== '') flags.add(f);
  }
  if (!seen) throw new HostOutputParseError('/proc/cpuinfo', 'no flags line', splitLines(text)[0] ?? '');
  return {
    virtExtension: flags.has('vmx') ? 'vmx' : flags.has('svm') ? 'svm' : null,
    secondLevelPaging: flags.has('ept') || flags.has('npt'),
  };
}
