import type {
  FleetAllocation,
  FleetGroup,
  FleetNetwork,
  FleetSnapshot,
  HostReason,
  PlacementPlan,
  Rejection,
  VmRequest,
} from '@netpin/contracts';
import { NotFoundError, REASON_CODES } from '@netpin/contracts';
import { PlacementConflictError, materializeHost, validateAllocation } from './allocation';
import { compactFleet, isCompact, type CompactFleet, type CompactHost } from './compact';
import { resolveOptions, type PlacementOptions } from './config';
import type { Choice, EvalContext } from './context';
import { evaluateHost } from './evaluate';
import { GroupMembership, groupLookup, type GroupLookup } from './groups';
import { HostRt } from './host-state';
import { buildPlan } from './plan';
import { networkLookup, prepareRequest, type NetworkLookup, type PreparedRequest } from './request';
import { hostKey, scoreBound } from './weighers';

/**
 * A request shape's answers per host (see cacheFor). `dead` has a host's bit set while its
 * cached answer is "does not fit": the search passes over such hosts a word at a time
 * instead of reading each one's entry (a fleet 80 % full is mostly hosts that fit nothing).
 * Every change to a host goes through refresh, which clears its bit in every shape.
 */
interface ShapeCache {
  version: Int32Array;
  score: Float64Array;
  dead: Uint32Array;
}

export type PlacementResult = { ok: true; plan: PlacementPlan } | { ok: false; rejection: Rejection };

/**
 * Mutable working copy of a fleet with the summaries that let a placement skip hosts
 * without touching their CPUs: hosts are bucketed by free dedicated CPUs (the packing
 * key), each bucket a bitset in host-name order, so the search visits hosts best-bound
 * first and stops when no unvisited host can beat the best found (docs/placement.md).
 */
export class PlacementIndex {
  private readonly hosts: HostRt[];
  private readonly byId = new Map<string, HostRt>();
  private readonly vmHost = new Map<string, HostRt>();
  private nets: NetworkLookup;
  private networks: readonly FleetNetwork[];
  private groupList: readonly FleetGroup[];
  private groups: GroupLookup;
  private readonly members = new GroupMembership();
  readonly ctx: EvalContext;
  private readonly words: number;
  private readonly keys: Int32Array;
  private readonly buckets: Uint32Array[];
  private readonly bucketCount: Int32Array;
  private readonly maxNodeEff: Int32Array;
  private readonly sharedRoomMax: Float64Array;
  private readonly sharedRoomSum: Float64Array;
  private readonly memMax: Float64Array;
  private readonly memSum: Float64Array;
  private readonly netHosts = new Map<string, Uint8Array>();
  /** Host ids in the order the fleet was given (toSnapshot keeps it). */
  private readonly inputOrder: string[];
  private readonly scoreCache = new Map<string, ShapeCache>();

  /**
   * From a snapshot (converted to columns: the snapshot is left as it is) or from a
   * CompactFleet, which the index then owns and changes in place (no second copy).
   */
  constructor(input: FleetSnapshot | CompactFleet, options: Partial<PlacementOptions> = {}) {
    const snapshot = isCompact(input) ? input : compactFleet(input);
    const sorted = [...snapshot.hosts].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    // each host gets only its own allocations and network mappings: HostRt scans what it is given,
    // and the whole fleet's lists for each host would be quadratic (10,000 hosts × 10,000 mappings)
    const { networksOf, allocationsOf } = byHost(snapshot);
    this.hosts = sorted.map((host, ord) => new HostRt(ord, host, networksOf(host.id), allocationsOf(host.id)));
    this.networks = snapshot.networks;
    this.nets = networkLookup(snapshot.networks);
    this.groupList = snapshot.groups ?? [];
    this.groups = groupLookup(this.groupList);
    let maxKey = 0;
    for (const h of this.hosts) {
      this.byId.set(h.host.id, h);
      for (const vm of h.allocations.keys()) this.vmHost.set(vm, h);
      maxKey = Math.max(
        maxKey,
        h.nodes.reduce((s, n) => s + n.usable, 0),
      );
    }
    this.ctx = { opts: resolveOptions(options), maxKey };
    const n = this.hosts.length;
    this.words = Math.max(1, Math.ceil(n / 32));
    this.keys = new Int32Array(n).fill(-1);
    this.buckets = Array.from({ length: maxKey + 1 }, () => new Uint32Array(this.words));
    this.bucketCount = new Int32Array(maxKey + 1);
    this.maxNodeEff = new Int32Array(n);
    this.sharedRoomMax = new Float64Array(n);
    this.sharedRoomSum = new Float64Array(n);
    this.memMax = new Float64Array(n);
    this.memSum = new Float64Array(n);
    for (const net of snapshot.networks) {
      const has = new Uint8Array(n);
      for (const h of this.hosts) if (h.netNics.has(net.id)) has[h.ord] = 1;
      this.netHosts.set(net.id, has);
    }
    for (const h of this.hosts) this.refresh(h);
    this.inputOrder = snapshot.hosts.map((h) => h.id);
  }

