/**
 * Digest of placement results (a script, not a test): plans, snapshots, releases, capacity and
 * explanations over a bench-like fleet with some irregular hosts, hashed part by part. Run it
 * on two commits to check that a change to the index keeps its results byte for byte:
 *   SWC_NODE_PROJECT=tsconfig.json node -r @swc-node/register tools/bench/placement-digest.ts 200
 */
import { createHash } from 'node:crypto';
import { vmRequestSchema, type FleetNetwork, type NetworkKind, type VmRequest } from '@netpin/contracts';
import {
  PlacementIndex,
  buildHost,
  compactHost,
  CpuLayouts,
  capacityOn,
  explainOn,
  type CompactFleet,
  type CompactHost,
  type HostSpec,
} from '@netpin/placement';

const n = Number(process.argv[2] ?? '300');
function fleetOf(n: number): CompactFleet {
  const layouts = new CpuLayouts();
  const hosts: CompactHost[] = [];
  for (let i = 0; i < n; i++) {
    const spec: HostSpec = {
      name: `host-${String(i).padStart(5, '0')}`,
      nodes: 2,
      coresPerNode: i % 7 === 3 ? 16 : 32,
      threadsPerCore: 2,
      reservedCoresPerNode: 1,
      memoryMiBPerNode: 256 * 1024,
      hugepages1GPerNode: 96,
      nics: [
        { name: 'ens1f0', node: 0, vfs: i % 5 === 1 ? 8 : 64, queues: 16 },
        { name: 'ens2f0', node: 1, vfs: 64, queues: 16 },
        { name: 'eno1', node: 0, queues: 8 },
      ],
    };
    hosts.push(compactHost(buildHost(spec, i), layouts));
  }
  const network = (name: string, kind: NetworkKind, nics: string[]): FleetNetwork => ({
    id: `net-${name}`,
    name,
    kind,
    bridge: kind === 'LINUX_BRIDGE' || kind === 'OVS_BRIDGE' ? `br-${name}` : null,
    physnet: kind === 'SRIOV_PHYSNET' ? name : null,
    vlan: null,
    macvtapMode: null,
    mtu: null,
    vlanProtocol: 'DOT1Q',
    trunkVlans: [],
    nativeVlan: null,
    nativeVlanMode: 'UNTAGGED',
    hosts: hosts.filter((_, i) => i % 11 !== 4).map((h) => ({ hostId: h.id, nicIds: nics.map((nic) => `${h.name}/${nic}`) })),
  });
  const networks = [
    network('physnet-a', 'SRIOV_PHYSNET', ['ens1f0', 'ens2f0']),
    network('mvt', 'MACVTAP', ['eno1']),
    network('lbr', 'LINUX_BRIDGE', ['eno1']),
    network('ovs', 'OVS_BRIDGE', ['eno1']),
  ];
  return { compact: true, hosts, networks, allocations: [] };
}
function request(i: number): VmRequest {
  const slot = i % 10;
  const name = `vm-${i}`;
  if (slot < 6)
    return vmRequestSchema.parse({
      name,
      vcpus: 4,
      memoryMiB: 8192,
      cpuPolicy: 'SHARED',
      numaPolicy: 'PREFERRED',
      interfaces: [{ network: 'lbr' }],
    });
  if (slot < 9)
    return vmRequestSchema.parse({
      name,
      vcpus: 8,
      memoryMiB: 16384,
      hugepages: 'SIZE_1G',
      cpuPolicy: 'DEDICATED',
      numaPolicy: 'REQUIRED',
      interfaces: [{ network: 'physnet-a' }, { network: 'physnet-a', datapath: 'VHOST_MACVTAP' }],
    });
  return vmRequestSchema.parse({
    name,
    vcpus: 2,
    memoryMiB: 2048,
    cpuPolicy: 'SHARED',
    numaPolicy: 'NONE',
    guest: { virtio: false, vfDriver: false },
    interfaces: [{ network: 'ovs' }],
  });
}
const all = createHash('sha256');
const part = (label: string, v: unknown) => {
  const s = JSON.stringify(v);
  all.update(s);
  console.log(label, createHash('sha256').update(s).digest('hex').slice(0, 16));
};
const idx = new PlacementIndex(fleetOf(n));
const plans: unknown[] = [];
let i = 0;
for (; i < 60 * n; i++) {
  const r = idx.place(request(i));
  plans.push(r);
  if (!r.ok) {
    if (plans.filter((p) => !(p as { ok: boolean }).ok).length > 30) break;
    continue;
  }
  idx.apply(r.plan);
}
part(`plans(${plans.length})`, plans);
part('snapshot-full', idx.toSnapshot());
part('capacity-full', [capacityOn(idx, request(0)), capacityOn(idx, request(7)), capacityOn(idx, request(9))]);
const rel: unknown[] = [];
for (let k = 0; k < i; k += 3) rel.push(idx.release(`vm-${k}`));
part('releases', rel);
part('snapshot-released', idx.toSnapshot());
const more: unknown[] = [];
for (let k = 0; k < 5 * n; k++) {
  const r = idx.place(request(100000 + k));
  more.push(r);
  if (r.ok) idx.apply(r.plan);
}
part('plans-after', more);
part('explain', [explainOn(idx, request(7), 'host-00003'), explainOn(idx, request(1), 'host-00010')]);
part('snapshot-end', idx.toSnapshot());
console.log('ALL', all.digest('hex').slice(0, 16));
