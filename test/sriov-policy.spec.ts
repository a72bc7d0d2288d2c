import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './support/cluster';

/**
 * SR-IOV VF pools as a declarative policy (issue 8), against the real API, agent and hostsim
 * over SSH: a policy converges a PF (count and VF attributes), placement sees the new VFs at
 * once, a count change waits (BLOCKED) while a VM holds a VF and converges when it is gone,
 * a policy the PF cannot hold FAILS with a reason, and bad input names its field.
 */
let c: Cluster;

interface Target {
  hostName: string;
  nicName: string;
  state: string;
  reason: string | null;
  blockedBy: string[];
  operationId: string | null;
}
interface Status {
  hostsMatched: number;
  pfsMatched: number;
  converged: number;
  pending: number;
  blocked: number;
  failed: number;
  targets: Target[];
}
interface PolicyView {
  name: string;
  priority: number;
  numVfs: number;
  hostLabels: { key: string; value: string }[];
  status: Status;
}

const FIELDS = `name priority numVfs hostLabels { key value } status { hostsMatched pfsMatched converged pending blocked failed targets { hostName nicName state reason blockedBy operationId } }`;
const CREATE = `mutation ($input: CreateSriovPolicyInput!) { createSriovPolicy(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($name: String!, $input: UpdateSriovPolicyInput!) { updateSriovPolicy(name: $name, input: $input) { ${FIELDS} } }`;
const made: string[] = [];

async function create(input: Record<string, unknown>): Promise<PolicyView> {
  const r = await c.client.request<{ createSriovPolicy: PolicyView }>(CREATE, { input });
  made.push(r.createSriovPolicy.name);
  return r.createSriovPolicy;
}
async function update(name: string, input: Record<string, unknown>): Promise<PolicyView> {
  return (await c.client.request<{ updateSriovPolicy: PolicyView }>(UPDATE, { name, input })).updateSriovPolicy;
}
async function policy(name: string): Promise<PolicyView> {
  return (await c.client.request<{ sriovPolicy: PolicyView }>(`query ($n: String!) { sriovPolicy(name: $n) { ${FIELDS} } }`, { n: name }))
    .sriovPolicy;
}

