import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimHost } from '@netpin/hostsim';
import { startCluster, type Cluster } from './support/cluster';

/**
 * vhost-user end to end on the nfv-dpdk hostsim profile (OVS with DPDK, PMD threads on CPUs 2
 * and 18, netdev bridge br-dpdk): discovery finds OVS-DPDK, placement picks VHOST_USER for a
 * VM on huge pages, the agent creates the marked dpdkvhostuserclient port before the domain
 * starts (hostsim's QEMU waits for it like the real one), and the delete removes it. A
 * migration between two such hosts makes the port on the target before the domain starts
 * there, removes it from the source in its release, and from the target in a rollback.
 */
let c: Cluster;

beforeAll(async () => {
  c = await startCluster({ profiles: ['nfv-dpdk', 'nfv-dpdk'], namePrefix: 'vhu' });
  await c.client.request(
    `mutation { createNetwork(input: { name: "tenant-dpdk", kind: OVS_BRIDGE, bridge: "br-dpdk", vlan: 300 }) { id } }`,
  );
  await c.client.request(`mutation { mapNetworkToNic(input: { network: "tenant-dpdk", host: "vhu-01", nic: "eno1" }) { id } }`);
}, 180_000);
afterAll(async () => {
  await c?.stop();
});

interface Plan {
  vcpuPins: { cpus: number[] }[];
  emulatorCpus: number[];
  pmdQueues: { node: number; queues: number }[];
  interfaces: { datapath: string; queues: number | null; vhostUserPort: string | null; vhostUserSocket: string | null }[];
}

