// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
import { describe, expect, it } from 'vitest';
import { SignalRuleBody } from '../../../schemas/signals.js';
import { bodyOf, changeOf, draftOf, newDraft } from '../../../console/src/views/signals-draft.js';
import type { SignalRule } from '../../../console/src/views/signals-shared.js';

const META = {
  version: 3,
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T10:00:00.000Z',
  createdBy: 'olga',
  updatedBy: 'olga',
};

const aRule = (body: Record<string, unknown>): SignalRule => ({ ...SignalRuleBody.parse(body), ...META }) as SignalRule;

const won = { 'detail-type': ['entity.updated'], detail: { payload: { entity: { attributes: { stage: ['won'] } } } } };
const invoiced = { detail: { payload: { entity: { attributes: { invoiced: [true] } } } } };

describe('the signal rule editor’s draft', () => {
  it.each([
    { id: 'm', name: 'match', kind: 'match', match: won, then: { startWorkflow: 'wf-1', input: { level: 1 } } },
    {
      id: 's',
      name: 'sequence',
      kind: 'sequence',
      first: won,
      then: invoiced,
      within: 'P7D',
      action: { startWorkflow: 'wf' },
    },
    {
      id: 'a',
      name: 'absence',
      kind: 'absence',
      first: won,
      missing: invoiced,
      within: 'P7D',
      case: { key: 'a.b', title: 'T' },
    },
    { id: 'c', name: 'count', kind: 'count', match: won, atLeast: 3, within: 'PT90M', description: 'three wins' },
    { id: 'r', name: 'repetition', kind: 'repetition', match: won, atLeast: 5, enabled: false, key: 'customer.id' },
    { id: 'i', name: 'inactivity', kind: 'inactivity', longerThan: 'P30D', fireAtDeadline: true },
  ])('gives back the body of a $kind rule it was made from', (body) => {
    const rule = aRule(body);
    const { body: rebuilt, problems } = bodyOf(draftOf(rule));
    expect(problems).toEqual({});
    expect(SignalRuleBody.parse(rebuilt)).toEqual(SignalRuleBody.parse(body));
  });

  it('keeps a workflow where the rule had it: a sequence’s in action, another kind’s in then or action', () => {
    const inThen = draftOf(aRule({ id: 'm', name: 'm', kind: 'match', match: won, then: { startWorkflow: 'wf' } }));
    expect(bodyOf(inThen).body).toMatchObject({ then: { startWorkflow: 'wf' } });
    expect(bodyOf(inThen).body).not.toHaveProperty('action');
    const asSequence = bodyOf({
      ...inThen,
      kind: 'sequence',
      patterns: { ...inThen.patterns, first: '{}', then: '{}' },
    });
    expect(asSequence.body).toMatchObject({ action: { startWorkflow: 'wf' }, then: {} });
  });

  it('names the field whose JSON does not parse or is not an object, and sends nothing for empty fields', () => {
    const draft = { ...newDraft(), id: 'x', name: 'x', workflow: 'wf', workflowInput: '[1]' };
    draft.patterns.match = '{ "detail": ';
    const { body, problems } = bodyOf(draft);
    expect(Object.keys(problems).sort()).toEqual(['action.input', 'match']);
    expect(problems.match).toMatch(/^is not JSON/);
    expect(problems['action.input']).toBe('must be a JSON object');
    expect(body).not.toHaveProperty('description');
    expect(body).not.toHaveProperty('case');
  });

  it('sends a count it cannot read as the text typed, for the API to refuse by name', () => {
    const draft = { ...newDraft(), id: 'x', name: 'x', kind: 'count' as const, atLeast: 'three', within: 'P1D' };
    expect(bodyOf(draft).body.atLeast).toBe('three');
    expect(bodyOf({ ...draft, atLeast: ' 4 ' }).body.atLeast).toBe(4);
  });

  it('changes a rule with the version read and removes what the new body leaves out (null)', () => {
    const rule = aRule({
      id: 'a',
      name: 'absence',
      kind: 'absence',
      first: won,
      missing: invoiced,
      within: 'P7D',
      description: 'old',
      case: { title: 'T' },
    });
    const draft = { ...draftOf(rule), kind: 'match' as const, description: '', caseTitle: '' };
    draft.patterns.match = JSON.stringify(won);
    const change = changeOf(rule, bodyOf(draft).body);
    expect(change).toEqual({
      version: 3,
      name: 'absence',
      kind: 'match',
      key: 'entityId',
      enabled: true,
      match: won,
      description: null,
      case: null,
      first: null,
      missing: null,
      within: null,
    });
  });
});
