import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GqlClient, type NetpinClient } from '@netpin/client';
import { HOST_OPS_QUEUE } from '@netpin/contracts';
import type { Db } from '@netpin/db';
import { startApi, type TestApi } from './support/api';
import { seedTopology, testDb } from './support/seed';

/**
 * Issue 16: registerHost and discoverHost answer without Prisma. registerHost inserts the row
 * in one plain statement and answers the new host's inventory fields without reading them (a
 * new host has none); discoverHost marks the host and writes the operation and its outbox row
 * in one statement; the audit row and an operation's targetName are plain statements too.
 * What they write and answer must be what the Prisma path wrote and answered.
 */
// TIMESTAMP(3) columns hold UTC: a write or read that took them as local time would be 5.5 hours off here
process.env.TZ = 'Asia/Kolkata';

let api: TestApi;
let db: Db;
let client: NetpinClient;
const queries: string[] = [];

beforeAll(async () => {
  // no relay or result consumer: the outbox row stays for the test to read, and no polling is counted
  api = await startApi({ onQuery: (sql) => queries.push(sql), background: false });
  db = testDb();
  client = new GqlClient(api.url, process.env.NETPIN_TOKEN).typed;
});
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

const near = (d: Date | string | null, ms = 60_000): boolean => d !== null && Math.abs(new Date(d).getTime() - Date.now()) < ms;

describe('registerHost', () => {
  it('answers the full host view as a later read of the same host answers it, in two statements (the row and the audit row)', async () => {
    queries.length = 0;
    const created = await client.registerHost({
      name: 'sql-reg-1',
      address: '192.0.2.41',
      port: 2222,
      sshUser: 'ops',
      credentialRef: 'file:k',
      hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43),
      labels: [
        { key: 'rack', value: 'r9' },
        { key: 'zone', value: 'b' },
      ],
    });
    const statements = queries.length;
    expect(statements).toBe(2);
    expect(queries.some((q) => /INSERT INTO "Host"/.test(q))).toBe(true);
    expect(queries.some((q) => /INSERT INTO "AuditEvent"/.test(q))).toBe(true);
    expect(created).toMatchObject({ name: 'sql-reg-1', state: 'REGISTERED', port: 2222, sshUser: 'ops', numaNodes: [], nics: [], vms: [] });
    expect(created.cpuCounts).toEqual({ total: 0, reservedForHost: 0, usable: 0, allocated: 0, free: 0 });
    // the same fields read back from the database (not primed): equal
    expect(await client.getHost({ id: created.id })).toEqual(created);
  });

  it('writes the row Prisma would have written: defaults, labels, guest CPU, timestamps in UTC', async () => {
    const created = await client.registerHost({ name: 'sql-reg-2', address: '192.0.2.42', credentialRef: 'file:k' });
    const row = await db.host.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({
      port: 22,
      sshUser: 'root',
      hostKeyFingerprint: null,
      trustOnFirstUse: false,
      state: 'REGISTERED',
      labels: {},
      virtType: 'KVM',
      guestCpu: { mode: 'HOST_PASSTHROUGH', model: null, features: [] },
      foreignDomains: [],
      bridges: null,
      lastDiscoveredAt: null,
    });
    expect(near(row.createdAt)).toBe(true);
    expect(row.updatedAt).toEqual(row.createdAt);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'graphql:registerHost', targetId: created.id } });
    expect(audit).toMatchObject({ result: 'ok', targetType: 'resource', count: 1, bucket: null });
    expect(audit.input).toMatchObject({ input: { name: 'sql-reg-2', address: '192.0.2.42' } });
    expect(near(audit.at)).toBe(true);
  });

  it('answers a taken name with CONFLICT naming the constraint, and writes nothing', async () => {
    const before = await db.host.count();
    const r = await api.gql(
      `mutation { registerHost(input: { name: "sql-reg-1", address: "192.0.2.43", credentialRef: "file:k" }) { id } }`,
    );
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', constraint: 'Host_name_key' });
    expect(await db.host.count()).toBe(before);
  });
});

describe('discoverHost', () => {
  it('marks the host DISCOVERING and writes the operation and its outbox row, in one statement after the host read', async () => {
    const host = await client.registerHost({ name: 'sql-disc-1', address: '192.0.2.44', credentialRef: 'file:k', trustOnFirstUse: true });
    queries.length = 0;
    const op = await client.discoverHost(host.id);
    // host read, the discover statement, the audit row, the targetName read
    expect(queries).toHaveLength(4);
    expect(op).toMatchObject({ kind: 'host.discover', targetType: 'host', targetId: host.id, targetName: 'sql-disc-1', state: 'QUEUED' });
    const row = await db.host.findUniqueOrThrow({ where: { id: host.id } });
    expect(row.state).toBe('DISCOVERING');
    expect(row.updatedAt.getTime()).toBeGreaterThan(row.createdAt.getTime() - 1);
    expect(near(row.updatedAt)).toBe(true);
    const stored = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
    expect(near(stored.createdAt)).toBe(true);
    const outbox = await db.outboxMessage.findMany({ where: { operationId: op.id } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ queue: HOST_OPS_QUEUE, jobName: 'host.discover', sentAt: null });
    expect(outbox[0].payload).toMatchObject({ operationId: op.id, host: { id: host.id, name: 'sql-disc-1' } });
  });

  it('keeps a host in maintenance in maintenance, with its reason', async () => {
    const host = await client.registerHost({ name: 'sql-disc-2', address: '192.0.2.45', credentialRef: 'file:k', trustOnFirstUse: true });
    await db.host.update({ where: { id: host.id }, data: { state: 'MAINTENANCE', stateReason: 'disk swap' } });
    const op = await client.discoverHost(host.id);
    expect(op.state).toBe('QUEUED');
    expect(await db.host.findUniqueOrThrow({ where: { id: host.id } })).toMatchObject({ state: 'MAINTENANCE', stateReason: 'disk swap' });
  });

  it('clears the reason of an unreachable host, and keeps its inventory', async () => {
    const host = await client.registerHost({ name: 'sql-disc-3', address: '192.0.2.46', credentialRef: 'file:k', trustOnFirstUse: true });
    await seedTopology(db, host.id, { nodes: 1, cpusPerNode: 2, vfs: 0 });
    await db.host.update({ where: { id: host.id }, data: { state: 'UNREACHABLE', stateReason: 'SSH_UNREACHABLE: timeout' } });
    await client.discoverHost(host.id);
    expect(await db.host.findUniqueOrThrow({ where: { id: host.id } })).toMatchObject({ state: 'DISCOVERING', stateReason: null });
    expect(await db.cpu.count({ where: { hostId: host.id } })).toBe(2);
  });

  it('answers an unknown host with NOT_FOUND and writes no operation', async () => {
    const ops = await db.operation.count();
    const r = await api.gql(`mutation { discoverHost(id: "00000000-0000-4000-8000-000000000000") { id } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await db.operation.count()).toBe(ops);
  });
});
