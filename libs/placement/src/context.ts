import type { HostReason } from '@netpin/contracts';
import type { PlacementOptions } from './config';
import type { HostRt } from './host-state';
import type { Assignment } from './interfaces';

/**
 * Types the evaluation steps and the weighers share. They live apart from both so neither
 * imports the other (the weighers score a Choice; evaluation builds one and asks them).
 */
export interface EvalContext {
  opts: PlacementOptions;
  /** Largest packing key in the fleet: packing scores are measured against it. */
  maxKey: number;
}

/** One integer per weigher and their weighted sum. */
export interface ScoreParts {
  datapath: number;
  numa: number;
  group: number;
  packing: number;
  total: number;
}

/** An I/O CPU set of a node: positions, and whether this VM claims it. */
export interface IoSet {
  node: number;
  cpus: number[];
  fresh: boolean;
}

/** Everything a plan needs, in positions; turned into a PlacementPlan only for the winner. */
export interface Choice {
  host: HostRt;
  home: number;
  nodes: number[];
  assignment: Assignment;
  vcpus: number[];
  isolation: number[];
  emulator: number | null;
  io: IoSet[];
  shared: { node: number; vcpus: number }[];
  memory: { node: number; mib: number }[];
  hugepages: { node: number; pages: number }[];
  spanned: boolean;
  score: ScoreParts;
  homeEff: number;
}

export type HostEval = { ok: true; choice: Choice } | { ok: false; reasons: HostReason[] };
