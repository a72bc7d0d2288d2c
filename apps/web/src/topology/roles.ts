/** How a CPU is drawn: what it runs (roles, the accounted one first) and for whom (owner VM). */
export type CpuDisplayRole = 'vcpu' | 'emulator' | 'vhost' | 'irq' | 'isolation' | 'host-reserved' | 'free';

export const ROLE_ORDER: CpuDisplayRole[] = ['vcpu', 'emulator', 'vhost', 'irq', 'isolation', 'host-reserved', 'free'];

export const ROLE_LABELS: Record<CpuDisplayRole, string> = {
  vcpu: 'vCPU',
  emulator: 'Emulator',
  vhost: 'vhost',
  irq: 'NIC IRQ',
  isolation: 'Isolated sibling',
  'host-reserved': 'Host reserved',
  free: 'Free',
};

export const ROLE_SHORT: Record<CpuDisplayRole, string> = {
  vcpu: 'v',
  emulator: 'E',
  vhost: 'H',
  irq: 'I',
  isolation: 'x',
  'host-reserved': 'R',
  free: '',
};

export interface CpuUseForRole {
  role: string;
  vmId: string;
  vmName: string;
}

export interface CpuForRole {
  reservedForHost: boolean;
  allocation: { vmId: string; role: string } | null;
  uses: readonly CpuUseForRole[];
}

/** Roles are compared as strings so a role the API adds later still gets drawn. */
export function displayRole(role: string): CpuDisplayRole {
  const r = role.toUpperCase();
  if (r === 'VCPU') return 'vcpu';
  if (r === 'EMULATOR') return 'emulator';
  if (r === 'VHOST') return 'vhost';
  if (r === 'IRQ') return 'irq';
  if (r.startsWith('ISOL')) return 'isolation';
  return 'vcpu';
}

/** Every role the CPU plays, the accounted one (the allocation's) first; free or host-reserved when none. */
export function cpuRoles(cpu: CpuForRole): CpuDisplayRole[] {
  const roles: CpuDisplayRole[] = [];
  if (cpu.allocation) roles.push(displayRole(cpu.allocation.role));
  for (const u of cpu.uses) {
    const r = displayRole(u.role);
    if (!roles.includes(r)) roles.push(r);
  }
  if (roles.length > 0) return roles;
  return [cpu.reservedForHost ? 'host-reserved' : 'free'];
}

export function cpuRole(cpu: CpuForRole): CpuDisplayRole {
  return cpuRoles(cpu)[0]!;
}

/** "NIC IRQ of web-1, vhost of web-1 and web-2": every use, grouped by role. */
export function describeUses(cpu: CpuForRole): string {
  if (cpu.uses.length === 0) return ROLE_LABELS[cpuRole(cpu)];
  const byRole = new Map<CpuDisplayRole, string[]>();
  for (const u of cpu.uses) byRole.set(displayRole(u.role), [...(byRole.get(displayRole(u.role)) ?? []), u.vmName]);
  return [...byRole.entries()].map(([r, names]) => `${ROLE_LABELS[r]} of ${names.join(' and ')}`).join(', ');
}

/** How many CPUs play each role (a CPU with two roles counts under both). */
export function roleCounts(cpus: readonly CpuForRole[]): Map<CpuDisplayRole, number> {
  const m = new Map<CpuDisplayRole, number>();
  for (const c of cpus) for (const r of cpuRoles(c)) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

// VM colours stay clear of the role colours (blue, orange, purple, red, grey) that fill the cells
const PALETTE = ['#2ca02c', '#17becf', '#8c564b', '#e377c2', '#bcbd22', '#1f3b73', '#006d77', '#800000', '#daa520', '#2f4f4f'];

/** Stable colours per VM: sorted ids index into a palette (repeats after ten VMs). */
export function vmColours(vmIds: Iterable<string>): Map<string, string> {
  const ids = [...new Set(vmIds)].sort();
  return new Map(ids.map((id, i) => [id, PALETTE[i % PALETTE.length]!]));
}
