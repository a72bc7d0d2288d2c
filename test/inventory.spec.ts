import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startApi, type TestApi } from './support/api';
import { seedTopology, testDb } from './support/seed';

const REGISTER = /* GraphQL */ `
  mutation ($input: RegisterHostInput!) {
    registerHost(input: $input) {
      id
      name
      address
      port
      sshUser
      state
      credentialRef
      labels {
        key
        value
      }
      capabilities {
        iommu
        vhostNet
      }
    }
  }
`;

const FP = 'SHA256:' + 'A'.repeat(43);
let api: TestApi;
let db: Db;

beforeAll(async () => {
  api = await startApi();
  db = testDb();
});
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

function hostInput(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, address: '192.0.2.10', credentialRef: 'file:keys/id_ed25519', hostKeyFingerprint: FP, ...extra };
}

describe('registerHost over GraphQL, hosts over GraphQL and REST', () => {
  it('registers a host and finds it in both APIs', async () => {
    const r = await api.gql<{ registerHost: { id: string; name: string; port: number; state: string; sshUser: string } }>(REGISTER, {
      input: hostInput('kvm-a', { labels: [{ key: 'rack', value: 'r1' }] }),
    });
    expect(r.errors).toBeUndefined();
    expect(r.data?.registerHost).toMatchObject({ name: 'kvm-a', port: 22, sshUser: 'root', state: 'REGISTERED' });

    const q = await api.gql<{ hosts: { nodes: { name: string }[]; totalCount: number } }>(
      `{ hosts { totalCount nodes { name labels { key value } } } }`,
    );
    expect(q.data?.hosts.nodes.map((h) => h.name)).toContain('kvm-a');

    const rest = await api.rest('GET', '/api/v1/hosts');
    expect(rest.status).toBe(200);
    expect(rest.body.nodes.map((h: { name: string }) => h.name)).toContain('kvm-a');

    const one = await api.rest('GET', '/api/v1/hosts/kvm-a');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: 'kvm-a', hostKeyFingerprint: FP, labels: [{ key: 'rack', value: 'r1' }] });
  });

  it('answers a duplicate name with CONFLICT / 409 and writes nothing', async () => {
    const before = await db.host.count();
    const g = await api.gql(REGISTER, { input: hostInput('kvm-a') });
    expect(g.errors?.[0].extensions?.code).toBe('CONFLICT');
    const r = await api.rest('POST', '/api/v1/hosts', hostInput('kvm-a'));
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('CONFLICT');
    expect(await db.host.count()).toBe(before);
  });

  it.each([
    ['address', { address: 'not an address!' }],
    ['port', { port: 70000 }],
    ['port', { port: 0 }],
    ['name', { name: 'Bad_Name' }],
    ['credentialRef', { credentialRef: '-----BEGIN OPENSSH PRIVATE KEY-----' }],
    // issue 13: file: keys are confined to the agent's key directory
    ['credentialRef', { credentialRef: 'file:/etc/ssh/ssh_host_ed25519_key' }],
    ['credentialRef', { credentialRef: 'file:keys/../../etc/shadow' }],
    ['hostKeyFingerprint', { hostKeyFingerprint: 'MD5:aa' }],
    ['guestCpu.model', { guestCpu: { mode: 'CUSTOM' } }],
    ['guestCpu.model', { guestCpu: { mode: 'CUSTOM', model: 'qemu64; rm -rf /' } }],
    ['guestCpu.features.0.name', { guestCpu: { features: [{ name: '<evil/>', policy: 'disable' }] } }],
  ])('rejects a malformed %s with BAD_USER_INPUT / 400 naming the field', async (field, bad) => {
    const before = await db.host.count();
    const input = hostInput(`bad-${field.toLowerCase().replace(/[^a-z0-9]/g, '-')}`, bad);
    const g = await api.gql(REGISTER, { input });
    expect(g.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(g.errors?.[0].extensions?.field).toBe(field);
    const r = await api.rest('POST', '/api/v1/hosts', input);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await db.host.count()).toBe(before);
  });

  it('keeps the guest CPU and virt type an operator sets, with the defaults otherwise', async () => {
    const q = `mutation ($input: RegisterHostInput!) { registerHost(input: $input) { id virtType guestCpu { mode model features { name policy } } } }`;
    const plain = await api.gql<{ registerHost: { id: string; virtType: string; guestCpu: unknown } }>(q, {
      input: hostInput('cpu-default'),
    });
    expect(plain.data?.registerHost).toMatchObject({ virtType: 'KVM', guestCpu: { mode: 'HOST_PASSTHROUGH', model: null, features: [] } });
    const nested = { mode: 'HOST_PASSTHROUGH', features: [{ name: 'arch-capabilities', policy: 'DISABLE' }] };
    const bad = await api.gql(q, { input: hostInput('cpu-bad-policy', { guestCpu: nested }) });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const tcg = { virtType: 'QEMU', guestCpu: { mode: 'CUSTOM', model: 'qemu64', features: [{ name: 'svm', policy: 'disable' }] } };
    const r = await api.rest('POST', '/api/v1/hosts', hostInput('cpu-tcg', tcg));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject(tcg);
    const upd = await api.gql<{ updateHost: { virtType: string } }>(
      `mutation ($id: ID!, $input: UpdateHostInput!) { updateHost(id: $id, input: $input) { virtType } }`,
      { id: plain.data?.registerHost.id, input: { virtType: 'QEMU' } },
    );
    expect(upd.data?.updateHost.virtType).toBe('QEMU');
  });

  it('rejects a wrongly typed GraphQL variable and malformed JSON without a 500', async () => {
    const g = await api.gql(REGISTER, { input: hostInput('typed', { port: 'twenty-two' }) });
    expect(g.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const r = await api.rest('POST', '/api/v1/hosts', '{"name": ', { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    const t = await api.rest('POST', '/api/v1/hosts', { ...hostInput('typed2'), port: 'x' });
    expect(t.status).toBe(400);
    expect(t.body.field).toBe('port');
  });

  // README "Try it": GraphQL carries resolver errors with HTTP 200 (GraphQL-over-HTTP), and
  // Apollo answers 400 only for a request that never executes.
  it('answers GraphQL resolver errors with HTTP 200 and unexecuted requests with 400', async () => {
    const gqlPost = (query: string, variables?: unknown) => api.rest('POST', '/graphql', { query, variables });
    const bad = await gqlPost(REGISTER, { input: hostInput('status-200', { port: 0 }) });
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({ data: null, errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'port' } }] });
    const missing = await gqlPost(`{ host(name: "nope") { id } }`);
    expect(missing.status).toBe(200);
    expect(missing.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const cases: [string, unknown, string][] = [
      ['{', undefined, 'GRAPHQL_PARSE_FAILED'],
      ['{ nope }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
      // over the 2,000-field bound of the query limits (a validation rule)
      [`{ ${Array.from({ length: 2001 }, (_, i) => `a${i}: __typename`).join(' ')} }`, undefined, 'GRAPHQL_VALIDATION_FAILED'],
      [REGISTER, { input: hostInput('typed3', { port: 'twenty-two' }) }, 'BAD_USER_INPUT'],
    ];
    for (const [query, variables, code] of cases) {
      const r = await gqlPost(query, variables);
      expect(r.status, query).toBe(400);
      expect(r.body.errors[0].extensions.code).toBe(code);
    }
  });

  it('answers unknown hosts with NOT_FOUND / 404', async () => {
    const g = await api.gql(`{ host(name: "nope") { id } }`);
    expect(g.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await api.rest('GET', '/api/v1/hosts/nope')).status).toBe(404);
    expect((await api.rest('PATCH', '/api/v1/hosts/00000000-0000-4000-8000-000000000000', { port: 23 })).status).toBe(404);
  });
});

