import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contains, defaultMode, layoutTopology, overlaps, type Box, type LayoutOptions, type TopologyInput } from './layout';

function noOverlap(boxes: readonly Box[]): boolean {
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) if (overlaps(boxes[i]!, boxes[j]!)) return false;
  }
  return true;
}

/** Two sockets, one node each, 4 cores x 2 threads per node, Linux-style numbering. */
function twoSocketHost(): TopologyInput {
  const node = (n: number) => ({
    index: n,
    cpus: Array.from({ length: 8 }, (_, i) => {
      const core = n * 4 + (i % 4);
      // cpu ids: 0-3 node0 thread0, 4-7 node1 thread0, 8-11 node0 thread1, 12-15 node1 thread1
      const cpuId = (i < 4 ? 0 : 8) + n * 4 + (i % 4);
      return { cpuId, core, socket: n, numaNode: n };
    }),
  });
  return {
    numaNodes: [node(0), node(1)],
    nics: [
      { name: 'ens1f0', numaNode: 1, vfs: [{ index: 0 }, { index: 1 }] },
      { name: 'eno1', numaNode: 0, vfs: [] },
    ],
  };
}

describe('layoutTopology', () => {
  it('draws every CPU exactly once, inside its core, node and socket', () => {
    const l = layoutTopology(twoSocketHost());
    expect(l.cpus.map((c) => c.cpuId).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    for (const cpu of l.cpus) {
      const core = l.cores.find((c) => c.node === cpu.node && c.core === cpu.core)!;
      const node = l.nodes.find((n) => n.node === cpu.node)!;
      const socket = l.sockets.find((s) => s.socket === node.socket)!;
      expect(contains(core, cpu)).toBe(true);
      expect(contains(node, core)).toBe(true);
      expect(contains(socket, node)).toBe(true);
    }
  });

  it('puts hyperthread siblings in the same core box, in cpu id order', () => {
    const l = layoutTopology(twoSocketHost());
    const core0 = l.cpus.filter((c) => c.node === 0 && c.core === 0).sort((a, b) => a.x - b.x);
    expect(core0.map((c) => c.cpuId)).toEqual([0, 8]);
    expect(core0.map((c) => c.thread)).toEqual([0, 1]);
  });

  it('places each NIC inside its own NUMA node, below the cores, with one cell per configured VF', () => {
    const l = layoutTopology(twoSocketHost());
    const nic = l.nics.find((n) => n.name === 'ens1f0')!;
    const node1 = l.nodes.find((n) => n.node === 1)!;
    const node0 = l.nodes.find((n) => n.node === 0)!;
    expect(contains(node1, nic)).toBe(true);
    expect(contains(node0, nic)).toBe(false);
    expect(nic.vfs.map((v) => v.index)).toEqual([0, 1]);
    for (const vf of nic.vfs) expect(contains(nic, vf)).toBe(true);
    for (const core of l.cores.filter((c) => c.node === 1)) expect(overlaps(core, nic)).toBe(false);
    expect(l.unplaced).toBeNull();
  });

  it('collects NICs with an unknown NUMA node in a separate strip below the sockets', () => {
    const host = twoSocketHost();
    const l = layoutTopology({ ...host, nics: [...host.nics, { name: 'eth9', numaNode: null, vfs: [] }] });
    const orphan = l.nics.find((n) => n.name === 'eth9')!;
    expect(l.unplaced).not.toBeNull();
    expect(contains(l.unplaced!, orphan)).toBe(true);
    for (const s of l.sockets) expect(overlaps(s, l.unplaced!)).toBe(false);
    expect(l.height).toBeGreaterThanOrEqual(l.unplaced!.y + l.unplaced!.h);
  });

  it('draws a CPU listed under two nodes only once', () => {
    const l = layoutTopology({
      numaNodes: [
        { index: 0, cpus: [{ cpuId: 0, core: 0, socket: 0, numaNode: 0 }] },
        {
          index: 1,
          cpus: [
            { cpuId: 0, core: 0, socket: 0, numaNode: 0 },
            { cpuId: 1, core: 1, socket: 0, numaNode: 1 },
          ],
        },
      ],
      nics: [],
    });
    expect(l.cpus.map((c) => c.cpuId).sort()).toEqual([0, 1]);
  });

  it('holds its invariants for arbitrary hosts', () => {
    const hostArb = fc
      .record({
        sockets: fc.integer({ min: 1, max: 2 }),
        nodesPerSocket: fc.integer({ min: 1, max: 2 }),
        coresPerNode: fc.integer({ min: 0, max: 20 }),
        threads: fc.integer({ min: 1, max: 2 }),
        nics: fc.array(fc.record({ node: fc.option(fc.integer({ min: 0, max: 4 })), vfs: fc.integer({ min: 0, max: 64 }) }), {
          maxLength: 4,
        }),
        mode: fc.constantFrom('detailed' as const, 'compact' as const),
        maxWidth: fc.option(fc.integer({ min: 200, max: 3000 })),
      })
      .map(({ sockets, nodesPerSocket, coresPerNode, threads, nics, mode, maxWidth }): [TopologyInput, LayoutOptions] => {
        const nodeCount = sockets * nodesPerSocket;
        const cpusPerThread = nodeCount * coresPerNode;
        const host: TopologyInput = {
          numaNodes: Array.from({ length: nodeCount }, (_, n) => ({
            index: n,
            cpus: Array.from({ length: coresPerNode * threads }, (_, i) => {
              const coreInNode = i % coresPerNode;
              const t = Math.floor(i / coresPerNode);
              return {
                cpuId: t * cpusPerThread + n * coresPerNode + coreInNode,
                core: n * coresPerNode + coreInNode,
                socket: Math.floor(n / nodesPerSocket),
                numaNode: n,
              };
            }),
          })),
          nics: nics.map((nic, i) => ({
            name: `nic${i}`,
            numaNode: nic.node,
            vfs: Array.from({ length: nic.vfs }, (_, k) => ({ index: k })),
          })),
        };
        return [host, { mode, maxWidth: maxWidth ?? undefined }];
      });
    fc.assert(
      fc.property(hostArb, ([host, opts]) => {
        const l = layoutTopology(host, opts);
        const ids = l.cpus.map((c) => c.cpuId);
        const expected = host.numaNodes.flatMap((n) => n.cpus.map((c) => c.cpuId));
        if (new Set(ids).size !== ids.length || ids.length !== expected.length) return false;
        if (!noOverlap(l.cpus) || !noOverlap(l.cores) || !noOverlap(l.nodes) || !noOverlap(l.sockets) || !noOverlap(l.nics)) return false;
        for (const nic of l.nics) {
          if (!noOverlap(nic.vfs) || !nic.vfs.every((vf) => contains(nic, vf))) return false;
          const node = l.nodes.find((n) => n.node === nic.node);
          if (node ? !contains(node, nic) : !(l.unplaced && contains(l.unplaced, nic))) return false;
          if (l.cores.some((c) => overlaps(c, nic))) return false;
        }
        const canvas = { x: 0, y: 0, w: l.width, h: l.height };
        return [...l.sockets, ...l.nics].every((b) => contains(canvas, b));
      }),
      { numRuns: 200 },
    );
  });
});

/** 2 sockets x 64 cores x 2 threads in 4 NUMA nodes (NPS2), Linux numbering: thread 1 of CPU n is n + 128. */
function bigHost(): TopologyInput {
  return {
    numaNodes: Array.from({ length: 4 }, (_, n) => ({
      index: n,
      cpus: Array.from({ length: 64 }, (_, i) => {
        const core = n * 32 + (i % 32);
        return { cpuId: core + (i < 32 ? 0 : 128), core, socket: Math.floor(n / 2), numaNode: n };
      }),
    })),
    nics: [{ name: 'ens1f0', numaNode: 1, vfs: Array.from({ length: 8 }, (_, index) => ({ index })) }],
  };
}

describe('layoutTopology for a 256-CPU host', () => {
  it('compact: every CPU once, 16 cores per row, each row labelled with its CPUs', () => {
    const l = layoutTopology(bigHost(), { mode: 'compact' });
    expect(l.cpus).toHaveLength(256);
    expect(l.rowLabels).toHaveLength(8);
    expect(l.rowLabels.flatMap((r) => r.cpus).sort((a, b) => a - b)).toEqual(Array.from({ length: 256 }, (_, i) => i));
    expect(l.rowLabels[0]!.cpus).toEqual(Array.from({ length: 16 }, (_, i) => [i, i + 128]).flat());
    for (const r of l.rowLabels) {
      const first = l.cpus.find((c) => c.cpuId === r.cpus[0])!;
      expect(r.x + 90).toBeLessThanOrEqual(first.x);
    }
  });

  it('wraps sockets onto a new row instead of passing maxWidth', () => {
    const wide = layoutTopology(bigHost(), { mode: 'compact' });
    const s = wide.sockets;
    expect(s[1]!.y).toBe(s[0]!.y);
    const narrow = layoutTopology(bigHost(), { mode: 'compact', maxWidth: s[1]!.x + s[1]!.w - 1 });
    expect(narrow.width).toBeLessThan(wide.width);
    expect(narrow.sockets[1]!.y).toBeGreaterThan(narrow.sockets[0]!.y + narrow.sockets[0]!.h - 1);
  });

  it('the compact picture of 256 CPUs is smaller than the detailed one of 64', () => {
    const compact = layoutTopology(bigHost(), { mode: 'compact', maxWidth: 1100 });
    expect(compact.width).toBeLessThanOrEqual(1100);
    expect(defaultMode(256)).toBe('compact');
    expect(defaultMode(64)).toBe('detailed');
  });
});