describe('vhost-user on OVS-DPDK', () => {
  it('discovers OVS-DPDK and its PMD CPUs', async () => {
    const { host } = await c.client.request<{
      host: { capabilities: { ovsDpdk: boolean }; pmdCpus: number[]; bridges: { name: string; datapathType: string | null }[] };
    }>(`query { host(name: "vhu-01") { capabilities { ovsDpdk } pmdCpus bridges { name datapathType } } }`);
    expect(host.capabilities.ovsDpdk).toBe(true);
    expect(host.pmdCpus).toEqual([2, 18]);
    expect(host.bridges).toContainEqual({ name: 'br-dpdk', datapathType: 'netdev' });
  });

  it('places a VM on huge pages with vhost-user, creates its port before start, and removes it on delete', async () => {
    const created = await c.client.request<{ createVm: { vm: { id: string; plan: Plan }; operation: { id: string } } }>(
      `mutation { createVm(input: { name: "dpdk-vm", vcpus: 2, memoryMiB: 1024, hugepages: SIZE_2M, interfaces: [{ network: "tenant-dpdk" }] }) {
        vm { id plan { vcpuPins { cpus } emulatorCpus pmdQueues { node queues } interfaces { datapath queues vhostUserPort vhostUserSocket } } } operation { id } } }`,
    );
    const op = await c.client.waitForOperation(created.createVm.operation.id, 60_000);
    expect(op.state, JSON.stringify(op)).toBe('SUCCEEDED');
    const { vm } = created.createVm;
    const i = vm.plan.interfaces[0];
    // 2 vCPUs, one PMD core per node: one queue, one PMD slot on the VM's node
    expect(i).toMatchObject({ datapath: 'VHOST_USER', queues: 1 });
    expect(vm.plan.pmdQueues).toHaveLength(1);
    expect(vm.plan.pmdQueues[0].queues).toBe(1);
    const pinned = [...vm.plan.vcpuPins.flatMap((p) => p.cpus), ...vm.plan.emulatorCpus];
    expect(pinned).not.toContain(2);
    expect(pinned).not.toContain(18);

    const host = c.fleet.hosts[0];
    const port = host.model.ovsPorts.find((p) => p.name === i.vhostUserPort);
    expect(port).toMatchObject({
      bridge: 'br-dpdk',
      tag: 300,
      type: 'dpdkvhostuserclient',
      options: { 'vhost-server-path': i.vhostUserSocket },
      externalIds: { 'netpin-vm-id': vm.id },
    });
    expect(host.model.domains.get('dpdk-vm')?.live).toBeDefined();

    const { deleteVm } = await c.client.request<{ deleteVm: { id: string } }>(`mutation ($id: ID!) { deleteVm(id: $id) { id } }`, {
      id: vm.id,
    });
    expect((await c.client.waitForOperation(deleteVm.id, 60_000)).state).toBe('SUCCEEDED');
    expect(host.model.ovsPorts).toEqual([]);
  });

  it("a trunk network with an MTU: the agent sets the port's trunks, native tag, vlan_mode and mtu_request; the XML has <mtu>", async () => {
    await c.client.request(
      `mutation { createNetwork(input: { name: "trunk-dpdk", kind: OVS_BRIDGE, bridge: "br-dpdk", trunkVlans: [200, 100], nativeVlan: 100, nativeVlanMode: TAGGED, mtu: 2000 }) { id } }`,
    );
    await c.client.request(`mutation { mapNetworkToNic(input: { network: "trunk-dpdk", host: "vhu-01", nic: "eno1" }) { id } }`);
    const created = await c.client.request<{ createVm: { vm: { id: string; plan: Plan }; operation: { id: string } } }>(
      `mutation { createVm(input: { name: "dpdk-trunk", vcpus: 2, memoryMiB: 1024, hugepages: SIZE_2M, interfaces: [{ network: "trunk-dpdk" }] }) {
        vm { id plan { vcpuPins { cpus } emulatorCpus pmdQueues { node queues } interfaces { datapath queues vhostUserPort vhostUserSocket } } } operation { id } } }`,
    );
    const op = await c.client.waitForOperation(created.createVm.operation.id, 60_000);
    expect(op.state, JSON.stringify(op)).toBe('SUCCEEDED');
    const i = created.createVm.vm.plan.interfaces[0];
    const host = c.fleet.hosts[0];
    expect(host.model.ovsPorts.find((p) => p.name === i.vhostUserPort)).toMatchObject({
      tag: 100,
      trunks: [100, 200],
      vlanMode: 'native-tagged',
      mtuRequest: 2000,
    });
    expect(host.state().domains.find((d) => d.name === 'dpdk-trunk')?.inactiveXml).toMatch(/<mtu size=["']2000["']\/>/);
  });
});

interface OpOut {
  state: string;
  errorMessage: string | null;
  steps: { name: string; state: string }[];
}

describe('migrating a vhost-user VM between OVS-DPDK hosts', () => {
  let vmId: string;
  const sim = (name: string): SimHost => c.fleet.hosts.find((h) => h.hostname === name)!;
  /** The OVS ports on a host that carry the VM's mark. */
  const portsOn = (host: string) =>
    sim(host)
      .model.ovsPorts.filter((p) => p.externalIds['netpin-vm-id'] === vmId)
      .map((p) => ({ name: p.name, bridge: p.bridge, tag: p.tag, type: p.type }));
  /** Where the VM runs, and its planned port there (the target plan names its own port: placed under the migration's id). */
  const placed = async () => {
    const q = `query ($id: ID!) { vm(id: $id) { state plan { hostName interfaces { vhostUserPort } } } }`;
    const { vm } = await c.client.request<{
      vm: { state: string; plan: { hostName: string; interfaces: { vhostUserPort: string }[] } };
    }>(q, { id: vmId });
    return { state: vm.state, host: vm.plan.hostName, port: vm.plan.interfaces[0].vhostUserPort };
  };
  async function migrate(strategy: 'LIVE' | 'COLD', targetHost: string): Promise<OpOut> {
    const r = await c.client.request<{ migrateVm: { id: string } }>(
      `mutation ($id: ID!, $input: MigrateVmInput) { migrateVm(id: $id, input: $input) { id } }`,
      { id: vmId, input: { strategy, targetHost } },
    );
    await c.client.waitForOperation(r.migrateVm.id, 90_000);
    const q = `query ($id: ID!) { operation(id: $id) { state errorMessage steps { name state } } }`;
    return (await c.client.request<{ operation: OpOut }>(q, { id: r.migrateVm.id })).operation;
  }

  beforeAll(async () => {
    await c.client.request(`mutation { mapNetworkToNic(input: { network: "tenant-dpdk", host: "vhu-02", nic: "eno1" }) { id } }`);
    const created = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
      `mutation { createVm(input: { name: "dpdk-mig", vcpus: 2, memoryMiB: 1024, hugepages: SIZE_2M, pinHost: "vhu-01", interfaces: [{ network: "tenant-dpdk" }] }) { vm { id } operation { id } } }`,
    );
    expect((await c.client.waitForOperation(created.createVm.operation.id, 60_000)).state).toBe('SUCCEEDED');
    vmId = created.createVm.vm.id;
  }, 120_000);

  const port = (name: string) => [expect.objectContaining({ name, bridge: 'br-dpdk', tag: 300, type: 'dpdkvhostuserclient' })];

  for (const [strategy, from, to] of [
    ['LIVE', 'vhu-01', 'vhu-02'],
    ['COLD', 'vhu-02', 'vhu-01'],
  ] as const) {
    it(`${strategy}: the port is made on the target before the domain starts there and removed from the source in the release`, async () => {
      const [before] = portsOn(from);
      expect(before).toBeDefined();
      expect(portsOn(to)).toEqual([]);
      const op = await migrate(strategy, to);
      expect([op.state, op.errorMessage]).toEqual(['SUCCEEDED', null]);
      const now = await placed();
      expect([now.state, now.host]).toEqual(['RUNNING', to]);
      expect(portsOn(to)).toEqual(port(now.port));
      expect(portsOn(from)).toEqual([]);
      expect(
        sim(to)
          .state()
          .domains.find((d) => d.name === 'dpdk-mig')?.state,
      ).toBe('running');
      expect(
        sim(from)
          .state()
          .domains.find((d) => d.name === 'dpdk-mig'),
      ).toBeUndefined();
    });
  }

  // the target's port exists from reserve on: a failure after it must take it away again
  for (const [strategy, failOn, pattern, step] of [
    ['LIVE', 'vhu-01', 'virsh migrate', 'transfer'],
    ['COLD', 'vhu-02', 'virsh start', 'start'],
  ] as const) {
    it(`${strategy}: a failure at ${step} rolls back and leaves no port of the VM on the target`, async () => {
      const [before] = portsOn('vhu-01');
      sim(failOn).setFaults({ failCommands: [{ pattern, exitCode: 1, stderr: `error: injected ${step} failure`, times: 1 }] });
      const op = await migrate(strategy, 'vhu-02');
      sim(failOn).setFaults({});
      expect([op.state, op.steps.at(-1)?.name, op.steps.at(-1)?.state]).toEqual(['FAILED', step, 'FAILED']);
      expect(op.errorMessage).toMatch(/rolled back .*source verified.*: dpdk-mig runs on vhu-01/);
      expect(await placed()).toEqual({ state: 'RUNNING', host: 'vhu-01', port: before.name });
      expect(portsOn('vhu-02')).toEqual([]);
      expect(portsOn('vhu-01')).toEqual(port(before.name));
    });
  }
});
