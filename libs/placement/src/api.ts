import {
  NotFoundError,
  parseInput,
  vmRequestSchema,
  type FleetSnapshot,
  type HostReason,
  type PlacementPlan,
  type ReasonCode,
  type VmRequest,
  type VmRequestInput,
} from '@netpin/contracts';
import { PlacementConflictError, copyHost, materializeHost, validateAllocation } from './allocation';
import { compactHost } from './compact';
import { resolveOptions, type PlacementOptions } from './config';
import { PlacementIndex, type PlacementResult } from './engine';
import { evaluateHost } from './evaluate';
import { HostRt } from './host-state';
import { buildPlan } from './plan';

/**
 * The pure entry points. Each builds its working state from the snapshot it is given and
 * returns new values; inputs are never modified. Long-running callers that place many VMs
 * in a row keep a PlacementIndex instead (same answers, no rebuild per call).
 */
function parse(req: VmRequestInput | VmRequest): VmRequest {
  return parseInput(vmRequestSchema, req, 'request');
}

export function place(
  snapshot: FleetSnapshot,
  request: VmRequestInput | VmRequest,
  options: Partial<PlacementOptions> = {},
): PlacementResult {
  return new PlacementIndex(snapshot, options).place(parse(request));
}

export interface Explanation {
  hostId: string;
  hostName: string;
  fits: boolean;
  reasons: HostReason[];
}

/** Every reason the host (id or name) fails the request. */
export function explain(
  snapshot: FleetSnapshot,
  request: VmRequestInput | VmRequest,
  hostId: string,
  options: Partial<PlacementOptions> = {},
): Explanation {
  const host = snapshot.hosts.find((h) => h.id === hostId) ?? snapshot.hosts.find((h) => h.name === hostId);
  if (!host) throw new NotFoundError('host', hostId);
  return explainOn(new PlacementIndex(snapshot, options), request, host.id);
}

/** explain() over an index the caller keeps; the index is not changed. */
export function explainOn(index: PlacementIndex, request: VmRequestInput | VmRequest, hostId: string): Explanation {
  const h = index.hostRt(hostId);
  if (!h) throw new NotFoundError('host', hostId);
  const r = index.explain(parse(request), h.host.id);
  return { hostId: h.host.id, hostName: h.host.name, ...r };
}

export interface CapacityReport {
  total: number;
  /** Keyed by the interfaces' datapaths joined with "+", e.g. "SRIOV+VHOST_MACVTAP" ("NONE" without interfaces). */
  byDatapath: Record<string, number>;
  perHost: { hostId: string; hostName: string; count: number; byDatapath: Record<string, number> }[];
  /** Why the shape fits nowhere at all (request-level: an unknown network, a VLAN trunk no datapath carries ...). */
  requestReasons: HostReason[];
  /** Hosts that take none of the shape, counted by the first reason each gave (the what-if's refusals). */
  refusals: { code: ReasonCode; hosts: number }[];
}

/**
 * How many more VMs of `shape` fit. Placing one VM only changes its own host, and a host's
 * answer depends only on its own state, so filling each host alone with the very code
 * place() runs gives exactly the count sequential placement reaches (property-tested).
 */
export function capacity(
  snapshot: FleetSnapshot,
  shape: VmRequestInput | VmRequest,
  options: Partial<PlacementOptions> = {},
): CapacityReport {
  return capacityOn(new PlacementIndex(snapshot, options), shape);
}

/**
 * capacity() over an index the caller keeps; the index is not changed: each host is
 * filled on a private copy of its working state, one host at a time.
 */
