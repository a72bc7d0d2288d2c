import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { createTestDatabase, dropTestDatabase, migrateDeploy, prismaCli } from './support/database';

let db: { name: string; url: string };

beforeAll(async () => {
  db = await createTestDatabase('netpin_mig');
});
afterAll(async () => {
  if (db) await dropTestDatabase(db.name);
});

describe('prisma migrations', () => {
  it('apply to an empty database and create every table of the schema', async () => {
    migrateDeploy(db.url);
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const r = await c.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      );
      const tables = r.rows.map((x) => x.table_name);
      for (const t of [
        'Host',
        'NumaNode',
        'Cpu',
        'Nic',
        'NicIrq',
        'Vf',
        'Network',
        'NetworkNic',
        'Vm',
        'VmGroup',
        'VmInterface',
        'CpuAllocation',
        'VfAllocation',
        'Operation',
        'OutboxMessage',
        'AuditEvent',
        'DriftEvent',
      ]) {
        expect(tables).toContain(t);
      }
    } finally {
      await c.end();
    }
    const status = prismaCli(['migrate', 'status'], db.url);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/up to date/i);
  });

  it('leave no drift between prisma/schema.prisma and prisma/migrations', () => {
    const r = prismaCli(
      ['migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema', 'prisma/schema.prisma', '--exit-code'],
      db.url,
    );
    expect(r.stdout + r.stderr).not.toMatch(/CREATE|ALTER|DROP/);
    expect(r.status).toBe(0);
  });

  it('make the database itself refuse a second owner for a CPU or a VF', async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const r = await c.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE tablename IN ('CpuAllocation', 'VfAllocation') AND indexdef LIKE 'CREATE UNIQUE%'`,
      );
      const names = r.rows.map((x) => x.indexname);
      expect(names).toContain('CpuAllocation_cpuRowId_key');
      expect(names).toContain('VfAllocation_vfId_key');
    } finally {
      await c.end();
    }
  });
});
