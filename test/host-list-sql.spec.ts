import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceNameSchema, type HostFilter } from '@netpin/contracts';
import { createSqlReader, HostRepository, type Db, type HostRecord, type Page, type SqlReader } from '@netpin/db';
import { testDb } from './support/seed';

/**
 * The hosts page the API serves through plain SQL (SqlReader) must be the page Prisma gives:
 * same rows, same order, same cursors and counts, for every filter, with every field
 * (timestamps in UTC, stored JSON, arrays) read back the same.
 */
// TIMESTAMP(3) columns hold UTC: a reader that took them as local time would be 5.5 hours off here
process.env.TZ = 'Asia/Kolkata';
let db: Db;
let sql: SqlReader;
let viaPrisma: HostRepository;
let viaSql: HostRepository;

beforeAll(async () => {
  db = testDb();
  sql = createSqlReader(process.env.DATABASE_URL!);
  viaPrisma = new HostRepository(db);
  viaSql = new HostRepository(db, sql);
  const net = await db.network.create({ data: { name: `net-${randomUUID().slice(0, 8)}`, kind: 'MACVTAP', macvtapMode: 'bridge' } });
  for (let i = 0; i < 12; i++) {
    const host = await db.host.create({
      data: {
        name: `list-sql-${String(i).padStart(2, '0')}`,
        address: `10.9.0.${i + 1}`,
        credentialRef: 'file:none',
        state: (['READY', 'MAINTENANCE', 'REGISTERED'] as const)[i % 3],
        labels: { rack: `r${i % 2}` },
        cpuVendorFlags: i % 2 ? ['vmx', 'ept'] : [],
        lastDiscoveredAt: i % 4 ? new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678 + i)) : null,
        bridges: i % 3 ? [{ name: 'br0', kind: 'LINUX' }] : undefined,
      },
    });
    const nic = await db.nic.create({
      data: { hostId: host.id, name: 'eno1', pciAddress: '0000:01:00.0', sriovTotalVfs: i % 4 === 0 ? 8 : 0 },
    });
    if (i % 5 === 0) await db.networkNic.create({ data: { networkId: net.id, hostId: host.id, nicId: nic.id } });
  }
  const network = resourceNameSchema.parse(net.name);
  filters.push({ network }, { network, sriovCapable: true }, { network: resourceNameSchema.parse('no-such-network') });
});
afterAll(async () => {
  await sql?.close();
  await db?.$disconnect();
});

const filters: HostFilter[] = [
  {},
  { state: 'READY' },
  { sriovCapable: true },
  { sriovCapable: false },
  { state: 'MAINTENANCE', sriovCapable: false },
];

describe('hosts list through SqlReader', () => {
  it('gives the same pages as Prisma for every filter, page by page', async () => {
    for (const filter of filters) {
      for (const first of [1, 5, 50]) {
        let after: string | null = null;
        for (let pages = 0; pages < 20; pages++) {
          const [a, b]: Page<HostRecord>[] = await Promise.all([
            viaPrisma.list(filter, { first, after }),
            viaSql.list(filter, { first, after }),
          ]);
          expect(b, JSON.stringify({ filter, first, after })).toEqual(a);
          if (!a.hasNextPage) break;
          after = a.endCursor;
        }
      }
    }
    const all = await viaSql.list({}, { first: 50 });
    expect(all.items.length).toBeGreaterThanOrEqual(12);
    const dated = all.items.find((h) => h.name === 'list-sql-01');
    expect(dated?.lastDiscoveredAt?.toISOString()).toBe('2026-01-02T03:04:05.679Z');
  });
});
