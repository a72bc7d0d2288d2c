import { Pool, types } from 'pg';
import type { Db, DbOptions } from './client';

/**
 * Plain SQL for the hottest reads (list pages the API serves on every poll), on a small pg
 * pool of its own: through Prisma the same 20-row page costs 0.9-1.7 ms of CPU per call
 * (its query compiler, result mapping and driver adapter), through pg 0.4-0.5 ms with the
 * same row mapping (docs/benchmarks.md). Rows come back as Prisma's would: TIMESTAMP(3)
 * columns hold UTC (Prisma's convention), so they are read as UTC, not local time.
 */
export interface SqlReader {
  query<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const TIMESTAMP_WITHOUT_TZ = 1114;

/**
 * The same statements through Prisma's raw queries, for a repository made without a pg pool
 * (tests, scripts): same SQL, same rows (Prisma also reads TIMESTAMP(3) as UTC). Do not select
 * int8 columns through either: pg gives strings, Prisma bigints.
 */
export function prismaSql(db: Db): SqlReader {
  return {
    query: <T>(sql: string, params: readonly unknown[]) => db.$queryRawUnsafe<T[]>(sql, ...params),
    close: async () => undefined,
  };
}

/**
 * A small pg pool for plain SQL (`max` connections). The API keeps three: one for the requests'
 * statements (the hottest list reads, registerHost, discoverHost, audit rows, names), one for
 * the statements it makes for every job (a result's reads and write, the outbox relay,
 * progress), so that a burst of requests never queues a job's statements behind it, and one
 * connection for creates' one statement (createPlacedVmAt).
 */
export function createSqlReader(connectionString: string, options: DbOptions = {}, max = 4): SqlReader {
  const pool = new Pool({
    connectionString,
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === TIMESTAMP_WITHOUT_TZ
          ? (v: string) => new Date(`${v.replace(' ', 'T')}Z`)
          : types.getTypeParser(oid, format ?? 'text')) as typeof types.getTypeParser,
    },
  });
  // an idle client's connection dropped (database restart) must not crash the process
  pool.on('error', () => undefined);
  return {
    async query<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
      options.onQuery?.(sql);
      return (await pool.query(sql, params as unknown[])).rows as T[];
    },
    close: () => pool.end(),
  };
}
