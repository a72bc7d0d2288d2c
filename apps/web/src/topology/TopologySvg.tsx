import { useMemo } from 'react';
import type { HostDetailQuery } from '@netpin/client/operations';
import { layoutTopology } from './layout';
import { cpuRole, ROLE_LABELS, ROLE_SHORT, type CpuDisplayRole } from './roles';

type Host = HostDetailQuery['host'];

export interface TopologyProps {
  host: Host;
  colours: Map<string, string>;
  vmNames: Map<string, string>;
  highlightVm: string | null;
  onHoverVm: (vmId: string | null) => void;
}

function vfState(vf: { allocatedToVmId: string | null } | undefined): 'allocated' | 'free' | 'unconfigured' {
  if (!vf) return 'unconfigured';
  return vf.allocatedToVmId ? 'allocated' : 'free';
}

export function TopologySvg({ host, colours, vmNames, highlightVm, onHoverVm }: TopologyProps) {
  const layout = useMemo(() => layoutTopology(host), [host]);
  const cpuById = useMemo(() => new Map(host.numaNodes.flatMap((n) => n.cpus).map((c) => [c.cpuId, c])), [host]);
  const nicByName = useMemo(() => new Map(host.nics.map((n) => [n.name, n])), [host]);
  const dim = (vmId: string | null | undefined) => (highlightVm !== null && vmId !== highlightVm ? ' dim' : '');
  const lit = (vmId: string | null | undefined) => (highlightVm !== null && vmId === highlightVm ? ' lit' : '');

  return (
    <svg
      className="topology"
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      role="img"
      aria-label={`CPU and NIC topology of ${host.name}`}
      data-testid="topology"
      preserveAspectRatio="xMinYMin meet"
      // up to 1.5x its layout size: at 1:1 a small host is a postage stamp with 9 px labels
      style={{ maxWidth: layout.width * 1.5 }}
    >
      {layout.sockets.map((s) => (
        <g key={`s${s.socket}`}>
          <rect className="topo-socket" x={s.x} y={s.y} width={s.w} height={s.h} rx={6} />
          <text className="topo-label" x={s.x + 8} y={s.y + 15}>
            Socket {s.socket}
          </text>
        </g>
      ))}
      {layout.nodes.map((n) => {
        const node = host.numaNodes.find((x) => x.index === n.node);
        return (
          <g key={`n${n.node}`} data-testid={`numa-node-${n.node}`}>
            <rect className="topo-node" x={n.x} y={n.y} width={n.w} height={n.h} rx={4} />
            <text className="topo-label" x={n.x + 8} y={n.y + 15}>
              NUMA node {n.node}
              {node ? ` · ${Math.round(node.memoryMiB / 1024)} GiB` : ''}
            </text>
          </g>
        );
      })}
      {layout.cores.map((c) => (
        <rect key={`c${c.socket}:${c.core}`} className="topo-core" x={c.x} y={c.y} width={c.w} height={c.h} rx={3}>
          <title>Core {c.core}</title>
        </rect>
      ))}
      {layout.cpus.map((box) => {
        const cpu = cpuById.get(box.cpuId);
        const role: CpuDisplayRole = cpu ? cpuRole(cpu) : 'free';
        const vmId = cpu?.allocation?.vmId ?? null;
        const owner = vmId ? (vmNames.get(vmId) ?? vmId.slice(0, 8)) : null;
        const colour = vmId ? colours.get(vmId) : undefined;
        return (
          <g
            key={`cpu${box.cpuId}`}
            className={`topo-cpu role-${role}${dim(vmId)}${lit(vmId)}`}
            data-cpu-id={box.cpuId}
            data-role={role}
            data-vm-id={vmId ?? undefined}
            onMouseEnter={() => onHoverVm(vmId)}
            onMouseLeave={() => onHoverVm(null)}
          >
            <title>{`CPU ${box.cpuId} (core ${box.core}, node ${box.node}): ${ROLE_LABELS[role]}${owner ? ` of ${owner}` : ''}`}</title>
            <rect x={box.x} y={box.y} width={box.w} height={box.h} rx={2} />
            {colour && <rect className="owner-band" x={box.x} y={box.y + box.h - 5} width={box.w} height={5} fill={colour} />}
            <text x={box.x + box.w / 2} y={box.y + 13} textAnchor="middle">
              {box.cpuId}
              {ROLE_SHORT[role] ? ` ${ROLE_SHORT[role]}` : ''}
            </text>
          </g>
        );
      })}
      {layout.unplaced && (
        <g>
          <rect
            className="topo-node"
            x={layout.unplaced.x}
            y={layout.unplaced.y}
            width={layout.unplaced.w}
            height={layout.unplaced.h}
            rx={4}
          />
          <text className="topo-label" x={layout.unplaced.x + 8} y={layout.unplaced.y + 15}>
            NICs with unknown NUMA node
          </text>
        </g>
      )}
      {layout.nics.map((box) => {
        const nic = nicByName.get(box.name);
        const vfs = new Map((nic?.vfs ?? []).map((v) => [v.index, v]));
        return (
          <g key={`nic${box.name}`} data-testid={`nic-${box.name}`}>
            <rect className="topo-nic" x={box.x} y={box.y} width={box.w} height={box.h} rx={3} />
            <text className="topo-nic-label" x={box.x + 6} y={box.y + 14}>
              {box.name} · {nic?.combinedQueues ?? 0} queues
              {nic && nic.sriovTotalVfs > 0 ? ` · VFs ${nic.sriovNumVfs}/${nic.sriovTotalVfs}` : ''}
            </text>
            {box.vfs.map((vb) => {
              const vf = vfs.get(vb.index);
              const st = vfState(vf);
              const vmId = vf?.allocatedToVmId ?? null;
              return (
                <rect
                  key={vb.index}
                  className={`topo-vf vf-${st}${dim(vmId)}${lit(vmId)}`}
                  data-vf-index={vb.index}
                  data-vf-state={st}
                  x={vb.x}
                  y={vb.y}
                  width={vb.w}
                  height={vb.h}
                  fill={vmId ? colours.get(vmId) : undefined}
                  onMouseEnter={() => onHoverVm(vmId)}
                  onMouseLeave={() => onHoverVm(null)}
                >
                  <title>{`VF ${vb.index}: ${st}${vmId ? ` to ${vmNames.get(vmId) ?? vmId}` : ''}`}</title>
                </rect>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}
