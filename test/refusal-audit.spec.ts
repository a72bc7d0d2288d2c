import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startApi, type TestApi } from './support/api';
import { testDb } from './support/seed';

/**
 * Requests refused by a guard (401, 403, 429) are in the audit trail, one row per caller,
 * code and minute with a count: a flood adds to counts, not rows.
 */
let api: TestApi;
let db: Db;

beforeAll(async () => {
  db = testDb();
  api = await startApi({
    background: false,
    env: { NETPIN_RATE_LIMIT_PER_MINUTE: '5', NETPIN_QUEUE_PREFIX: `${process.env.NETPIN_QUEUE_PREFIX}-refusals` },
  });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

async function refusals(): Promise<{ result: string; count: number; tokenId: string | null; address: string | null }[]> {
  return db.auditEvent.findMany({ where: { action: 'refused' }, select: { result: true, count: true, tokenId: true, address: true } });
}

async function totals(want: Record<string, number>): Promise<Record<string, number>> {
  let got: Record<string, number> = {};
  for (let i = 0; i < 40; i++) {
    got = {};
    for (const r of await refusals()) got[r.result] = (got[r.result] ?? 0) + r.count;
    if (JSON.stringify(got) === JSON.stringify(want)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return got;
}

describe('refused requests in the audit trail', () => {
  it('are summed per caller, code and minute: 43 refusals, at most one row each per minute', async () => {
    const created = await api.gql<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      `mutation { createApiToken(input: { name: "refused-viewer", role: VIEWER }) { token apiToken { id } } }`,
    );
    const { token, apiToken } = created.data!.createApiToken;
    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    for (let i = 0; i < 3; i++) count((await api.rest('GET', '/api/v1/tokens', undefined, { authorization: `Bearer ${token}` })).status);
    for (let i = 0; i < 30; i++) count((await api.rest('GET', '/api/v1/hosts', undefined, { authorization: '' })).status);
    for (let i = 0; i < 10; i++) count((await api.gql('{ networks { id } }', {}, null)).errors ? 401 : 200);
    expect(statuses.get(403)).toBe(3);
    expect(await totals({ FORBIDDEN: 3, UNAUTHENTICATED: 5, RATE_LIMITED: 35 })).toEqual({
      FORBIDDEN: 3,
      UNAUTHENTICATED: 5,
      RATE_LIMITED: 35,
    });
    const rows = await refusals();
    // one row per code and caller; a minute boundary during the test may split each in two
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.length).toBeLessThanOrEqual(6);
    expect(rows.filter((r) => r.result === 'FORBIDDEN').every((r) => r.tokenId === apiToken.id)).toBe(true);
    expect(rows.filter((r) => r.result !== 'FORBIDDEN').every((r) => r.tokenId === null && r.address?.includes('127.0.0.1'))).toBe(true);
  });

  it('are listed to admins with their count and address', async () => {
    const r = await api.gql<{ auditEvents: { action: string; result: string; count: number; address: string | null }[] }>(
      `{ auditEvents(action: "refused") { action result count address } }`,
    );
    expect(r.errors).toBeUndefined();
    const sum = r.data!.auditEvents.reduce((n, e) => n + e.count, 0);
    expect(sum).toBe(43);
    const rest = await api.rest('GET', '/api/v1/audit?action=refused');
    expect(rest.body[0]).toMatchObject({ action: 'refused', count: expect.any(Number) });
    expect(rest.body[0]).not.toHaveProperty('bucket');
  });
});
