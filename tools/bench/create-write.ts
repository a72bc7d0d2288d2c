/**
 * The database side of a VM create, alone (a script, not a test): a fresh database with
 * `--hosts` seeded hosts (test/support/seed.ts topology, no hostsim, no agent), then
 * `--vms` ProvisioningRepository.createPlacedVm calls one after another in this process.
 * Reports this process's CPU (user+sys: Prisma, the pg driver, placement) per create, the
 * SQL statements per create and those while the PlacementState lock was held (Prisma's query
 * log: from the `FOR UPDATE` to the `COMMIT`), and the wall time the lock was held. CPU and
 * counts hold on a loaded machine; wall times do not.
 *
 *   SWC_NODE_PROJECT=tsconfig.json node -r @swc-node/register tools/bench/create-write.ts [--json] [--vms 200] [--hosts 20]
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { vmRequestSchema } from '@netpin/contracts';
import { createDb, ProvisioningRepository, SnapshotCache, type Db } from '@netpin/db';
import { createTestDatabase, dropTestDatabase, migrateDeploy } from '../../test/support/database';
import { seedTopology } from '../../test/support/seed';

const argv = process.argv.slice(2);
const num = (name: string, d: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const VMS = num('vms', 200);
const HOSTS = num('hosts', 20);
const WARMUP = 10;

async function seed(db: Db): Promise<void> {
  const net = await db.network.create({ data: { name: 'cw-direct', kind: 'MACVTAP' } });
  const sriov = await db.network.create({ data: { name: 'cw-sriov', kind: 'SRIOV_PHYSNET', physnet: 'cw' } });
  for (let k = 0; k < HOSTS; k++) {
    const h = await db.host.create({
      data: {
        name: `cw-${k}`,
        address: '192.0.2.50',
        credentialRef: 'file:k',
        state: 'READY',
        capKvm: true,
        capIommu: true,
        capVhostNet: true,
      },
    });
    await seedTopology(db, h.id, { nodes: 2, cpusPerNode: 32, vfs: 8 });
    const eno = await db.nic.findFirstOrThrow({ where: { hostId: h.id, name: 'eno1' } });
    await db.networkNic.create({ data: { networkId: net.id, hostId: h.id, nicId: eno.id } });
    const pf = await db.nic.findFirstOrThrow({ where: { hostId: h.id, name: 'ens1f0' } });
    await db.networkNic.create({ data: { networkId: sriov.id, hostId: h.id, nicId: pf.id } });
  }
}

/** The bench's mix, roughly: every other VM has an SR-IOV interface besides its macvtap one. */
async function createOne(prov: ProvisioningRepository, n: number): Promise<void> {
  const vmId = randomUUID();
  const interfaces = n % 2 ? [{ network: 'cw-direct' }, { network: 'cw-sriov', vlan: 10 }] : [{ network: 'cw-direct' }];
  const req = { ...vmRequestSchema.parse({ name: `cw-vm-${n}`, vcpus: 2, memoryMiB: 1024, interfaces }), vmId };
  const r = await prov.createPlacedVm({
    vmId,
    name: req.name,
    request: req,
    operation: { id: randomUUID(), kind: 'vm.create', requestHash: 'h', requestId: 'r' },
    place: (index) => {
      const p = index.place(req);
      return p.ok ? p.plan : null;
    },
    job: (plan, host) => ({ queue: 'cw', name: 'vm.apply', payload: { address: host.address, plan } }),
  });
  if (r.kind !== 'created') throw new Error(`create ${n}: ${r.kind}`);
}

async function main(): Promise<void> {
  const { name, url } = await createTestDatabase('netpin_bench_cw');
  const log: { q: string; at: number }[] = [];
  const db = createDb(url, { onQuery: (q) => log.push({ q, at: performance.now() }) });
  try {
    migrateDeploy(url);
    await seed(db);
    const prov = new ProvisioningRepository(db, new SnapshotCache(db));
    for (let n = 0; n < WARMUP; n++) await createOne(prov, n);
    log.length = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let n = WARMUP; n < WARMUP + VMS; n++) await createOne(prov, n);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    let underLock = 0;
    let heldMs = 0;
    for (let k = 0, from = -1; k < log.length; k++) {
      if (/FOR UPDATE/.test(log[k].q) && log[k].q.includes('PlacementState')) from = k;
      if (from >= 0 && /^COMMIT/i.test(log[k].q.trim())) {
        underLock += k - from + 1;
        heldMs += log[k].at - log[from].at;
        from = -1;
      }
    }
    const round = (x: number) => Math.round(x * 100) / 100;
    const result = {
      vms: VMS,
      hosts: HOSTS,
      cpuMsPerCreate: round((cpu.user + cpu.system) / 1000 / VMS),
      statementsPerCreate: round(log.length / VMS),
      statementsUnderLockPerCreate: round(underLock / VMS),
      lockHeldMsMean: round(heldMs / VMS),
      wallMsPerCreate: round(wallMs / VMS),
    };
    process.stdout.write(argv.includes('--json') ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await db.$disconnect();
    await dropTestDatabase(name);
  }
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
