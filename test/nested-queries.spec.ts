import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startApi, type TestApi } from './support/api';
import { seedTopology, testDb } from './support/seed';

let api: TestApi;
let db: Db;
const queries: string[] = [];

const NESTED = `query ($first: Int) { hosts(first: $first, filter: { network: "nested-net" }) { nodes { name
  numaNodes { index memoryMiB hugepages { sizeKiB free } cpus { cpuId siblings allocation { vmId role } } }
  nics { name numaNode irqs { irq affinity } vfs { index mac allocatedToVmId } } } } }`;

beforeAll(async () => {
  // no relay or result consumer: their polling would add queries the count must not see
  api = await startApi({ onQuery: (sql) => queries.push(sql), background: false });
  db = testDb();
  const net = await db.network.create({ data: { name: 'nested-net', kind: 'MACVTAP' } });
  for (let i = 0; i < 6; i++) {
    const h = await db.host.create({ data: { name: `nested-${i}`, address: '192.0.2.30', credentialRef: 'file:k' } });
    await seedTopology(db, h.id, { nodes: 2, cpusPerNode: 4, vfs: 4 });
    const nic = await db.nic.findFirstOrThrow({ where: { hostId: h.id, name: 'eno1' } });
    await db.networkNic.create({ data: { networkId: net.id, hostId: h.id, nicId: nic.id } });
  }
});
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

async function countQueries(first: number): Promise<{ n: number; hosts: number; cpus: number }> {
  queries.length = 0;
  const r = await api.gql<{ hosts: { nodes: { numaNodes: { cpus: unknown[] }[] }[] } }>(NESTED, { first });
  expect(r.errors).toBeUndefined();
  const nodes = r.data!.hosts.nodes;
  return { n: queries.length, hosts: nodes.length, cpus: nodes.flatMap((h) => h.numaNodes.flatMap((n) => n.cpus)).length };
}

describe('host -> numaNodes -> cpus and host -> nics -> vfs', () => {
  it('costs the same number of SQL queries for 1 host as for 6 (no N+1)', async () => {
    const one = await countQueries(1);
    const six = await countQueries(6);
    expect(one.hosts).toBe(1);
    expect(six.hosts).toBe(6);
    expect(six.cpus).toBe(6 * 8);
    expect(one.n).toBeGreaterThan(0);
    expect(six.n).toBe(one.n);
    expect(six.n).toBeLessThanOrEqual(10);
  });
});

describe('connection totalCount', () => {
  const counts = (): string[] => queries.filter((q) => /\bCOUNT\s*\(/i.test(q));
  const filter = '(first: 2, filter: { network: "nested-net" })';

  it('is counted only when selected: a page without it costs one query fewer', async () => {
    queries.length = 0;
    const bare = await api.gql<{ hosts: { nodes: unknown[] } }>(`{ hosts${filter} { nodes { name } } }`);
    expect(bare.errors).toBeUndefined();
    expect(bare.data!.hosts.nodes).toHaveLength(2);
    expect(counts()).toEqual([]);
    const without = queries.length;

    queries.length = 0;
    const counted = await api.gql<{ hosts: { totalCount: number } }>(`{ hosts${filter} { totalCount nodes { name } } }`);
    expect(counted.data!.hosts.totalCount).toBe(6);
    expect(counts()).toHaveLength(1);
    expect(queries.length).toBe(without + 1);
  });

  it('is counted when selected through a fragment or an inline fragment, and always on REST', async () => {
    const viaFragment = await api.gql<{ hosts: { totalCount: number } }>(
      `query { hosts${filter} { ...Total } } fragment Total on HostConnection { totalCount }`,
    );
    expect(viaFragment.data!.hosts.totalCount).toBe(6);
    const inline = await api.gql<{ vms: { totalCount: number }; operations: { totalCount: number } }>(
      `{ vms { ... on VmConnection { totalCount } } operations { totalCount } }`,
    );
    expect(inline.errors).toBeUndefined();
    expect(inline.data!.vms.totalCount).toBe(0);
    expect(typeof inline.data!.operations.totalCount).toBe('number');
    const rest = await api.rest('GET', '/api/v1/hosts?first=1');
    expect(rest.status).toBe(200);
    expect((rest.body as { totalCount: number }).totalCount).toBeGreaterThanOrEqual(6);
  });
});
