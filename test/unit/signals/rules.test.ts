// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/domain/errors.js';
import { compileSignalRule, FIRST_PATTERN, SECOND_PATTERN } from '../../../functions/domain/signals/rules.js';
import { SIGNAL_KINDS, SignalRuleBody, type SignalRuleBodyInput } from '../../../schemas/signals.js';
import { activity, rulesOfEveryKind } from './builders.js';

function refusedFields(body: unknown): string[] {
  try {
    compileSignalRule(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const e = error as ValidationError;
    expect(e.name).toBe('ValidationError');
    expect(e.code).toBe('VALIDATION_ERROR');
    return (e.details ?? []).map((d) => d.field ?? '');
  }
  throw new Error('the rule was accepted');
}

const aSequence = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'S1',
  name: 'fine then sent',
  kind: 'sequence',
  first: activity('Create Fine'),
  then: activity('Send Fine'),
  within: 'P90D',
  ...over,
});

const event = (detail: Record<string, unknown>): Record<string, unknown> => ({
  source: 'modos.entities',
  'detail-type': 'entity.updated',
  detail,
});

describe('SignalRuleBody', () => {
  it('names the six kinds', () => {
    expect(SIGNAL_KINDS).toEqual(['match', 'sequence', 'absence', 'count', 'repetition', 'inactivity']);
  });

  it('accepts a rule of every kind and applies the defaults (key entityId, enabled)', () => {
    for (const body of rulesOfEveryKind('P7D', 3)) {
      const parsed = SignalRuleBody.parse(body);
      expect(parsed.key).toBe('entityId');
      expect(parsed.enabled).toBe(true);
    }
  });

  it.each(['P7D', 'PT90M', 'P1Y2M', 'P2W', 'PT0.5S', 'PT1,5H', 'P1Y2M3DT4H5M6.789S', 'P10Y', 'P120M', 'PT1S'])(
    'accepts the duration %s',
    (within) => {
      expect(SignalRuleBody.safeParse(aSequence({ within })).success).toBe(true);
    },
  );

  it.each([
    ['7D', 'not ISO 8601'],
    ['P', 'no unit'],
    ['PT', 'no time unit'],
    ['P0D', 'zero'],
    ['PT0S', 'zero'],
    ['PT0.0001S', 'below a millisecond'],
    ['P10Y1D', 'longer than P10Y'],
    ['P3653D', 'longer than P10Y'],
    ['P1.5D', 'a fraction of a day'],
    ['PT1.5H30M', 'a fraction before the last unit'],
    ['P1W2D', 'weeks with other units'],
    ['-P1D', 'negative'],
    ['p7d', 'lower case'],
    ['P7DT', 'T without a time unit'],
  ])('refuses the duration %s (%s) and names the field', (within) => {
    expect(refusedFields(aSequence({ within }))).toEqual(['within']);
    expect(refusedFields({ id: 'g', name: 'gap', kind: 'inactivity', longerThan: within })).toEqual(['longerThan']);
  });
});

