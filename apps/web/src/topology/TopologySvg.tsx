import { formatCpuList, formatFreeCpus } from '@netpin/client/display';
import { useMemo } from 'react';
import type { HostDetailQuery } from '@netpin/client/operations';
import { CpuCell, type Hover } from './CpuCell';
import { layoutTopology, type TopologyLayout, type TopologyMode } from './layout';
import { NicBlock } from './NicBlock';

type Host = HostDetailQuery['host'];

export interface TopologyProps extends Hover {
  host: Host;
  colours: Map<string, string>;
  mode?: TopologyMode;
  /** Width available for the picture: sockets wrap beyond it */
  maxWidth?: number;
  /** Width to grow a small picture towards (up to 1.5 times, so 9 px labels become readable) */
  fitWidth?: number;
  zoom?: number;
}

/** One layout unit per CSS pixel keeps labels at their designed size; small pictures may grow, zoom multiplies. */
export function drawScale(layoutWidth: number, fitWidth: number | undefined, zoom: number): number {
  const grow = fitWidth ? Math.min(1.5, Math.max(1, fitWidth / (layoutWidth * zoom))) : 1;
  return grow * zoom;
}

function Frames({ layout, host }: { layout: TopologyLayout; host: Host }) {
  return (
    <>
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
              {node ? ` · ${node.cpus.length} CPUs · ${Math.round(node.memoryMiB / 1024)} GiB` : ''}
            </text>
            {node && (
              <text className="topo-sublabel" x={n.x + 8} y={n.y + 28}>
                CPUs {formatFreeCpus(node.cpuCounts)}
              </text>
            )}
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
      {layout.cores.map((c) => (
        <rect key={`c${c.socket}:${c.core}`} className="topo-core" x={c.x} y={c.y} width={c.w} height={c.h} rx={2}>
          <title>Core {c.core}</title>
        </rect>
      ))}
      {layout.rowLabels.map((r) => (
        <text key={`r${r.node}:${r.cpus[0]}`} className="topo-row-label" x={r.x} y={r.y} dominantBaseline="central">
          {formatCpuList(r.cpus)}
        </text>
      ))}
    </>
  );
}

export function TopologySvg({ host, colours, mode = 'detailed', maxWidth, fitWidth, zoom = 1, highlightVm, onHoverVm }: TopologyProps) {
  const layout = useMemo(() => layoutTopology(host, { mode, maxWidth }), [host, mode, maxWidth]);
  const scale = drawScale(layout.width, fitWidth, zoom);
  const cpuById = useMemo(() => new Map(host.numaNodes.flatMap((n) => n.cpus).map((c) => [c.cpuId, c])), [host]);
  const nicByName = useMemo(() => new Map(host.nics.map((n) => [n.name, n])), [host]);
  const hover = { highlightVm, onHoverVm };
  return (
    <svg
      className={`topology topology-${mode}`}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width={Math.round(layout.width * scale)}
      height={Math.round(layout.height * scale)}
      role="img"
      aria-label={`CPU and NIC topology of ${host.name}`}
      data-testid="topology"
      data-mode={mode}
    >
      <Frames layout={layout} host={host} />
      {layout.cpus.map((box) => {
        const cpu = cpuById.get(box.cpuId) ?? { reservedForHost: false, allocation: null, uses: [] };
        const owner = cpu.allocation?.vmId;
        return <CpuCell key={box.cpuId} box={box} cpu={cpu} mode={mode} colour={owner ? colours.get(owner) : undefined} hover={hover} />;
      })}
      {layout.nics.map((box) => (
        <NicBlock key={box.name} box={box} nic={nicByName.get(box.name)} colours={colours} hover={hover} />
      ))}
    </svg>
  );
}
