import { rawDomainTree, type XmlNode } from './meaning';

/**
 * What hostsim-vs-libvirt differential tests compare of two `virsh dumpxml --inactive` answers to the same
 * `virsh define`: every element of the XML netpin defined, and the few elements libvirt adds
 * that hostsim reproduces (ADDED), each with all its attributes and text as spelled (units,
 * machine type, zero padding, added default attributes). Children are kept only where the
 * defined XML (or ADDED) has them, in the order the answer gives them. Not compared: what
 * libvirt generates per define or per machine (uuid, OVS interface ids) and the PCI
 * controllers and device addresses it assigns (netpin neither writes nor reads them).
 */
const ADDED = `<domain><currentMemory/><os><boot/></os><cpu><model/></cpu><clock/>
<devices><emulator/><input/><input/><audio/><memballoon/></devices></domain>`;

/** Per define, whatever the input: never compared. */
const GENERATED = new Set(['uuid']);
const GENERATED_ATTRS = new Set(['interfaceid']);

function merged(a: XmlNode, b: XmlNode): XmlNode {
  const children = [...a.children];
  const count = (list: XmlNode[], name: string): number => list.filter((c) => c.name === name).length;
  for (const c of b.children) {
    const k = b.children.filter((x) => x.name === c.name).indexOf(c);
    const same = a.children.filter((x) => x.name === c.name);
    if (k < same.length) children[children.indexOf(same[k])] = merged(same[k], c);
    else if (count(children, c.name) <= k) children.push(c);
  }
  return { ...a, children };
}

/** `have` cut down to the shape of `shape`: the elements that correspond, nth same-named child to nth. */
export function projectOnto(have: XmlNode, shape: XmlNode): XmlNode {
  const wanted = new Map<string, XmlNode[]>();
  for (const c of shape.children) wanted.set(c.name, [...(wanted.get(c.name) ?? []), c]);
  const seen = new Map<string, number>();
  const children: XmlNode[] = [];
  for (const c of have.children) {
    const k = seen.get(c.name) ?? 0;
    seen.set(c.name, k + 1);
    const s = wanted.get(c.name)?.[k];
    if (s !== undefined && !GENERATED.has(c.name)) children.push(projectOnto(c, s));
  }
  const attrs = Object.fromEntries(Object.entries(have.attrs).filter(([k]) => !GENERATED_ATTRS.has(k)));
  return { name: have.name, attrs, text: have.text, children };
}

/** The compared view of a dumpxml answer to the definition `definedXml`. */
export function answerView(definedXml: string, answerXml: string): XmlNode {
  return projectOnto(rawDomainTree(answerXml), merged(rawDomainTree(definedXml), rawDomainTree(ADDED)));
}

/** Paths where two views differ ("domain/os/type/@machine: q35 != pc-q35-7.2"), empty when the same. */
export function viewDifferences(a: XmlNode, b: XmlNode, path = a.name): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(a.attrs), ...Object.keys(b.attrs)])) {
    if (a.attrs[k] !== b.attrs[k]) out.push(`${path}/@${k}: ${a.attrs[k] ?? 'absent'} != ${b.attrs[k] ?? 'absent'}`);
  }
  if (a.text !== b.text) out.push(`${path}/text(): ${a.text || 'empty'} != ${b.text || 'empty'}`);
  const n = Math.max(a.children.length, b.children.length);
  for (let i = 0; i < n; i++) {
    const x = a.children[i];
    const y = b.children[i];
    if (x === undefined || y === undefined || x.name !== y.name) {
      out.push(`${path}/*[${i + 1}]: <${x?.name ?? 'absent'}> != <${y?.name ?? 'absent'}>`);
      break;
    }
    out.push(...viewDifferences(x, y, `${path}/${x.name}`));
  }
  return out;
}
