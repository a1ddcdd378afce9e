/**
 * The pure pieces of the console's Entities and Connectors views, in Node: the rows of a match explanation (scored
 * by the resolution engine itself) add up to the score, the attribute edit's merge patch, names and the search of
 * loaded entities, schedules in words, and the new-connector form's copy of the connector registry.
 */
import { describe, expect, it } from 'vitest';
import { scheduleText } from '../../../console/src/views/connectors-common.js';
import { CONNECTOR_CHOICES } from '../../../console/src/views/connectors-form.js';
import { displayName, entityMatches, summaryOf } from '../../../console/src/views/entities-common.js';
import { mergePatch } from '../../../console/src/views/entities-detail.js';
import { bits, explanationRows, percent } from '../../../console/src/views/entities-matches.js';
import { CONNECTOR_REGISTRY } from '../../../functions/domain/connectors/registry.js';
import type { InputRecord } from '../../../functions/domain/resolution/engine/types.js';
import { defaultModel, scoreAgainst } from '../../../functions/domain/resolution/stored-model.js';
import type { Entity } from '../../../schemas/entity.js';

const person = (id: string, attributes: InputRecord['attributes']): InputRecord => ({ id, attributes });

describe('match explanation rows', () => {
  const target = person('a', {
    firstName: 'John',
    lastName: 'Smith',
    email: 'john.smith@example.com',
    birthDate: '1980-01-02',
  });
  const others = [
    person('nickname', { firstName: 'Jon', lastName: 'Smith', email: 'John.Smith@example.com' }),
    person('stranger', { firstName: 'Maria', lastName: 'Garcia', email: 'maria@example.org' }),
    // A generation apart: the engine's veto caps the score below what the fields add up to.
    person('son', {
      firstName: 'John',
      lastName: 'Smith Jr',
      email: 'john.smith@example.com',
      birthDate: '2010-01-02',
    }),
  ];
  const scores = scoreAgainst(defaultModel('person'), target, others);

  it('add up to the score the engine gave, for matches, non-matches and vetoed pairs', () => {
    for (const s of scores) {
      const { rows, total } = explanationRows(s.explanation);
      expect(total).toBe(s.weight);
      expect(rows.reduce((sum, r) => sum + r.contribution, 0)).toBeCloseTo(s.weight, 9);
      expect(rows[0]).toMatchObject({ label: 'prior', contribution: s.explanation.priorWeight });
      expect(rows.slice(1, 1 + s.explanation.fields.length).map((r) => r.label)).toEqual(
        s.explanation.fields.map((f) => f.field),
      );
    }
  });

  it('shows what the calibration and the rules changed as its own row, naming the rule', () => {
    const [nickname, stranger, son] = scores.map((s) => explanationRows(s.explanation).rows);
    expect(nickname!.some((r) => r.label === 'calibration and rules')).toBe(false);
    expect(stranger!.some((r) => r.label === 'calibration and rules')).toBe(false);
    const rest = son!.find((r) => r.label === 'calibration and rules');
    expect(rest?.level).toBe('other generation (Jr/Sr): no match');
    expect(rest!.contribution).toBeLessThan(0);
  });

  it('writes weights with their sign and probabilities without claiming certainty', () => {
    expect(bits(3.214)).toBe('+3.21');
    expect(bits(-0.5)).toBe('−0.50');
    expect(bits(0)).toBe('0.00');
    expect(percent(1 / (1 + 2 ** -16.5))).toBe('> 99.99 %');
    expect(percent(1e-6)).toBe('< 0.01 %');
    expect(percent(0.9731)).toBe('97.3 %');
    expect(percent(0.9995)).toBe('99.95 %');
  });
});

describe('the attribute edit', () => {
  it('sends changed and added attributes, and null for each removed one', () => {
    const before = { firstName: 'Jon', email: 'jon@example.com', tags: ['a'], source: 'crm' };
    const after = { firstName: 'Jonathan', email: 'jon@example.com', tags: ['a', 'b'], phone: '+1 415 555 0100' };
    expect(mergePatch(before, after)).toEqual({
      firstName: 'Jonathan',
      tags: ['a', 'b'],
      phone: '+1 415 555 0100',
      source: null,
    });
    expect(mergePatch(before, { ...before })).toEqual({});
  });
});

describe('entities on screen', () => {
  const anEntity = (attributes: Record<string, unknown>): Entity => ({
    id: 'ent_7',
    type: 'person',
    attributes,
    version: 1,
    createdAt: '2026-11-30T09:00:00.000Z',
    updatedAt: '2026-11-30T09:00:00.000Z',
  });

  it('are called by their full name, first and last name, name, title or e-mail, else their id', () => {
    expect(displayName(anEntity({ fullName: 'Ada King', firstName: 'Ada' }))).toBe('Ada King');
    expect(displayName(anEntity({ firstName: 'Ada', lastName: 'Lovelace' }))).toBe('Ada Lovelace');
    expect(displayName(anEntity({ name: 'Acme', email: 'x@acme.com' }))).toBe('Acme');
    expect(displayName(anEntity({ email: 'x@acme.com', firstName: '  ' }))).toBe('x@acme.com');
    expect(displayName(anEntity({ amount: 5 }))).toBe('ent_7');
  });

  it('are found by any attribute value or their id, case-insensitively', () => {
    const e = anEntity({ firstName: 'Ada', phone: '+1 415 555 0100', tags: ['VIP'] });
    expect(entityMatches(e, 'ada')).toBe(true);
    expect(entityMatches(e, '415 555')).toBe(true);
    expect(entityMatches(e, 'vip')).toBe(true);
    expect(entityMatches(e, 'ENT_7')).toBe(true);
    expect(entityMatches(e, 'grace')).toBe(false);
    expect(entityMatches(e, '  ')).toBe(true);
    expect(summaryOf(e)).toBe('phone: +1 415 555 0100');
  });
});

describe('schedules in words', () => {
  it.each([
    [null, true, 'on demand only'],
    ['rate(1 hour)', true, 'every hour'],
    ['rate(15 minutes)', true, 'every 15 minutes'],
    ['cron(0 2 * * ? *)', true, 'cron(0 2 * * ? *) (UTC)'],
    ['rate(1 day)', false, 'every day, paused (disabled)'],
  ] as const)('%s (enabled %s) is "%s"', (schedule, enabled, text) => {
    expect(scheduleText(schedule, enabled)).toBe(text);
  });
});

describe('the new-connector form', () => {
  it("offers each system's names, auth kinds, objects in sync order and defaults as the registry has them", () => {
    const fromRegistry = Object.fromEntries(
      Object.entries(CONNECTOR_REGISTRY).map(([system, spec]) => [
        system,
        {
          displayName: spec.displayName,
          authKinds: spec.authKinds,
          objects: spec.objects.map((o) => ({ name: o.name, yields: o.yields })),
          defaultObjects: spec.defaultObjects,
        },
      ]),
    );
    expect(CONNECTOR_CHOICES).toEqual(fromRegistry);
  });
});
