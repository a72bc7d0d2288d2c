/**
 * A parser for the Prometheus text exposition format (version 0.0.4, what prom-client
 * writes), so tests read numbers from samples, not substrings of the page.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** `# TYPE` of each metric family. */
  types: Map<string, string>;
  samples: Sample[];
}

function parseValue(s: string, line: string): number {
  // Go's ParseFloat, which Prometheus uses, takes these case-insensitively (prom-client writes "Nan")
  const special = s.toLowerCase();
  if (special === '+inf' || special === 'inf') return Infinity;
  if (special === '-inf') return -Infinity;
  if (special === 'nan') return NaN;
  const n = Number(s);
  if (s === '' || Number.isNaN(n)) throw new Error(`bad sample value in: ${line}`);
  return n;
}

/** Labels between the braces: name="value" pairs, values with \\, \" and \n escapes. */
function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"/.exec(text.slice(i));
    if (!m) throw new Error(`bad label set in: ${line}`);
    i += m[0].length;
    let value = '';
    for (;;) {
      if (i >= text.length) throw new Error(`unterminated label value in: ${line}`);
      const c = text[i++];
      if (c === '"') break;
      if (c === '\\') {
        const e = text[i++];
        value += e === 'n' ? '\n' : e;
      } else value += c;
    }
    labels[m[1]] = value;
    const rest = /^\s*,?/.exec(text.slice(i))!;
    i += rest[0].length;
  }
  return labels;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('#')) {
      const t = /^# TYPE ([A-Za-z_:][A-Za-z0-9_:]*) (\w+)$/.exec(line);
      if (t) types.set(t[1], t[2]);
      continue;
    }
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    samples.push({ name: m[1], labels: m[2] ? parseLabels(m[2], line) : {}, value: parseValue(m[3], line) });
  }
  return { types, samples };
}

/** Samples of `name` whose labels include every pair of `where`. */
export function select(e: Exposition, name: string, where: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
}

/** The one sample of `name` matching `where`; undefined when there is none, an error when several match. */
export function valueOf(e: Exposition, name: string, where: Record<string, string> = {}): number | undefined {
  const hits = select(e, name, where);
  if (hits.length > 1) throw new Error(`${hits.length} samples of ${name} match ${JSON.stringify(where)}`);
  return hits[0]?.value;
}

/** Sum over every sample of `name` matching `where` (0 when none). */
export function sumOf(e: Exposition, name: string, where: Record<string, string> = {}): number {
  return select(e, name, where).reduce((a, s) => a + s.value, 0);
}
