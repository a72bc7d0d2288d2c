import { describeState } from '@netpin/client/display';
import { formatTime } from '../lib/format';
import { litClass, type Hover } from './CpuCell';
import type { NicBox } from './layout';

export interface NicForDrawing {
  name: string;
  combinedQueues: number;
  sriovTotalVfs: number;
  vfCounts: { configured: number; allocated: number };
  vfs: ReadonlyArray<{
    index: number;
    mac: string | null;
    allocatedToVmId: string | null;
    allocatedToVmName: string | null;
    state: { source: 'DISCOVERED' | 'PLANNED' | 'APPLIED' | 'VERIFIED'; at: string | null; vmName: string | null };
  }>;
}

function nicTitle(nic: NicForDrawing): string {
  const sriov =
    nic.sriovTotalVfs > 0 ? ` · ${nic.vfCounts.configured} VFs (max ${nic.sriovTotalVfs}), ${nic.vfCounts.allocated} allocated` : '';
  return `${nic.name} · ${nic.combinedQueues} queues${sriov}`;
}

/** A NIC inside its NUMA node, with one cell per configured VF in the holding VM's colour. */
export function NicBlock({
  box,
  nic,
  colours,
  hover,
}: {
  box: NicBox;
  nic: NicForDrawing | undefined;
  colours: Map<string, string>;
  hover: Hover;
}) {
  const vfs = new Map((nic?.vfs ?? []).map((v) => [v.index, v]));
  return (
    <g data-testid={`nic-${box.name}`}>
      <rect className="topo-nic" x={box.x} y={box.y} width={box.w} height={box.h} rx={3} />
      <text className="topo-nic-label" x={box.x + 6} y={box.y + 14}>
        {nic ? nicTitle(nic) : box.name}
      </text>
      {box.vfs.map((vb) => {
        const vf = vfs.get(vb.index);
        const vmId = vf?.allocatedToVmId ?? null;
        const st = vmId ? 'allocated' : 'free';
        const detail = vf ? ` · MAC ${vf.mac ?? 'none'} (${describeState(vf.state, formatTime)})` : '';
        return (
          <rect
            key={vb.index}
            className={`topo-vf vf-${st}${litClass(hover, vmId ? [vmId] : [])}`}
            data-vf-index={vb.index}
            data-vf-state={st}
            x={vb.x}
            y={vb.y}
            width={vb.w}
            height={vb.h}
            fill={vmId ? colours.get(vmId) : undefined}
            onMouseEnter={() => hover.onHoverVm(vmId)}
            onMouseLeave={() => hover.onHoverVm(null)}
          >
            <title>{`VF ${vb.index}: ${vmId ? `allocated to ${vf?.allocatedToVmName ?? vmId}` : 'free'}${detail}`}</title>
          </rect>
        );
      })}
    </g>
  );
}