  get hostCount(): number {
    return this.hosts.length;
  }

  get fleetNetworks(): readonly FleetNetwork[] {
    return this.networks;
  }

  /** A host by id, else by name. */
  hostRt(idOrName: string): HostRt | undefined {
    return this.byId.get(idOrName) ?? this.hosts.find((x) => x.host.name === idOrName);
  }

  prepare(req: VmRequest): PreparedRequest {
    return prepareRequest(req, this.nets, { groups: this.groups, spread: (id) => this.members.spread(id) });
  }

  /** Best host for the request, or a rejection counting every reason over every host. */
  place(req: VmRequest): PlacementResult {
    const prep = this.prepare(req);
    if (prep.requestReasons.length > 0 || this.hosts.length === 0) return { ok: false, rejection: this.reject(prep) };
    const best = this.search(prep);
    if (best) return { ok: true, plan: buildPlan(this.ctx, prep, best) };
    return { ok: false, rejection: this.reject(prep) };
  }

  /** Every reason one host fails the request (empty when it fits). */
  explain(req: VmRequest, hostId: string): { fits: boolean; reasons: HostReason[] } {
    const prep = this.prepare(req);
    const h = this.hostRt(hostId);
    if (!h) throw new NotFoundError('host', hostId);
    if (prep.requestReasons.length > 0) return { fits: false, reasons: prep.requestReasons };
    const ev = evaluateHost(this.ctx, h, prep, true);
    return ev.ok ? { fits: true, reasons: [] } : { fits: false, reasons: ev.reasons };
  }

  /** Record a plan. Re-applying the identical plan is a no-op; anything else that clashes throws. */
  apply(plan: PlacementPlan): void {
    const a = plan.allocation;
    const h = this.byId.get(a.hostId);
    if (!h) throw new PlacementConflictError(`no host ${a.hostId}`, 'UNKNOWN_HOST');
    const existing = this.vmHost.get(a.vmId);
    if (existing) {
      if (existing === h && existing.allocations.holds(a)) return;
      throw new PlacementConflictError(`VM ${a.vmId} already holds resources on ${existing.host.name}`, 'VM_EXISTS');
    }
    validateAllocation(h, a, this.ctx.opts);
    h.apply(a);
    this.vmHost.set(a.vmId, h);
    this.refresh(h);
  }

  release(vmId: string): FleetAllocation | null {
    const h = this.vmHost.get(vmId);
    if (!h) return null;
    const a = h.release(vmId);
    this.vmHost.delete(vmId);
    this.refresh(h);
    return a;
  }

  /**
   * Swap in freshly read state for some hosts: `fresh` holds those hosts, the allocations
   * on them and every network. Answers false, changing nothing, when that is not a local
   * change (a host appeared, disappeared, was renamed, grew past the bucket range, or the
   * networks themselves changed): the caller builds a new index then.
   */
  refreshHosts(input: FleetSnapshot | CompactFleet, hostIds: readonly string[]): boolean {
    const fresh = isCompact(input) ? input : compactFleet(input);
    const incoming = new Map(fresh.hosts.map((h) => [h.id, h]));
    const sameNetworks = (a: FleetNetwork, b: FleetNetwork | undefined) =>
      !!b &&
      a.name === b.name &&
      a.kind === b.kind &&
      a.vlan === b.vlan &&
      a.bridge === b.bridge &&
      a.physnet === b.physnet &&
      a.vlanProtocol === b.vlanProtocol &&
      a.trunkVlans.join() === b.trunkVlans.join();
    const before = new Map(this.networks.map((n) => [n.id, n]));
    if (fresh.networks.length !== before.size || !fresh.networks.every((n) => sameNetworks(n, before.get(n.id)))) return false;
    if (JSON.stringify(fresh.groups ?? []) !== JSON.stringify(this.groupList)) return false;
    for (const id of hostIds) {
      const old = this.byId.get(id);
      const next = incoming.get(id);
      if (!old && !next) continue; // not discovered yet: placement does not see it
      if (!old || !next || old.host.name !== next.name) return false;
      if (next.cpus.reserved.reduce((n, r) => n + (r ? 0 : 1), 0) > this.ctx.maxKey) return false;
    }
    this.networks = fresh.networks;
    this.nets = networkLookup(fresh.networks);
    for (const id of hostIds) {
      const next = incoming.get(id);
      if (next) this.replaceHost(id, next, fresh.allocations);
    }
    return true;
  }

