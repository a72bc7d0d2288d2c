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

/** The number written by the digits v[from..to), or -1 when one is not a digit. */
function digits(v: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * A TIMESTAMP column's text (`YYYY-MM-DD HH:MM:SS[.ffffff]`) read as UTC. The usual form is
 * read digit by digit (about half the CPU of building an ISO string for Date's parser; a host
 * row has three of them); anything else (BC, infinity, a year before 100) goes to Date's
 * parser as before. Fractions are truncated to milliseconds, as Date's parser does.
 */
export function utcTimestamp(v: string): Date {
  const n = v.length;
  const usual = n >= 19 && n <= 26 && n !== 20 && v[4] === '-' && v[7] === '-' && v[10] === ' ' && v[13] === ':' && v[16] === ':';
  const year = usual && (n === 19 || v[19] === '.') ? digits(v, 0, 4) : -1;
  const parts = [digits(v, 5, 7), digits(v, 8, 10), digits(v, 11, 13), digits(v, 14, 16), digits(v, 17, 19)];
  const frac = n > 20 ? digits(v, 20, Math.min(n, 23)) : 0;
  if (year < 100 || frac < 0 || parts.some((p) => p < 0) || (n > 23 && digits(v, 23, n) < 0)) return new Date(`${v.replace(' ', 'T')}Z`);
  const ms = n === 21 ? frac * 100 : n === 22 ? frac * 10 : frac;
  return new Date(Date.UTC(year, parts[0] - 1, parts[1], parts[2], parts[3], parts[4], ms));
}

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
        oid === TIMESTAMP_WITHOUT_TZ ? utcTimestamp : types.getTypeParser(oid, format ?? 'text')) as typeof types.getTypeParser,
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
