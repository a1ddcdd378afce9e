import { describe, expect, it } from 'vitest';
import { referencesIn, resolveInput } from '../../../functions/domain/workflows/references.js';

describe('step input references', () => {
  const scope = {
    input: { who: 'bob', list: [10, 20], nested: { a: { b: true } } },
    outputs: { s1: { id: 'x', items: [{ n: 1 }] } },
  };

  it('resolves run input and earlier outputs at any depth, and keeps other values', () => {
    expect(
      resolveInput(
        {
          a: '$.input.who',
          b: '$.input.list.1',
          c: { d: '$.steps.s1.output.items.0.n' },
          e: 'plain',
          f: 3,
          g: ['$.input.nested.a.b'],
        },
        scope,
      ),
    ).toEqual({
      a: 'bob',
      b: 20,
      c: { d: 1 },
      e: 'plain',
      f: 3,
      g: [true],
    });
  });

  it('resolves a whole object reference', () => {
    expect(resolveInput({ all: '$.steps.s1.output' }, scope)).toEqual({ all: scope.outputs.s1 });
  });

  it('treats $$. as an escaped literal', () => {
    expect(resolveInput({ text: '$$.input.who' }, scope)).toEqual({ text: '$.input.who' });
  });

  it('names what is missing', () => {
    expect(() => resolveInput({ a: '$.input.nope' }, scope)).toThrow(/run input has no value at nope/);
    expect(() => resolveInput({ a: '$.steps.s2.output.x' }, scope)).toThrow(/step s2 has no output/);
  });

  it('refuses references outside $.input and $.steps.<id>.output', () => {
    expect(() => referencesIn({ a: '$.env.SECRET' })).toThrow(/must start with/);
    expect(() => referencesIn({ a: '$.input..x' })).toThrow(/malformed/);
  });

  it('lists the references of an input for definition checks', () => {
    expect(referencesIn({ a: '$.input.x', b: ['$.steps.s1.output.y'], c: '$$.input.z' })).toEqual([
      { root: 'input', path: ['x'] },
      { root: 'steps', stepId: 's1', path: ['y'] },
    ]);
  });
});
