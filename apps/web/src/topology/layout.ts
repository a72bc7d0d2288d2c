/**
 * Pure geometry for the host topology picture: sockets hold NUMA nodes, nodes hold
 * cores (each core shows its hyperthreads side by side) and the NICs attached to that
 * node, each NIC with one cell per configured VF. Two densities: "detailed" writes the
 * CPU id in every cell; "compact" (for hosts of 100+ CPUs) draws small cells in rows of
 * 16 cores with the row's CPU list written beside it, so labels keep a readable size.
 * Sockets wrap onto new rows when `maxWidth` would be exceeded. No React here.
 */

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface TopologyCpuInput {
  cpuId: number;
  core: number;
  socket: number;
  numaNode: number;
}

export interface TopologyNicInput {
  name: string;
  numaNode: number | null;
  /** Configured VFs only: a PF's sriovTotalVfs is a maximum, not VFs that exist */
  vfs: ReadonlyArray<{ index: number }>;
}

export interface TopologyInput {
  numaNodes: ReadonlyArray<{ index: number; cpus: ReadonlyArray<TopologyCpuInput> }>;
  nics: ReadonlyArray<TopologyNicInput>;
}

export type TopologyMode = 'detailed' | 'compact';

export interface LayoutOptions {
  mode?: TopologyMode;
  /** Wrap sockets onto a new row beyond this width (a single socket may still be wider) */
  maxWidth?: number;
}

export interface SocketBox extends Box {
  socket: number;
}
export interface NodeBox extends Box {
  node: number;
  socket: number;
}
export interface CoreBox extends Box {
  node: number;
  socket: number;
  core: number;
}
export interface CpuBox extends Box {
  cpuId: number;
  node: number;
  core: number;
  /** Position among the core's hyperthreads, 0-based, in cpuId order */
  thread: number;
}
export interface VfBox extends Box {
  index: number;
}
export interface NicBox extends Box {
  name: string;
  node: number | null;
  vfs: VfBox[];
}
/** Compact mode: the CPUs of one row of cores, written at the row's left */
export interface RowLabel {
  x: number;
  y: number;
  node: number;
  cpus: number[];
}

export interface TopologyLayout {
  mode: TopologyMode;
  width: number;
  height: number;
  sockets: SocketBox[];
  nodes: NodeBox[];
  cores: CoreBox[];
  cpus: CpuBox[];
  nics: NicBox[];
  rowLabels: RowLabel[];
  /** Area for NICs whose NUMA node the kernel does not report (numa_node = -1) */
  unplaced: Box | null;
}

interface Cell {
  cpuW: number;
  cpuH: number;
  corePad: number;
  coreGap: number;
  coresPerRow: number;
  /** Width of the row-label gutter left of the cores */
  gutter: number;
}

export const CELLS: Record<TopologyMode, Cell> = {
  detailed: { cpuW: 34, cpuH: 24, corePad: 3, coreGap: 6, coresPerRow: 8, gutter: 0 },
  compact: { cpuW: 13, cpuH: 13, corePad: 2, coreGap: 3, coresPerRow: 16, gutter: 96 },
};

export const GEOMETRY = { pad: 10, header: 22, nodeHeader: 34, minNodeInner: 260, nicHeader: 22, vf: 12, vfGap: 3, nicGap: 6 } as const;

const G = GEOMETRY;

/** Above this many CPUs the picture starts compact. */
export const COMPACT_ABOVE_CPUS = 64;

export function defaultMode(cpuCount: number): TopologyMode {
  return cpuCount > COMPACT_ABOVE_CPUS ? 'compact' : 'detailed';
}

function vfsPerRow(innerW: number): number {
  return Math.max(1, Math.floor((innerW - 2 * 3 + G.vfGap) / (G.vf + G.vfGap)));
}

