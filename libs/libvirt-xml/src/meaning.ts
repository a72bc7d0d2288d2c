import { formatCpuList, parseCpuList } from '@netpin/contracts';
import { XMLParser } from 'fast-xml-parser';

/**
 * "Does the host's definition mean what we asked for?" on raw domain XML, for everything,
 * including what the DomainSpec model does not cover.
 *
 * libvirt's QEMU driver rewrites a definition on define. What it was seen to do (libvirt
 * 9.0, QEMU 7.2; the pairs are kept in __golden__/libvirt-9.0) and how each is undone here:
 * - sizes are stored in KiB whatever unit was given (<memory>, <currentMemory>, hugepage
 *   <page size>, NUMA <cell memory>): both sides are converted to KiB;
 * - the machine alias is expanded to the versioned type (q35 -> pc-q35-7.2): an alias in
 *   the desired XML accepts any machine of its family;
 * - CPU and node sets are rewritten as ranges ("0,1,2" -> "0-2"): compared as sets;
 * - PCI address parts are zero-padded ("0x2" -> "0x02"): compared as numbers;
 * - MAC addresses are lower-cased;
 * - defaults, addresses, controllers, MACs, <emulator>, <memballoon> ... are added:
 *   containment, not equality, so additions never count.
 */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlNode[];
}

