/**
 * Placement benchmark (a script, not a test): synthetic fleets of 1,000 and 5,000 hosts,
 * a fixed VM mix placed one after another until the fleet is 80% full, for the indexed
 * engine and for a naive reference that fully evaluates every host on every placement.
 *
 *   npm run bench:placement            (human-readable)
 *   npm run bench:placement -- --json  (one JSON array, one object per fleet size)
 *   options: --hosts=1000,5000  --naive-seconds=10
 */
import { performance } from 'node:perf_hooks';
import { vmRequestSchema, type FleetNetwork, type NetworkKind, type VmRequest } from '@netpin/contracts';
import {
  PlacementIndex,
  buildHost,
  buildPlan,
  compactHost,
  CpuLayouts,
  evaluateHost,
  type Choice,
  type CompactFleet,
  type CompactHost,
  type HostSpec,
} from '@netpin/placement';

interface Result {
  hosts: number;
  placements: number;
  placementsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number;
  naivePlacementsPerSec: number;
  naivePlacements: number;
  indexedPerSecOverNaiveSample: number;
  speedup: number;
  fillPercent: number;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const sizes = (args.find((a) => a.startsWith('--hosts='))?.slice(8) ?? '1000,5000').split(',').map(Number);
const naiveSeconds = Number(args.find((a) => a.startsWith('--naive-seconds='))?.slice(16) ?? '10');

/**
 * Networks of every kind; hosts: 2 sockets/nodes, 32 cores x 2 threads per node, two SR-IOV
 * PFs (64 VFs) on different nodes and one plain NIC. Each host goes into columns as soon as
 * it is built (as the API's loader does), so the objects of one host at a time exist.
 */
function syntheticFleet(n: number): CompactFleet {
  const layouts = new CpuLayouts();
  const hosts: CompactHost[] = [];
  for (let i = 0; i < n; i++) {
    const name = `host-${String(i).padStart(5, '0')}`;
    const spec: HostSpec = {
      name,
      nodes: 2,
      coresPerNode: 32,
      threadsPerCore: 2,
      reservedCoresPerNode: 1,
      memoryMiBPerNode: 256 * 1024,
      hugepages1GPerNode: 96,
      nics: [
        { name: 'ens1f0', node: 0, vfs: 64, queues: 16 },
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
    hosts: hosts.map((h) => ({ hostId: h.id, nicIds: nics.map((nic) => `${h.name}/${nic}`) })),
  });
  const networks = [
    network('physnet-a', 'SRIOV_PHYSNET', ['ens1f0', 'ens2f0']),
    network('mvt', 'MACVTAP', ['eno1']),
    network('lbr', 'LINUX_BRIDGE', ['eno1']),
    network('ovs', 'OVS_BRIDGE', ['eno1']),
  ];
  return { compact: true, hosts, networks, allocations: [] };
}

/**
 * The mix, each shape parsed once: a request is its shape with the VM's name. Parsing every
 * request inside the fill made the bench's own zod objects most of what the process promoted
 * to the old generation (V8 pretenured their allocation sites), which the RSS figure then
 * counted as the placement library's.
 */
const SHAPES: readonly VmRequest[] = [
  vmRequestSchema.parse({
    name: 'shape-shared',
    vcpus: 4,
    memoryMiB: 8192,
    cpuPolicy: 'SHARED',
    numaPolicy: 'PREFERRED',
    interfaces: [{ network: 'lbr' }],
  }),
  vmRequestSchema.parse({
    name: 'shape-dedicated',
    vcpus: 8,
    memoryMiB: 16384,
    hugepages: 'SIZE_1G',
    cpuPolicy: 'DEDICATED',
    numaPolicy: 'REQUIRED',
    interfaces: [{ network: 'physnet-a' }, { network: 'physnet-a', datapath: 'VHOST_MACVTAP' }],
  }),
  vmRequestSchema.parse({
    name: 'shape-e1000',
    vcpus: 2,
    memoryMiB: 2048,
    cpuPolicy: 'SHARED',
    numaPolicy: 'NONE',
    guest: { virtio: false, vfDriver: false },
    interfaces: [{ network: 'ovs' }],
  }),
];

/** 60% 4-vCPU shared vhost, 30% 8-vCPU dedicated SR-IOV + vhost, 10% 2-vCPU e1000. */
function request(i: number): VmRequest {
  const slot = i % 10;
  // `vm-<digits>` is a valid domain name by construction (domainNameSchema's regex)
  return { ...SHAPES[slot < 6 ? 0 : slot < 9 ? 1 : 2], name: `vm-${i}` as VmRequest['name'] };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** CPU units in use: dedicated CPUs held plus shared vCPUs divided by the overcommit ratio. */
function usedUnits(idx: PlacementIndex): { used: number; total: number } {
  const ratio = idx.ctx.opts.sharedCpuRatio;
  let used = 0;
  let total = 0;
  for (const h of idx.hostRts()) {
    for (const n of h.nodes) {
      total += n.usable;
      used += n.usable - n.unowned + n.sharedUsed / ratio;
    }
  }
  return { used, total };
}

function runIndexed(snapshot: CompactFleet): { count: number; times: Float64Array; fill: number; seconds: number } {
  const idx = new PlacementIndex(snapshot);
  const { total } = usedUnits(idx);
  const times = new Float64Array(total);
  let count = 0;
  let used = 0;
  const ratio = idx.ctx.opts.sharedCpuRatio;
  const t0 = performance.now();
  while (used < 0.8 * total) {
    const req = request(count);
    const s = performance.now();
    const r = idx.place(req);
    if (!r.ok) break;
    idx.apply(r.plan);
    times[count] = performance.now() - s;
    count++;
    used += r.plan.allocation.cpus.length + r.plan.allocation.sharedVcpus.reduce((a, x) => a + x.vcpus, 0) / ratio;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { count, times: times.slice(0, count), fill: used / total, seconds };
}

/** The reference: no index, no pruning, every host fully evaluated every time. */
function runNaive(snapshot: CompactFleet, limit: number): { count: number; seconds: number } {
  const idx = new PlacementIndex(snapshot);
  const hosts = idx.hostRts();
  const t0 = performance.now();
  let count = 0;
  while (count < limit && performance.now() - t0 < naiveSeconds * 1000) {
    const prep = idx.prepare(request(count));
    let best: Choice | null = null;
    for (const h of hosts) {
      const ev = evaluateHost(idx.ctx, h, prep, false);
      if (ev.ok && (best === null || ev.choice.score.total > best.score.total)) best = ev.choice;
    }
    if (!best) break;
    idx.apply(buildPlan(idx.ctx, prep, best));
    count++;
  }
  return { count, seconds: (performance.now() - t0) / 1000 };
}

const results: Result[] = [];
for (const n of sizes) {
  // each index owns (and fills) the fleet it is given: the naive reference gets its own
  const indexed = runIndexed(syntheticFleet(n));
  const rssMiB = Math.round(process.memoryUsage().rss / 1048576);
  const sorted = Float64Array.from(indexed.times).sort();
  const naive = runNaive(syntheticFleet(n), indexed.count);
  let sampleMs = 0;
  for (let i = 0; i < naive.count; i++) sampleMs += indexed.times[i];
  const naiveRate = naive.count / naive.seconds;
  const sampleRate = naive.count > 0 ? naive.count / (sampleMs / 1000) : 0;
  results.push({
    hosts: n,
    placements: indexed.count,
    placementsPerSec: Math.round(indexed.count / indexed.seconds),
    p50Ms: Number(percentile(sorted, 50).toFixed(4)),
    p99Ms: Number(percentile(sorted, 99).toFixed(4)),
    rssMiB,
    naivePlacementsPerSec: Math.round(naiveRate),
    naivePlacements: naive.count,
    indexedPerSecOverNaiveSample: Math.round(sampleRate),
    speedup: Number((sampleRate / naiveRate).toFixed(1)),
    fillPercent: Number((indexed.fill * 100).toFixed(1)),
  });
  if (!json) {
    const r = results[results.length - 1];
    console.log(
      `${n} hosts: ${r.placements} placements to ${r.fillPercent}% full, ${r.placementsPerSec}/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, RSS ${r.rssMiB} MiB\n` +
        `  naive (every host evaluated): ${r.naivePlacementsPerSec}/s over the first ${r.naivePlacements} placements; indexed over the same: ${r.indexedPerSecOverNaiveSample}/s (x${r.speedup})`,
    );
  }
}
if (json) console.log(JSON.stringify(results));
