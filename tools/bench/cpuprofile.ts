import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
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
  const m = /\/work\/main\/((?:apps|libs)\/[^/]+)/.exec(url);
  return m ? m[1] : url;
}

/** Self time by package/folder and by function, from the .cpuprofile files in `dir`. */
export function summarizeProfiles(
  dir: string,
  top = 12,
): { totalMs: number; byPackage: [string, number][]; byFunction: [string, number][] } {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile;
    const hits = p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
    const msPerHit = hits ? (p.endTime - p.startTime) / 1000 / hits : 0;
    for (const n of p.nodes) {
      const ms = (n.hitCount ?? 0) * msPerHit;
      if (!ms) continue;
      totalMs += ms;
      const { functionName, url, lineNumber } = n.callFrame;
      const b = bucket(url, functionName);
      byPackage.set(b, (byPackage.get(b) ?? 0) + ms);
      const key = `${functionName || '(anonymous)'} ${b}${url ? `:${lineNumber + 1}` : ''}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    }
  }
  const sorted = (m: Map<string, number>): [string, number][] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => [k, Math.round(v)]);
  return { totalMs: Math.round(totalMs), byPackage: sorted(byPackage), byFunction: sorted(byFunction) };
}
