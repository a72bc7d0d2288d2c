import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startApi, type TestApi } from './support/api';
import { seedTopology, testDb } from './support/seed';

/**
 * Input the API used to misread: a pinHost naming no host was answered PLACEMENT_REJECTED
 * with a reason for every other host; REST ignored body fields it does not know, so a typo
 * (`cpus` for `vcpus`) created a VM with the defaults. Both are the caller's mistake and
 * are answered as such, on every route, before anything is written.
 */
let api: TestApi;
let db: Db;

beforeAll(async () => {
  api = await startApi({ background: false });
  db = testDb();
  const caps = { capKvm: true, capVmx: true, capEpt: true, capIommu: true, capVhostNet: true };
  const host = await db.host.create({
    data: { name: 'edge-host', address: '192.0.2.50', credentialRef: 'file:k', state: 'READY', ...caps },
  });
  await seedTopology(db, host.id, { nodes: 1, cpusPerNode: 8, vfs: 4 });
  const net = await api.gql(`mutation { createNetwork(input: { name: "edge-br", kind: LINUX_BRIDGE, bridge: "br0" }) { id } }`);
  expect(net.errors).toBeUndefined();
  const map = await api.gql(`mutation { mapNetworkToNic(input: { network: "edge-br", host: "edge-host", nic: "ens1f0" }) { id } }`);
  expect(map.errors).toBeUndefined();
}, 60_000);
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

const vm = (extra: Record<string, unknown> = {}) => ({
  name: 'edge-vm',
  vcpus: 1,
  memoryMiB: 512,
  interfaces: [{ network: 'edge-br' }],
  ...extra,
});
const rowCounts = () => Promise.all([db.vm.count(), db.operation.count(), db.host.count(), db.network.count(), db.apiToken.count()]);

describe('pinHost naming an unknown host', () => {
  it('is NOT_FOUND naming pinHost on createVm, previewPlacement and capacity, GraphQL and REST, and writes nothing', async () => {
    const before = await rowCounts();
    const input = vm({ pinHost: 'no-such-host' });
    for (const [query, name] of [
      ['mutation ($input: VmInput!) { createVm(input: $input) { vm { id } } }', 'createVm'],
      ['query ($input: VmInput!) { previewPlacement(input: $input) { fits } }', 'previewPlacement'],
      ['query ($input: VmInput!) { capacity(input: $input) { total } }', 'capacity'],
    ]) {
      const g = await api.gql(query, { input });
      expect([name, g.errors?.[0].extensions]).toEqual([name, expect.objectContaining({ code: 'NOT_FOUND', field: 'pinHost' })]);
      expect(g.errors?.[0].message).toContain('no-such-host');
    }
    for (const path of ['/api/v1/vms', '/api/v1/placement/preview', '/api/v1/placement/capacity']) {
      const r = await api.rest('POST', path, input);
      expect([path, r.status, r.body.code, r.body.field]).toEqual([path, 404, 'NOT_FOUND', 'pinHost']);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('a registered host never discovered is FAILED_PRECONDITION naming pinHost, saying to discover it', async () => {
    await db.host.create({ data: { name: 'edge-new', address: '192.0.2.52', credentialRef: 'file:k' } });
    const r = await api.rest('POST', '/api/v1/placement/preview', vm({ pinHost: 'edge-new' }));
    expect(r).toMatchObject({ status: 409, body: { code: 'FAILED_PRECONDITION', field: 'pinHost' } });
    expect(r.body.message).toContain('discoverHost');
  });

  it('a known host, by name or id, is still placed on', async () => {
    const { id } = await db.host.findUniqueOrThrow({ where: { name: 'edge-host' } });
    for (const pinHost of ['edge-host', id]) {
      const r = await api.rest('POST', '/api/v1/placement/preview', vm({ pinHost }));
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ fits: true, plan: { hostName: 'edge-host' } });
    }
  });
});

describe('REST bodies with fields the API does not know', () => {
  it('refuse the typo `cpus` with 400 naming it, and create nothing', async () => {
    const before = await rowCounts();
    const r = await api.rest('POST', '/api/v1/vms', { name: 'typo-vm', cpus: 4, memoryMiB: 512, interfaces: [{ network: 'edge-br' }] });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cpus' });
    expect(r.body.message).toContain('cpus');
    expect(await rowCounts()).toEqual(before);
  });

  it('name nested unknown fields by their path', async () => {
    const iface = await api.rest(
      'POST',
      '/api/v1/placement/preview',
      vm({ interfaces: [{ network: 'edge-br' }, { network: 'edge-br', vlanid: 7 }] }),
    );
    expect(iface).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'interfaces.1.vlanid' } });
    const explain = await api.rest('POST', '/api/v1/placement/explain', { host: 'edge-host', input: vm({ numa: 'NONE' }) });
    expect(explain).toMatchObject({ status: 400, body: { field: 'input.numa' } });
    const labels = await api.rest('POST', '/api/v1/hosts', {
      name: 'label-host',
      address: '192.0.2.51',
      credentialRef: 'file:k',
      trustOnFirstUse: true,
      labels: [{ key: 'rack', value: 'r1', colour: 'red' }],
    });
    expect(labels).toMatchObject({ status: 400, body: { field: 'labels.0.colour' } });
  });

  it('are refused on every REST route that takes a body, as enumerated from the OpenAPI document', async () => {
    const doc = await api.rest('GET', '/api/docs-json');
    const routes = Object.entries(doc.body.paths as Record<string, Record<string, { requestBody?: unknown }>>).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.requestBody !== undefined)
        .map(([method]) => [method.toUpperCase(), path] as const),
    );
    expect(routes.length).toBeGreaterThanOrEqual(12);
    const before = await rowCounts();
    for (const [method, path] of routes) {
      const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const r = await api.rest(method, concrete, { notAField: 1 });
      expect([method, path, r.status, r.body.field]).toEqual([method, path, 400, 'notAField']);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('still accept every known field, null where nullable', async () => {
    const r = await api.rest('POST', '/api/v1/placement/preview', vm({ pinHost: null, avoidHosts: [], numaPolicy: 'PREFERRED' }));
    expect(r.status).toBe(200);
    expect(r.body.fits).toBe(true);
  });
});
