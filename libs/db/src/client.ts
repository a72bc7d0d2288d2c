import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export type Db = PrismaClient;

export interface DbOptions {
  /** Called once per SQL statement; used by tests that count queries. */
  onQuery?: (sql: string) => void;
}

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const adapter = new PrismaPg({ connectionString, max: 10 });
  if (!options.onQuery) return new PrismaClient({ adapter });
  const client = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  const onQuery = options.onQuery;
  client.$on('query', (e) => onQuery(e.query));
  return client;
}
