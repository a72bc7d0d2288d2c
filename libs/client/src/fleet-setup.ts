import { NetpinApiError } from './errors';
import { CreateNetworkDocument, MapNetworkToNicDocument } from './generated/graphql';
import type { GqlClient } from './gql-client';
import type { Host } from './netpin-client';

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

const BRIDGE_KINDS: Readonly<Record<string, string>> = { LINUX_BRIDGE: 'LINUX', OVS_BRIDGE: 'OVS' };

export const DEMO_NETWORKS = [
  { name: 'physnet0', kind: 'SRIOV_PHYSNET', physnet: 'physnet0' },
  { name: 'tenant-br', kind: 'LINUX_BRIDGE', bridge: 'br0' },
  { name: 'tenant-ovs', kind: 'OVS_BRIDGE', bridge: 'ovsbr0' },
  { name: 'direct', kind: 'MACVTAP', macvtapMode: 'bridge' },
] as const;

/**
 * Register, discover and wire up a fleet through the public API, as an operator would:
 * register each host with its pinned key, discover it, give every SR-IOV PF `vfsPerPf`
 * VFs, and map the demo networks onto the NICs that can carry them. Idempotent.
 * Every call is a generated typed document (NetpinClient).
 */
export async function setupFleet(
  api: GqlClient,
  hosts: FleetHostEntry[],
  opts: { vfsPerPf?: number; log?: (msg: string) => void } = {},
): Promise<Host[]> {
  const log = opts.log ?? (() => undefined);
  const vfsPerPf = opts.vfsPerPf ?? 8;
  const client = api.typed;
  const ids: string[] = [];
  for (const h of hosts) {
    try {
      const host = await client.registerHost({
        name: h.name,
        address: h.address,
        port: h.port,
        sshUser: h.user,
        credentialRef: h.credentialRef,
        hostKeyFingerprint: h.fingerprint,
      });
      ids.push(host.id);
    } catch (e) {
      if (!isConflict(e)) throw e;
      const { id } = await client.getHost({ name: h.name });
      await client.updateHost(id, { address: h.address, port: h.port, hostKeyFingerprint: h.fingerprint });
      ids.push(id);
    }
  }
  // many hosts at once can find the database busy: UNAVAILABLE means that request changed nothing
  const discovered = await Promise.all(
    ids.map(async (id) => api.waitForOperation((await whenAvailable(() => client.discoverHost(id))).id)),
  );
  for (const d of discovered) if (d.state !== 'SUCCEEDED') throw new Error(`discovery failed: ${d.errorCode} ${d.errorMessage}`);
  log(`discovered ${ids.length} host(s)`);

  let views = await Promise.all(ids.map((id) => client.getHost({ id })));
  const sriovOps: string[] = [];
  for (const h of views) {
    for (const n of h.nics) {
      const want = Math.min(vfsPerPf, n.sriovTotalVfs);
      if (n.sriovTotalVfs > 0 && h.capabilities.iommu && n.sriovNumVfs !== want)
        sriovOps.push((await client.configureSriov(h.id, n.name, want)).id);
    }
  }
  for (const id of sriovOps) {
    const op = await api.waitForOperation(id);
    if (op.state !== 'SUCCEEDED') throw new Error(`configureSriov failed: ${op.errorCode} ${op.errorMessage}`);
  }
  await api.waitIdle();
  views = await Promise.all(ids.map((id) => client.getHost({ id })));
  log(`configured SR-IOV on ${sriovOps.length} PF(s)`);

  // a bridge network only where discovery found its bridge (the API refuses the rest)
  const hasBridge = (h: Host, n: (typeof DEMO_NETWORKS)[number]): boolean =>
    !('bridge' in n) || h.bridges === null || (h.bridges ?? []).some((b) => b.name === n.bridge && b.kind === BRIDGE_KINDS[n.kind]);
  for (const n of DEMO_NETWORKS) {
    if (!views.some((h) => hasBridge(h, n))) {
      log(`skipping network ${n.name}: no host has its bridge`);
      continue;
    }
    await client.request(CreateNetworkDocument, { input: n }).catch(ignoreConflict);
  }
  for (const h of views) {
    const plain = h.nics.find((n) => n.sriovTotalVfs === 0) ?? h.nics[0];
    const maps: [string, string][] = [];
    for (const n of h.nics) if (n.sriovNumVfs > 0) maps.push(['physnet0', n.name]);
    if (plain) {
      if (hasBridge(h, DEMO_NETWORKS[1])) maps.push(['tenant-br', plain.name]);
      maps.push(['direct', plain.name]);
      if (h.capabilities.ovs && hasBridge(h, DEMO_NETWORKS[2])) maps.push(['tenant-ovs', plain.name]);
    }
    for (const [network, nic] of maps) {
      await client.request(MapNetworkToNicDocument, { input: { network, host: h.name, nic } }).catch(ignoreConflict);
    }
  }
  log('networks mapped');
  return views;
}

/** Sends again what the API answered UNAVAILABLE (rolled back, retryable), after the delay it asked for. */
export async function whenAvailable<T>(send: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      if (attempt >= attempts || !(e instanceof NetpinApiError) || e.code !== 'UNAVAILABLE') throw e;
      const after = Number(e.details.retryAfterSeconds);
      await new Promise((r) => setTimeout(r, 1000 * (Number.isFinite(after) && after > 0 ? Math.min(after, 30) : 1)));
    }
  }
}

function isConflict(e: unknown): boolean {
  return e instanceof NetpinApiError && e.code === 'CONFLICT';
}

function ignoreConflict(e: unknown): undefined {
  if (!isConflict(e)) throw e;
  return undefined;
}
