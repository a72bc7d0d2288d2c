import type { FleetSnapshot, PlacementPlan, VmRequest } from '@netpin/contracts';
import { fleet, place, planOf, vm, type HostSpec } from '@netpin/placement';
import { describe, expect, it } from 'vitest';
import { domainSpecFromPlan, PlanToDomainError, resolveVdpaSources } from './from-plan';
import type { DomainSpec, InterfaceSpec } from './model';
import { normaliseDomain } from './normalise';
import { parseDomain } from './parse';
import { renderDomain } from './render';

/**
 * Plans come from the real engine on fleet-builder fleets. Host h1: 2 nodes x 4 cores x 2
 * threads (CPU c and c+8 are siblings), ens1f0 = SR-IOV PF (8 VFs) on node 1, eno1 = plain
 * NIC on node 1, 1G and 2M huge pages on every node.
 */
function fleetOf(host: Partial<HostSpec> = {}): FleetSnapshot {
  return fleet()
    .host({
      name: 'h1',
      hugepages1GPerNode: 16,
      hugepages2MPerNode: 4096,
      nics: [
        { name: 'ens1f0', node: 1, vfs: 8, queues: 4 },
        { name: 'eno1', node: 1, queues: 16 },
      ],
      ...host,
    })
    .network('phys', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] }, vlan: 100 })
    .network('phys-untagged', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] } })
    .network('mvt', 'MACVTAP', { on: { h1: ['eno1'] } })
    .network('lbr', 'LINUX_BRIDGE', { on: { h1: ['eno1'] }, bridge: 'br0' })
    .network('lbr-tagged', 'LINUX_BRIDGE', { on: { h1: ['eno1'] }, bridge: 'br1', vlan: 30 })
    .network('ovs', 'OVS_BRIDGE', { on: { h1: ['eno1'] }, bridge: 'br-int', vlan: 200 })
    .network('jumbo-lbr', 'LINUX_BRIDGE', { on: { h1: ['eno1'] }, bridge: 'br9', mtu: 9000 })
    .network('jumbo-mvt', 'MACVTAP', { on: { h1: ['eno1'] }, mtu: 9000 })
    .network('jumbo-phys', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] }, mtu: 9000 })
    .network('dpdk', 'OVS_BRIDGE', { on: { h1: [] }, bridge: 'br-dpdk' })
    .network('ovs-trunk', 'OVS_BRIDGE', { on: { h1: ['eno1'] }, bridge: 'br-int', trunkVlans: [200, 100], nativeVlan: 300 })
    .network('dpdk-jumbo', 'OVS_BRIDGE', { on: { h1: [] }, bridge: 'br-dpdk', mtu: 9000 })
    .build();
}

interface Case {
  request: VmRequest;
  host?: Partial<HostSpec>;
  check: (spec: DomainSpec, plan: PlacementPlan) => void;
}

const nic = (spec: DomainSpec, k: number): InterfaceSpec => spec.interfaces[k];
const threads = (spec: DomainSpec) => spec.cpu?.topology?.threads;

