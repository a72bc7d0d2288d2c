import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import type { SimHost } from '@netpin/hostsim';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

/** Power actions through the API, the real agent and hostsim over SSH (issue 14). */
let c: Cluster;
let db: Db;

interface VmOut {
  id: string;
  state: string;
  hostId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  interfaces: { mac: string }[];
  plan: {
    hostName: string;
    vcpuPins: { vcpu: number; cpus: number[] }[];
    interfaces: { nicName: string; vfIndex: number | null }[];
  } | null;
}
interface OpOut {
  id: string;
  kind: string;
  state: string;
  errorCode: string | null;
  errorStderr: string | null;
  steps: { name: string; state: string }[];
  resultJson: string | null;
}

const VM = `query ($id: ID!) { vm(id: $id) { id state hostId errorCode errorMessage interfaces { mac } plan { hostName vcpuPins { vcpu cpus } interfaces { nicName vfIndex } } } }`;
const OP = `query ($id: ID!) { operation(id: $id) { id kind state errorCode errorStderr steps { name state } resultJson } }`;
const getVm = async (id: string) => (await c.client.request<{ vm: VmOut }>(VM, { id })).vm;

async function finished(opId: string): Promise<OpOut> {
  await c.client.waitForOperation(opId, 60_000);
  return (await c.client.request<{ operation: OpOut }>(OP, { id: opId })).operation;
}
async function power(verb: 'startVm' | 'rebootVm', id: string): Promise<OpOut>;
async function power(verb: 'stopVm', id: string, input: Record<string, unknown>): Promise<OpOut>;
async function power(verb: string, id: string, input?: Record<string, unknown>): Promise<OpOut> {
  const args = verb === 'stopVm' ? '(id: $id, input: $input)' : '(id: $id)';
  const vars = verb === 'stopVm' ? '($id: ID!, $input: StopVmInput)' : '($id: ID!)';
  const r = await c.client.request<Record<string, { id: string }>>(`mutation ${vars} { ${verb}${args} { id } }`, { id, input });
  return finished(r[verb].id);
}
const sim = (name: string): SimHost => c.fleet.hosts.find((h) => h.hostname === name)!;
const allocations = async (vmId: string) => ({
  cpus: await db.cpuAllocation.count({ where: { vmId } }),
  vfs: await db.vfAllocation.count({ where: { vmId } }),
});

beforeAll(async () => {
  db = testDb();
  c = await startCluster({ profiles: ['dual-socket-sriov', 'small-one-node'], namePrefix: 'pwr' });
}, 180_000);
afterAll(async () => {
  await c?.stop();
  await db?.$disconnect();
});

