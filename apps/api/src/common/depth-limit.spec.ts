import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryLimits } from './depth-limit';

const schema = buildSchema(`type Node { id: ID, child: Node } type Query { root: Node }`);

function errors(q: string, max = 3, maxFields = 50): string[] {
  return validate(schema, parse(q), [queryLimits(max, maxFields)]).map((e) => e.message);
}

describe('GraphQL query limits', () => {
  it('lets a query within the depth through', () => {
    expect(errors('{ root { child { id } } }')).toEqual([]);
  });
  it('refuses a query deeper than the limit, fragments included', () => {
    expect(errors('{ root { child { child { child { id } } } } }')[0]).toMatch(/depth 5 exceeds the limit of 3/);
    expect(errors('fragment F on Node { child { child { child { id } } } } { root { ...F } }')[0]).toMatch(/exceeds/);
  });
  it('refuses too many selected fields (alias floods)', () => {
    const flood = `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: root { id }`).join(' ')} }`;
    expect(errors(flood, 5, 50).join()).toMatch(/selects 120 fields/);
  });
});
