import { describe, expect, it } from 'vitest';
import { GOLDEN_CASES } from './golden-cases';
import { DomainXmlMemo } from './memo';
import { parseDomainTree } from './meaning';
import { parseDomain } from './parse';
import { renderDomain } from './render';
import { verifyDomainXml } from './verify';

describe('DomainXmlMemo', () => {
  const spec0 = Object.values(GOLDEN_CASES)[0];
  const xml = renderDomain(spec0);

  it('parses a text once and hands back what parseDomain / parseDomainTree give', () => {
    const memo = new DomainXmlMemo();
    const spec = memo.domain(xml);
    expect(spec).toEqual(parseDomain(xml));
    expect(memo.domain(xml)).toBe(spec);
    expect(memo.domain(`${xml} `)).not.toBe(spec);
    const tree = memo.tree(xml);
    expect(tree).toEqual(parseDomainTree(xml));
    expect(memo.tree(xml)).toBe(tree);
    expect(new DomainXmlMemo().domain(xml)).not.toBe(spec);
  });

  it('rethrows the parse error on every call', () => {
    const memo = new DomainXmlMemo();
    expect(() => memo.domain('<nope/>')).toThrow(/domain/);
    expect(() => memo.domain('<nope/>')).toThrow(/domain/);
    expect(() => memo.tree('<nope/>')).toThrow(/domain/);
  });

  it('leaves verifyDomainXml answering as without it', () => {
    const memo = new DomainXmlMemo();
    const other = renderDomain({ ...spec0, vcpus: spec0.vcpus + 1 });
    for (const [a, b] of [
      [xml, xml],
      [xml, other],
      [other, xml],
      [xml, '<nope/>'],
    ])
      expect(verifyDomainXml(a, b, memo)).toEqual(verifyDomainXml(a, b));
  });
});