export interface XmlDifference {
  /** Slash path of the element ("domain/cpu/numa/cell/@memory"). */
  path: string;
  expected: string;
  actual: string;
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

function attrsOf(item: Raw): Record<string, string> {
  const raw = (item[':@'] as Record<string, unknown> | undefined) ?? {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
}

function toNodes(raw: unknown): XmlNode[] {
  if (!Array.isArray(raw)) return [];
  const out: XmlNode[] = [];
  for (const item of raw as Raw[]) {
    const name = Object.keys(item).find((k) => k !== ':@' && k !== '#text' && !k.startsWith('?'));
    if (name === undefined) continue;
    const kids = Array.isArray(item[name]) ? (item[name] as Raw[]) : [];
    const text = kids
      .filter((k) => '#text' in k)
      .map((k) => String(k['#text']))
      .join('')
      .trim();
    out.push({ name, attrs: attrsOf(item), text, children: toNodes(kids) });
  }
  return out;
}

/** The <domain> element of a domain XML document, as a plain tree, with libvirt's define-time rewrites undone. */
export function parseDomainTree(xml: string): XmlNode {
  return canonical(rawDomainTree(xml));
}

/** The <domain> element as written, spelling kept (units, padding, case): what differential tests compare. */
export function rawDomainTree(xml: string): XmlNode {
  let raw: unknown;
  try {
    raw = parser.parse(xml);
  } catch (e) {
    throw Object.assign(new Error(`domain XML does not parse: ${(e as Error).message}`), { code: 'HOST_OUTPUT_PARSE_ERROR' });
  }
  const root = toNodes(raw).find((n) => n.name === 'domain');
  if (!root) throw Object.assign(new Error('domain XML has no <domain> root'), { code: 'HOST_OUTPUT_PARSE_ERROR' });
  return root;
}

const UNIT_BYTES: Readonly<Record<string, number>> = {
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

/** libvirt's scaled integers: a missing unit means KiB for every size netpin writes. */
function toKiB(value: string, unit: string | undefined): string | null {
  const factor = UNIT_BYTES[(unit ?? 'KiB').toLowerCase()];
  if (factor === undefined || !/^\d+$/.test(value)) return null;
  return String(Math.round((Number(value) * factor) / 1024));
}

/** Attributes holding a size whose unit is the element's `unit` attribute. */
const SIZE_ATTRS = ['size', 'memory'] as const;
/** Attributes holding CPU or NUMA node sets. */
const SET_ATTRS = new Set(['cpuset', 'nodeset', 'cpus']);
const PCI_PARTS = new Set(['domain', 'bus', 'slot', 'function']);

function canonicalSizes(n: XmlNode): Pick<XmlNode, 'attrs' | 'text'> {
  let { attrs, text } = n;
  if (attrs['unit'] === undefined) return { attrs, text };
  const sized = SIZE_ATTRS.find((a) => a in attrs);
  if (sized !== undefined) {
    const kib = toKiB(attrs[sized], attrs['unit']);
    if (kib !== null) attrs = { ...attrs, [sized]: kib, unit: 'KiB' };
  } else if (text !== '') {
    const kib = toKiB(text, attrs['unit']);
    if (kib !== null) {
      attrs = { ...attrs, unit: 'KiB' };
      text = kib;
    }
  }
  return { attrs, text };
}

function canonicalAttr(element: XmlNode, key: string, value: string): string {
  if (SET_ATTRS.has(key)) {
    try {
      return formatCpuList(parseCpuList(value));
    } catch {
      return value;
    }
  }
  if (element.name === 'address' && element.attrs['type'] === 'pci' && PCI_PARTS.has(key) && /^(0x)?[0-9a-f]+$/i.test(value)) {
    return String(Number.parseInt(value, 16));
  }
  if (element.name === 'mac' && key === 'address') return value.toLowerCase();
  return value;
}

/** The tree with libvirt's define-time rewrites undone (see the module comment). */
export function canonical(n: XmlNode): XmlNode {
  const sized = canonicalSizes(n);
  const attrs = Object.fromEntries(Object.entries(sized.attrs).map(([k, v]) => [k, canonicalAttr(n, k, v)]));
  return { name: n.name, attrs, text: sized.text, children: n.children.map(canonical) };
}

/** q35 -> pc-q35-X.Y, pc -> pc-i440fx-X.Y: an alias stands for every version of its family. */
const MACHINE_FAMILY: Readonly<Record<string, RegExp>> = { q35: /^pc-q35-\d+\.\d+$/, pc: /^pc-i440fx-\d+\.\d+$/ };

function sameAttr(element: XmlNode, key: string, want: string, have: string | undefined): boolean {
  if (have === want) return true;
  if (have === undefined) return false;
  if (element.name === 'type' && key === 'machine') return MACHINE_FAMILY[want]?.test(have) === true;
  return false;
}

/** First way in which `want` is not contained in `have` (null when it is), paths relative to `path`. */
export function firstMissing(want: XmlNode, have: XmlNode, path: string): XmlDifference | null {
  for (const [k, v] of Object.entries(want.attrs)) {
    if (!sameAttr(want, k, v, have.attrs[k])) return { path: `${path}/@${k}`, expected: v, actual: have.attrs[k] ?? 'absent' };
  }
  if (want.text !== '' && want.text !== have.text) return { path: `${path}/text()`, expected: want.text, actual: have.text || 'empty' };
  const used = new Set<number>();
  for (const w of want.children) {
    const candidates = have.children.map((h, i) => ({ h, i })).filter(({ h, i }) => h.name === w.name && !used.has(i));
    const match = candidates.find(({ h }) => firstMissing(w, h, '') === null);
    if (match) {
      used.add(match.i);
      continue;
    }
    const childPath = `${path}/${w.name}`;
    // Report against the closest candidate so the path names what actually differs.
    if (candidates.length > 0) return firstMissing(w, candidates[0].h, childPath);
    return { path: childPath, expected: 'present', actual: 'absent' };
  }
  return null;
}

/** Is everything `desiredXml` says present, with the same meaning, in `actualXml`? */
export function domainXmlContainment(desiredXml: string, actualXml: string): XmlDifference | null {
  return firstMissingIn(parseDomainTree(desiredXml), parseDomainTree(actualXml));
}

/** domainXmlContainment on trees already parsed (parseDomainTree). */
export function firstMissingIn(desired: XmlNode, actual: XmlNode): XmlDifference | null {
  return firstMissing(desired, actual, 'domain');
}