const CASES: Record<string, Case> = {
  sriov: {
    request: vm({ name: 'plan-sriov', vcpus: 4, interfaces: [{ network: 'phys' }] }),
    check: (spec, plan) => {
      expect(nic(spec, 0)).toMatchObject({
        type: 'hostdev',
        pciAddress: plan.interfaces[0].vf?.pciAddress,
        vlan: 100,
        mac: plan.interfaces[0].mac,
      });
      expect(threads(spec)).toBe(2);
    },
  },
  'sriov-failover': {
    request: vm({ name: 'plan-sriov-failover', interfaces: [{ network: 'phys-untagged', liveMigratable: true }] }),
    check: (spec) => {
      const [backup, vf] = spec.interfaces;
      expect(backup).toMatchObject({
        type: 'direct',
        sourceDev: 'ens1f0',
        model: 'virtio',
        driver: { name: 'vhost', queues: 2 },
        alias: 'ua-backup0',
        teaming: { type: 'persistent' },
      });
      expect(vf).toMatchObject({ type: 'hostdev', teaming: { type: 'transient', persistent: 'ua-backup0' } });
      expect(vf.mac).toBe(backup.mac);
    },
  },
  macvtap: {
    request: vm({ name: 'plan-macvtap', vcpus: 6, interfaces: [{ network: 'mvt', mac: '52:54:00:aa:00:01' }] }),
    check: (spec) =>
      expect(nic(spec, 0)).toEqual({
        type: 'direct',
        mac: '52:54:00:aa:00:01',
        sourceDev: 'eno1',
        mode: 'bridge',
        model: 'virtio',
        driver: { name: 'vhost', queues: 6 },
      }),
  },
  bridge: {
    request: vm({ name: 'plan-bridge', vcpus: 4, threadPolicy: 'REQUIRE', interfaces: [{ network: 'lbr' }] }),
    check: (spec) => {
      expect(nic(spec, 0)).toMatchObject({ type: 'bridge', bridge: 'br0', model: 'virtio', driver: { name: 'vhost', queues: 4 } });
      expect(nic(spec, 0)).not.toHaveProperty('openvswitch');
    },
  },
  ovs: {
    request: vm({ name: 'plan-ovs', interfaces: [{ network: 'ovs' }] }),
    check: (spec) => expect(nic(spec, 0)).toMatchObject({ type: 'bridge', bridge: 'br-int', openvswitch: true, vlan: 200 }),
  },
  'virtio-userspace': {
    request: vm({ name: 'plan-virtio-userspace', interfaces: [{ network: 'lbr' }] }),
    host: { caps: { vhostNet: false } },
    check: (spec) => expect(nic(spec, 0)).toMatchObject({ type: 'bridge', model: 'virtio', driver: { name: 'qemu' } }),
  },
  e1000: {
    request: vm({ name: 'plan-e1000', guest: { virtio: false, vfDriver: false }, interfaces: [{ network: 'lbr', datapath: 'E1000' }] }),
    check: (spec) => {
      expect(nic(spec, 0)).toMatchObject({ type: 'bridge', model: 'e1000' });
      expect(nic(spec, 0)).not.toHaveProperty('driver');
    },
  },
  // jumbo frames and rate caps: <mtu> and <bandwidth> on the tap, the NIC's MTU for macvtap, VF rates (not XML) for the VF
  'jumbo-capped': {
    request: vm({
      name: 'plan-jumbo-capped',
      interfaces: [
        { network: 'jumbo-lbr', minBandwidthMbps: 1000, maxBandwidthMbps: 2000 },
        { network: 'jumbo-mvt', maxBandwidthMbps: 500 },
        { network: 'jumbo-phys', maxBandwidthMbps: 3000 },
      ],
    }),
    check: (spec) => {
      expect(nic(spec, 0)).toMatchObject({ type: 'bridge', mtu: 9000, bandwidth: { outbound: { average: 250_000 } } });
      expect(nic(spec, 1)).toMatchObject({ type: 'direct', bandwidth: { outbound: { average: 62_500 } } });
      expect(nic(spec, 1)).not.toHaveProperty('mtu');
      // the VF's cap is its max_tx_rate (the agent's VF setup), its MTU the guest's, bounded by the PF's
      expect(Object.keys(nic(spec, 2)).sort()).toEqual(['mac', 'pciAddress', 'type']);
    },
  },
  'multi-1g-isolate': {
    request: vm({
      name: 'plan-multi-1g',
      vcpus: 4,
      memoryMiB: 4096,
      hugepages: 'SIZE_1G',
      emulatorThreads: 'ISOLATE',
      interfaces: [{ network: 'phys' }, { network: 'mvt' }, { network: 'ovs', datapath: 'VHOST_OVS' }],
    }),
    check: (spec) => {
      expect(spec.interfaces.map((i) => i.type)).toEqual(['hostdev', 'direct', 'bridge']);
      expect(spec.hugepageSizeKiB).toBe(1048576);
      const emu = spec.cputune?.emulatorpin ?? [];
      expect(emu).toHaveLength(1);
      expect(spec.cputune?.vcpupins.flatMap((p) => p.cpuset)).not.toContain(emu[0]);
      expect(spec.numaMemory).toEqual({ mode: 'strict', nodeset: [1] });
    },
  },
  vdpa: {
    request: vm({ name: 'plan-vdpa', vcpus: 4, guest: { virtio: true, vfDriver: false }, interfaces: [{ network: 'jumbo-phys' }] }),
    host: {
      caps: { vhostVdpa: true },
      nics: [
        { name: 'ens1f0', node: 1, vfs: 8, queues: 4, vdpaVfs: true },
        { name: 'eno1', node: 1, queues: 16 },
      ],
    },
    check: (spec, plan) => {
      const i = plan.interfaces[0];
      expect(i.datapath).toBe('VDPA');
      // the placeholder the agent replaces with /dev/vhost-vdpa-N; no <mtu> (libvirt 9.0 refuses it on vdpa)
      expect(nic(spec, 0)).toEqual({
        type: 'vdpa',
        mac: i.mac,
        sourceDev: `/run/netpin/vdpa/${i.vdpa?.device}`,
        model: 'virtio',
        queues: 4,
      });
      expect(spec).toMatchObject({ numaMemory: { nodeset: [1] } });
    },
  },
  vhostuser: {
    request: vm({ name: 'plan-vhostuser', vcpus: 4, hugepages: 'SIZE_2M', interfaces: [{ network: 'dpdk' }] }),
    host: { caps: { ovsDpdk: true }, pmdCpus: [5, 6], bridges: [{ name: 'br-dpdk', kind: 'OVS', datapathType: 'netdev' }] },
    check: (spec, plan) => {
      expect(nic(spec, 0)).toEqual({
        type: 'vhostuser',
        mac: plan.interfaces[0].mac,
        socketPath: plan.interfaces[0].vhostUser?.socketPath,
        mode: 'server',
        model: 'virtio',
        queues: 2,
      });
      expect(spec).toMatchObject({ hugepageSizeKiB: 2048, memoryAccess: 'shared', numaMemory: { nodeset: [1] } });
    },
  },
  // the network's trunk on the OVS port libvirt plugs the tap into, the native VLAN among its tags
  'ovs-trunk': {
    request: vm({ name: 'plan-ovs-trunk', interfaces: [{ network: 'ovs-trunk' }] }),
    check: (spec) => {
      expect(nic(spec, 0)).toMatchObject({
        type: 'bridge',
        openvswitch: true,
        trunk: { tags: [100, 200, 300], native: { id: 300, mode: 'untagged' } },
      });
      expect(nic(spec, 0)).not.toHaveProperty('vlan');
    },
  },
  // vhost-user with jumbo frames: <mtu> in the XML (QEMU's host_mtu; the port's mtu_request is the agent's)
  'vhostuser-jumbo': {
    request: vm({ name: 'plan-vhostuser-jumbo', vcpus: 2, hugepages: 'SIZE_2M', interfaces: [{ network: 'dpdk-jumbo' }] }),
    host: { caps: { ovsDpdk: true }, pmdCpus: [5], bridges: [{ name: 'br-dpdk', kind: 'OVS', datapathType: 'netdev' }] },
    check: (spec) => expect(nic(spec, 0)).toMatchObject({ type: 'vhostuser', mtu: 9000 }),
  },
  'shared-2m': {
    request: vm({
      name: 'plan-shared-2m',
      vcpus: 3,
      cpuPolicy: 'SHARED',
      hugepages: 'SIZE_2M',
      interfaces: [{ network: 'lbr', datapath: 'RTL8139' }],
    }),
    check: (spec) => {
      expect(spec.hugepageSizeKiB).toBe(2048);
      expect(new Set(spec.cputune?.vcpupins.map((p) => p.cpuset.length > 1))).toEqual(new Set([true]));
      expect(spec.cpu?.topology).toEqual({ sockets: 1, cores: 3, threads: 1 });
      expect(nic(spec, 0)).toMatchObject({ model: 'rtl8139' });
    },
  },
};

