import type { CpuBox, TopologyMode } from './layout';
import { cpuRoles, describeUses, ROLE_SHORT, type CpuForRole } from './roles';

export interface Hover {
  highlightVm: string | null;
  onHoverVm: (vmId: string | null) => void;
}

export function litClass(h: Hover, vmIds: readonly string[]): string {
  if (h.highlightVm === null) return '';
  return vmIds.includes(h.highlightVm) ? ' lit' : ' dim';
}

/**
 * One CPU: filled by its accounted role, a corner mark per further role (an I/O CPU shows
 * IRQ and vhost), a band in the owner VM's colour. Detailed cells also write id and roles.
 */
export function CpuCell({
  box,
  cpu,
  mode,
  colour,
  hover,
}: {
  box: CpuBox;
  cpu: CpuForRole;
  mode: TopologyMode;
  colour: string | undefined;
  hover: Hover;
}) {
  const roles = cpuRoles(cpu);
  const owner = cpu.allocation?.vmId ?? null;
  const vmIds = [...new Set([...(owner ? [owner] : []), ...cpu.uses.map((u) => u.vmId)])];
  const mark = mode === 'compact' ? 4 : 6;
  const band = mode === 'compact' ? 3 : 5;
  return (
    <g
      className={`topo-cpu role-${roles[0]}${litClass(hover, vmIds)}`}
      data-cpu-id={box.cpuId}
      data-role={roles[0]}
      data-roles={roles.join(' ')}
      data-vm-id={owner ?? undefined}
      onMouseEnter={() => hover.onHoverVm(owner ?? cpu.uses[0]?.vmId ?? null)}
      onMouseLeave={() => hover.onHoverVm(null)}
    >
      <title>{`CPU ${box.cpuId} (core ${box.core}, node ${box.node}): ${describeUses(cpu)}`}</title>
      <rect x={box.x} y={box.y} width={box.w} height={box.h} rx={2} />
      {roles.slice(1).map((r, i) => (
        <rect key={r} className={`role-mark role-${r}`} x={box.x + box.w - mark * (i + 1)} y={box.y} width={mark} height={mark} />
      ))}
      {colour && <rect className="owner-band" x={box.x} y={box.y + box.h - band} width={box.w} height={band} fill={colour} />}
      {mode === 'detailed' && (
        <text x={box.x + box.w / 2} y={box.y + 13} textAnchor="middle">
          {box.cpuId}
          {roles[0] !== 'free' ? ` ${roles.map((r) => ROLE_SHORT[r]).join('')}` : ''}
        </text>
      )}
    </g>
  );
}
