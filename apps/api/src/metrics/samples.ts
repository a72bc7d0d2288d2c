import type { FleetSnapshot, ReasonCode, Rejection } from '@netpin/contracts';
import { PlacementIndex } from '@netpin/placement';

/**
 * The reason codes one rejected request is counted under: its request-level reasons when
 * it had any (no host was even examined), else every code of the per-host summary (each
 * excluded at least one host). Each code once per request, so a rate per code reads as
 * "requests turned away partly for this reason".
 */
export function rejectionReasonCodes(r: Pick<Rejection, 'requestReasons' | 'summary'>): ReasonCode[] {
  const codes = r.requestReasons.length ? r.requestReasons.map((x) => x.code) : r.summary.map((x) => x.code);
  return [...new Set(codes)];
}

export interface NodeFree {
  host: string;
  /** NUMA node index; -1 gathers VFs of NICs that report no NUMA affinity. */
  numaNode: number;
  /** CPUs neither reserved for the host nor held by a VM. */
  freeCpus: number;
  /** VFs of the node's NICs that no VM holds. */
  freeVfs: number;
}

/** Free dedicated CPUs and free VFs per host and NUMA node, from a fleet snapshot. */
export function freeByNumaNode(snapshot: Pick<FleetSnapshot, 'hosts'>): NodeFree[] {
  return freeByNumaNodeOf(new PlacementIndex({ hosts: snapshot.hosts, networks: [], allocations: [] }));
}

/** The same from the placement engine's working index (what the API keeps warm). */
export function freeByNumaNodeOf(index: PlacementIndex): NodeFree[] {
  const out: NodeFree[] = [];
  for (const h of index.hostRts()) {
    const rows = new Map<number, NodeFree>();
    const row = (numaNode: number): NodeFree => {
      let r = rows.get(numaNode);
      if (!r) rows.set(numaNode, (r = { host: h.host.name, numaNode, freeCpus: 0, freeVfs: 0 }));
      return r;
    };
    for (const n of h.nodes) row(n.index).freeCpus = n.unowned;
    for (const nic of h.nics) if (nic.freeVfs.length) row(nic.nic.numaNode >= 0 ? nic.nic.numaNode : -1).freeVfs += nic.freeVfs.length;
    out.push(...[...rows.values()].sort((a, b) => a.numaNode - b.numaNode));
  }
  return out;
}

/** The first segment of a drift field ("vf.ens1f0.3.vlan" -> "vf"): a label of bounded cardinality. */
export function driftFieldGroup(field: string): string {
  const head = field.split('.')[0] ?? '';
  return /^[a-z][a-z0-9_]{0,31}$/.test(head) ? head : 'other';
}

/** Express route label: the matched route pattern, never the raw URL (unbounded cardinality). */
export function routeLabel(req: { route?: { path?: unknown }; baseUrl?: string }, status: number): string {
  const path = typeof req.route?.path === 'string' ? req.route.path : null;
  if (path !== null) return `${req.baseUrl ?? ''}${path}` || '/';
  if (req.baseUrl) return req.baseUrl;
  return status === 404 ? 'unmatched' : 'static';
}
