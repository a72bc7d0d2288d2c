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
