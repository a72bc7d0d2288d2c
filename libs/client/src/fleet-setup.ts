import { GqlClient, GqlError } from './gql-client';

/** A simulated (or real) hypervisor to put into the inventory. */
export interface FleetHostEntry {
  name: string;
  address: string;
  port: number;
  user: string;
  fingerprint: string;
  /** Reference the agent resolves, e.g. file:client_ed25519 under its key directory. */
  credentialRef: string;
}

export const DEMO_NETWORKS = [
  { name: 'physnet0', kind: 'SRIOV_PHYSNET', physnet: 'physnet0' },
  { name: 'tenant-br', kind: 'LINUX_BRIDGE', bridge: 'br0' },
  { name: 'tenant-ovs', kind: 'OVS_BRIDGE', bridge: 'ovsbr0' },
  { name: 'direct', kind: 'MACVTAP', macvtapMode: 'bridge' },
] as const;

interface HostView {
  id: string;
  name: string;
  state: string;
  capabilities: { ovs: boolean; iommu: boolean };
  nics: { name: string; sriovTotalVfs: number; sriovNumVfs: number }[];
}

const HOST_FIELDS = `id name state capabilities { ovs iommu } nics { name sriovTotalVfs sriovNumVfs }`;

/**
 * Register, discover and wire up a fleet through the public API, as an operator would:
 * register each host with its pinned key, discover it, give every SR-IOV PF `vfsPerPf`
 * VFs, and map the demo networks onto the NICs that can carry them. Idempotent.
 */
export async function setupFleet(api: GqlClient, hosts: FleetHostEntry[], opts: { vfsPerPf?: number; log?: (msg: string) => void } = {}): Promise<HostView[]> {
  const log = opts.log ?? (() => undefined);
  const vfsPerPf = opts.vfsPerPf ?? 8;
  const ids: string[] = [];
  for (const h of hosts) {
    try {
      const r = await api.request<{ registerHost: { id: string } }>(`mutation ($input: RegisterHostInput!) { registerHost(input: $input) { id } }`, {
        input: { name: h.name, address: h.address, port: h.port, sshUser: h.user, credentialRef: h.credentialRef, hostKeyFingerprint: h.fingerprint },
      });
      ids.push(r.registerHost.id);
    } catch (e) {
      if (!(e instanceof GqlError && e.code === 'CONFLICT')) throw e;
      const r = await api.request<{ host: { id: string } }>(`query ($name: String) { host(name: $name) { id } }`, { name: h.name });
      await api.request(`mutation ($id: ID!, $input: UpdateHostInput!) { updateHost(id: $id, input: $input) { id } }`, {
        id: r.host.id,
        input: { address: h.address, port: h.port, hostKeyFingerprint: h.fingerprint },
      });
      ids.push(r.host.id);
    }
  }
  const discovered = await Promise.all(
    ids.map(async (id) => {
      const { discoverHost } = await api.request<{ discoverHost: { id: string } }>(`mutation ($id: ID!) { discoverHost(id: $id) { id } }`, { id });
      return api.waitForOperation(discoverHost.id);
    }),
  );
  for (const d of discovered) if (d.state !== 'SUCCEEDED') throw new Error(`discovery failed: ${d.errorCode} ${d.errorMessage}`);
  log(`discovered ${ids.length} host(s)`);

  let views = await hostViews(api, ids);
  const sriovOps: string[] = [];
  for (const h of views) {
    for (const n of h.nics) {
      const want = Math.min(vfsPerPf, n.sriovTotalVfs);
      if (n.sriovTotalVfs > 0 && h.capabilities.iommu && n.sriovNumVfs !== want) {
        const { configureSriov } = await api.request<{ configureSriov: { id: string } }>(
          `mutation ($id: ID!, $nic: String!, $n: Int!) { configureSriov(id: $id, nic: $nic, numVfs: $n) { id } }`,
          { id: h.id, nic: n.name, n: want },
        );
        sriovOps.push(configureSriov.id);
      }
    }
  }
  for (const id of sriovOps) {
    const op = await api.waitForOperation(id);
    if (op.state !== 'SUCCEEDED') throw new Error(`configureSriov failed: ${op.errorCode} ${op.errorMessage}`);
  }
  await api.waitIdle();
  views = await hostViews(api, ids);
  log(`configured SR-IOV on ${sriovOps.length} PF(s)`);

  for (const n of DEMO_NETWORKS) {
    try {
      await api.request(`mutation ($input: CreateNetworkInput!) { createNetwork(input: $input) { id } }`, { input: n });
    } catch (e) {
      if (!(e instanceof GqlError && e.code === 'CONFLICT')) throw e;
    }
  }
  for (const h of views) {
    const plain = h.nics.find((n) => n.sriovTotalVfs === 0) ?? h.nics[0];
    const maps: [string, string][] = [];
    for (const n of h.nics) if (n.sriovNumVfs > 0) maps.push(['physnet0', n.name]);
    if (plain) {
      maps.push(['tenant-br', plain.name], ['direct', plain.name]);
      if (h.capabilities.ovs) maps.push(['tenant-ovs', plain.name]);
    }
    for (const [network, nic] of maps) {
      try {
        await api.request(`mutation ($input: MapNetworkToNicInput!) { mapNetworkToNic(input: $input) { id } }`, { input: { network, host: h.name, nic } });
      } catch (e) {
        if (!(e instanceof GqlError && e.code === 'CONFLICT')) throw e;
      }
    }
  }
  log('networks mapped');
  return views;
}

async function hostViews(api: GqlClient, ids: string[]): Promise<HostView[]> {
  return Promise.all(ids.map(async (id) => (await api.request<{ host: HostView }>(`query ($id: ID) { host(id: $id) { ${HOST_FIELDS} } }`, { id })).host));
}