describe('updateHost, maintenance, removeHost', () => {
  it('updates fields, toggles maintenance and refuses bad state changes', async () => {
    const { data } = await api.gql<{ registerHost: { id: string } }>(REGISTER, { input: hostInput('kvm-upd') });
    const id = data!.registerHost.id;
    const u = await api.gql<{ updateHost: { port: number; address: string } }>(
      `mutation ($id: ID!, $input: UpdateHostInput!) { updateHost(id: $id, input: $input) { port address } }`,
      { id, input: { port: 2222, address: 'kvm-upd.example.org' } },
    );
    expect(u.data?.updateHost).toEqual({ port: 2222, address: 'kvm-upd.example.org' });
    const empty = await api.rest('PATCH', `/api/v1/hosts/${id}`, {});
    expect(empty.status).toBe(400);

    const m = await api.gql<{ setHostMaintenance: { state: string; stateReason: string } }>(
      `mutation ($id: ID!) { setHostMaintenance(id: $id, input: { enabled: true, reason: "firmware" }) { state stateReason } }`,
      { id },
    );
    expect(m.data?.setHostMaintenance).toEqual({ state: 'MAINTENANCE', stateReason: 'firmware' });
    const off = await api.rest('PUT', `/api/v1/hosts/${id}/maintenance`, { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.state).toBe('REGISTERED');
    const again = await api.rest('PUT', `/api/v1/hosts/${id}/maintenance`, { enabled: false });
    expect(again.status).toBe(409);
  });

  it('refuses to remove a host while a VM is placed on it, then removes it', async () => {
    const { data } = await api.gql<{ registerHost: { id: string } }>(REGISTER, { input: hostInput('kvm-rm') });
    const id = data!.registerHost.id;
    const vm = await db.vm.create({ data: { name: 'guest-1', hostId: id, state: 'RUNNING', vcpus: 2, memoryMiB: 1024, request: {} } });
    const g = await api.gql(`mutation ($id: ID!) { removeHost(id: $id) { id } }`, { id });
    expect(g.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await api.rest('DELETE', `/api/v1/hosts/${id}`)).status).toBe(409);
    await db.vm.update({ where: { id: vm.id }, data: { state: 'DELETED' } });
    const ok = await api.rest('DELETE', `/api/v1/hosts/${id}`);
    expect(ok.status).toBe(200);
    expect(await db.host.findUnique({ where: { id } })).toBeNull();
  });
});