  private replaceHost(id: string, host: CompactHost, allocations: readonly FleetAllocation[]): void {
    const old = this.byId.get(id) as HostRt;
    const h = new HostRt(old.ord, host, this.networks, allocations);
    // score caches compare versions: the new state must not match an entry of the old one
    h.version = old.version + 1;
    this.hosts[old.ord] = h;
    this.byId.set(id, h);
    for (const vm of old.allocations.keys()) this.vmHost.delete(vm);
    for (const vm of h.allocations.keys()) this.vmHost.set(vm, h);
    for (const net of this.networks) {
      const has = this.netHosts.get(net.id);
      if (has) has[h.ord] = h.netNics.has(net.id) ? 1 : 0;
    }
    this.refresh(h);
  }

  /** Snapshot of the current state, every host materialised (hosts keep their input order). */
  toSnapshot(): FleetSnapshot {
    return {
      hosts: this.inputOrder.map((id) => materializeHost(this.byId.get(id) as HostRt)),
      networks: [...this.networks],
      ...(this.groupList.length ? { groups: [...this.groupList] } : {}),
      allocations: this.hosts.flatMap((h) => h.allocations.values()).sort((a, b) => (a.vmId < b.vmId ? -1 : a.vmId > b.vmId ? 1 : 0)),
    };
  }

  hostRts(): readonly HostRt[] {
    return this.hosts;
  }

  private refresh(h: HostRt): void {
    const ratio = this.ctx.opts.sharedCpuRatio;
    const key = Math.min(hostKey(h, ratio), this.buckets.length - 1);
    const old = this.keys[h.ord];
    const bit = 1 << (h.ord & 31);
    const w = h.ord >>> 5;
    if (old !== key) {
      if (old >= 0) {
        this.buckets[old][w] &= ~bit;
        this.bucketCount[old]--;
      }
      this.buckets[key][w] |= bit;
      this.bucketCount[key]++;
      this.keys[h.ord] = key;
    }
    let eff = 0;
    let roomMax = 0;
    let roomSum = 0;
    let memMax = 0;
    let memSum = 0;
    for (const n of h.nodes) {
      eff = Math.max(eff, h.effFree(n, ratio));
      const room = n.unowned * ratio - n.sharedUsed;
      roomMax = Math.max(roomMax, room);
      roomSum += Math.max(0, room);
      memMax = Math.max(memMax, n.memFree);
      memSum += n.memFree;
    }
    this.maxNodeEff[h.ord] = eff;
    this.sharedRoomMax[h.ord] = roomMax;
    this.sharedRoomSum[h.ord] = roomSum;
    this.memMax[h.ord] = memMax;
    this.memSum[h.ord] = memSum;
    this.members.update(h);
    for (const c of this.scoreCache.values()) c.dead[w] &= ~bit;
  }

  /** Necessary conditions only: a host failing them can never fit, so skipping it is exact. */
  private quickReject(ord: number, prep: PreparedRequest, netFlags: Uint8Array[]): boolean {
    for (const f of netFlags) if (f[ord] === 0) return true;
    const req = prep.req;
    const span = req.numaPolicy === 'NONE';
    if (req.cpuPolicy === 'DEDICATED') {
      if ((span ? this.keys[ord] : this.maxNodeEff[ord]) < prep.minNodeCpus) return true;
    } else if ((span ? this.sharedRoomSum[ord] : this.sharedRoomMax[ord]) < req.vcpus) return true;
    if (req.hugepages === 'NONE' && (span ? this.memSum[ord] : this.memMax[ord]) < req.memoryMiB) return true;
    return false;
  }

  private search(prep: PreparedRequest): Choice | null {
    const req = prep.req;
    if (req.pinHost !== undefined) {
      const h = this.hostRt(req.pinHost);
      if (!h) return null;
      const ev = evaluateHost(this.ctx, h, prep, false);
      return ev.ok ? ev.choice : null;
    }
    const netFlags = prep.ifaces.map((i) => this.netHosts.get(i.network.id)).filter((f): f is Uint8Array => f !== undefined);
    const cache = this.cacheFor(prep.shapeKey);
    const maxKey = this.buckets.length - 1;
    const minKey = req.cpuPolicy === 'DEDICATED' ? Math.min(prep.minNodeCpus, maxKey + 1) : 0;
    const pack = this.ctx.opts.strategy === 'PACK';
    let bestOrd = -1;
    let bestScore = -Infinity;
    let bestChoice: Choice | null = null;
    for (let i = 0; i <= maxKey - minKey; i++) {
      const key = pack ? minKey + i : maxKey - i;
      if (this.bucketCount[key] === 0) continue;
      const bound = scoreBound(this.ctx, prep, key);
      // Ties go to the earlier bucket, so an equal bound is enough to stop.
      if (bestOrd >= 0 && bestScore >= bound) break;
      const bits = this.buckets[key];
      for (let w = 0; w < this.words; w++) {
        let x = bits[w] & ~cache.dead[w];
        while (x !== 0) {
          const t = x & -x;
          x ^= t;
          const ord = (w << 5) + (31 - Math.clz32(t));
          const h = this.hosts[ord];
          let score: number;
          let choice: Choice | null = null;
          if (cache.version[ord] === h.version) {
            score = cache.score[ord];
          } else {
            if (this.quickReject(ord, prep, netFlags)) score = -Infinity;
            else {
              const ev = evaluateHost(this.ctx, h, prep, false);
              choice = ev.ok ? ev.choice : null;
              score = ev.ok ? ev.choice.score.total : -Infinity;
            }
            cache.version[ord] = h.version;
            cache.score[ord] = score;
            if (score === -Infinity) cache.dead[w] |= t;
          }
          if (score > bestScore) {
            bestScore = score;
            bestOrd = ord;
            bestChoice = choice;
          }
          // Later hosts in this bucket come after in name order and cannot score higher.
          if (bestOrd >= 0 && bestScore >= bound) return this.choiceFor(bestOrd, bestChoice, prep);
        }
      }
    }
    return bestOrd >= 0 ? this.choiceFor(bestOrd, bestChoice, prep) : null;
  }