export function capacityOn(index: PlacementIndex, shape: VmRequestInput | VmRequest): CapacityReport {
  const req = parse(shape);
  const report: CapacityReport = { total: 0, byDatapath: {}, perHost: [], requestReasons: index.prepare(req).requestReasons, refusals: [] };
  const refused = new Map<ReasonCode, number>();
  const base = req.vmId ?? req.name;
  const only = affinityHost(index, req);
  for (const live of index.hostRts()) {
    if (only !== undefined && live.host.id !== only) continue;
    const h = new HostRt(0, copyHost(live), index.fleetNetworks, live.allocations.values());
    const row = { hostId: h.host.id, hostName: h.host.name, count: 0, byDatapath: {} as Record<string, number> };
    for (;;) {
      const prep = index.prepare({ ...req, vmId: `${base}~cap${report.total + row.count}` });
      if (prep.requestReasons.length > 0) break;
      const ev = evaluateHost(index.ctx, h, prep, false);
      if (!ev.ok) {
        const first = ev.reasons[0];
        if (row.count === 0 && first) refused.set(first.code, (refused.get(first.code) ?? 0) + 1);
        break;
      }
      const plan = buildPlan(index.ctx, prep, ev.choice);
      h.apply(plan.allocation);
      const key = datapathKey(plan);
      row.count++;
      row.byDatapath[key] = (row.byDatapath[key] ?? 0) + 1;
      report.byDatapath[key] = (report.byDatapath[key] ?? 0) + 1;
    }
    report.total += row.count;
    if (row.count > 0) report.perHost.push(row);
  }
  report.refusals = [...refused].map(([code, hosts]) => ({ code, hosts })).sort((a, b) => b.hosts - a.hosts || (a.code < b.code ? -1 : 1));
  return report;
}

/**
 * Hard affinity with no member placed yet: the first VM decides the host and every later
 * one follows it, so only the host place() picks can take any (sequential placement's
 * count). Undefined when every host is counted on its own (members already placed: the
 * filter keeps the others out).
 */
function affinityHost(index: PlacementIndex, req: VmRequest): string | null | undefined {
  const g = index.prepare(req).group;
  if (!g || g.def.policy !== 'AFFINITY' || g.def.enforcement !== 'HARD' || g.spread.hosts > 0) return undefined;
  const r = index.place(req);
  return r.ok ? r.plan.hostId : null;
}

export function datapathKey(plan: PlacementPlan): string {
  return plan.interfaces.length ? plan.interfaces.map((i) => i.datapath).join('+') : 'NONE';
}

/** The snapshot with the plan's allocation recorded. Applying the same plan twice is a no-op. */
export function applyPlan(snapshot: FleetSnapshot, plan: PlacementPlan, options: Partial<PlacementOptions> = {}): FleetSnapshot {
  const a = plan.allocation;
  const existing = snapshot.allocations.find((x) => x.vmId === a.vmId);
  if (existing) {
    if (JSON.stringify(existing) === JSON.stringify(a)) return snapshot;
    throw new PlacementConflictError(`VM ${a.vmId} already holds resources on host ${existing.hostId}`, 'VM_EXISTS');
  }
  const host = snapshot.hosts.find((h) => h.id === a.hostId);
  if (!host) throw new PlacementConflictError(`no host ${a.hostId}`, 'UNKNOWN_HOST');
  const h = new HostRt(0, compactHost(host), snapshot.networks, snapshot.allocations);
  validateAllocation(h, a, resolveOptions(options));
  h.apply(a);
  const updated = materializeHost(h);
  return { ...snapshot, hosts: snapshot.hosts.map((x) => (x === host ? updated : x)), allocations: [...snapshot.allocations, a] };
}

/** The snapshot without the VM's allocation; unknown VMs leave it unchanged. */
export function releaseVm(snapshot: FleetSnapshot, vmId: string): FleetSnapshot {
  const a = snapshot.allocations.find((x) => x.vmId === vmId);
  if (!a) return snapshot;
  const host = snapshot.hosts.find((h) => h.id === a.hostId);
  const allocations = snapshot.allocations.filter((x) => x !== a);
  if (!host) return { ...snapshot, allocations };
  const h = new HostRt(0, compactHost(host), snapshot.networks, snapshot.allocations);
  h.release(vmId);
  const updated = materializeHost(h);
  return { ...snapshot, hosts: snapshot.hosts.map((x) => (x === host ? updated : x)), allocations };
}