describe('pagination and filters', () => {
  it('pages through hosts with an opaque cursor and filters by SR-IOV and network', async () => {
    for (const n of ['page-1', 'page-2', 'page-3']) await api.gql(REGISTER, { input: hostInput(n) });
    const sriov = await db.host.findUniqueOrThrow({ where: { name: 'page-2' } });
    await seedTopology(db, sriov.id, { nodes: 1, cpusPerNode: 2, vfs: 4 });

    const p1 = await api.gql<{ hosts: { nodes: { name: string }[]; pageInfo: { endCursor: string; hasNextPage: boolean } } }>(
      `{ hosts(first: 2, filter: { }) { nodes { name } pageInfo { endCursor hasNextPage } } }`,
    );
    expect(p1.data?.hosts.nodes).toHaveLength(2);
    expect(p1.data?.hosts.pageInfo.hasNextPage).toBe(true);
    const p2 = await api.gql<{ hosts: { nodes: { name: string }[] } }>(
      `query ($after: String) { hosts(first: 100, after: $after) { nodes { name } } }`,
      {
        after: p1.data?.hosts.pageInfo.endCursor,
      },
    );
    const names = [...p1.data!.hosts.nodes, ...p2.data!.hosts.nodes].map((h) => h.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);

    const f = await api.rest('GET', '/api/v1/hosts?sriovCapable=true');
    const sriovNames = f.body.nodes.map((h: { name: string }) => h.name);
    expect(sriovNames).toContain('page-2');
    expect(sriovNames).not.toContain('page-1');
    expect(sriovNames).not.toContain('page-3');
    expect((await api.rest('GET', '/api/v1/hosts?first=0')).body.field).toBe('first');
    expect((await api.rest('GET', '/api/v1/hosts?after=garbage!')).body.field).toBe('after');
    expect((await api.rest('GET', '/api/v1/hosts?state=SLEEPING')).body.field).toBe('filter.state');
  });
});
