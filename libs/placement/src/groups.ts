import type { FleetGroup, HostReason } from '@netpin/contracts';
import type { HostRt } from './host-state';

/**
 * Affinity groups in placement (docs/placement.md, "Affinity groups"). A host's answer
 * depends on how many members it holds (HostRt.groupCount, host-local like everything the
 * score cache relies on) and, for hard affinity, on whether the group has members anywhere:
 * that bit is part of the request's shape key, so a cached answer never outlives it.
 */
export interface GroupLookup {
  byId: Map<string, FleetGroup>;
  byName: Map<string, FleetGroup>;
}

export function groupLookup(groups: readonly FleetGroup[] = []): GroupLookup {
  return { byId: new Map(groups.map((g) => [g.id, g])), byName: new Map(groups.map((g) => [g.name, g])) };
}

/** Where a group's members are, fleet-wide: hosts holding any, and the most on one host. */
export interface GroupSpread {
  hosts: number;
  maxOnHost: number;
}

export interface PreparedGroup {
  def: FleetGroup;
  spread: GroupSpread;
}

/** Members of group `id` on the host. */
export function membersOn(h: HostRt, id: string): number {
  return h.groupCount.get(id) ?? 0;
}

/** The hard rule of the request's group on one host, or null when it allows the host (soft rules never refuse). */
export function groupRule(h: HostRt, group: PreparedGroup | null): HostReason | null {
  if (group === null || group.def.enforcement !== 'HARD') return null;
  const { def, spread } = group;
  const here = membersOn(h, def.id);
  if (def.policy === 'ANTI_AFFINITY') {
    const max = def.maxPerHost ?? 1;
    return here >= max
      ? { code: 'GROUP_ANTI_AFFINITY', detail: `${h.host.name} already runs ${here} member(s) of group ${def.name} (maxPerHost ${max})` }
      : null;
  }
  return spread.hosts > 0 && here === 0
    ? { code: 'GROUP_AFFINITY', detail: `group ${def.name} has members on ${spread.hosts} other host(s), none on ${h.host.name}` }
    : null;
}

/**
 * The soft weigher's value: members on the host for affinity (more is better), minus them
 * for anti-affinity (fewer is better); 0 for hard groups, whose filter already decided.
 */
export function groupWeight(h: HostRt, group: PreparedGroup | null): number {
  if (group === null || group.def.enforcement !== 'SOFT') return 0;
  const here = membersOn(h, group.def.id);
  return group.def.policy === 'AFFINITY' ? here : -here;
}

/** Highest value groupWeight can give any host: the busiest host's count for soft affinity, else 0. */
export function groupWeightBound(group: PreparedGroup | null): number {
  return group !== null && group.def.enforcement === 'SOFT' && group.def.policy === 'AFFINITY' ? group.spread.maxOnHost : 0;
}

/**
 * Members per host of every group, kept by the index as hosts change (refresh), so a
 * request's spread is known without scanning the fleet.
 */
export class GroupMembership {
  private readonly byGroup = new Map<string, Map<number, number>>();
  private readonly ofHost = new Map<number, string[]>();

  /** Record the host's current counts, replacing what it had. */
  update(h: HostRt): void {
    for (const g of this.ofHost.get(h.ord) ?? []) {
      const m = this.byGroup.get(g);
      m?.delete(h.ord);
      if (m?.size === 0) this.byGroup.delete(g);
    }
    const now: string[] = [];
    for (const [g, n] of h.groupCount) {
      if (n <= 0) continue;
      now.push(g);
      const m = this.byGroup.get(g) ?? new Map<number, number>();
      m.set(h.ord, n);
      this.byGroup.set(g, m);
    }
    if (now.length) this.ofHost.set(h.ord, now);
    else this.ofHost.delete(h.ord);
  }

  spread(groupId: string): GroupSpread {
    const m = this.byGroup.get(groupId);
    if (!m) return { hosts: 0, maxOnHost: 0 };
    let max = 0;
    for (const n of m.values()) max = Math.max(max, n);
    return { hosts: m.size, maxOnHost: max };
  }
}
