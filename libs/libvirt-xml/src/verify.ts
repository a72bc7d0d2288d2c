import { formatCpuList, type StateDiffEntry } from '@netpin/contracts';
import { diffDomain } from './diff';
import { firstMissingIn } from './meaning';
import { DomainXmlMemo } from './memo';
import type { DomainSpec } from './model';

/**
 * The verify step's comparison: differences between the domain XML netpin wants and the
 * persistent definition a host has, by meaning, not spelling (meaning.ts lists what libvirt
 * rewrites on define and how each rewrite is undone).
 *
 * Two checks: the DomainSpec model diff (field paths the API shows, e.g.
 * domain.cputune.vcpupins[1].cpuset), and containment of the raw XML, which also covers what
 * the model does not (a desired XML the model cannot parse is checked by this one alone).
 */
function show(v: unknown): string {
  if (v === undefined) return 'absent';
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return formatCpuList(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function modelOf(xml: string, memo: DomainXmlMemo): DomainSpec | null {
  try {
    return memo.domain(xml);
  } catch {
    return null;
  }
}

/** `memo`: the job's parses (DomainXmlMemo), so that texts it has read already are not parsed again. */
export function verifyDomainXml(desiredXml: string, actualXml: string, memo = new DomainXmlMemo()): StateDiffEntry[] {
  const want = modelOf(desiredXml, memo);
  if (want !== null) {
    const have = modelOf(actualXml, memo);
    if (have === null)
      return [{ field: 'domain', expected: 'a netpin domain definition', actual: 'a definition outside the netpin model' }];
    const diff = diffDomain(want, have);
    if (diff.length > 0) return diff.map((d) => ({ field: `domain.${d.path}`, expected: show(d.expected), actual: show(d.actual) }));
  }
  const d = firstMissingIn(memo.tree(desiredXml), memo.tree(actualXml));
  return d === null ? [] : [{ field: d.path, expected: d.expected, actual: d.actual }];
}
