import type { DomainSpec } from './model';

const sortedSet = (xs: readonly number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);

/**
 * The canonical form of a DomainSpec: the one `parseDomain` returns. CPU sets sorted and
 * unique, vCPU pins ordered by vCPU, uuid lower-case, and an empty <cputune> dropped
 * (libvirt drops it too). parseDomain(renderDomain(s)) deep-equals normaliseDomain(s).
 */
export function normaliseDomain(s: DomainSpec): DomainSpec {
  const out: DomainSpec = { ...s, interfaces: s.interfaces.map((i) => ({ ...i })) };
  if (s.uuid !== undefined) out.uuid = s.uuid.toLowerCase();
  if (s.cputune !== undefined) {
    const vcpupins = [...s.cputune.vcpupins].sort((a, b) => a.vcpu - b.vcpu).map((p) => ({ vcpu: p.vcpu, cpuset: sortedSet(p.cpuset) }));
    if (vcpupins.length === 0 && s.cputune.emulatorpin === undefined) delete out.cputune;
    else out.cputune = { vcpupins, ...(s.cputune.emulatorpin !== undefined ? { emulatorpin: sortedSet(s.cputune.emulatorpin) } : {}) };
  }
  if (s.numaMemory !== undefined) out.numaMemory = { mode: s.numaMemory.mode, nodeset: sortedSet(s.numaMemory.nodeset) };
  if (s.cpu?.cells !== undefined) out.cpu = { ...s.cpu, cells: s.cpu.cells.map((c) => ({ ...c, cpus: sortedSet(c.cpus) })) };
  if (s.cpu?.features !== undefined) {
    const features = [...s.cpu.features].sort((a, b) => a.name.localeCompare(b.name));
    out.cpu = { ...(out.cpu ?? s.cpu) };
    if (features.length > 0) out.cpu.features = features;
    else delete out.cpu.features;
  }
  if (s.owner !== undefined) out.owner = { vmId: s.owner.vmId.toLowerCase() };
  return out;
}
