import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Copy packages and everything they depend on from the repository's node_modules into
 * `<dest>/node_modules`, at the same relative places, so Node resolves them there exactly as
 * it does here (including nested versions). Missing optional dependencies (other platforms'
 * native builds) are skipped, as npm skipped them.
 */
export function copyRuntimeDeps(root: string, names: string[], dest: string): string[] {
  const copied: string[] = [];
  const seen = new Set<string>();
  const queue = names.map((name) => ({ name, from: root, optional: false }));
  for (let next = queue.shift(); next; next = queue.shift()) {
    const dir = locate(root, next.name, next.from);
    if (!dir) {
      if (next.optional) continue;
      throw new Error(`runtime dependency ${next.name} (needed from ${relative(root, next.from) || '.'}) is not installed`);
    }
    if (seen.has(dir)) continue;
    seen.add(dir);
    const rel = relative(root, dir);
    // its private node_modules are copied package by package as its dependencies resolve
    cpSync(dir, join(dest, rel), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !relative(dir, src).split(sep).includes('node_modules'),
    });
    copied.push(rel);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push({ name: dep, from: dir, optional: false });
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) queue.push({ name: dep, from: dir, optional: true });
  }
  return copied.sort();
}

/** Node's lookup: <dir>/node_modules/<name>, then the parent folders', up to the repository root. */
function locate(root: string, name: string, from: string): string | undefined {
  for (let d = from; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (d === root || d === dirname(d)) return undefined;
  }
}