function layoutNic(nic: TopologyNicInput, x: number, y: number, w: number): NicBox {
  const perRow = vfsPerRow(w);
  const indexes = [...new Set(nic.vfs.map((v) => v.index))].sort((a, b) => a - b);
  const vfs = indexes.map((index, i) => ({
    index,
    x: x + 3 + (i % perRow) * (G.vf + G.vfGap),
    y: y + G.nicHeader + Math.floor(i / perRow) * (G.vf + G.vfGap),
    w: G.vf,
    h: G.vf,
  }));
  const rows = Math.ceil(indexes.length / perRow);
  return { name: nic.name, node: nic.numaNode, x, y, w, h: G.nicHeader + (rows > 0 ? rows * (G.vf + G.vfGap) + 3 : 0), vfs };
}

interface CoreGroup {
  socket: number;
  core: number;
  cpus: TopologyCpuInput[];
}

function groupCores(cpus: ReadonlyArray<TopologyCpuInput>): CoreGroup[] {
  const byKey = new Map<string, CoreGroup>();
  for (const cpu of cpus) {
    const key = `${cpu.socket}:${cpu.core}`;
    const g = byKey.get(key) ?? { socket: cpu.socket, core: cpu.core, cpus: [] };
    g.cpus.push(cpu);
    byKey.set(key, g);
  }
  const groups = [...byKey.values()];
  for (const g of groups) g.cpus.sort((a, b) => a.cpuId - b.cpuId);
  // Order cores by their lowest CPU id: that is how operators read lscpu output.
  return groups.sort((a, b) => (a.cpus[0]?.cpuId ?? 0) - (b.cpus[0]?.cpuId ?? 0));
}