describe('stop, start and reboot of an SR-IOV VM', () => {
  let vmId: string;
  let first: VmOut;
  let baseline: ReturnType<SimHost['state']>;

  beforeAll(async () => {
    baseline = sim('pwr-01').state();
    const r = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
      `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`,
      { input: { name: 'pw-1', vcpus: 2, memoryMiB: 1024, pinHost: 'pwr-01', interfaces: [{ network: 'physnet0', vlan: 120 }] } },
    );
    vmId = r.createVm.vm.id;
    expect((await finished(r.createVm.operation.id)).state).toBe('SUCCEEDED');
    first = await getVm(vmId);
    expect(first.state).toBe('RUNNING');
  });

  it('stops gracefully and keeps every allocation and the VF programmed', async () => {
    sim('pwr-01').model.guest = { acpi: 'honour', shutdownDelayMs: 100 };
    const held = await allocations(vmId);
    const op = await power('stopVm', vmId, {});
    expect([op.kind, op.state, op.errorCode]).toEqual(['vm.stop', 'SUCCEEDED', null]);
    expect(JSON.parse(op.resultJson ?? '{}')).toMatchObject({ forced: false, released: false });
    const vm = await getVm(vmId);
    expect([vm.state, vm.hostId, vm.plan]).toEqual(['STOPPED', first.hostId, first.plan]);
    expect(await allocations(vmId)).toEqual(held);
    const host = sim('pwr-01').state();
    expect(host.domains.find((d) => d.name === 'pw-1')?.state).toBe('shut off');
    const i0 = first.plan!.interfaces[0];
    expect(host.nics.find((n) => n.name === i0.nicName)?.vfs[i0.vfIndex!]).toMatchObject({ mac: first.interfaces[0].mac, vlan: 120 });
  });

  it('refuses what a STOPPED VM cannot do, changing nothing', async () => {
    for (const verb of ['rebootVm', 'stopVm'] as const) {
      const r = await c.api.gql(`mutation ($id: ID!) { ${verb}(id: $id) { id } }`, { id: vmId });
      expect([verb, r.errors?.[0].extensions?.code]).toEqual([verb, 'CONFLICT']);
    }
    expect((await c.api.rest('POST', `/api/v1/vms/${vmId}/reboot`)).status).toBe(409);
    expect((await getVm(vmId)).state).toBe('STOPPED');
  });

  it('starts where it was, with the same plan, and verifies it', async () => {
    const op = await power('startVm', vmId);
    expect([op.kind, op.state, op.errorCode]).toEqual(['vm.start', 'SUCCEEDED', null]);
    const vm = await getVm(vmId);
    expect([vm.state, vm.plan]).toEqual(['RUNNING', first.plan]);
    expect(
      sim('pwr-01')
        .state()
        .domains.find((d) => d.name === 'pw-1')?.state,
    ).toBe('running');
    const children = await db.operation.findMany({ where: { parentId: op.id }, select: { kind: true, state: true } });
    expect(children).toEqual([{ kind: 'vm.verify', state: 'SUCCEEDED' }]);
  });

  it('reboots in place over REST', async () => {
    sim('pwr-01').model.guest = { acpi: 'honour', shutdownDelayMs: 10 };
    const r = await c.api.rest('POST', `/api/v1/vms/${vmId}/reboot`);
    expect([r.status, r.body.kind]).toEqual([202, 'vm.reboot']);
    const op = await finished(r.body.id);
    expect(op.state).toBe('SUCCEEDED');
    expect((await getVm(vmId)).state).toBe('RUNNING');
  });

  it('refuses a bad stop input on both transports, naming the field, changing nothing', async () => {
    const g = await c.api.gql(`mutation ($id: ID!) { stopVm(id: $id, input: { timeoutSeconds: -1 }) { id } }`, { id: vmId });
    expect(g.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeoutSeconds' });
    const r = await c.api.rest('POST', `/api/v1/vms/${vmId}/stop`, { timeoutSeconds: 99999 });
    expect([r.status, r.body.code, r.body.field]).toEqual([400, 'BAD_USER_INPUT', 'timeoutSeconds']);
    const typo = await c.api.rest('POST', `/api/v1/vms/${vmId}/stop`, { relase: true });
    expect([typo.status, typo.body.field]).toEqual([400, 'relase']);
    expect((await getVm(vmId)).state).toBe('RUNNING');
    expect(await db.operation.count({ where: { targetId: vmId, kind: 'vm.stop', state: { in: ['QUEUED', 'RUNNING'] } } })).toBe(0);
  });

  it('with release and a guest that ignores ACPI: forced off after the timeout, everything back to the host baseline', async () => {
    sim('pwr-01').model.guest = { acpi: 'ignore', shutdownDelayMs: 0 };
    const op = await power('stopVm', vmId, { release: true, timeoutSeconds: 1 });
    expect([op.state, op.errorCode]).toEqual(['SUCCEEDED', null]);
    expect(JSON.parse(op.resultJson ?? '{}')).toMatchObject({ forced: true, released: true });
    expect(op.steps.find((s) => s.name === 'destroy domain')?.state).toBe('SUCCEEDED');
    const vm = await getVm(vmId);
    expect([vm.state, vm.hostId, vm.plan]).toEqual(['STOPPED', null, null]);
    expect(await allocations(vmId)).toEqual({ cpus: 0, vfs: 0 });
    const host = sim('pwr-01').state();
    expect(host.domains).toEqual(baseline.domains);
    expect(host.nics).toEqual(baseline.nics);
    expect(host.irqs).toEqual(baseline.irqs);
  });

  it('starting a released VM places it anew, keeping its MAC', async () => {
    sim('pwr-01').model.guest = { acpi: 'honour', shutdownDelayMs: 50 };
    const op = await power('startVm', vmId);
    expect([op.state, op.errorCode]).toEqual(['SUCCEEDED', null]);
    const vm = await getVm(vmId);
    expect(vm.state).toBe('RUNNING');
    expect(vm.plan?.hostName).toBe('pwr-01');
    expect(vm.interfaces[0].mac).toBe(first.interfaces[0].mac);
    expect(await allocations(vmId)).toEqual({ cpus: expect.any(Number), vfs: 1 });
    const i0 = vm.plan!.interfaces[0];
    expect(
      sim('pwr-01')
        .state()
        .nics.find((n) => n.name === i0.nicName)?.vfs[i0.vfIndex!].mac,
    ).toBe(first.interfaces[0].mac);
  });

  it('a start the host refuses fails with its stderr; the VM stays STOPPED holding its allocations, and starts once the host agrees', async () => {
    sim('pwr-01').model.guest = { acpi: 'honour', shutdownDelayMs: 20 };
    expect((await power('stopVm', vmId, {})).state).toBe('SUCCEEDED');
    const held = await allocations(vmId);
    sim('pwr-01').setFaults({ failCommands: [{ pattern: 'virsh start', exitCode: 1, stderr: 'error: internal error: injected refusal' }] });
    try {
      const op = await power('startVm', vmId);
      expect([op.state, op.errorCode]).toEqual(['FAILED', 'COMMAND_FAILED']);
      expect(op.errorStderr).toContain('injected refusal');
      const vm = await getVm(vmId);
      expect([vm.state, vm.errorCode]).toEqual(['STOPPED', 'COMMAND_FAILED']);
      expect(await allocations(vmId)).toEqual(held);
    } finally {
      sim('pwr-01').setFaults({});
    }
    expect((await power('startVm', vmId)).state).toBe('SUCCEEDED');
    expect(await getVm(vmId)).toMatchObject({ state: 'RUNNING', errorCode: null });
  });

  it('a stop the host refuses leaves the VM FAILED with the error; stopping again succeeds', async () => {
    sim('pwr-01').model.guest = { acpi: 'ignore', shutdownDelayMs: 0 };
    sim('pwr-01').setFaults({ failCommands: [{ pattern: 'virsh destroy', exitCode: 1, stderr: 'error: injected destroy refusal' }] });
    try {
      const op = await power('stopVm', vmId, { timeoutSeconds: 0 });
      expect([op.state, op.errorCode]).toEqual(['FAILED', 'COMMAND_FAILED']);
      expect(op.errorStderr).toContain('injected destroy refusal');
      expect(await getVm(vmId)).toMatchObject({ state: 'FAILED', errorCode: 'COMMAND_FAILED' });
    } finally {
      sim('pwr-01').setFaults({});
    }
    expect((await power('stopVm', vmId, { timeoutSeconds: 0 })).state).toBe('SUCCEEDED');
    expect(
      sim('pwr-01')
        .state()
        .domains.find((d) => d.name === 'pw-1')?.state,
    ).toBe('shut off');
  });

  it('deleting a stopped VM tears it down and releases everything', async () => {
    const { deleteVm } = await c.client.request<{ deleteVm: { id: string } }>(`mutation ($id: ID!) { deleteVm(id: $id) { id } }`, {
      id: vmId,
    });
    expect((await finished(deleteVm.id)).state).toBe('SUCCEEDED');
    expect(await allocations(vmId)).toEqual({ cpus: 0, vfs: 0 });
    const host = sim('pwr-01').state();
    expect(host.domains).toEqual(baseline.domains);
    expect(host.nics).toEqual(baseline.nics);
    expect(host.irqs).toEqual(baseline.irqs);
  });
});
