import { useMemo, useState } from 'react';
import type { HostDetailQuery } from '@netpin/client/operations';
import { useElementWidth } from '../../lib/use-width';
import { defaultMode, type TopologyMode } from '../../topology/layout';
import { TopologySvg } from '../../topology/TopologySvg';
import { HostLegend } from './HostLegend';

type Host = HostDetailQuery['host'];

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2];
/** .topo-canvas padding, both sides */
const CANVAS_PADDING = 16;

/** Mode (detailed / compact) and zoom; the default fits the host: compact above 64 CPUs. */
function useTopologyView(cpuCount: number) {
  const [mode, setMode] = useState<TopologyMode>(defaultMode(cpuCount));
  const [zoomIndex, setZoomIndex] = useState(ZOOMS.indexOf(1));
  return {
    mode,
    toggleMode: () => setMode(mode === 'compact' ? 'detailed' : 'compact'),
    zoom: ZOOMS[zoomIndex]!,
    zoomIn: zoomIndex < ZOOMS.length - 1 ? () => setZoomIndex(zoomIndex + 1) : undefined,
    zoomOut: zoomIndex > 0 ? () => setZoomIndex(zoomIndex - 1) : undefined,
    resetZoom: () => setZoomIndex(ZOOMS.indexOf(1)),
  };
}

function TopologyControls({ view }: { view: ReturnType<typeof useTopologyView> }) {
  return (
    <div className="toolbar topo-controls" role="group" aria-label="Topology view">
      <button
        type="button"
        className="btn btn-small"
        onClick={view.toggleMode}
        data-testid="topology-mode"
        aria-pressed={view.mode === 'compact'}
      >
        {view.mode === 'compact' ? 'Detailed view (CPU ids in cells)' : 'Compact view'}
      </button>
      <button
        type="button"
        className="btn btn-small"
        onClick={view.zoomOut}
        disabled={!view.zoomOut}
        aria-label="Zoom out"
        data-testid="topology-zoom-out"
      >
        −
      </button>
      <button type="button" className="btn btn-small" onClick={view.resetZoom} data-testid="topology-zoom-reset" title="Reset zoom">
        {Math.round(view.zoom * 100)}%
      </button>
      <button
        type="button"
        className="btn btn-small"
        onClick={view.zoomIn}
        disabled={!view.zoomIn}
        aria-label="Zoom in"
        data-testid="topology-zoom-in"
      >
        +
      </button>
    </div>
  );
}

export function TopologyPanel({
  host,
  colours,
  highlight,
  setHighlight,
}: {
  host: Host;
  colours: Map<string, string>;
  highlight: string | null;
  setHighlight: (vmId: string | null) => void;
}) {
  const cpus = useMemo(() => host.numaNodes.flatMap((n) => n.cpus), [host]);
  const view = useTopologyView(cpus.length);
  const [canvasRef, width] = useElementWidth<HTMLDivElement>();
  const fill = width > 0 ? width - CANVAS_PADDING : undefined;
  return (
    <div className="topo-wrap">
      <div className="topo-main">
        <TopologyControls view={view} />
        <div className="topo-canvas" ref={canvasRef}>
          {host.numaNodes.length === 0 ? (
            <p className="status">No topology yet: run discovery.</p>
          ) : (
            <TopologySvg
              host={host}
              colours={colours}
              mode={view.mode}
              maxWidth={fill ? fill / view.zoom : undefined}
              fitWidth={fill}
              zoom={view.zoom}
              highlightVm={highlight}
              onHoverVm={setHighlight}
            />
          )}
        </div>
      </div>
      <HostLegend host={host} cpus={cpus} colours={colours} highlight={highlight} setHighlight={setHighlight} />
    </div>
  );
}
