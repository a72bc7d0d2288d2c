import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderXml } from '@netpin/hostsim';
import { startCluster, type Cluster } from './support/cluster';

/**
 * vDPA end to end on the nfv-vdpa hostsim profile (dual-socket-sriov with ens5f0 a ConnectX-6
 * Dx whose VFs are vdpa management devices, vhost_vdpa loaded): discovery after the VFs exist
 * finds the vdpa PF, placement picks VDPA for a guest without the VF driver, the agent makes
 * the vdpa device on the VF's management device before define and puts its /dev/vhost-vdpa-N
 * into the domain (hostsim's libvirt opens it at start like the real one), verify compares
 * with the path resolved again, and the delete removes the device.
 */
let c: Cluster;

beforeAll(async () => {
  c = await startCluster({ profiles: ['nfv-vdpa'], namePrefix: 'vdp' });
  // the VFs (and so their management devices) appeared after the first discovery
  const { host } = await c.client.request<{ host: { id: string } }>(`query { host(name: "vdp-01") { id } }`);
  const { discoverHost } = await c.client.request<{ discoverHost: { id: string } }>(
    `mutation ($id: ID!) { discoverHost(id: $id) { id } }`,
    {
      id: host.id,
    },
  );
  expect((await c.client.waitForOperation(discoverHost.id, 60_000)).state).toBe('SUCCEEDED');
}, 240_000);
afterAll(async () => {
  await c?.stop();
});

interface Iface {
  datapath: string;
  queues: number | null;
  vfIndex: number | null;
  vdpaDevice: string | null;
  vdpaMgmtdev: string | null;
}

describe('vDPA on a ConnectX-6 Dx VF', () => {
  it('discovers vhost_vdpa', async () => {
    const { host } = await c.client.request<{ host: { capabilities: { vhostVdpa: boolean } } }>(
      `query { host(name: "vdp-01") { capabilities { vhostVdpa } } }`,
    );
    expect(host.capabilities.vhostVdpa).toBe(true);
  });

  it('places a virtio-only guest on vDPA, creates the device before start, verifies, and deletes it', async () => {
    const created = await c.client.request<{ createVm: { vm: { id: string; plan: { interfaces: Iface[] } }; operation: { id: string } } }>(
      `mutation { createVm(input: { name: "vdpa-vm", vcpus: 2, memoryMiB: 1024, guestVfDriver: false, interfaces: [{ network: "physnet0" }] }) {
        vm { id plan { interfaces { datapath queues vfIndex vdpaDevice vdpaMgmtdev } } } operation { id } } }`,
    );
    const op = await c.client.waitForOperation(created.createVm.operation.id, 60_000);
    expect(op.state, JSON.stringify(op)).toBe('SUCCEEDED');
    const i = created.createVm.vm.plan.interfaces[0];
    expect(i).toMatchObject({ datapath: 'VDPA', queues: 2 });
    expect(i.vdpaDevice).toMatch(/^vdp[0-9a-f]{8}$/);

    const host = c.fleet.hosts[0];
    const dev = host.model.vdpaDevices.find((d) => d.name === i.vdpaDevice);
    const vf = host.model.nic('ens5f0')?.vfs.find((v) => v.index === i.vfIndex);
    expect(i.vdpaMgmtdev).toBe(`pci/${vf?.pci}`);
    expect(dev).toMatchObject({ mgmtdev: i.vdpaMgmtdev, maxVqp: 2, minor: 0 });
    const dom = host.model.domains.get('vdpa-vm');
    expect(dom?.live).toBeDefined();
    const xml = dom ? renderXml(dom.config) : '';
    expect(xml).toMatch(/<source dev=.\/dev\/vhost-vdpa-0./);
    expect(xml).not.toContain('/run/netpin/vdpa');

    // in sync: the check resolves the placeholder as apply did; then the device vanishes and comes back
    const drift = async () => {
      const { checkDrift } = await c.client.request<{ checkDrift: { id: string }[] }>(
        `mutation ($h: ID!) { checkDrift(hostId: $h) { id } }`,
        {
          h: hostId,
        },
      );
      for (const o of checkDrift) await c.client.waitForOperation(o.id, 60_000);
      await c.client.waitIdle();
      const { driftEvents } = await c.client.request<{ driftEvents: { field: string; repairedAt: string | null }[] }>(
        `query ($h: ID!) { driftEvents(hostId: $h) { field repairedAt } }`,
        { h: hostId },
      );
      return driftEvents;
    };
    const { host: h } = await c.client.request<{ host: { id: string } }>(`query { host(name: "vdp-01") { id } }`);
    const hostId = h.id;
    expect(await drift()).toEqual([]);
    host.model.vdpaDevices = [];
    const events = await drift();
    expect(events.map((e) => e.field)).toContain(`vdpaDevice.${i.vdpaDevice}`);
    expect(events.every((e) => e.repairedAt !== null)).toBe(true);
    expect(host.model.vdpaDevices.map((d) => d.name)).toEqual([i.vdpaDevice]);

    // the agent makes a vdpa device only at apply, never on a migration's target: no move, LIVE or COLD
    const preview = await c.client.request<{ previewMigration: { possible: boolean; refusals: { code: string }[] } }>(
      `query ($id: ID!) { previewMigration(vmId: $id, input: { strategy: COLD }) { possible refusals { code } } }`,
      { id: created.createVm.vm.id },
    );
    expect(preview.previewMigration.possible).toBe(false);
    expect(preview.previewMigration.refusals.map((r) => r.code)).toContain('HOST_DEVICE_NOT_MOVED');
    const cold = await c.api.gql(`mutation ($id: ID!) { migrateVm(id: $id, input: { strategy: COLD }) { id } }`, {
      id: created.createVm.vm.id,
    });
    expect(cold.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'HOST_DEVICE_NOT_MOVED' });
    expect(host.state().domains.find((d) => d.name === 'vdpa-vm')?.state).toBe('running');

    const { deleteVm } = await c.client.request<{ deleteVm: { id: string } }>(`mutation ($id: ID!) { deleteVm(id: $id) { id } }`, {
      id: created.createVm.vm.id,
    });
    expect((await c.client.waitForOperation(deleteVm.id, 60_000)).state).toBe('SUCCEEDED');
    expect(host.model.vdpaDevices).toEqual([]);
  });
});
