import type { XmlNode } from './meaning';
import { parseDomainTree } from './meaning';
import type { DomainSpec } from './model';
import { parseDomain } from './parse';

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

function remembered<T>(seen: Map<string, Outcome<T>>, xml: string, parse: (xml: string) => T): T {
  let o = seen.get(xml);
  if (o === undefined) {
    try {
      o = { ok: true, value: parse(xml) };
    } catch (error) {
      o = { ok: false, error };
    }
    seen.set(xml, o);
  }
  if (!o.ok) throw o.error;
  return o.value;
}

/**
 * One job's parses of domain XML, keyed by the exact text: the desired XML and a `virsh
 * dumpxml` answer are each parsed once however many checks read them (ownership, the model
 * diff, the containment check). Made per job and dropped with it, so nothing read from a host
 * outlives the job. What it hands back is shared: callers must not mutate it (none does).
 */
export class DomainXmlMemo {
  private readonly specs = new Map<string, Outcome<DomainSpec>>();
  private readonly trees = new Map<string, Outcome<XmlNode>>();

  /** parseDomain(xml), its error rethrown on each call. */
  domain(xml: string): DomainSpec {
    return remembered(this.specs, xml, parseDomain);
  }

  /** parseDomainTree(xml), its error rethrown on each call. */
  tree(xml: string): XmlNode {
    return remembered(this.trees, xml, parseDomainTree);
  }
}