/** The case's plan with its first interface given a trunk placement would never plan there, rendered. */
function withTrunk(c: Pick<Case, 'request' | 'host'>, vlans: number[]): DomainSpec {
  const { plan } = planFor(c);
  const bad = { ...plan, interfaces: plan.interfaces.map((i) => ({ ...i, vlan: null, trunk: { vlans, native: null } })) } as PlacementPlan;
  return domainSpecFromPlan(bad, c.request);
}

function planFor(c: Pick<Case, 'request' | 'host'>): { snapshot: FleetSnapshot; plan: PlacementPlan } {
  const snapshot = fleetOf(c.host);
  return { snapshot, plan: planOf(place(snapshot, c.request)) };
}

function specFor(c: Pick<Case, 'request' | 'host'>): { plan: PlacementPlan; spec: DomainSpec; snapshot: FleetSnapshot } {
  const { snapshot, plan } = planFor(c);
  const hostCpus = snapshot.hosts.find((h) => h.id === plan.hostId)?.cpus;
  return { snapshot, plan, spec: domainSpecFromPlan(plan, c.request, { hostCpus }) };
}

/** CPUs a pin may name: the plan's own vCPU/emulator CPUs, or for SHARED the free CPUs of its nodes. */
function allowedCpus(snapshot: FleetSnapshot, plan: PlacementPlan): Set<number> {
  if (plan.cpuPolicy === 'DEDICATED')
    return new Set(plan.allocation.cpus.filter((c) => c.role === 'VCPU' || c.role === 'EMULATOR').map((c) => c.cpu));
  const host = snapshot.hosts.find((h) => h.id === plan.hostId);
  const io = new Set(plan.ioCpus.filter((s) => s.newlyAllocated).flatMap((s) => s.cpus));
  return new Set(
    (host?.cpus ?? [])
      .filter((c) => plan.numaNodes.includes(c.numaNode) && c.owner === null && !c.reservedForHost && !io.has(c.id))
      .map((c) => c.id),
  );
}