  /** The winner's choice: cached scores carry no choice, so re-run that one host. */
  private choiceFor(ord: number, choice: Choice | null, prep: PreparedRequest): Choice | null {
    if (choice) return choice;
    const ev = evaluateHost(this.ctx, this.hosts[ord], prep, false);
    return ev.ok ? ev.choice : null;
  }

  /**
   * Per request shape: each host's score (or -Infinity) and the host version it was
   * computed at. A host's answer depends only on its own state, and placing a VM changes
   * one host, so almost every entry stays valid from one placement to the next.
   */
  private cacheFor(shapeKey: string): ShapeCache {
    let c = this.scoreCache.get(shapeKey);
    if (!c) {
      if (this.scoreCache.size >= 64) this.scoreCache.clear();
      c = {
        version: new Int32Array(this.hosts.length).fill(-1),
        score: new Float64Array(this.hosts.length),
        dead: new Uint32Array(this.words),
      };
      this.scoreCache.set(shapeKey, c);
    }
    return c;
  }

  private reject(prep: PreparedRequest): Rejection {
    const counts = new Map<string, { hosts: number; examples: string[] }>();
    const add = (code: string, host: string | null) => {
      const e = counts.get(code) ?? { hosts: 0, examples: [] };
      e.hosts++;
      if (host !== null && e.examples.length < this.ctx.opts.rejectionExamples) e.examples.push(host);
      counts.set(code, e);
    };
    if (this.hosts.length === 0) add('NO_HOSTS', null);
    if (prep.requestReasons.length > 0) {
      for (const code of new Set(prep.requestReasons.map((r) => r.code))) {
        for (const h of this.hosts) add(code, h.host.name);
      }
    } else {
      for (const h of this.hosts) {
        const ev = evaluateHost(this.ctx, h, prep, true);
        if (ev.ok) continue;
        for (const code of new Set(ev.reasons.map((r) => r.code))) add(code, h.host.name);
      }
    }
    const summary = REASON_CODES.filter((c) => counts.has(c)).map((code) => ({
      code,
      ...(counts.get(code) as { hosts: number; examples: string[] }),
    }));
    summary.sort((a, b) => b.hosts - a.hosts || REASON_CODES.indexOf(a.code) - REASON_CODES.indexOf(b.code));
    const message =
      summary.length === 0
        ? `no host fits ${prep.req.name}`
        : `no host fits ${prep.req.name}: ${summary.map((s) => `${s.code} on ${s.hosts} host(s)`).join(', ')}`;
    return { vmName: prep.req.name, hostsConsidered: this.hosts.length, requestReasons: prep.requestReasons, summary, message };
  }
}

/** The snapshot's network mappings and allocations grouped by host (each network narrowed to that host's entry). */
function byHost(snapshot: CompactFleet): {
  networksOf: (hostId: string) => FleetNetwork[];
  allocationsOf: (hostId: string) => FleetAllocation[];
} {
  const nets = new Map<string, FleetNetwork[]>();
  for (const net of snapshot.networks) {
    for (const m of net.hosts) {
      const list = nets.get(m.hostId) ?? [];
      list.push({ ...net, hosts: [m] });
      nets.set(m.hostId, list);
    }
  }
  const allocs = new Map<string, FleetAllocation[]>();
  for (const a of snapshot.allocations) {
    const list = allocs.get(a.hostId) ?? [];
    list.push(a);
    allocs.set(a.hostId, list);
  }
  return { networksOf: (id) => nets.get(id) ?? [], allocationsOf: (id) => allocs.get(id) ?? [] };
}
