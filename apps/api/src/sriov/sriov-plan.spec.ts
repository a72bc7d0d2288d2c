import type { HostRecord, SriovPolicyRecord, SriovReconcileInput, SriovTargetRecord } from '@netpin/db';
import { describe, expect, it } from 'vitest';
import { planReconcile } from './sriov-plan';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:01:00Z');

function host(name: string, state: HostRecord['state'] = 'READY'): HostRecord {
  return {
    id: `id-${name}`,
    name,
    address: '127.0.0.1',
    port: 22,
    sshUser: 'root',
    credentialRef: 'file:k',
    hostKeyFingerprint: `SHA256:${'A'.repeat(43)}`,
    trustOnFirstUse: false,
    virtType: 'KVM',
    guestCpu: { mode: 'HOST_PASSTHROUGH', model: null, features: [] },
    state,
    stateReason: null,
    labels: {},
    capabilities: {
      vmx: true,
      svm: false,
      ept: true,
      npt: false,
      iommu: true,
      kvm: true,
      vhostNet: true,
      ovs: false,
      ovsDpdk: false,
      vhostVdpa: false,
    },
    bridges: null,
    foreignDomains: [],
    pmdCpus: [],
    lastDiscoveredAt: T0,
    createdAt: T0,
    updatedAt: T0,
  };
}

const pf = (name: string, numVfs: number) => ({
  id: `nic-${name}`,
  name,
  driver: 'ixgbe',
  vendorId: '8086',
  deviceId: '10fb',
  totalVfs: 63,
  numVfs,
  speedMbps: 10000,
  vfs: Array.from({ length: numVfs }, (_, index) => ({
    index,
    spoofchk: true,
    trust: false,
    linkState: 'auto',
    maxTxRateMbps: 0,
    heldBy: null,
  })),
});

