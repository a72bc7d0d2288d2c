import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import { rememberUrl } from './repositories/fleet-rows';

export type Db = PrismaClient;

export interface DbOptions {
  /** Called once per SQL statement; used by tests that count queries. */
  onQuery?: (sql: string) => void;
}

/** A full fleet read streams the big tables over a connection of its own (fleet-rows.ts). */
function remember(db: Db, url: string): Db {
  rememberUrl(db, url);
  return db;
}

/**
 * How long `$transaction` waits for a pool connection before giving up (Prisma's default is
 * 2 s). Statements outside a transaction wait in the pool's queue without limit; with 2 s a
 * burst of requests (50 discoverHost calls) turned a short queue into failed transactions.
 * A wait past this is answered UNAVAILABLE (retryable), not INTERNAL (prisma-errors.ts).
 */
export const TX_MAX_WAIT_MS = 15_000;

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const adapter = new PrismaPg({ connectionString, max: 10 });
  const transactionOptions = { maxWait: TX_MAX_WAIT_MS };
  if (!options.onQuery) return remember(new PrismaClient({ adapter, transactionOptions }), connectionString);
  const client = new PrismaClient({ adapter, transactionOptions, log: [{ emit: 'event', level: 'query' }] });
  const onQuery = options.onQuery;
  client.$on('query', (e) => onQuery(e.query));
  return remember(client, connectionString);
}