/** Poll the policy until every target is in `state` (reconcile runs on events, not in the request). */
async function waitAll(name: string, state: string, timeoutMs = 45_000): Promise<PolicyView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const p = await policy(name);
    if (p.status.targets.length > 0 && p.status.targets.every((t) => t.state === state)) return p;
    if (Date.now() > until) throw new Error(`policy ${name} not ${state} after ${timeoutMs} ms: ${JSON.stringify(p.status.targets)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function simNic(host: string, nic: string) {
  const h = c.fleet.hosts.find((x) => x.hostname === host);
  const n = h?.state().nics.find((x) => x.name === nic);
  if (!n) throw new Error(`no ${host}/${nic} on hostsim`);
  return n;
}

interface ApiNic {
  name: string;
  vendorId: string | null;
  deviceId: string | null;
  sriovNumVfs: number;
  vfs: { index: number; spoofchk: boolean; trust: boolean; linkState: string; maxTxRateMbps: number; allocatedToVmId: string | null }[];
}
async function apiNic(host: string, nic: string): Promise<ApiNic> {
  const { host: h } = await c.client.request<{ host: { nics: ApiNic[] } }>(
    `query ($n: String) { host(name: $n) { nics { name vendorId deviceId sriovNumVfs vfs { index spoofchk trust linkState maxTxRateMbps allocatedToVmId } } } }`,
    { n: host },
  );
  const n = h.nics.find((x) => x.name === nic);
  if (!n) throw new Error(`no ${host}/${nic} in the inventory`);
  return n;
}

/** VMs of one SR-IOV interface that still fit on a host: bounded by its free VFs. */
async function sriovCapacity(host: string): Promise<number> {
  const { capacity } = await c.client.request<{ capacity: { perHost: { hostName: string; count: number }[] } }>(
    `query ($input: VmInput!) { capacity(input: $input) { perHost { hostName count } } }`,
    { input: { name: 'probe', vcpus: 1, memoryMiB: 256, cpuPolicy: 'SHARED', interfaces: [{ network: 'physnet0', datapath: 'SRIOV' }] } },
  );
  return capacity.perHost.find((h) => h.hostName === host)?.count ?? 0;
}

async function configureOps(hostName: string): Promise<number> {
  const { host } = await c.client.request<{ host: { id: string } }>(`query ($n: String) { host(name: $n) { id } }`, { n: hostName });
  const { operations } = await c.client.request<{ operations: { totalCount: number } }>(
    `query ($t: ID) { operations(kind: "host.configureSriov", targetId: $t, first: 1) { totalCount } }`,
    { t: host.id },
  );
  return operations.totalCount;
}

// enp1s0 is a 1 Gbit/s igb: the rate stays below its link speed, and the link state stays
// auto (igb has no ndo_set_vf_link_state: VF_DRIVER_CAPABILITIES)
const POLICY_ATTRS = { spoofchk: false, trust: true, linkState: 'auto', maxTxRateMbps: 500 };

beforeAll(async () => {
  // sriovp-01: dual socket, ens1f0 (82599, 63 VFs max) and ens5f0 (mlx5); sriovp-02: one igb PF
  // enp1s0 (8086:1521, 8 VFs max). Both start with 4 VFs per PF.
  c = await startCluster({ profiles: ['dual-socket-sriov', 'small-one-node'], namePrefix: 'sriovp', vfsPerPf: 4 });
}, 180_000);

afterAll(async () => {
  for (const name of made)
    await c?.client.request(`mutation ($n: String!) { deleteSriovPolicy(name: $n) { name } }`, { n: name }).catch(() => undefined);
  await c?.stop();
});

describe('SR-IOV policies', () => {
  it('discovery fills PCI vendor and device ids from sysfs', async () => {
    expect(await apiNic('sriovp-01', 'ens1f0')).toMatchObject({ vendorId: '8086', deviceId: '10fb' });
    expect(await apiNic('sriovp-01', 'ens5f0')).toMatchObject({ vendorId: '15b3', deviceId: '1017' });
    expect(await apiNic('sriovp-02', 'enp1s0')).toMatchObject({ vendorId: '8086', deviceId: '1521' });
  });

  it('a policy the hosts already satisfy converges without touching them', async () => {
    const wide = await create({ name: 'sriovp-wide', hostNamePattern: 'sriovp-*', numVfs: 4, priority: -1 });
    expect(wide.status).toMatchObject({ hostsMatched: 2, pfsMatched: 3, converged: 3, pending: 0, blocked: 0, failed: 0 });
    expect(wide.status.targets.map((t) => `${t.hostName}/${t.nicName}:${t.operationId}`)).toEqual([
      'sriovp-01/ens1f0:null',
      'sriovp-01/ens5f0:null',
      'sriovp-02/enp1s0:null',
    ]);
  });

  it('a higher-priority policy takes one PF, sets its VF count and the attributes of every VF, and placement sees the new VFs', async () => {
    const capBefore = await sriovCapacity('sriovp-02');
    const small = await create({
      name: 'sriovp-small',
      hostNamePattern: 'sriovp-0?',
      vendorId: '8086',
      deviceId: '1521',
      numVfs: 6,
      priority: 10,
      ...POLICY_ATTRS,
    });
    expect(small.status).toMatchObject({ hostsMatched: 1, pfsMatched: 1, pending: 1 });
    const [t] = small.status.targets;
    expect(t).toMatchObject({ hostName: 'sriovp-02', nicName: 'enp1s0', state: 'PENDING' });
    const op = await c.client.waitForOperation(t.operationId!);
    expect(op, JSON.stringify(op)).toMatchObject({ kind: 'host.configureSriov', state: 'SUCCEEDED' });

    const done = await waitAll('sriovp-small', 'CONVERGED');
    expect(done.status).toMatchObject({ converged: 1, pending: 0 });
    // the wide policy lost that PF to the higher priority
    expect((await policy('sriovp-wide')).status).toMatchObject({ pfsMatched: 2, converged: 2 });

    // on the host: sysfs sriov_numvfs and every VF's attributes
    const sim = simNic('sriovp-02', 'enp1s0');
    expect(sim.numVfs).toBe(6);
    expect(sim.vfs.map((v) => [v.spoofchk, v.trust, v.linkState, v.maxTxRate])).toEqual(
      Array.from({ length: 6 }, () => [false, true, 'auto', 500]),
    );
    // in the inventory, through the rediscovery the job was followed by
    const nic = await apiNic('sriovp-02', 'enp1s0');
    expect(nic.sriovNumVfs).toBe(6);
    expect(nic.vfs.map((v) => [v.index, v.spoofchk, v.trust, v.linkState, v.maxTxRateMbps])).toEqual(
      Array.from({ length: 6 }, (_, i) => [i, false, true, 'auto', 500]),
    );
    // the other host was not touched
    expect(simNic('sriovp-01', 'ens1f0').numVfs).toBe(4);
    // placement: two more VFs, two more VMs of a one-VF shape fit
    expect(await sriovCapacity('sriovp-02')).toBe(capBefore + 2);
    const { previewPlacement } = await c.client.request<{
      previewPlacement: { fits: boolean; plan: { hostName: string; interfaces: { nicName: string; vfIndex: number }[] } | null };
    }>(`query ($input: VmInput!) { previewPlacement(input: $input) { fits plan { hostName interfaces { nicName vfIndex } } } }`, {
      input: {
        name: 'sriovp-probe',
        vcpus: 1,
        memoryMiB: 512,
        pinHost: 'sriovp-02',
        interfaces: [{ network: 'physnet0', datapath: 'SRIOV' }],
      },
    });
    expect(previewPlacement).toMatchObject({ fits: true, plan: { hostName: 'sriovp-02', interfaces: [{ nicName: 'enp1s0' }] } });
  });

  it('a count change is BLOCKED while a VM holds a VF, and converges once the VM is deleted', async () => {
    const { createVm } = await c.client.request<{
      createVm: {
        vm: { id: string; plan: { interfaces: { nicName: string; vfIndex: number; mac: string }[] } };
        operation: { id: string };
      };
    }>(
      `mutation ($input: VmInput!) { createVm(input: $input) { vm { id plan { interfaces { nicName vfIndex mac } } } operation { id } } }`,
      {
        input: {
          name: 'sriovp-vm1',
          vcpus: 1,
          memoryMiB: 512,
          pinHost: 'sriovp-02',
          interfaces: [{ network: 'physnet0', datapath: 'SRIOV' }],
        },
      },
    );
    expect((await c.client.waitForOperation(createVm.operation.id)).state).toBe('SUCCEEDED');
    const [iface] = createVm.vm.plan.interfaces;
    expect(iface.nicName).toBe('enp1s0');
    const opsBefore = await configureOps('sriovp-02');

    const blocked = await update('sriovp-small', { numVfs: 8 });
    expect(blocked.status).toMatchObject({ pfsMatched: 1, blocked: 1, pending: 0 });
    expect(blocked.status.targets[0]).toMatchObject({ nicName: 'enp1s0', state: 'BLOCKED', blockedBy: ['sriovp-vm1'] });
    expect(blocked.status.targets[0].reason).toMatch(/from 6 to 8 VFs would destroy 1 VF\(s\) held by sriovp-vm1/);
    // the PF is untouched: same count, the VM's VF still carries its MAC, no job was queued
    expect(simNic('sriovp-02', 'enp1s0').numVfs).toBe(6);
    expect(simNic('sriovp-02', 'enp1s0').vfs[iface.vfIndex].mac).toBe(iface.mac);
    expect(await configureOps('sriovp-02')).toBe(opsBefore);
    // an explicit pass changes nothing either
    const { reconcileSriovPolicies } = await c.client.request<{ reconcileSriovPolicies: { id: string }[] }>(
      `mutation { reconcileSriovPolicies { id } }`,
    );
    expect(reconcileSriovPolicies).toEqual([]);

    const { deleteVm } = await c.client.request<{ deleteVm: { id: string } }>(`mutation ($id: ID!) { deleteVm(id: $id) { id } }`, {
      id: createVm.vm.id,
    });
    expect((await c.client.waitForOperation(deleteVm.id)).state).toBe('SUCCEEDED');
    const done = await waitAll('sriovp-small', 'CONVERGED');
    expect(done.status.targets[0].blockedBy).toEqual([]);
    const sim = simNic('sriovp-02', 'enp1s0');
    expect(sim.numVfs).toBe(8);
    expect(sim.vfs.every((v) => v.trust && !v.spoofchk && v.linkState === 'auto' && v.maxTxRate === 500)).toBe(true);
    expect((await apiNic('sriovp-02', 'enp1s0')).vfs).toHaveLength(8);
    expect(await configureOps('sriovp-02')).toBe(opsBefore + 1);
  });

  it("a VF a deleted VM hands back (reset to clean defaults by the teardown) gets the policy's attributes again", async () => {
    const before = (await policy('sriovp-small')).status.targets[0].operationId;
    const opsBefore = await configureOps('sriovp-02');
    const { createVm } = await c.client.request<{
      createVm: { vm: { id: string; plan: { interfaces: { vfIndex: number }[] } }; operation: { id: string } };
    }>(`mutation ($input: VmInput!) { createVm(input: $input) { vm { id plan { interfaces { vfIndex } } } operation { id } } }`, {
      input: {
        name: 'sriovp-vm2',
        vcpus: 1,
        memoryMiB: 512,
        pinHost: 'sriovp-02',
        interfaces: [{ network: 'physnet0', datapath: 'SRIOV' }],
      },
    });
    expect((await c.client.waitForOperation(createVm.operation.id)).state).toBe('SUCCEEDED');
    const vf = createVm.vm.plan.interfaces[0].vfIndex;
    const { deleteVm } = await c.client.request<{ deleteVm: { id: string } }>(`mutation ($id: ID!) { deleteVm(id: $id) { id } }`, {
      id: createVm.vm.id,
    });
    expect((await c.client.waitForOperation(deleteVm.id)).state).toBe('SUCCEEDED');
    // the count stays 8: only the freed VF's attributes are set, by a new host.configureSriov
    const until = Date.now() + 45_000;
    let t = (await policy('sriovp-small')).status.targets[0];
    while (!(t.state === 'CONVERGED' && t.operationId !== before) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 150));
      t = (await policy('sriovp-small')).status.targets[0];
    }
    expect(t).toMatchObject({ state: 'CONVERGED' });
    expect(t.operationId).not.toBe(before);
    expect(await configureOps('sriovp-02')).toBe(opsBefore + 1);
    const sim = simNic('sriovp-02', 'enp1s0');
    expect(sim.numVfs).toBe(8);
    expect(sim.vfs[vf]).toMatchObject({ mac: '00:00:00:00:00:00', spoofchk: false, trust: true, linkState: 'auto', maxTxRate: 500 });
  });

  it('a policy asking more VFs than the PF has FAILS with a reason and leaves the PF alone', async () => {
    const failed = await update('sriovp-small', { numVfs: 9 });
    expect(failed.status).toMatchObject({ failed: 1, pending: 0 });
    expect(failed.status.targets[0]).toMatchObject({
      state: 'FAILED',
      reason: 'enp1s0 supports at most 8 VFs (sriov_totalvfs); policy sriovp-small asks for 9',
    });
    expect(simNic('sriovp-02', 'enp1s0').numVfs).toBe(8);
    // REST reads the same status
    const r = await c.api.rest('GET', '/api/v1/sriov-policies/sriovp-small');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'sriovp-small', numVfs: 9, status: { failed: 1 } });
  });

  it('a policy setting a VF link state on igb FAILS with the driver named and leaves the PF alone', async () => {
    const opsBefore = await configureOps('sriovp-02');
    const failed = await update('sriovp-small', { numVfs: 8, linkState: 'enable' });
    expect(failed.status.targets[0]).toMatchObject({
      state: 'FAILED',
      reason: 'the igb driver refuses VF state (EOPNOTSUPP) asked by policy sriovp-small',
    });
    expect(simNic('sriovp-02', 'enp1s0').vfs.every((v) => v.linkState === 'auto')).toBe(true);
    expect(await configureOps('sriovp-02')).toBe(opsBefore);
  });

  it('refuses bad input naming the field, duplicates with CONFLICT, unknown names with NOT_FOUND', async () => {
    const bad = async (input: Record<string, unknown>) => (await c.api.gql(CREATE, { input })).errors?.[0]?.extensions;
    expect(await bad({ name: 'sriovp-bad', numVfs: 4, pfNamePattern: 'ens1f0;reboot' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'pfNamePattern',
    });
    expect(await bad({ name: 'sriovp-bad', numVfs: 4, vendorId: '80860' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'vendorId' });
    expect(await bad({ name: 'sriovp-bad', numVfs: 4, linkState: 'up' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'linkState' });
    expect(await bad({ name: 'sriovp-bad', numVfs: 4, hostLabels: [{ key: 'Rack', value: 'a' }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'hostLabels.0.key',
    });
    expect(await bad({ name: 'sriovp-small', numVfs: 4 })).toMatchObject({ code: 'CONFLICT' });
    const rest = await c.api.rest('POST', '/api/v1/sriov-policies', { name: 'sriovp-bad', numVfs: 300 });
    expect(rest.status).toBe(400);
    expect(rest.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'numVfs' });
    expect((await c.api.rest('PATCH', '/api/v1/sriov-policies/sriovp-small', { maxTxRateMbps: -1 })).body).toMatchObject({
      field: 'maxTxRateMbps',
    });
    expect((await c.api.rest('DELETE', '/api/v1/sriov-policies/sriovp-nope')).status).toBe(404);
    const { sriovPolicies } = await c.client.request<{ sriovPolicies: { name: string }[] }>(`{ sriovPolicies { name } }`);
    expect(sriovPolicies.map((p) => p.name).filter((n) => n.startsWith('sriovp-'))).toEqual(['sriovp-small', 'sriovp-wide']);
  });

  it('deleting a policy keeps the VFs and gives the PF back to the next policy', async () => {
    const gone = await c.client.request<{ deleteSriovPolicy: { name: string } }>(
      `mutation { deleteSriovPolicy(name: "sriovp-small") { name } }`,
    );
    expect(gone.deleteSriovPolicy.name).toBe('sriovp-small');
    // enp1s0 (8 VFs) now belongs to the wide policy (4): a count change it will make, as every VF is free
    const wide = await waitAll('sriovp-wide', 'CONVERGED');
    expect(wide.status.pfsMatched).toBe(3);
    expect(simNic('sriovp-02', 'enp1s0').numVfs).toBe(4);
  });
});
