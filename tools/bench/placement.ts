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
import { PlacementIndex, buildPlan, evaluateHost, type Choice, type CompactFleet } from '@netpin/placement';
import { request, syntheticFleet } from './placement-fleet';

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
