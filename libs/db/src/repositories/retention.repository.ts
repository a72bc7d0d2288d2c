import type { Db } from '../client';

export type PrunedTable = 'operations' | 'outbox' | 'driftEvents';

/**
 * Deleting finished history older than a cutoff, one bounded batch per statement (short
 * transactions, no long locks). What each table keeps:
 * - operations: QUEUED and RUNNING ones, anything finished after the cutoff, and the newest
 *   of each kind per target (a VM's "applied" and "verified" times are read from them);
 *   their outbox rows go with them (ON DELETE CASCADE), a child's parentId becomes null;
 * - outbox rows: unsent ones, and ones sent after the cutoff;
 * - drift events: unrepaired ones of a VM that still exists, and anything newer.
 */
export class RetentionRepository {
  constructor(private readonly db: Db) {}

  pruneBatch(table: PrunedTable, cutoff: Date, batch: number): Promise<number> {
    switch (table) {
      case 'operations':
        return this.db.$executeRaw`
          DELETE FROM "Operation" WHERE id IN (
            SELECT o.id FROM "Operation" o
            WHERE o.state IN ('SUCCEEDED', 'FAILED') AND o."finishedAt" < ${cutoff}
              AND EXISTS (
                SELECT 1 FROM "Operation" n
                WHERE n."targetType" = o."targetType" AND n."targetId" = o."targetId" AND n.kind = o.kind AND n."createdAt" > o."createdAt")
            LIMIT ${batch})`;
      case 'outbox':
        return this.db.$executeRaw`
          DELETE FROM "OutboxMessage" WHERE id IN (
            SELECT id FROM "OutboxMessage" WHERE "sentAt" < ${cutoff} LIMIT ${batch})`;
      case 'driftEvents':
        return this.db.$executeRaw`
          DELETE FROM "DriftEvent" WHERE id IN (
            SELECT d.id FROM "DriftEvent" d
            WHERE d."detectedAt" < ${cutoff}
              AND (d."repairedAt" IS NOT NULL
                OR NOT EXISTS (SELECT 1 FROM "Vm" v WHERE v.id = d."vmId" AND v.state <> 'DELETED'))
            LIMIT ${batch})`;
    }
  }
}
