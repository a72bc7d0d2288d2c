import type { HostModel, TapDevice, VfState } from './model';
import { renderXml } from './xml-tree';

export interface CommandLogEntry {
  seq: number;
  /** Epoch milliseconds when the exec request arrived. */
  at: number;
  command: string;
  exitCode: number | null;
  durationMs: number;
  stdinBytes: number;
  injected?: 'fail' | 'drop';
}

export interface HostStateSnapshot {
  hostname: string;
  bootCount: number;
  irqbalanceActive: boolean;
  nics: {
    name: string;
    pciAddress: string;
    numaNode: number;
    sriovTotalVfs: number;
    numVfs: number;
    combined: number;
    vfs: VfState[];
    /** rx queue index -> RPS CPUs. */
    rps: Record<number, number[]>;
  }[];
  irqs: { irq: number; name: string; affinity: number[] }[];
  hugepages: { node: number; size2M: { nr: number; free: number }; size1G: { nr: number; free: number } }[];
  domains: {
    name: string;
    uuid: string;
    state: 'running' | 'shut off';
    id?: number;
    persistent: boolean;
    xml: string;
    inactiveXml: string;
    heldPci: string[];
  }[];
  taps: TapDevice[];
  commandLog: CommandLogEntry[];
}

export function snapshot(m: HostModel, log: CommandLogEntry[]): HostStateSnapshot {
  return structuredClone({
    hostname: m.spec.hostname,
    bootCount: m.bootCount,
    irqbalanceActive: m.irqbalanceActive,
    nics: m.nics.map((n) => ({
      name: n.spec.name,
      pciAddress: n.spec.pciAddress,
      numaNode: n.spec.numaNode,
      sriovTotalVfs: n.spec.sriovTotalVfs,
      numVfs: n.numVfs,
      combined: n.combined,
      vfs: n.vfs,
      rps: Object.fromEntries(n.rps.map((c, i) => [i, c] as const).filter(([, c]) => c !== undefined && c.length > 0)),
    })),
    irqs: m.irqs.map((i) => ({ irq: i.irq, name: i.name, affinity: i.affinity })),
    hugepages: m.hugepages.map((h, node) => ({
      node,
      size2M: { nr: h.p2M.nr, free: h.p2M.nr - h.p2M.used },
      size1G: { nr: h.p1G.nr, free: h.p1G.nr - h.p1G.used },
    })),
    domains: [...m.domains.values()].map((d) => ({
      name: d.name,
      uuid: d.uuid,
      state: d.live ? ('running' as const) : ('shut off' as const),
      id: d.id,
      persistent: d.persistent,
      xml: renderXml(d.live ?? d.config),
      inactiveXml: renderXml(d.config),
      heldPci: d.held.pci,
    })),
    taps: m.taps,
    commandLog: log,
  });
}
