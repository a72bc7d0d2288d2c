import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * A minimal mutable XML element tree. libvirt documents are small and attribute-heavy;
 * editing them as a tree (add uuid, alias, target dev) and printing them back with
 * libvirt's two-space indentation is simpler than re-rendering from a model, and keeps
 * whatever the client sent that hostsim does not understand.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlSyntaxError extends Error {
  readonly code = 'XML_SYNTAX';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  commentPropName: '#comment',
});

export function parseXml(text: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlSyntaxError(valid.err.msg, valid.err.line);
  const nodes = parser.parse(text) as OrderedNode[];
  const roots = nodes.map(convert).filter((e): e is XmlElement => e !== undefined);
  if (roots.length !== 1) throw new XmlSyntaxError('Document is empty', 1);
  return roots[0];
}

function convert(node: OrderedNode): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name.startsWith('?') || name === '#comment' || name === '#text') return undefined;
  const kids = (node[name] as OrderedNode[]) ?? [];
  const el: XmlElement = { name, attrs: { ...(node[':@'] ?? {}) }, children: [], text: '' };
  for (const k of kids) {
    if ('#text' in k) el.text += String(k['#text']);
    else {
      const c = convert(k);
      if (c) el.children.push(c);
    }
  }
  return el;
}

export function element(name: string, attrs: Record<string, string> = {}, text = '', children: XmlElement[] = []): XmlElement {
  return { name, attrs, children, text };
}

export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** Find descendants by a slash path of element names, e.g. "devices/interface". */
export function select(el: XmlElement, path: string): XmlElement[] {
  let current = [el];
  for (const part of path.split('/')) current = current.flatMap((e) => childrenNamed(e, part));
  return current;
}

export function cloneXml(el: XmlElement): XmlElement {
  return { name: el.name, attrs: { ...el.attrs }, text: el.text, children: el.children.map(cloneXml) };
}

/** Insert `c` after the last sibling named one of `after` (or at the start). */
export function insertAfter(parent: XmlElement, c: XmlElement, after: string[]): void {
  let idx = -1;
  parent.children.forEach((k, i) => {
    if (after.includes(k.name)) idx = i;
  });
  parent.children.splice(idx + 1, 0, c);
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/'/g, '&apos;');
}

/** Print like libvirt: two-space indent, single-quoted attributes, self-closing empties. */
export function renderXml(el: XmlElement, indent = ''): string {
  const attrs = Object.entries(el.attrs)
    .map(([k, v]) => ` ${k}='${escapeAttr(v)}'`)
    .join('');
  if (el.children.length === 0) {
    return el.text === '' ? `${indent}<${el.name}${attrs}/>\n` : `${indent}<${el.name}${attrs}>${escapeText(el.text)}</${el.name}>\n`;
  }
  const inner = el.children.map((c) => renderXml(c, `${indent}  `)).join('');
  return `${indent}<${el.name}${attrs}>\n${inner}${indent}</${el.name}>\n`;
}
