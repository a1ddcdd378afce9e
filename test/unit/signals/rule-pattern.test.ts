import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEventPattern, InvalidEventPatternError } from '../../../functions/domain/events/event-pattern.js';
import { compileRulePattern, simplePatternFields } from '../../../functions/domain/signals/rule-pattern.js';

// Few names and values, so that generated patterns and events meet often.
const name = fc.constantFrom('detail', 'activity', 'a', 'b', 'a.b', 'detail.activity');
const plainName = fc.constantFrom('detail', 'activity', 'a', 'b');
const leaf = fc.oneof(
  fc.constantFrom('A', 'B', 'x', '', '10.0.0.1', '5', 'A '),
  fc.constantFrom(5, 0, -0, 1.5),
  fc.boolean(),
  fc.constant(null),
);

const eventValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(name, tie('value'), { maxKeys: 3 }),
})).value;

const event = fc.record({
  source: fc.constantFrom('modos.entities', 'x'),
  detail: fc.oneof(fc.dictionary(name, eventValue, { maxKeys: 4 }), eventValue),
});

// Patterns in the shortcut's shape, and beside it some it must hand to the matcher (dotted keys, operators, $or).
const valueList = fc.array(leaf, { minLength: 1, maxLength: 3 });
const simplePattern: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  node: fc.dictionary(plainName, fc.oneof({ depthSize: 'small' }, valueList, tie('node')), {
    minKeys: 1,
    maxKeys: 2,
  }),
})).node as fc.Arbitrary<Record<string, unknown>>;
const otherPattern = fc.oneof(
  fc.dictionary(name, valueList, { minKeys: 1, maxKeys: 2 }),
  fc.record({ detail: fc.record({ activity: fc.constant([{ prefix: 'A' }]) }) }),
  fc.record({ detail: fc.record({ a: fc.constant([{ exists: false }]) }) }),
  fc.constant({ $or: [{ detail: { a: ['A'] } }, { detail: { b: [5] } }] }),
);

/** An event shaped after the pattern, so it matches often: each field gets one of its values, another value, an
 * array around one, or sits behind a dotted key. */
function eventLike(pattern: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(pattern).map(([key, value]) => {
    const inner: fc.Arbitrary<unknown> = Array.isArray(value)
      ? fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...(value as unknown[])) },
          { weight: 1, arbitrary: leaf },
          {
            weight: 1,
            arbitrary: fc.array(fc.oneof(fc.constantFrom(...(value as unknown[])), leaf), { maxLength: 2 }),
          },
        )
      : fc.oneof({ weight: 5, arbitrary: eventLike(value as Record<string, unknown>) }, { weight: 1, arbitrary: leaf });
    return fc.tuple(fc.constant(key), inner, fc.integer({ min: 0, max: 9 }));
  });
  return fc.tuple(...entries).map((fields) => {
    const out: Record<string, unknown> = {};
    for (const [key, value, roll] of fields) {
      if (roll === 0 && typeof value === 'object' && value !== null && !Array.isArray(value)) {
        // Flatten one level into dotted keys: {"a.b": ...} is the same path for EventBridge.
        for (const [k, v] of Object.entries(value)) out[`${key}.${k}`] = v;
      } else if (roll === 1) {
        out[key] = [value];
      } else {
        out[key] = value;
      }
    }
    return out;
  });
}

function matcherAnswer(pattern: Record<string, unknown>, e: Record<string, unknown>): boolean | 'invalid' {
  try {
    return compileEventPattern(pattern)(e);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return 'invalid';
    throw error;
  }
}

describe('compileRulePattern', () => {
  it('takes the shortcut for plain value lists and leaves operators, $or and dotted keys to the matcher', () => {
    expect(simplePatternFields({ detail: { activity: ['Create Fine'], n: [1, null, true] } })).toHaveLength(2);
    expect(simplePatternFields({ detail: { activity: [{ prefix: 'C' }] } })).toBeNull();
    expect(simplePatternFields({ 'detail.activity': ['A'] })).toBeNull();
    expect(simplePatternFields({ $or: [{ a: ['1'] }, { b: ['2'] }] })).toBeNull();
    expect(simplePatternFields({ detail: { ip: ['10.0.0.1'] } })).toBeNull();
  });

  it('answers as the platform matcher does, on generated patterns and events', () => {
    fc.assert(
      fc.property(fc.oneof(simplePattern, otherPattern), event, (pattern, e) => {
        const want = matcherAnswer(pattern, e);
        if (want === 'invalid') {
          expect(() => compileRulePattern(pattern)).toThrow(InvalidEventPatternError);
        } else {
          expect(compileRulePattern(pattern)(e)).toBe(want);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('answers as the platform matcher does on events shaped after the pattern (most of which match)', () => {
    let matched = 0;
    let simple = 0;
    fc.assert(
      fc.property(
        simplePattern.chain((pattern) => fc.tuple(fc.constant(pattern), eventLike(pattern))),
        ([pattern, e]) => {
          if (simplePatternFields(pattern)) simple++;
          const want = matcherAnswer(pattern, e);
          expect(compileRulePattern(pattern)(e)).toBe(want);
          if (want === true) matched++;
        },
      ),
      { numRuns: 5000, seed: 7 },
    );
    // The comparison is only worth something if the shortcut ran and both answers occurred.
    expect(simple).toBeGreaterThan(4000);
    expect(matched).toBeGreaterThan(1000);
    expect(matched).toBeLessThan(4900);
  });

  it('finds values behind dotted keys and inside arrays as EventBridge does', () => {
    const m = compileRulePattern({ detail: { activity: ['A'] } });
    expect(m({ detail: { activity: 'A' } })).toBe(true);
    expect(m({ 'detail.activity': 'A' })).toBe(true);
    expect(m({ detail: { 'activity.x': 'A', activity: ['B', 'A'] } })).toBe(true);
    expect(m({ detail: [{ activity: 'A' }] })).toBe(true);
    expect(m({ detail: { activity: { nested: 'A' } } })).toBe(false);
    expect(m({ detail: { activity: 'B' } })).toBe(false);
  });
});
