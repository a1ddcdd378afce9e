import { describe, expect, it } from 'vitest';
import {
  TfIdfIndex,
  bothHaveUnmatchedTokens,
  cosine,
  jaccard,
  jaro,
  jaroWinkler,
  levenshtein,
  levenshteinSimilarity,
  mongeElkan,
  softTfIdf,
  withinOneEdit,
} from '../../../functions/domain/resolution/engine/index.js';

describe('jaroWinkler', () => {
  it.each([
    ['martha', 'marhta', 0.961],
    ['dwayne', 'duane', 0.84],
    ['dixon', 'dicksonx', 0.813],
  ])('scores %s / %s as the published %f', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 3);
  });

  it('gives the published Jaro (no prefix bonus) for martha / marhta', () => {
    expect(jaro('martha', 'marhta')).toBeCloseTo(0.944, 3);
  });

  it('is 1 for identical strings and 0 when one side is empty or nothing matches', () => {
    expect(jaroWinkler('smith', 'smith')).toBe(1);
    expect(jaroWinkler('', 'smith')).toBe(0);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
  });

  it('is symmetric', () => {
    expect(jaroWinkler('dicksonx', 'dixon')).toBeCloseTo(jaroWinkler('dixon', 'dicksonx'), 10);
  });

  it('gives the same result for strings longer than 31 characters as the short-string path would', () => {
    const a = 'international business machines corporation';
    const b = 'international busines machines corporaton';
    const v = jaroWinkler(a, b);
    expect(v).toBeGreaterThan(0.95);
    expect(v).toBeLessThan(1);
  });
});

describe('edit distances', () => {
  it('counts Levenshtein edits and normalises them by the longer length', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshteinSimilarity('kitten', 'sitting')).toBeCloseTo(1 - 3 / 7, 10);
  });

  it('accepts one substitution, insertion or adjacent swap but not two edits', () => {
    expect(withinOneEdit('19840526', '19840528')).toBe(true);
    expect(withinOneEdit('19840526', '19480526')).toBe(true);
    expect(withinOneEdit('smith', 'smiths')).toBe(true);
    expect(withinOneEdit('19840526', '19850527')).toBe(false);
  });
});

describe('token similarities', () => {
  it('computes Jaccard on token sets', () => {
    expect(jaccard(['a', 'b', 'c'], ['b', 'c', 'd'])).toBeCloseTo(0.5, 10);
    expect(jaccard(['a'], ['b'])).toBe(0);
  });

  it('forgives token order and small typos with Monge-Elkan', () => {
    expect(mongeElkan(['akzo', 'nobel'], ['nobel', 'akzo'])).toBe(1);
    expect(mongeElkan(['akzo', 'noble'], ['akzo', 'nobel'])).toBeGreaterThan(0.95);
    expect(mongeElkan(['shell'], ['unilever'])).toBeLessThan(0.6);
  });

  it('weighs rare tokens above common ones in TF-IDF cosine', () => {
    const index = new TfIdfIndex();
    const docs = [
      ['cafe', 'roma'],
      ['cafe', 'centro'],
      ['cafe', 'luna'],
      ['roma', 'trattoria'],
    ];
    for (const d of docs) index.add(d);
    const cafeOnly = cosine(index.vector(['cafe', 'roma']), index.vector(['cafe', 'centro']));
    const romaOnly = cosine(index.vector(['cafe', 'roma']), index.vector(['roma', 'trattoria']));
    expect(romaOnly).toBeGreaterThan(cafeOnly);
    expect(cosine(index.vector(['cafe', 'roma']), index.vector(['roma', 'cafe']))).toBeCloseTo(1, 10);
  });

  it('counts near-identical words as shared in soft TF-IDF but never near-identical numbers', () => {
    const index = new TfIdfIndex();
    for (const d of [
      ['3200', 'vegas', 'blvd'],
      ['3500', 'vegas', 'blvd'],
      ['philips', 'electronics'],
      ['philipss', 'electronics'],
    ])
      index.add(d);
    expect(
      softTfIdf(index.vector(['philips', 'electronics']), index.vector(['philipss', 'electronics'])),
    ).toBeGreaterThan(0.9);
    expect(cosine(index.vector(['philips', 'electronics']), index.vector(['philipss', 'electronics']))).toBeLessThan(
      0.6,
    );
    const streets = softTfIdf(index.vector(['3200', 'vegas', 'blvd']), index.vector(['3500', 'vegas', 'blvd']));
    expect(streets).toBeLessThan(0.9);
  });
});

describe('bothHaveUnmatchedTokens', () => {
  it('is true when each name carries a word the other lacks', () => {
    expect(
      bothHaveUnmatchedTokens(
        ['ritz', 'carlton', 'cafe', 'buckhead'],
        ['ritz', 'carlton', 'dining', 'room', 'buckhead'],
      ),
    ).toBe(true);
    expect(bothHaveUnmatchedTokens(['palace', 'court'], ['empress', 'court'])).toBe(true);
  });

  it('is false when one name contains the other, up to typos and abbreviations', () => {
    expect(bothHaveUnmatchedTokens(['katsu'], ['restaurant', 'katsu'])).toBe(false);
    expect(bothHaveUnmatchedTokens(['second', 'street', 'grille'], ['second', 'street', 'grill'])).toBe(false);
    expect(bothHaveUnmatchedTokens(['arts', 'deli'], ['arts', 'delicatessen'])).toBe(false);
    expect(bothHaveUnmatchedTokens(['dining', 'room', 'ritz', 'carlton'], ['ritz', 'carlton', 'dining', 'room'])).toBe(
      false,
    );
  });

  it('matches tokens with digits only when equal', () => {
    expect(bothHaveUnmatchedTokens(['store', '12'], ['store', '13'])).toBe(true);
    expect(bothHaveUnmatchedTokens(['store', '12'], ['store', '12'])).toBe(false);
  });
});
