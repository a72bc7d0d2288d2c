import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { Db } from '@netpin/db';
import { startApi, type TestApi } from './support/api';
import { testDb } from './support/seed';

/**
 * Deny by default, checked against the running app: every root GraphQL field and every
 * REST route is enumerated from the app itself, then called anonymously (must be 401 /
 * UNAUTHENTICATED) and with a token one role too low (must be 403 / FORBIDDEN).
 */
let api: TestApi;
let db: Db;
const tokens: Record<'VIEWER' | 'OPERATOR', string> = { VIEWER: '', OPERATOR: '' };

/** The access policy, spelled out: anything not listed needs VIEWER (queries) or ADMIN (mutations). */
const OPERATOR_MUTATIONS = new Set([
  'createVm',
  'deleteVm',
  'startVm',
  'stopVm',
  'rebootVm',
  'attachInterface',
  'detachInterface',
  'migrateVm',
  'discoverHost',
  'checkDrift',
  'reconcileHost',
  'createGroup',
  'deleteGroup',
]);
const ADMIN_QUERIES = new Set(['apiTokens', 'auditEvents', 'sshSecrets', 'sshSecret']);
const OPERATOR_ROUTES = new Set([
  'POST /api/v1/vms',
  'DELETE /api/v1/vms/:id',
  'POST /api/v1/vms/:id/start',
  'POST /api/v1/vms/:id/stop',
  'POST /api/v1/vms/:id/reboot',
  'POST /api/v1/vms/:id/interfaces',
  'DELETE /api/v1/vms/:id/interfaces/:interfaceId',
  'POST /api/v1/vms/:id/migrate',
  'POST /api/v1/hosts/:id/discover',
  'POST /api/v1/hosts/:hostId/drift-check',
  'POST /api/v1/hosts/:hostId/reconcile',
  'POST /api/v1/groups',
  'DELETE /api/v1/groups/:ref',
]);
const VIEWER_POSTS = new Set([
  'POST /api/v1/vms/:id/migrate/preview',
  'POST /api/v1/placement/preview',
  'POST /api/v1/placement/explain',
  'POST /api/v1/placement/capacity',
]);
const ADMIN_GETS = new Set(['GET /api/v1/tokens', 'GET /api/v1/audit', 'GET /api/v1/ssh-secrets', 'GET /api/v1/ssh-secrets/:ref']);
const PUBLIC_PATHS = new Set(['/healthz', '/readyz']);

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface Field {
  name: string;
  args: { name: string; type: TypeRef }[];
  type: TypeRef;
}
interface FullType {
  name: string;
  kind: string;
  fields: Field[] | null;
  inputFields: { name: string; type: TypeRef }[] | null;
  enumValues: { name: string }[] | null;
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
let types = new Map<string, FullType>();

function named(t: TypeRef): TypeRef {
  return t.ofType ? named(t.ofType) : t;
}

/** A value that passes GraphQL validation for a type (the guard must answer before any logic). */
function sample(t: TypeRef): unknown {
  if (t.kind === 'NON_NULL') return sample(t.ofType!);
  if (t.kind === 'LIST') return [];
  const n = t.name!;
  if (n === 'ID') return '00000000-0000-4000-8000-000000000000';
  if (n === 'String') return 'x';
  if (n === 'Int' || n === 'Float') return 1;
  if (n === 'Boolean') return true;
  const full = types.get(n)!;
  if (full.kind === 'ENUM') return full.enumValues![0].name;
  const obj: Record<string, unknown> = {};
  for (const f of full.inputFields ?? []) if (f.type.kind === 'NON_NULL') obj[f.name] = sample(f.type);
  return obj;
}

function typeString(t: TypeRef): string {
  if (t.kind === 'NON_NULL') return `${typeString(t.ofType!)}!`;
  if (t.kind === 'LIST') return `[${typeString(t.ofType!)}]`;
  return t.name!;
}

function document(op: 'query' | 'mutation' | 'subscription', f: Field): { query: string; variables: Record<string, unknown> } {
  const required = f.args.filter((a) => a.type.kind === 'NON_NULL');
  const vars = required.map((a) => `$${a.name}: ${typeString(a.type)}`).join(', ');
  const args = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const leaf = ['SCALAR', 'ENUM'].includes(named(f.type).kind);
  return {
    query: `${op}${vars ? ` (${vars})` : ''} { ${f.name}${args ? `(${args})` : ''}${leaf ? '' : ' { __typename }'} }`,
    variables: Object.fromEntries(required.map((a) => [a.name, sample(a.type)])),
  };
}

beforeAll(async () => {
  api = await startApi();
  db = testDb();
  const intro = await api.gql<{ __schema: { types: FullType[] } }>(
    `{ __schema { types { name kind fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } } inputFields { name type { ${TYPE_REF} } } enumValues { name } } } }`,
  );
  types = new Map(intro.data!.__schema.types.map((t) => [t.name, t]));
  for (const role of ['VIEWER', 'OPERATOR'] as const) {
    const r = await api.gql<{ createApiToken: { token: string } }>(
      `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
      {
        input: { name: `authz-${role.toLowerCase()}`, role },
      },
    );
    tokens[role] = r.data!.createApiToken.token;
  }
});
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

describe('GraphQL: every root field refuses anonymous and too-low callers', () => {
  it('covers every query, mutation and subscription field of the schema', async () => {
    const checked: string[] = [];
    for (const [op, typeName] of [
      ['query', 'Query'],
      ['mutation', 'Mutation'],
    ] as const) {
      for (const f of types.get(typeName)!.fields!) {
        const { query, variables } = document(op, f);
        const anon = await api.gql(query, variables, null);
        expect(anon.errors?.[0]?.extensions?.code, `${op} ${f.name} anonymous`).toBe('UNAUTHENTICATED');
        const need =
          op === 'query' ? (ADMIN_QUERIES.has(f.name) ? 'ADMIN' : 'VIEWER') : OPERATOR_MUTATIONS.has(f.name) ? 'OPERATOR' : 'ADMIN';
        if (need !== 'VIEWER') {
          const low = await api.gql(query, variables, need === 'ADMIN' ? tokens.OPERATOR : tokens.VIEWER);
          expect(low.errors?.[0]?.extensions?.code, `${op} ${f.name} with a lower role`).toBe('FORBIDDEN');
        } else {
          const ok = await api.gql(query, variables, tokens.VIEWER);
          expect(['UNAUTHENTICATED', 'FORBIDDEN'], `${op} ${f.name} as viewer`).not.toContain(ok.errors?.[0]?.extensions?.code);
        }
        checked.push(`${op} ${f.name}`);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(30);
  });

  it('authenticates subscriptions through connectionParams', async () => {
    const fields = types.get('Subscription')!.fields!;
    expect(fields.map((f) => f.name)).toContain('operationUpdated');
    const attempt = (token?: string): Promise<string> =>
      new Promise((resolve) => {
        const client = createClient({
          url: api.url.replace('http', 'ws') + '/graphql',
          webSocketImpl: WebSocket,
          connectionParams: token ? { authorization: `Bearer ${token}` } : {},
          retryAttempts: 0,
        });
        const stop = client.subscribe(
          { query: 'subscription { operationUpdated { id } }' },
          {
            next: (v) => {
              resolve(String((v.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code ?? 'DATA'));
              void client.dispose();
            },
            error: (e) => {
              const first = Array.isArray(e) ? (e[0] as { extensions?: { code?: string } }) : undefined;
              resolve(first?.extensions?.code ?? 'ERROR');
              void client.dispose();
            },
            complete: () => resolve('COMPLETE'),
          },
        );
        // an authorised subscription just waits for events: that is the success case
        setTimeout(() => {
          stop();
          void client.dispose();
          resolve('OPEN');
        }, 1500);
      });
    expect(await attempt()).toBe('UNAUTHENTICATED');
    expect(await attempt(tokens.VIEWER)).toBe('OPEN');
  });
});

describe('REST: every route refuses anonymous and too-low callers', () => {
  it('covers every route the app registered', async () => {
    const express = api.app.getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    };
    const verbs = new Set(['get', 'post', 'put', 'patch', 'delete']);
    // wildcard layers are Nest's not-found fallback, not routes of ours
    const routes = express.router.stack.flatMap((l) =>
      l.route && !l.route.path.includes('*')
        ? Object.keys(l.route.methods)
            .filter((m) => verbs.has(m))
            .map((m) => `${m.toUpperCase()} ${l.route!.path}`)
        : [],
    );
    expect(routes.length).toBeGreaterThan(25);
    for (const r of routes) {
      const [method, path] = r.split(' ');
      const url = path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      // health probes are public (Nest registers excluded-from-prefix paths for every verb); docs are static
      if (PUBLIC_PATHS.has(path) || path.startsWith('/api/docs')) continue;
      const anon = await api.rest(method, url, body, { authorization: '' });
      expect(anon.status, `${r} anonymous`).toBe(401);
      const need = ADMIN_GETS.has(r)
        ? 'ADMIN'
        : method === 'GET' || VIEWER_POSTS.has(r)
          ? 'VIEWER'
          : OPERATOR_ROUTES.has(r)
            ? 'OPERATOR'
            : 'ADMIN';
      if (need === 'VIEWER') continue;
      const low = await api.rest(method, url, body, { authorization: `Bearer ${need === 'ADMIN' ? tokens.OPERATOR : tokens.VIEWER}` });
      expect(low.status, `${r} with a lower role`).toBe(403);
    }
  });

  it('records an audit event for every mutation, without secrets', async () => {
    const before = await db.auditEvent.count();
    const r = await api.gql<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "audited", role: VIEWER }) { token apiToken { id } } }`,
    );
    const token = r.data!.createApiToken.token;
    await api.rest('POST', '/api/v1/networks', { name: 'audit-net', kind: 'MACVTAP' });
    await api.rest('POST', '/api/v1/networks', { name: 'Bad Name', kind: 'MACVTAP' });
    const events = await db.auditEvent.findMany({ where: {}, orderBy: { at: 'desc' }, take: 3 });
    expect(await db.auditEvent.count()).toBe(before + 3);
    expect(events.map((e) => e.result).sort()).toEqual(['BAD_USER_INPUT', 'ok', 'ok']);
    expect(JSON.stringify(events)).not.toContain(token);
    const q = await api.gql<{ auditEvents: { action: string; actor: string }[] }>(`{ auditEvents(first: 3) { action actor } }`);
    expect(q.data!.auditEvents.map((e) => e.action)).toContain('graphql:createApiToken');
    expect(q.data!.auditEvents[0].actor).toBe('bootstrap-admin');
  });

  it('names what each audited mutation touched, on GraphQL and REST', async () => {
    await api.gql(`mutation { createApiToken(input: { name: "named-target", role: VIEWER }) { token } }`);
    await api.rest('POST', '/api/v1/networks', { name: 'named-net', kind: 'MACVTAP' });
    const gone = await api.rest('POST', '/api/v1/networks', { name: 'gone-net', kind: 'MACVTAP' });
    await api.rest('DELETE', `/api/v1/networks/${String(gone.body.id)}`);
    // newest first; a deleted network: nothing holds its id any more
    const want = [
      { action: 'DELETE /api/v1/networks/:id', targetKind: null, targetName: null },
      { action: 'POST /api/v1/networks', targetKind: null, targetName: null },
      { action: 'POST /api/v1/networks', targetKind: 'network', targetName: 'named-net' },
      { action: 'graphql:createApiToken', targetKind: 'token', targetName: 'named-target' },
    ];
    const q = await api.gql<{ auditEvents: unknown[] }>(`{ auditEvents(first: 4) { action targetKind targetName } }`);
    expect(q.data!.auditEvents).toEqual(want);
    const r = await api.rest('GET', '/api/v1/audit?first=4');
    expect((r.body as Record<string, unknown>[]).map(({ action, targetKind, targetName }) => ({ action, targetKind, targetName }))).toEqual(
      want,
    );
  });

  it('revokes tokens: a revoked token is refused', async () => {
    const r = await api.gql<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      `mutation { createApiToken(input: { name: "short-lived", role: VIEWER }) { token apiToken { id } } }`,
    );
    const { token, apiToken } = r.data!.createApiToken;
    expect((await api.rest('GET', '/api/v1/hosts', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await api.rest('DELETE', `/api/v1/tokens/${apiToken.id}`)).status).toBe(200);
    expect((await api.rest('GET', '/api/v1/hosts', undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
    const stored = await db.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } });
    expect(stored.secretHash).toMatch(/^scrypt\$/);
    expect(stored.secretHash).not.toContain(token);
  });
});
