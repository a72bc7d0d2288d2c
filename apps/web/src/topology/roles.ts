/** How a CPU is drawn: what it runs (role) and for whom (owner VM). */
export type CpuDisplayRole = 'vcpu' | 'emulator' | 'vhost' | 'irq' | 'isolation' | 'host-reserved' | 'free';

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

export interface CpuForRole {
  reservedForHost: boolean;
  allocation: { vmId: string; role: string } | null;
}

export function cpuRole(cpu: CpuForRole): CpuDisplayRole {
  if (cpu.allocation) {
    // Roles are compared as strings so a role the API adds later (for instance the
    // hyperthread sibling kept idle by threadPolicy ISOLATE) still gets drawn.
    const role = String(cpu.allocation.role).toUpperCase();
    if (role === 'VCPU') return 'vcpu';
    if (role === 'EMULATOR') return 'emulator';
    if (role === 'VHOST') return 'vhost';
    if (role === 'IRQ') return 'irq';
    if (role.startsWith('ISOL')) return 'isolation';
    return 'vcpu';
  }
  return cpu.reservedForHost ? 'host-reserved' : 'free';
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#bcbd22', '#7f7f7f'];

/** Stable colours per VM: sorted ids index into a palette (repeats after ten VMs). */
export function vmColours(vmIds: Iterable<string>): Map<string, string> {
  const ids = [...new Set(vmIds)].sort();
  return new Map(ids.map((id, i) => [id, PALETTE[i % PALETTE.length]!]));
}
