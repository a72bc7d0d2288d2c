import type { VmState } from '@netpin/contracts';
import type { Db } from '../client';
import { isUuid } from './host.repository';
import { prismaSql, type SqlReader } from '../sql-reader';

/** When netpin last applied a VM's plan to its host, and last found the host in sync with it. */
export interface ApplyTimes {
  appliedAt: Date | null;
  verifiedAt: Date | null;
}

/** A VM that holds CPUs, VFs or memory on a host, with the plan it holds them by (stored JSON, unparsed). */
export interface PlacedVmRecord extends ApplyTimes {
  id: string;
  name: string;
  state: VmState;
  hostId: string;
  plan: unknown;
  createdAt: Date;
}

export type NamedKind = 'vm' | 'host' | 'network';
const NAMED_TABLES: Record<NamedKind, string> = { vm: '"Vm"', host: '"Host"', network: '"Network"' };

/** What an audit event's targetId names, whatever table it is in. */
export interface AuditTarget {
  kind: 'vm' | 'host' | 'network' | 'token' | 'sshSecret' | 'sriovPolicy';
  name: string;
}

export interface HostPlacementContext {
  lastDiscoveredAt: Date | null;
  vms: PlacedVmRecord[];
}

/**
 * Reads that turn ids into what people recognise (names) and tell where a shown value
 * comes from (applied by a VM's plan, or discovered): batched, for the API's loaders.
 */
export class LookupRepository {
  /** `sql`: the names loader's reads, an operation's targetName on every answer (without it, through Prisma). */
  constructor(
    private readonly db: Db,
    private readonly sql: SqlReader = prismaSql(db),
  ) {}

  /** Ids are UUID columns: anything else cannot match (and would make PostgreSQL refuse the query). */
  async names(kind: NamedKind, ids: readonly string[]): Promise<Map<string, string>> {
    const uuids = [...new Set(ids)].filter(isUuid);
    if (uuids.length === 0) return new Map();
    const rows = await this.sql.query<{ id: string; name: string }>(
      `SELECT id::text AS id, name FROM ${NAMED_TABLES[kind]} WHERE id = ANY($1::uuid[])`,
      [uuids],
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * The names behind audit events' target ids: a VM, host, network, token, SSH secret or SR-IOV
   * policy by its own name, an operation by the VM or host it works on. Ids nothing holds any
   * more (a removed host) are absent.
   */
  async auditTargets(ids: readonly string[]): Promise<Map<string, AuditTarget>> {
    const uuids = [...new Set(ids)].filter(isUuid);
    const out = new Map<string, AuditTarget>();
    if (uuids.length === 0) return out;
    const where = { id: { in: uuids } };
    const select = { id: true, name: true } as const;
    const [vms, hosts, networks, tokens, secrets, policies, ops] = await Promise.all([
      this.db.vm.findMany({ where, select }),
      this.db.host.findMany({ where, select }),
      this.db.network.findMany({ where, select }),
      this.db.apiToken.findMany({ where, select }),
      this.db.sshSecret.findMany({ where, select }),
      this.db.sriovPolicy.findMany({ where, select }),
      this.db.operation.findMany({ where, select: { id: true, targetType: true, targetId: true } }),
    ]);
    const put = (kind: AuditTarget['kind'], rows: { id: string; name: string }[]) =>
      rows.forEach((r) => out.set(r.id, { kind, name: r.name }));
    put('vm', vms);
    put('host', hosts);
    put('network', networks);
    put('token', tokens);
    put('sshSecret', secrets);
    put('sriovPolicy', policies);
    const [opVms, opHosts] = await Promise.all([
      this.names(
        'vm',
        ops.filter((o) => o.targetType === 'vm').map((o) => o.targetId),
      ),
      this.names(
        'host',
        ops.filter((o) => o.targetType === 'host').map((o) => o.targetId),
      ),
    ]);
    for (const o of ops) {
      const name = (o.targetType === 'vm' ? opVms : opHosts).get(o.targetId);
      if (name !== undefined && (o.targetType === 'vm' || o.targetType === 'host')) out.set(o.id, { kind: o.targetType, name });
    }
    return out;
  }

  /**
   * Successful applies (create, drift repair) and in-sync verifies, newest of each per VM. A
   * create counts from its start: it succeeds only after its own verify, which must count as
   * verifying that apply.
   */
  async applyTimes(vmIds: readonly string[]): Promise<Map<string, ApplyTimes>> {
    const ids = [...new Set(vmIds)].filter(isUuid);
    const out = new Map<string, ApplyTimes>(ids.map((id) => [id, { appliedAt: null, verifiedAt: null }]));
    if (ids.length === 0) return out;
    const rows = await this.db.$queryRaw<{ targetId: string; applied: Date | null; verified: Date | null }[]>`
      SELECT "targetId",
        MAX(CASE WHEN kind = 'vm.create' THEN COALESCE("startedAt", "createdAt") ELSE "finishedAt" END)
          FILTER (WHERE kind IN ('vm.create', 'drift.repair')) AS applied,
        MAX("finishedAt") FILTER (WHERE kind = 'vm.verify' AND result->>'inSync' = 'true') AS verified
      FROM "Operation"
      WHERE "targetType" = 'vm' AND "targetId" = ANY(${ids}::text[]) AND state = 'SUCCEEDED'
        AND kind IN ('vm.create', 'drift.repair', 'vm.verify')
      GROUP BY "targetId"`;
    for (const r of rows) out.set(r.targetId, { appliedAt: r.applied, verifiedAt: r.verified });
    return out;
  }

  /**
   * Per host: when discovery last read it, and the VMs holding resources there (oldest first)
   * with their plans and apply times. One query for the hosts and VMs, one for the times.
   */
  async placementContexts(hostIds: readonly string[]): Promise<Map<string, HostPlacementContext>> {
    const ids = [...new Set(hostIds)].filter(isUuid);
    const out = new Map<string, HostPlacementContext>();
    if (ids.length === 0) return out;
    const rows = await this.db.$queryRaw<
      { hostId: string; lastDiscoveredAt: Date | null; id: string | null; name: string; state: VmState; plan: unknown; createdAt: Date }[]
    >`
      SELECT h.id AS "hostId", h."lastDiscoveredAt", v.id, v.name, v.state::text AS state, v.plan, v."createdAt"
      FROM "Host" h LEFT JOIN "Vm" v ON v."hostId" = h.id AND v.holding
      WHERE h.id = ANY(${ids}::uuid[])
      ORDER BY v."createdAt" ASC NULLS FIRST, v.id ASC`;
    const times = await this.applyTimes(rows.flatMap((r) => (r.id ? [r.id] : [])));
    for (const r of rows) {
      const ctx = out.get(r.hostId) ?? { lastDiscoveredAt: r.lastDiscoveredAt, vms: [] };
      out.set(r.hostId, ctx);
      if (!r.id) continue;
      const t = times.get(r.id) ?? { appliedAt: null, verifiedAt: null };
      ctx.vms.push({ id: r.id, name: r.name, state: r.state, hostId: r.hostId, plan: r.plan, createdAt: r.createdAt, ...t });
    }
    return out;
  }
}
