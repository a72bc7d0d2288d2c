import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { BadUserInputError, parseInput } from './errors';
import { listArgsSchema } from './filters';

const schema = listArgsSchema({
  state: z.enum(['QUEUED', 'RUNNING']).optional(),
  first: z.number().int().min(1).default(50),
});

describe('listArgsSchema', () => {
  it('reads a null member as absent, defaults included', () => {
    expect(parseInput(schema, { state: null, first: null })).toEqual({ first: 50 });
    expect(parseInput(schema, { state: 'RUNNING', first: 3 })).toEqual({ state: 'RUNNING', first: 3 });
  });

  it('still refuses a wrong value, naming the field', () => {
    const err = (() => {
      try {
        parseInput(schema, { state: 'ANY' }, 'filter');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BadUserInputError);
    expect((err as BadUserInputError).field).toBe('filter.state');
  });

  it('refuses a filter that is not an object', () => {
    expect(() => parseInput(schema, 'RUNNING')).toThrow(BadUserInputError);
  });
});