describe('domainSpecFromPlan on engine plans', () => {
  for (const [name, c] of Object.entries(CASES)) {
    describe(name, () => {
      const { snapshot, plan, spec } = specFor(c);

      it(`renders __golden__/plan-${name}.xml`, async () => {
        await expect(renderDomain(spec)).toMatchFileSnapshot(`../__golden__/plan-${name}.xml`);
      });
      it('parses back to the normalised spec', () => {
        expect(parseDomain(renderDomain(spec))).toEqual(normaliseDomain(spec));
      });
      it('pins only CPUs the plan allocated, exactly as the plan pins them', () => {
        const allowed = allowedCpus(snapshot, plan);
        const pins = [...(spec.cputune?.vcpupins.flatMap((p) => p.cpuset) ?? []), ...(spec.cputune?.emulatorpin ?? [])];
        expect(pins.length).toBeGreaterThan(0);
        expect(pins.filter((p) => !allowed.has(p))).toEqual([]);
        expect(spec.cputune?.vcpupins).toEqual(plan.vcpuPins.map((p) => ({ vcpu: p.vcpu, cpuset: [...p.cpus].sort((a, b) => a - b) })));
        expect(spec.cputune?.emulatorpin).toEqual([...plan.emulatorCpus].sort((a, b) => a - b));
      });
      it('carries the name, memory, vCPUs and NUMA placement of the plan', () => {
        expect(spec).toMatchObject({ name: plan.vmName, memoryMiB: c.request.memoryMiB, vcpus: plan.vcpuPins.length });
        expect(spec.numaMemory).toEqual({ mode: plan.memory.mode, nodeset: [...plan.numaNodes].sort((a, b) => a - b) });
        expect(spec.cpu?.cells).toEqual([{ id: 0, cpus: plan.vcpuPins.map((p) => p.vcpu), memoryMiB: c.request.memoryMiB }]);
      });
      it('matches the datapath the plan chose', () => c.check(spec, plan));
      it('is deterministic: a fresh placement of the same request gives the same spec', () => {
        expect(specFor(c).spec).toEqual(spec);
      });
    });
  }
});

