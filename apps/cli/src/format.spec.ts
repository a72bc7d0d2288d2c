import { describe, expect, it } from 'vitest';
import { cpuList, formatOperationList, formatRejection, formatVm, progressLine, table } from './format';

describe('cpuList', () => {
  it('compresses runs the way the kernel prints cpulists', () => {
    expect(cpuList([8, 0, 1, 2, 5, 7])).toBe('0-2,5,7-8');
    expect(cpuList([3])).toBe('3');
    expect(cpuList([])).toBe('-');
  });
});

describe('table', () => {
  it('pads every column but the last', () => {
    expect(
      table(
        ['A', 'LONG'],
        [
          ['xyz', '1'],
          ['q', '22'],
        ],
      ),
    ).toBe('A    LONG\nxyz  1\nq    22');
  });
});

describe('formatRejection', () => {
  it('lists reasons by how many hosts they stopped, with examples', () => {
    expect(
      formatRejection({
        summary: [
          { code: 'INSUFFICIENT_MEMORY', hosts: 1, examples: ['hv-9'] },
          { code: 'INSUFFICIENT_DEDICATED_CPUS', hosts: 3, examples: ['hv-1', 'hv-2', 'hv-3', 'hv-4'] },
        ],
        requestReasons: [{ code: 'GUEST_LACKS_VIRTIO', detail: 'vhost needs virtio' }],
      }),
    ).toBe(
      '  INSUFFICIENT_DEDICATED_CPUS: 3 host(s) (e.g. hv-1, hv-2, hv-3)\n  INSUFFICIENT_MEMORY: 1 host(s) (e.g. hv-9)\n  GUEST_LACKS_VIRTIO: vhost needs virtio',
    );
  });
});

describe('progressLine', () => {
  it('is one stable line per update, naming the target', () => {
    const op = { id: '0123456789abcdef', kind: 'vm.create', targetName: 'web-1', state: 'RUNNING', progress: 7, step: 'apply domain' };
    expect(progressLine(op as never)).toBe('vm.create web-1: RUNNING   7% apply domain');
    // a target without a name (none today) falls back to the operation id
    expect(progressLine({ ...op, targetName: null } as never)).toBe('vm.create 0123456789ab: RUNNING   7% apply domain');
  });
});

describe('names instead of ids', () => {
  it('lists an operation by its target\u2019s name', () => {
    const op = {
      id: 'op-1',
      kind: 'vm.create',
      state: 'SUCCEEDED',
      progress: 100,
      targetType: 'vm',
      targetId: 'a1b2',
      targetName: 'web-01',
      createdAt: 't',
    };
    expect(formatOperationList([op as never])).toContain('vm web-01');
    expect(formatOperationList([op as never])).not.toContain('vm a1b2');
  });
});

describe('formatVm', () => {
  it('describes a VF as passed through (no virtio model or queues) and groups the plan\u2019s IRQs', () => {
    const text = formatVm({
      id: 'vm-1',
      name: 'web-01',
      state: 'RUNNING',
      vcpus: 2,
      memoryMiB: 2048,
      createdAt: 't0',
      errorCode: null,
      errorMessage: null,
      hostName: 'hv-01',
      planState: { source: 'VERIFIED', at: '2026-01-01T11:00:00Z', vmId: 'vm-1', vmName: 'web-01' },
      plan: {
        hostName: 'hv-01',
        numaNodes: [1],
        memoryMode: 'strict',
        hugepages: 'NONE',
        vcpuPins: [{ vcpu: 0, cpus: [5] }],
        emulatorCpus: [5],
        vhostCpus: [],
        isolatedSiblings: [],
        interfaces: [
          {
            index: 0,
            networkName: 'physnet0',
            datapath: 'SRIOV',
            model: 'virtio',
            queues: 2,
            nicName: 'ens5f0',
            vfIndex: 3,
            sourceDevice: null,
            numaNode: 1,
            numaLocal: true,
            failover: false,
            mac: '52:54:00:00:00:01',
            vlan: null,
          },
        ],
        irqAffinity: [0, 1, 2, 3].map((q) => ({ irq: 200 + q, queue: q, nicName: 'ens5f0', cpus: [q % 2 ? 47 : 15] })),
        penalties: [],
        score: { total: 1 },
      },
    } as never);
    expect(text).toContain('nic 0 physnet0: SRIOV (VF 3 of ens5f0 passed through, guest VF driver), NUMA 1 local');
    expect(text).not.toMatch(/virtio|queue/);
    expect(text).toContain('IRQs ens5f0 200-203: 15,47');
    expect(text).toContain("on hv-01, plan verified 2026-01-01T11:00:00Z by web-01's plan");
  });
});
