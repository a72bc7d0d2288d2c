/**
 * Digest of placement results (a script, not a test): plans, snapshots, releases, capacity and
 * explanations over a bench-like fleet with some irregular hosts, hashed part by part. Run it
 * on two commits to check that a change to the index keeps its results byte for byte:
 *   SWC_NODE_PROJECT=tsconfig.json node -r @swc-node/register tools/bench/placement-digest.ts 200
 */
import { createHash } from 'node:crypto';
import { PlacementIndex, capacityOn, explainOn } from '@netpin/placement';
import { request, syntheticFleet } from './placement-fleet';

const n = Number(process.argv[2] ?? '300');
const all = createHash('sha256');
const part = (label: string, v: unknown) => {
  const s = JSON.stringify(v);
  all.update(s);
  console.log(label, createHash('sha256').update(s).digest('hex').slice(0, 16));
};
const idx = new PlacementIndex(syntheticFleet(n, { irregular: true }));
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
