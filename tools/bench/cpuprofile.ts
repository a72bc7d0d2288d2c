import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas?: number[];
}

/** Where a frame's code lives: a package under node_modules, a repo folder, or a Node/VM pseudo-frame. */
function bucket(url: string, fn: string): string {
  if (!url) return `(${fn || 'native'})`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node internals';
  const at = url.indexOf(root);
  const m = /^\/?((?:apps|libs|tools)\/[^/]+)/.exec(at >= 0 ? url.slice(at + root.length) : url);
  return m ? m[1] : url;
}

interface Summary {
  totalMs: number;
  byPackage: [string, number][];
  byFunction: [string, number][];
  /** Time with the named functions on the stack (when asked for). */
  inclusive?: [string, number][];
}

/** Milliseconds per sample of a profile, from its time deltas (V8 samples at irregular intervals). */
function sampleTimes(p: Profile): number[] {
  const deltas = p.timeDeltas;
  if (deltas?.length === p.samples.length) {
    // each sample stands for the time until the next one
    return deltas.map((_, i) => (deltas[i + 1] ?? 0) / 1000);
  }
  const ms = p.samples.length ? (p.endTime - p.startTime) / 1000 / p.samples.length : 0;
  return p.samples.map(() => ms);
}

/**
 * Self time by package/folder and by function, from the .cpuprofile files in `dir`.
 * `from`: only the samples from the first one with this function on its stack (skips start-up);
 * `inclusive`: function names whose inclusive time is reported too.
 */
export function summarizeProfiles(dir: string, top = 12, opts: { from?: string; inclusive?: string[] } = {}): Summary {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const incl = new Map<string, number>((opts.inclusive ?? []).map((f) => [f, 0]));
  let totalMs = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const memo = new Map<number, Set<string>>();
    const stackNames = (id: number): Set<string> => {
      let names = memo.get(id);
      if (names) return names;
      names = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) names.add(byId.get(at)?.callFrame.functionName ?? '');
      memo.set(id, names);
      return names;
    };
    const times = sampleTimes(p);
    const from = opts.from;
    let started = !from;
    p.samples.forEach((id, i) => {
      const names = from || incl.size ? stackNames(id) : undefined;
      if (!started && from && names?.has(from)) started = true;
      const n = byId.get(id);
      if (!started || !n) return;
      const ms = times[i];
      totalMs += ms;
      const { functionName, url, lineNumber } = n.callFrame;
      const b = bucket(url, functionName);
      byPackage.set(b, (byPackage.get(b) ?? 0) + ms);
      const key = `${functionName || '(anonymous)'} ${b}${url ? `:${lineNumber + 1}` : ''}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
      for (const [name, sum] of incl) if (names?.has(name)) incl.set(name, sum + ms);
    });
  }
  const sorted = (m: Map<string, number>, all = false): [string, number][] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, all ? m.size : top)
      .map(([k, v]) => [k, Math.round(v)]);
  const out: Summary = { totalMs: Math.round(totalMs), byPackage: sorted(byPackage), byFunction: sorted(byFunction) };
  if (incl.size) out.inclusive = sorted(incl, true);
  return out;
}
