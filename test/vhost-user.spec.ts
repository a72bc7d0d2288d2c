import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './support/cluster';

/**
 * vhost-user end to end on the nfv-dpdk hostsim profile (OVS with DPDK, PMD threads on CPUs 2
 * and 18, netdev bridge br-dpdk): discovery finds OVS-DPDK, placement picks VHOST_USER for a
 * VM on huge pages, the agent creates the marked dpdkvhostuserclient port before the domain
 * starts (hostsim's QEMU waits for it like the real one), and the delete removes it.
 */
let c: Cluster;

beforeAll(async () => {
  c = await startCluster({ profiles: ['nfv-dpdk'], namePrefix: 'vhu' });
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
