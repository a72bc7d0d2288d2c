/**
 * Pure geometry for the host topology picture: sockets hold NUMA nodes, nodes hold
 * cores (each core shows its hyperthreads side by side) and the NICs attached to that
 * node, each NIC with a grid of VF slots. No React here so it can be tested alone.
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
  sriovTotalVfs: number;
  vfs: ReadonlyArray<{ index: number }>;
}

export interface TopologyInput {
  numaNodes: ReadonlyArray<{ index: number; cpus: ReadonlyArray<TopologyCpuInput> }>;
  nics: ReadonlyArray<TopologyNicInput>;
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

export interface TopologyLayout {
  width: number;
  height: number;
  sockets: SocketBox[];
  nodes: NodeBox[];
  cores: CoreBox[];
  cpus: CpuBox[];
  nics: NicBox[];
  /** Area for NICs whose NUMA node the kernel does not report (numa_node = -1) */
  unplaced: Box | null;
}

export const GEOMETRY = {
  pad: 10,
  header: 22,
  cpuW: 34,
  cpuH: 24,
  corePad: 3,
  coreGap: 6,
  coresPerRow: 8,
  minNodeInner: 260,
  nicHeader: 22,
  vf: 12,
  vfGap: 3,
  nicGap: 6,
} as const;

const G = GEOMETRY;

function nicHeight(slots: number, innerW: number): number {
  const perRow = Math.max(1, Math.floor((innerW - 2 * G.corePad + G.vfGap) / (G.vf + G.vfGap)));
  const rows = Math.ceil(slots / perRow);
  return G.nicHeader + (rows > 0 ? rows * (G.vf + G.vfGap) + G.corePad : 0);
}

function layoutNic(nic: TopologyNicInput, x: number, y: number, w: number): NicBox {
  const slots = Math.max(nic.sriovTotalVfs, ...nic.vfs.map((v) => v.index + 1), 0);
  const perRow = Math.max(1, Math.floor((w - 2 * G.corePad + G.vfGap) / (G.vf + G.vfGap)));
  const vfs: VfBox[] = [];
  for (let i = 0; i < slots; i++) {
    vfs.push({
      index: i,
      x: x + G.corePad + (i % perRow) * (G.vf + G.vfGap),
      y: y + G.nicHeader + Math.floor(i / perRow) * (G.vf + G.vfGap),
      w: G.vf,
      h: G.vf,
    });
  }
  return { name: nic.name, node: nic.numaNode, x, y, w, h: nicHeight(slots, w), vfs };
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

export function layoutTopology(host: TopologyInput): TopologyLayout {
  // A CPU listed under two nodes (bad inventory) is drawn once, under the first.
  const seen = new Set<number>();
  const nodeIndexes = new Set(host.numaNodes.map((n) => n.index));
  const plans: NodePlan[] = [...host.numaNodes]
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
  const orphanNics = host.nics.filter((nic) => nic.numaNode === null || !nodeIndexes.has(nic.numaNode));

  const socketIds = [...new Set(plans.map((p) => p.socket))].sort((a, b) => a - b);
  const sockets: SocketBox[] = [];
  const nodes: NodeBox[] = [];
  const cores: CoreBox[] = [];
  const cpus: CpuBox[] = [];
  const nics: NicBox[] = [];

  const coreW = (threads: number) => threads * G.cpuW + (threads + 1) * G.corePad;
  const coreH = G.cpuH + 2 * G.corePad;
  const nodeInnerW = (p: NodePlan) =>
    Math.max(G.minNodeInner, Math.min(G.coresPerRow, Math.max(1, p.cores.length)) * (coreW(p.threads) + G.coreGap) - G.coreGap);

  let sx: number = G.pad;
  let maxBottom: number = G.pad;
  for (const socket of socketIds) {
    const mine = plans.filter((p) => p.socket === socket);
    const innerW = Math.max(...mine.map(nodeInnerW));
    const nodeW = innerW + 2 * G.pad;
    const socketW = nodeW + 2 * G.pad;
    let ny = G.pad + G.header;
    for (const p of mine) {
      const nx = sx + G.pad;
      const cw = coreW(p.threads);
      const perRow = Math.max(1, Math.floor((innerW + G.coreGap) / (cw + G.coreGap)));
      const rows = Math.ceil(p.cores.length / perRow);
      const coresTop = ny + G.header;
      p.cores.forEach((g, i) => {
        const cx = nx + G.pad + (i % perRow) * (cw + G.coreGap);
        const cy = coresTop + Math.floor(i / perRow) * (coreH + G.coreGap);
        cores.push({ node: p.node, socket: g.socket, core: g.core, x: cx, y: cy, w: cw, h: coreH });
        g.cpus.forEach((cpu, t) => {
          cpus.push({
            cpuId: cpu.cpuId,
            node: p.node,
            core: g.core,
            thread: t,
            x: cx + G.corePad + t * (G.cpuW + G.corePad),
            y: cy + G.corePad,
            w: G.cpuW,
            h: G.cpuH,
          });
        });
      });
      let y = coresTop + rows * (coreH + G.coreGap) + (rows > 0 ? 0 : G.coreGap);
      for (const nic of p.nics) {
        const box = layoutNic(nic, nx + G.pad, y, innerW);
        nics.push(box);
        y += box.h + G.nicGap;
      }
      const nodeH = y - ny + G.pad;
      nodes.push({ node: p.node, socket, x: nx, y: ny, w: nodeW, h: nodeH });
      ny += nodeH + G.pad;
    }
    const socketH = ny - G.pad;
    sockets.push({ socket, x: sx, y: G.pad, w: socketW, h: socketH });
    maxBottom = Math.max(maxBottom, G.pad + socketH);
    sx += socketW + G.pad;
  }

  const width = Math.max(sx, G.minNodeInner + 4 * G.pad);
  let unplaced: Box | null = null;
  if (orphanNics.length > 0) {
    const innerW = width - 4 * G.pad;
    let y = maxBottom + G.pad + G.header;
    for (const nic of orphanNics) {
      const box = layoutNic(nic, 2 * G.pad, y, innerW);
      nics.push(box);
      y += box.h + G.nicGap;
    }
    unplaced = { x: G.pad, y: maxBottom + G.pad, w: width - 2 * G.pad, h: y - maxBottom - G.pad };
    maxBottom = unplaced.y + unplaced.h;
  }
  return { width, height: maxBottom + G.pad, sockets, nodes, cores, cpus, nics, unplaced };
}

export function contains(outer: Box, inner: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
