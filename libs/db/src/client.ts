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

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const adapter = new PrismaPg({ connectionString, max: 10 });
  if (!options.onQuery) return remember(new PrismaClient({ adapter }), connectionString);
  const client = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  const onQuery = options.onQuery;
  client.$on('query', (e) => onQuery(e.query));
  return remember(client, connectionString);
}