describe('compileSignalRule', () => {
  it('names a missing kind field, an unknown kind and an unknown field', () => {
    const { within: _dropped, ...withoutWithin } = aSequence();
    expect(refusedFields(withoutWithin)).toEqual(['within']);
    expect(refusedFields(aSequence({ kind: 'sometimes' }))).toEqual(['kind']);
    expect(refusedFields(aSequence({ windowSize: 3 }))).toEqual(['windowSize']);
    expect(refusedFields({ ...aSequence(), kind: 'match', match: activity('A') })).toEqual(
      expect.arrayContaining(['first', 'within']),
    );
  });

  it('refuses a count below 2 or not an integer, naming atLeast', () => {
    const count = (atLeast: unknown) => ({
      id: 'c',
      name: 'c',
      kind: 'count',
      match: activity('A'),
      atLeast,
      within: 'P1D',
    });
    expect(refusedFields(count(1))).toEqual(['atLeast']);
    expect(refusedFields(count(2.5))).toEqual(['atLeast']);
    expect(refusedFields({ id: 'r', name: 'r', kind: 'repetition', match: activity('A'), atLeast: 1 })).toEqual([
      'atLeast',
    ]);
  });

  it('names a malformed pattern by its path under the rule field', () => {
    expect(refusedFields(aSequence({ first: { detail: { activity: 'Create Fine' } } }))).toEqual([
      'first.detail.activity',
    ]);
    expect(refusedFields(aSequence({ then: { detail: { amount: [{ numeric: ['>', 'x'] }] } } }))).toEqual([
      'then.detail.amount',
    ]);
    expect(
      refusedFields({ id: 'a', name: 'a', kind: 'absence', first: activity('A'), missing: {}, within: 'P1D' }),
    ).toEqual(['missing']);
  });

  it('refuses a workflow in both then and action, and a workflow in a sequence then', () => {
    const action = { startWorkflow: 'wf-1' };
    expect(refusedFields({ id: 'm', name: 'm', kind: 'match', match: activity('A'), then: action, action })).toEqual([
      'action',
    ]);
    expect(refusedFields(aSequence({ then: action }))).toEqual(['then']);
    expect(
      refusedFields({ id: 'm', name: 'm', kind: 'match', match: activity('A'), then: { startWorkflow: 'a b' } }),
    ).toEqual(['then.startWorkflow']);
  });

  it('takes the workflow to start from then or from action', () => {
    const fromThen = compileSignalRule({
      id: 'm',
      name: 'm',
      kind: 'absence',
      first: activity('A'),
      missing: activity('B'),
      within: 'P1D',
      then: { startWorkflow: 'remind', input: { level: 1 } },
    });
    expect(fromThen.action).toEqual({ startWorkflow: 'remind', input: { level: 1 } });
    const fromAction = compileSignalRule(aSequence({ action: { startWorkflow: 'escalate' } }));
    expect(fromAction.action).toEqual({ startWorkflow: 'escalate' });
    expect(compileSignalRule(aSequence()).action).toBeNull();
  });

  it('folds the patterns into one mask per event', () => {
    const rule = compileSignalRule(aSequence({ then: activity('Send Fine', 'Create Fine') }));
    expect(rule.mask(event({ entityId: 'x', activity: 'Create Fine' }))).toBe(FIRST_PATTERN | SECOND_PATTERN);
    expect(rule.mask(event({ entityId: 'x', activity: 'Send Fine' }))).toBe(SECOND_PATTERN);
    expect(rule.mask(event({ entityId: 'x', activity: 'Payment' }))).toBe(0);
    const anyActivity = compileSignalRule({ id: 'g', name: 'g', kind: 'inactivity', longerThan: 'P1D' });
    expect(anyActivity.mask(event({ entityId: 'x' }))).toBe(FIRST_PATTERN);
  });

  it('reads the key at a dotted path under detail, as a non-empty string only', () => {
    const rule = compileSignalRule(aSequence({ key: 'customer.id' }));
    expect(rule.keyOf(event({ customer: { id: 'c-1' } }))).toBe('c-1');
    expect(rule.keyOf(event({ 'customer.id': 'c-2' }))).toBe('c-2');
    expect(rule.keyOf(event({ customer: { id: 7 } }))).toBeNull();
    expect(rule.keyOf(event({ customer: { id: '' } }))).toBeNull();
    expect(rule.keyOf(event({ customer: {} }))).toBeNull();
    expect(rule.keyOf({ source: 'x' })).toBeNull();
    const byEntity = compileSignalRule(aSequence());
    expect(byEntity.keyOf(event({ entityId: 'e-1' }))).toBe('e-1');
    expect(byEntity.keyOf(event({ constructor: 'x' }))).toBeNull();
  });

  it('reads the case key the rule names, else none', () => {
    const rule = compileSignalRule(aSequence({ case: { key: 'accountId', title: 'Unpaid fine' } }));
    expect(rule.caseKeyOf(event({ entityId: 'e', accountId: 'acc-9' }))).toBe('acc-9');
    expect(rule.caseTitle).toBe('Unpaid fine');
    expect(compileSignalRule(aSequence()).caseKeyOf(event({ accountId: 'acc-9' }))).toBeNull();
  });

  it('refuses a key path with empty segments', () => {
    expect(refusedFields(aSequence({ key: 'a..b' }))).toEqual(['key']);
    expect(refusedFields(aSequence({ case: { key: '.a' } }))).toEqual(['case.key']);
  });

  it('adds a calendar window and says which kinds depend on time', () => {
    const monthly = compileSignalRule({
      id: 'c',
      name: 'c',
      kind: 'count',
      match: activity('A'),
      atLeast: 2,
      within: 'P1M',
    } satisfies SignalRuleBodyInput);
    expect(monthly.addWindow(Date.UTC(2023, 0, 31, 10))).toBe(Date.UTC(2023, 1, 28, 10));
    expect(monthly.timed).toBe(true);
    const repetition = compileSignalRule({ id: 'r', name: 'r', kind: 'repetition', match: activity('A'), atLeast: 2 });
    expect(repetition.timed).toBe(false);
    expect(repetition.window).toBeNull();
  });
});
