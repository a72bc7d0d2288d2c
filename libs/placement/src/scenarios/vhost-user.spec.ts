import { VHOST_USER_SOCKET_DIR, type FleetSnapshot, type VmRequestInput } from '@netpin/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlan, capacity, place } from '../api';
import { DEFAULT_PLACEMENT_OPTIONS } from '../config';
import { fleet, vm, type HostSpec } from '../testing/fleet-builder';
import { planOf } from '../testing/results';

/**
 * Host "h1": 2 nodes x 4 cores x 2 threads (node 0 = CPUs 0-3,8-11; node 1 = 4-7,12-15), OVS
 * with DPDK, the "dpdk" network on the netdev bridge br-dpdk (no uplink NIC: the switch's
 * phy port is its own business), PMD cores on CPUs 5 and 6 (node 1), 2M pages everywhere.
 */
function dpdkHost(host: Partial<HostSpec> = {}): FleetSnapshot {
  return fleet()
    .host({
      name: 'h1',
      caps: { ovsDpdk: true },
      pmdCpus: [5, 6],
      hugepages2MPerNode: 4096,
      bridges: [
        { name: 'br-dpdk', kind: 'OVS', datapathType: 'netdev' },
        { name: 'br-kern', kind: 'OVS', datapathType: 'system' },
      ],
      ...host,
    })
    .network('dpdk', 'OVS_BRIDGE', { on: { h1: [] }, bridge: 'br-dpdk', vlan: 300 })
    .network('kern', 'OVS_BRIDGE', { on: { h1: [] }, bridge: 'br-kern' })
    .build();
}

const userspaceVm = (input: Partial<VmRequestInput> = {}) =>
  vm({ vcpus: 4, hugepages: 'SIZE_2M', interfaces: [{ network: 'dpdk' }], ...input });

describe('AUTO on an OVS network whose bridge is netdev on an OVS-DPDK host, VM on huge pages', () => {
  const p = planOf(place(dpdkHost(), userspaceVm()));

  it('takes vhost-user: a dpdkvhostuserclient port and a socket QEMU serves', () => {
    const i = p.interfaces[0];
    expect(i).toMatchObject({
      datapath: 'VHOST_USER',
      connection: 'VHOSTUSER',
      model: 'virtio',
      vhost: false,
      sourceDevice: 'br-dpdk',
      vlan: 300,
    });
    expect(i.vhostUser?.port).toMatch(/^vhu[0-9a-f]{8}$/);
    expect(i.vhostUser?.socketPath).toBe(`${VHOST_USER_SOCKET_DIR}/${i.vhostUser?.port}`);
  });

  it("lands on the PMD cores' node, with queues bounded by its PMD cores and one PMD slot each", () => {
    expect(p.numaNodes).toEqual([1]);
    expect(p.interfaces[0].queues).toBe(2);
    expect(p.allocation.pmdQueues).toEqual([{ node: 1, queues: 2 }]);
  });

  it('never pins a vCPU or the emulator on a PMD core, and claims no NIC I/O CPUs', () => {
    const used = p.allocation.cpus.map((c) => c.cpu);
    expect(used).not.toContain(5);
    expect(used).not.toContain(6);
    expect(p.ioCpus).toEqual([]);
  });
});

describe('AUTO falls back to vhost-net on OVS where vhost-user cannot be had', () => {
  const datapath = (s: FleetSnapshot, input: Partial<VmRequestInput>) => planOf(place(s, userspaceVm(input))).interfaces[0].datapath;

  it('a VM without huge pages', () => {
    expect(datapath(dpdkHost(), { hugepages: 'NONE' })).toBe('VHOST_OVS');
  });
  it('a kernel (system) OVS bridge', () => {
    expect(datapath(dpdkHost(), { interfaces: [{ network: 'kern' }] })).toBe('VHOST_OVS');
  });
  it('a host without OVS-DPDK', () => {
    expect(datapath(dpdkHost({ caps: { ovsDpdk: false } }), {})).toBe('VHOST_OVS');
  });
  it("the PMD cores' slots all taken", () => {
    // 2 PMD cores x 2 queues: two 2-queue VMs fill them
    const opts = { pmdQueuesPerCore: 2 };
    let s = dpdkHost();
    for (let k = 0; k < 2; k++) s = applyPlan(s, planOf(place(s, userspaceVm({ name: `fill${k}`, vcpus: 2 }), opts)), opts);
    expect(s.allocations.map((a) => a.pmdQueues)).toEqual([[{ node: 1, queues: 2 }], [{ node: 1, queues: 2 }]]);
    expect(planOf(place(s, userspaceVm({ name: 'late', vcpus: 2 }), opts)).interfaces[0].datapath).toBe('VHOST_OVS');
  });
});

describe('PMD capacity (properties)', () => {
  it('no node ever polls more queues than its PMD cores x pmdQueuesPerCore, however VMs arrive', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.subarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: 1 }),
        (vcpus, perCore, pmdCpus) => {
          let s = dpdkHost({ pmdCpus, coresPerNode: 8 });
          for (const [k, n] of vcpus.entries()) {
            const r = place(s, userspaceVm({ name: `vm${k}`, vcpus: n, interfaces: [{ network: 'dpdk', datapath: 'VHOST_USER' }] }), {
              pmdQueuesPerCore: perCore,
            });
            if (r.ok) s = applyPlan(s, r.plan, { pmdQueuesPerCore: perCore });
          }
          for (const node of [0, 1]) {
            const cores = pmdCpus.filter((c) => c % 16 < 8 === (node === 0)).length;
            const used = s.allocations
              .flatMap((a) => a.pmdQueues)
              .filter((q) => q.node === node)
              .reduce((x, q) => x + q.queues, 0);
            expect(used).toBeLessThanOrEqual(cores * perCore);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('capacity() counts exactly the VMs the PMD budget allows when CPUs and memory are plentiful', () => {
    // one PMD core on node 1, default budget: one queue per 1-vCPU VM
    const s = dpdkHost({ pmdCpus: [5], coresPerNode: 16 });
    const shape = {
      name: 'cap',
      vcpus: 1,
      memoryMiB: 512,
      hugepages: 'SIZE_2M' as const,
      interfaces: [{ network: 'dpdk', datapath: 'VHOST_USER' as const }],
    };
    expect(capacity(s, shape).total).toBe(DEFAULT_PLACEMENT_OPTIONS.pmdQueuesPerCore);
    expect(capacity(s, shape, { pmdQueuesPerCore: 7 }).total).toBe(7);
  });
});
