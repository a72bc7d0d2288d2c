import { pciAddressSchema, type PciAddress } from '@netpin/contracts';
import { NETPIN_XML_NAMESPACE } from '@netpin/libvirt-xml';
import { XMLParser } from 'fast-xml-parser';
import { HostOutputParseError } from '../errors';
import { cpuList } from './cpu';

/** What a domain's XML says about its owner and what it holds on the host. */
export interface DomainHoldings {
  name: string;
  /** It carries netpin's ownership mark (<netpin:vm xmlns:netpin=NETPIN_XML_NAMESPACE id=...>). */
  ownedByNetpin: boolean;
  /** Host CPUs of every vcpupin, emulatorpin, iothreadpin and of <vcpu cpuset>, ascending. */
  cpus: number[];
  /** Host PCI addresses of <hostdev type='pci'> and <interface type='hostdev'> sources. */
  pciDevices: PciAddress[];
}

const SRC = 'virsh dumpxml';
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  // a foreign domain can hold anything: read only what is needed, leniently
  isArray: (name) => ['vcpupin', 'emulatorpin', 'iothreadpin', 'hostdev', 'interface'].includes(name),
});

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const node = (v: unknown): Node => (isNode(v) ? v : {});
const nodes = (v: unknown): Node[] => (Array.isArray(v) ? v.filter(isNode) : []);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : isNode(v) && typeof v['#text'] === 'string' ? v['#text'] : undefined;

/** `0x0000`/`0x3b`/`0x02`/`0x1` -> `0000:3b:02.1`. */
function pciOf(a: Node, name: string): PciAddress | null {
  const hex = (k: string, width: number): string | null => {
    const v = str(a[k]);
    if (v === undefined || !/^(0x)?[0-9a-fA-F]+$/.test(v)) return null;
    return Number.parseInt(v.replace(/^0x/, ''), 16).toString(16).padStart(width, '0');
  };
  const [d, b, s, f] = [hex('domain', 4), hex('bus', 2), hex('slot', 2), hex('function', 1)];
  if (d === null || b === null || s === null || f === null) return null;
  const p = pciAddressSchema.safeParse(`${d}:${b}:${s}.${f}`);
  if (!p.success) throw new HostOutputParseError(SRC, `${name}: not a PCI address`, `${d}:${b}:${s}.${f}`);
  return p.data;
}

function pinnedCpus(d: Node, name: string): number[] {
  const sets: string[] = [];
  const vcpu = d['vcpu'];
  if (isNode(vcpu) && typeof vcpu['cpuset'] === 'string') sets.push(vcpu['cpuset']);
  const tune = node(d['cputune']);
  for (const pin of [...nodes(tune['vcpupin']), ...nodes(tune['emulatorpin']), ...nodes(tune['iothreadpin'])]) {
    const set = str(pin['cpuset']);
    if (set !== undefined) sets.push(set);
  }
  const cpus = new Set<number>();
  for (const set of sets) for (const c of libvirtCpuset(`${SRC} ${name} cpuset`, set)) cpus.add(c);
  return [...cpus].sort((a, b) => a - b);
}

/** libvirt's cpuset syntax: "1-4,6", with "^N" excluding a CPU ("0-7,^3"). */
function libvirtCpuset(source: string, set: string): number[] {
  const parts = set.split(',').map((p) => p.trim());
  const excluded = new Set(parts.filter((p) => p.startsWith('^')).flatMap((p) => cpuList(source, p.slice(1), set)));
  const included = parts.filter((p) => p !== '' && !p.startsWith('^')).flatMap((p) => cpuList(source, p, set));
  return included.filter((c) => !excluded.has(c));
}

function pciDevices(d: Node, name: string): PciAddress[] {
  const devs = node(d['devices']);
  const out = new Set<PciAddress>();
  const sources = [
    ...nodes(devs['hostdev']).filter((h) => h['type'] === 'pci'),
    ...nodes(devs['interface']).filter((i) => i['type'] === 'hostdev'),
  ];
  for (const h of sources) {
    const addr = node(node(h['source'])['address']);
    const pci = pciOf(addr, name);
    if (pci !== null) out.add(pci);
  }
  return [...out].sort();
}

/** Reads `virsh dumpxml NAME`: whose domain it is and which host CPUs and PCI devices it holds. */
export function parseDomainHoldings(xml: string): DomainHoldings {
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch (e) {
    throw new HostOutputParseError(SRC, 'not XML', (e as Error).message);
  }
  const d = node(node(doc)['domain']);
  const name = str(d['name']);
  if (name === undefined) throw new HostOutputParseError(SRC, 'no <domain><name>', xml.slice(0, 80));
  const metadata = node(d['metadata']);
  const mark = Object.entries(metadata).find(
    ([k, v]) => /(^|:)vm$/.test(k) && isNode(v) && Object.values(v).includes(NETPIN_XML_NAMESPACE),
  );
  return { name, ownedByNetpin: mark !== undefined, cpus: pinnedCpus(d, name), pciDevices: pciDevices(d, name) };
}
