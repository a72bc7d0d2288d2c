import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The script names a text tells its reader to run with `npm run NAME`. */
export function npmRunMentions(text: string): string[] {
  return [...new Set([...text.matchAll(/\bnpm run ([a-z][\w:.-]*[\w])/g)].map((m) => m[1]))];
}

/** `file: npm run NAME` for every mention in `files` of a script package.json does not define. */
export function missingScripts(root: string, files: readonly string[]): string[] {
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const scripts = new Set(Object.keys(pkg.scripts ?? {}));
  return files.flatMap((f) =>
    npmRunMentions(readFileSync(resolve(root, f), 'utf8'))
      .filter((name) => !scripts.has(name))
      .map((name) => `${f}: npm run ${name}`),
  );
}