describe('domainSpecFromPlan choices', () => {
  const bridge = CASES['bridge'];
  it('uses threads=2 for REQUIRE without host facts, but PREFER needs them to claim siblings', () => {
    const { plan } = planFor(bridge);
    expect(threads(domainSpecFromPlan(plan, bridge.request))).toBe(2);
    const prefer = { request: { ...bridge.request, threadPolicy: 'PREFER' as const } };
    expect(threads(domainSpecFromPlan(planFor(prefer).plan, prefer.request))).toBe(1);
    expect(threads(specFor(prefer).spec)).toBe(2);
  });
  it('never claims siblings the host does not have', () => {
    const { plan } = planFor(bridge);
    const noSmt = plan.vcpuPins.map((p) => ({ id: p.cpus[0], siblings: [p.cpus[0]] }));
    expect(threads(domainSpecFromPlan(plan, bridge.request, { hostCpus: noSmt }))).toBe(1);
    const odd = { request: vm({ name: 'odd', vcpus: 3, threadPolicy: 'REQUIRE' }) };
    expect(specFor(odd).spec.cpu?.topology).toEqual({ sockets: 1, cores: 3, threads: 1 });
  });
  it('keeps numatune for numaPolicy NONE on one node, and interleaves a VM spanning nodes', () => {
    const one = { request: vm({ name: 'one', numaPolicy: 'NONE' }) };
    expect(specFor(one).spec.numaMemory).toEqual({ mode: 'strict', nodeset: [specFor(one).plan.numaNodes[0]] });
    const wide = { request: vm({ name: 'wide', vcpus: 12, numaPolicy: 'NONE' }) };
    expect(specFor(wide).spec.numaMemory).toEqual({ mode: 'interleave', nodeset: [0, 1] });
  });
  it('writes the uuid only when given', () => {
    const { plan } = planFor(bridge);
    expect(domainSpecFromPlan(plan, bridge.request)).not.toHaveProperty('uuid');
    expect(domainSpecFromPlan(plan, bridge.request, { uuid: '3F6D1C2A-8B4E-4F1A-9C7D-2E5B8A0F6C11', machine: 'q35' }).uuid).toBe(
      '3f6d1c2a-8b4e-4f1a-9c7d-2e5b8a0f6c11',
    );
  });

  const refusals: Array<[string, () => unknown, string]> = [
    [
      'a VLAN on a Linux bridge',
      () => specFor({ request: vm({ name: 'x', interfaces: [{ network: 'lbr-tagged' }] }) }),
      'plan.interfaces[0].vlan',
    ],
    [
      'a VLAN on a failover backup that cannot tag it',
      () => specFor({ request: vm({ name: 'x', interfaces: [{ network: 'phys', liveMigratable: true }] }) }),
      'plan.interfaces[0].failoverBackup.vlan',
    ],
    [
      "a request that is not the plan's",
      () => domainSpecFromPlan(planFor(bridge).plan, vm({ ...bridge.request, name: 'other' })),
      'plan.vmName',
    ],
    ['a request with other vCPUs', () => domainSpecFromPlan(planFor(bridge).plan, { ...bridge.request, vcpus: 8 }), 'plan.vcpuPins'],
    [
      'a machine type the renderer does not write',
      () => domainSpecFromPlan(planFor(bridge).plan, bridge.request, { machine: 'pc-i440fx-7.2' }),
      'opts.machine',
    ],
    ['a malformed uuid', () => domainSpecFromPlan(planFor(bridge).plan, bridge.request, { uuid: 'nope' }), 'opts.uuid'],
    ['a trunk on a Linux bridge tap', () => withTrunk(bridge, [10]), 'plan.interfaces[0].trunk'],
    ['a trunk VLAN out of 1-4094', () => withTrunk(CASES['ovs-trunk'], [0]), 'plan.interfaces[0].trunk.vlans[0]'],
    ['a trunk on a VF', () => withTrunk(CASES['sriov'], [10]), 'plan.interfaces[0].trunk'],
  ];
  for (const [what, run, path] of refusals) {
    it(`refuses ${what} with PLAN_NOT_RENDERABLE at ${path}`, () => {
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PlanToDomainError);
      expect(err).toMatchObject({ code: 'PLAN_NOT_RENDERABLE', path });
    });
  }
});

describe('resolveVdpaSources', () => {
  const { spec, plan } = specFor(CASES.vdpa);
  const xml = renderDomain(spec);
  const device = plan.interfaces[0].vdpa?.device ?? '';

  it("puts the device's /dev/vhost-vdpa-N where the placeholder was, and nowhere else", () => {
    const out = resolveVdpaSources(xml, new Map([[device, '/dev/vhost-vdpa-3']]));
    expect(out).toContain('<source dev="/dev/vhost-vdpa-3"/>');
    expect(out).not.toContain('/run/netpin/vdpa');
    expect(out.replace('/dev/vhost-vdpa-3', `/run/netpin/vdpa/${device}`)).toBe(xml);
  });

  it('refuses a placeholder without a path (or with one that is no vhost-vdpa device), or keeps it when asked', () => {
    expect(() => resolveVdpaSources(xml, new Map())).toThrow(PlanToDomainError);
    expect(() => resolveVdpaSources(xml, new Map([[device, '/etc/passwd']]))).toThrow(PlanToDomainError);
    expect(resolveVdpaSources(xml, new Map(), 'keep')).toBe(xml);
  });
});