/** The socket a node sits in: the one most of its CPUs report (nodes never span sockets in practice). */
function socketOfNode(cpus: ReadonlyArray<TopologyCpuInput>): number {
  if (cpus.length === 0) return 0;
  const count = new Map<number, number>();
  for (const c of cpus) count.set(c.socket, (count.get(c.socket) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
}

interface NodePlan {
  node: number;
  socket: number;
  cores: CoreGroup[];
  nics: TopologyNicInput[];
  threads: number;
}

function planNodes(host: TopologyInput): NodePlan[] {
  // A CPU listed under two nodes (bad inventory) is drawn once, under the first.
  const seen = new Set<number>();
  return [...host.numaNodes]
    .sort((a, b) => a.index - b.index)
    .map((n) => {
      const cpus = n.cpus.filter((c) => (seen.has(c.cpuId) ? false : (seen.add(c.cpuId), true)));
      const cores = groupCores(cpus);
      return {
        node: n.index,
        socket: socketOfNode(cpus),
        cores,
        nics: host.nics.filter((nic) => nic.numaNode === n.index),
        threads: Math.max(1, ...cores.map((c) => c.cpus.length)),
      };
    });
}

const coreW = (c: Cell, threads: number) => threads * c.cpuW + (threads + 1) * c.corePad;
const coreH = (c: Cell) => c.cpuH + 2 * c.corePad;

function nodeInnerW(c: Cell, p: NodePlan): number {
  const cores = Math.min(c.coresPerRow, Math.max(1, p.cores.length));
  return Math.max(G.minNodeInner, c.gutter + cores * (coreW(c, p.threads) + c.coreGap) - c.coreGap);
}

interface Out {
  nodes: NodeBox[];
  cores: CoreBox[];
  cpus: CpuBox[];
  nics: NicBox[];
  rowLabels: RowLabel[];
}

/** One node's cores and NICs from (nx, ny); returns the node's height. */
function layoutNode(c: Cell, p: NodePlan, nx: number, ny: number, innerW: number, out: Out): number {
  const cw = coreW(c, p.threads);
  const perRow = Math.max(1, Math.min(c.coresPerRow, Math.floor((innerW - c.gutter + c.coreGap) / (cw + c.coreGap))));
  const rows = Math.ceil(p.cores.length / perRow);
  const left = nx + G.pad + c.gutter;
  const top = ny + G.nodeHeader;
  p.cores.forEach((g, i) => {
    const cx = left + (i % perRow) * (cw + c.coreGap);
    const cy = top + Math.floor(i / perRow) * (coreH(c) + c.coreGap);
    out.cores.push({ node: p.node, socket: g.socket, core: g.core, x: cx, y: cy, w: cw, h: coreH(c) });
    g.cpus.forEach((cpu, t) => {
      const x = cx + c.corePad + t * (c.cpuW + c.corePad);
      out.cpus.push({ cpuId: cpu.cpuId, node: p.node, core: g.core, thread: t, x, y: cy + c.corePad, w: c.cpuW, h: c.cpuH });
    });
  });
  if (c.gutter > 0) {
    for (let r = 0; r < rows; r++) {
      const cpus = p.cores.slice(r * perRow, (r + 1) * perRow).flatMap((g) => g.cpus.map((x) => x.cpuId));
      out.rowLabels.push({ x: nx + G.pad, y: top + r * (coreH(c) + c.coreGap) + coreH(c) / 2, node: p.node, cpus });
    }
  }
  let y = top + rows * (coreH(c) + c.coreGap) + (rows > 0 ? 0 : c.coreGap);
  for (const nic of p.nics) {
    const box = layoutNic(nic, nx + G.pad, y, innerW);
    out.nics.push(box);
    y += box.h + G.nicGap;
  }
  const h = y - ny + G.pad;
  out.nodes.push({ node: p.node, socket: p.socket, x: nx, y: ny, w: innerW + 2 * G.pad, h });
  return h;
}

/** Sockets left to right, wrapping onto a new row when the next one would pass maxWidth. */
function layoutSockets(c: Cell, plans: NodePlan[], maxWidth: number, out: Out): { sockets: SocketBox[]; width: number; bottom: number } {
  const sockets: SocketBox[] = [];
  let sx: number = G.pad;
  let rowTop: number = G.pad;
  let rowBottom: number = G.pad;
  let width = 0;
  for (const socket of [...new Set(plans.map((p) => p.socket))].sort((a, b) => a - b)) {
    const mine = plans.filter((p) => p.socket === socket);
    const innerW = Math.max(...mine.map((p) => nodeInnerW(c, p)));
    const socketW = innerW + 4 * G.pad;
    if (sx > G.pad && sx + socketW + G.pad > maxWidth) {
      sx = G.pad;
      rowTop = rowBottom + G.pad;
    }
    let ny = rowTop + G.header;
    for (const p of mine) ny += layoutNode(c, p, sx + G.pad, ny, innerW, out) + G.pad;
    const socketH = ny - rowTop;
    sockets.push({ socket, x: sx, y: rowTop, w: socketW, h: socketH });
    rowBottom = Math.max(rowBottom, rowTop + socketH);
    sx += socketW + G.pad;
    width = Math.max(width, sx);
  }
  return { sockets, width, bottom: rowBottom };
}

export function layoutTopology(host: TopologyInput, opts: LayoutOptions = {}): TopologyLayout {
  const mode = opts.mode ?? 'detailed';
  const c = CELLS[mode];
  const out: Out = { nodes: [], cores: [], cpus: [], nics: [], rowLabels: [] };
  const plans = planNodes(host);
  const placed = layoutSockets(c, plans, opts.maxWidth ?? Number.POSITIVE_INFINITY, out);
  const width = Math.max(placed.width, G.minNodeInner + 4 * G.pad);
  const nodeIndexes = new Set(host.numaNodes.map((n) => n.index));
  const orphans = host.nics.filter((nic) => nic.numaNode === null || !nodeIndexes.has(nic.numaNode));
  let bottom = placed.bottom;
  let unplaced: Box | null = null;
  if (orphans.length > 0) {
    let y = bottom + G.pad + G.header;
    for (const nic of orphans) {
      const box = layoutNic(nic, 2 * G.pad, y, width - 4 * G.pad);
      out.nics.push(box);
      y += box.h + G.nicGap;
    }
    unplaced = { x: G.pad, y: bottom + G.pad, w: width - 2 * G.pad, h: y - bottom - G.pad };
    bottom = unplaced.y + unplaced.h;
  }
  return { mode, width, height: bottom + G.pad, sockets: placed.sockets, ...out, unplaced };
}

export function contains(outer: Box, inner: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
