import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERCEPTORS_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { Db } from '@netpin/db';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { AuditInterceptor } from '../apps/api/src/auth/audit.interceptor';
import { startApi, type TestApi } from './support/api';
import { testDb } from './support/seed';

/**
 * The audit interceptor is bound to the handlers that change state only (issue 16): every
 * Mutation field and every REST route other than GET is audited exactly once, reads are not.
 */
let api: TestApi;
let db: Db;

beforeAll(async () => {
  db = testDb();
  api = await startApi({ background: false });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

/** Handler functions of every class in the app, with their Nest/GraphQL metadata. */
function handlers(): { fn: object; resolverType: unknown; method: unknown; audits: number }[] {
  const out: { fn: object; resolverType: unknown; method: unknown; audits: number }[] = [];
  for (const m of api.app.get(ModulesContainer).values()) {
    for (const w of [...m.controllers.values(), ...m.providers.values()]) {
      const proto = (w.metatype as { prototype?: Record<string, unknown> } | null)?.prototype;
      for (const key of proto ? Object.getOwnPropertyNames(proto) : []) {
        const fn = Object.getOwnPropertyDescriptor(proto, key)?.value as object | undefined;
        if (key === 'constructor' || typeof fn !== 'function') continue;
        const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, fn) as unknown[] | undefined) ?? [];
        out.push({
          fn,
          resolverType: Reflect.getMetadata('graphql:resolver_type', fn),
          method: Reflect.getMetadata(METHOD_METADATA, fn),
          audits: interceptors.filter((i) => i instanceof AuditInterceptor).length,
        });
      }
    }
  }
  return out;
}

describe('audit binding', () => {
  it('binds the audit to every mutation and non-GET route exactly once, and to nothing else', () => {
    const all = handlers();
    const mutations = all.filter((h) => h.resolverType === 'Mutation');
    const schemaMutations = Object.keys(api.app.get(GraphQLSchemaHost).schema.getMutationType()?.getFields() ?? {});
    expect(mutations.length).toBe(schemaMutations.length);
    // RequestMethod.GET = 0, HEAD = 7
    const writes = all.filter((h) => h.method !== undefined && h.method !== 0 && h.method !== 7);
    expect(writes.length).toBeGreaterThan(15);
    for (const h of [...mutations, ...writes]) expect(h.audits, String((h.fn as { name?: string }).name)).toBe(1);
    const reads = all.filter((h) => !mutations.includes(h) && !writes.includes(h));
    expect(reads.filter((h) => h.resolverType === 'Query').length).toBeGreaterThan(10);
    for (const h of reads) expect(h.audits, String((h.fn as { name?: string }).name)).toBe(0);
  });

  it('audits mutations on both transports and failed ones, and leaves reads out', async () => {
    const before = await db.auditEvent.count();
    const q = await api.gql(`{ hosts(first: 5) { nodes { id } } }`);
    expect(q.errors).toBeUndefined();
    await api.rest('GET', '/api/v1/hosts');
    expect(await db.auditEvent.count()).toBe(before);
    await api.gqlWs(`mutation { createApiToken(input: { name: "audited-ws", role: VIEWER }) { token } }`);
    const missing = await api.gql(`mutation { removeHost(id: "00000000-0000-4000-8000-000000000000") { id } }`);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const events = await db.auditEvent.findMany({ orderBy: { at: 'desc' }, take: 2 });
    expect(await db.auditEvent.count()).toBe(before + 2);
    expect(events.map((e) => `${e.action} ${e.result}`).sort()).toEqual(['graphql:createApiToken ok', 'graphql:removeHost NOT_FOUND']);
  });
});
