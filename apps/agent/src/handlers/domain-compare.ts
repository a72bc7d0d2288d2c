import { XMLParser } from 'fast-xml-parser';
import { formatCpuList, type StateDiffEntry } from '@netpin/contracts';
import { diffDomain, parseDomain, type DomainSpec } from '@netpin/libvirt-xml';

/**
 * Differences between the domain XML we want and the persistent definition the host has.
 * libvirt adds things on define (uuid, currentMemory, emulator, default MACs, controller
 * addresses), so "equal" means: everything we asked for is there with the same values;
 * what libvirt added on its own does not count.
 *
 * Two checks: @netpin/libvirt-xml's model diff (the API's notion of equality, with its
 * field paths), and a structural containment check of the raw XML, which also covers
 * anything outside that model (a desired XML the model cannot parse uses this one alone).
 */
interface Node {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: Node[];
}

type Raw = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  trimValues: true,
  parseTagValue: false,
  parseAttributeValue: false,
});

function toNodes(raw: unknown): Node[] {
  if (!Array.isArray(raw)) return [];
  const out: Node[] = [];
  for (const item of raw as Raw[]) {
    const name = Object.keys(item).find((k) => k !== ':@' && k !== '#text' && !k.startsWith('?'));
    if (name === undefined) continue;
    const kids = item[name] as Raw[];
    const attrs = Object.fromEntries(
      Object.entries((item[':@'] as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)]),
    );
    const text = (Array.isArray(kids) ? kids : [])
      .filter((k) => '#text' in k)
      .map((k) => String(k['#text']))
      .join('')
      .trim();
    out.push({ name, attrs, text, children: toNodes(kids) });
  }
  return out;
}

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  bytes: 1,
  kb: 1e3,
  k: 1024,
  kib: 1024,
  mb: 1e6,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1e9,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1e12,
  t: 1024 ** 4,
  tib: 1024 ** 4,
};

/** libvirt stores sizes in KiB whatever unit was given ("1 GiB" comes back as 1048576 KiB). */
function toKiB(value: string, unit: string | undefined): string | null {
  const factor = UNIT_BYTES[(unit ?? 'KiB').toLowerCase()];
  if (factor === undefined || !/^\d+$/.test(value)) return null;
  return String(Math.round((Number(value) * factor) / 1024));
}

function normaliseUnits(n: Node): Node {
  let { attrs, text } = n;
  if (attrs['unit'] !== undefined) {
    if ('size' in attrs) {
      const kib = toKiB(attrs['size'], attrs['unit']);
      if (kib !== null) attrs = { ...attrs, size: kib, unit: 'KiB' };
    } else if (text !== '') {
      const kib = toKiB(text, attrs['unit']);
      if (kib !== null) {
        attrs = { ...attrs, unit: 'KiB' };
        text = kib;
      }
    }
  }
  return { ...n, attrs, text, children: n.children.map(normaliseUnits) };
}

export function parseXmlTree(xml: string): Node {
  const root = toNodes(parser.parse(xml)).find((n) => n.name === 'domain');
  if (!root) throw Object.assign(new Error('domain XML has no <domain> root'), { code: 'HOST_OUTPUT_PARSE_ERROR' });
  return normaliseUnits(root);
}

/** First way in which `want` is not contained in `have`, or null. */
function missing(want: Node, have: Node, path: string): StateDiffEntry | null {
  for (const [k, v] of Object.entries(want.attrs)) {
    if (have.attrs[k] !== v) return { field: `${path}/@${k}`, expected: v, actual: have.attrs[k] ?? 'absent' };
  }
  if (want.text !== '' && want.text !== have.text) return { field: `${path}/text()`, expected: want.text, actual: have.text || 'empty' };
  const used = new Set<number>();
  for (const w of want.children) {
    const candidates = have.children.map((h, i) => ({ h, i })).filter(({ h, i }) => h.name === w.name && !used.has(i));
    const match = candidates.find(({ h }) => missing(w, h, '') === null);
    if (match) {
      used.add(match.i);
      continue;
    }
    const childPath = `${path}/${w.name}`;
    // Report against the closest candidate so the field names what actually differs.
    if (candidates.length > 0) return missing(w, candidates[0].h, childPath);
    return { field: childPath, expected: 'present', actual: 'absent' };
  }
  return null;
}

function show(v: unknown): string {
  if (v === undefined) return 'absent';
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return formatCpuList(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function modelOf(xml: string): DomainSpec | null {
  try {
    return parseDomain(xml);
  } catch {
    return null;
  }
}

export function domainXmlDiff(desiredXml: string, actualXml: string): StateDiffEntry[] {
  const want = modelOf(desiredXml);
  if (want !== null) {
    const have = modelOf(actualXml);
    if (have === null)
      return [{ field: 'domain', expected: 'a netpin domain definition', actual: 'a definition outside the netpin model' }];
    const diff = diffDomain(want, have);
    if (diff.length > 0) return diff.map((d) => ({ field: `domain.${d.path}`, expected: show(d.expected), actual: show(d.actual) }));
  }
  const d = missing(parseXmlTree(desiredXml), parseXmlTree(actualXml), 'domain');
  return d === null ? [] : [d];
}