const policy = (over: Partial<SriovPolicyRecord> = {}): SriovPolicyRecord => ({
  id: 'pol-1',
  name: 'pool',
  priority: 0,
  hostNamePattern: null,
  hostLabels: {},
  pfNamePattern: null,
  driver: null,
  vendorId: null,
  deviceId: null,
  numVfs: 8,
  spoofchk: true,
  trust: false,
  linkState: 'auto',
  maxTxRateMbps: 0,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

const target = (nic: string, over: Partial<SriovTargetRecord>): SriovTargetRecord => ({
  id: `t-${nic}`,
  policyId: 'pol-1',
  nicId: `nic-${nic}`,
  nicName: nic,
  hostId: 'id-hv-a',
  hostName: 'hv-a',
  state: 'PENDING',
  reason: null,
  blockedBy: [],
  operationId: null,
  updatedAt: T1,
  ...over,
});

function input(over: Partial<SriovReconcileInput> = {}): SriovReconcileInput {
  return {
    policies: [policy()],
    hosts: [{ host: host('hv-a'), pfs: [pf('ens1f0', 4), pf('ens1f1', 4)] }],
    targets: [],
    operations: new Map(),
    busyHosts: new Map(),
    ...over,
  };
}

let n = 0;
const opts = (retryFailed = false) => ({ retryFailed, requestId: 'req', newId: () => `op-${++n}` });

describe('planReconcile', () => {
  it('starts one host.configureSriov per host; the other PF waits for it', () => {
    const w = planReconcile(input(), opts());
    expect(w.operations).toHaveLength(1);
    const job = w.operations[0].job!;
    expect(job.payload).toMatchObject({
      pf: 'ens1f0',
      numVfs: 8,
      vfDefaults: { spoofchk: true, trust: false, linkState: 'auto', maxTxRateMbps: 0 },
      keepVfs: [],
      refuseIfVfsInUse: true,
    });
    expect(w.targets.map((t) => [t.nicId, t.state, t.operationId])).toEqual([
      ['nic-ens1f0', 'PENDING', w.operations[0].id],
      ['nic-ens1f1', 'PENDING', null],
    ]);
    expect(w.targets[1].reason).toBe(`waiting for operation ${w.operations[0].id} on hv-a`);
  });

  it('queues nothing on a host that is not READY, or busy with another host operation', () => {
    expect(planReconcile(input({ hosts: [{ host: host('hv-a', 'MAINTENANCE'), pfs: [pf('ens1f0', 4)] }] }), opts())).toMatchObject({
      operations: [],
      targets: [{ state: 'PENDING', reason: 'host hv-a is MAINTENANCE; reconciled once it is READY' }],
    });
    expect(planReconcile(input({ busyHosts: new Map([['id-hv-a', 'disc-1']]) }), opts()).operations).toEqual([]);
  });

  it('keeps a target PENDING while its job or the rediscovery after it runs, FAILED when the job failed', () => {
    const prev = [target('ens1f0', { operationId: 'op-x' })];
    const running = new Map([['op-x', { id: 'op-x', state: 'RUNNING' as const, errorMessage: null, result: null, rediscovery: null }]]);
    expect(
      planReconcile(input({ targets: prev, operations: running, hosts: [{ host: host('hv-a'), pfs: [pf('ens1f0', 4)] }] }), opts()),
    ).toMatchObject({ operations: [], targets: [{ state: 'PENDING', operationId: 'op-x' }] });
    const rediscovering = new Map([
      ['op-x', { id: 'op-x', state: 'SUCCEEDED' as const, errorMessage: null, result: null, rediscovery: 'QUEUED' as const }],
    ]);
    expect(
      planReconcile(input({ targets: prev, operations: rediscovering, hosts: [{ host: host('hv-a'), pfs: [pf('ens1f0', 4)] }] }), opts())
        .targets[0],
    ).toMatchObject({ state: 'PENDING', reason: 'waiting for the rediscovery after host.configureSriov' });
    const failed = new Map([
      ['op-x', { id: 'op-x', state: 'FAILED' as const, errorMessage: 'ip exited 2', result: null, rediscovery: null }],
    ]);
    expect(
      planReconcile(input({ targets: prev, operations: failed, hosts: [{ host: host('hv-a'), pfs: [pf('ens1f0', 4)] }] }), opts())
        .targets[0],
    ).toMatchObject({ state: 'FAILED', reason: 'host.configureSriov failed: ip exited 2' });
  });

  it('FAILED when the host still differs after a job and its rediscovery, naming VFs in use outside netpin', () => {
    const prev = [target('ens1f0', { operationId: 'op-x' })];
    const done = new Map([
      [
        'op-x',
        { id: 'op-x', state: 'SUCCEEDED' as const, errorMessage: null, result: { skippedInUse: [2] }, rediscovery: 'SUCCEEDED' as const },
      ],
    ]);
    const w = planReconcile(input({ targets: prev, operations: done, hosts: [{ host: host('hv-a'), pfs: [pf('ens1f0', 4)] }] }), opts());
    expect(w.operations).toEqual([]);
    expect(w.targets[0].state).toBe('FAILED');
    expect(w.targets[0].reason).toMatch(/still differs after host.configureSriov .*VF\(s\) 2 carry a MAC/);
  });

  it('does not retry a failed job on events, but does when the policy changed or on a periodic pass', () => {
    const prev = [target('ens1f0', { state: 'FAILED', reason: 'host.configureSriov failed: x', operationId: 'op-x', updatedAt: T1 })];
    const failed = new Map([['op-x', { id: 'op-x', state: 'FAILED' as const, errorMessage: 'x', result: null, rediscovery: null }]]);
    const base = { targets: prev, operations: failed, hosts: [{ host: host('hv-a'), pfs: [pf('ens1f0', 4)] }] };
    expect(planReconcile(input(base), opts()).operations).toHaveLength(0);
    expect(planReconcile(input(base), opts(true)).operations).toHaveLength(1);
    expect(
      planReconcile(input({ ...base, policies: [policy({ updatedAt: new Date(T1.getTime() + 1000) })] }), opts()).operations,
    ).toHaveLength(1);
  });

  it('drops targets of PFs no policy matches any more', () => {
    expect(planReconcile(input({ policies: [], targets: [target('ens1f0', {})] }), opts())).toEqual({ targets: [], operations: [] });
  });
});
