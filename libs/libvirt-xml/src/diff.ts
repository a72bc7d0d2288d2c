import type { DomainSpec } from './model';
import { normaliseDomain } from './normalise';

export interface DomainDifference {
  /** Dotted path into DomainSpec, e.g. "interfaces[1].vlan" or "cputune.vcpupins[0].cpuset". */
  path: string;
  expected: unknown;
  actual: unknown;
}

/**
 * Differences between the domain netpin wants and what the host reports (both as
 * DomainSpec, typically `actual = parseDomain(virsh dumpxml)`). Leaves are compared by
 * value after normalisation; arrays by position (a missing or extra element is one entry);
 * CPU sets are whole values, so a changed pin is one entry.
 * `uuid` is compared only when the desired spec sets one (libvirt generates it otherwise), and
 * the guest `cpu` only when the desired spec has one: under QEMU TCG libvirt fills in its
 * default model (`<cpu mode='custom' match='exact'><model fallback='forbid'>qemu64</model>`).
 */
export function diffDomain(desired: DomainSpec, actual: DomainSpec): DomainDifference[] {
  const out: DomainDifference[] = [];
  const d = normaliseDomain(desired);
  const a = normaliseDomain(actual);
  if (d.uuid === undefined) delete a.uuid;
  if (d.cpu === undefined) delete a.cpu;
  walk('', d, a, out);
  return out;
}

function isCpuSet(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

function walk(path: string, e: unknown, a: unknown, out: DomainDifference[]): void {
  if (isCpuSet(e) && isCpuSet(a)) {
    if (e.length !== a.length || e.some((x, i) => x !== a[i])) out.push({ path, expected: e, actual: a });
    return;
  }
  if (Array.isArray(e) && Array.isArray(a)) {
    for (let i = 0; i < Math.max(e.length, a.length); i++) walk(`${path}[${i}]`, e[i], a[i], out);
    return;
  }
  if (isRecord(e) && isRecord(a)) {
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    for (const k of keys) walk(path === '' ? k : `${path}.${k}`, e[k], a[k], out);
    return;
  }
  if (e !== a) out.push({ path, expected: e, actual: a });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
