import { describe, expect, it } from 'vitest';
import {
  type InputRecord,
  comparisonLevels,
  comparisonsFor,
  prepareRecords,
  resolve,
  withDeterministicRules,
} from '../../../functions/domain/resolution/engine/index.js';

/** Scores one pair of organisations with a very strong model weight, so only the deterministic rules can change it. */
function rulesOn(x: InputRecord['attributes'], y: InputRecord['attributes']): string | null {
  const records: InputRecord[] = [
    { id: 'a', attributes: x },
    { id: 'b', attributes: y },
  ];
  const prepared = prepareRecords('organization', records, [0, 0]);
  const comparisons = comparisonsFor('organization', prepared);
  const levels = new Int8Array(comparisons.length);
  comparisonLevels(comparisons, prepared[0]!, prepared[1]!, levels);
  return withDeterministicRules(
    'organization',
    comparisons,
    levels,
    { weight: 30, probability: 1 },
    prepared[0],
    prepared[1],
  ).rule;
}

const hotel = { street: '3434 Peachtree Rd. NE', city: 'Atlanta', phone: '404-237-2700' };

describe('organisations at one address', () => {
  it('vetoes two businesses sharing a building whose names each carry their own words', () => {
    expect(
      rulesOn(
        { name: 'Ritz-Carlton Dining Room (Buckhead)', ...hotel },
        { name: 'Ritz-Carlton Cafe (Buckhead)', ...hotel },
      ),
    ).toBe('other business at the same address: no match');
    // a street written a little differently is still the same building
    expect(
      rulesOn(
        { name: 'Ritz-Carlton Dining Room', ...hotel },
        { name: 'Cafe, Ritz-Carlton', ...hotel, street: '3434 Peachtree Rd.' },
      ),
    ).toBe('other business at the same address: no match');
  });

  it('keeps a name that contains the other, a re-ordered name, and names at different buildings', () => {
    expect(rulesOn({ name: 'Katsu', ...hotel }, { name: 'Restaurant Katsu', ...hotel })).not.toBe(
      'other business at the same address: no match',
    );
    expect(
      rulesOn({ name: 'Ritz-Carlton Dining Room', ...hotel }, { name: 'Dining Room, Ritz-Carlton', ...hotel }),
    ).not.toBe('other business at the same address: no match');
    expect(
      rulesOn(
        { name: 'Shun Lee West', street: '43 W. 65th St.', phone: '212-371-8844' },
        { name: 'Shun Lee Palace', street: '155 E. 55th St.', phone: '212-371-8844' },
      ),
    ).not.toBe('other business at the same address: no match');
  });

  it('needs a house number: a shared street alone is not one building', () => {
    expect(
      rulesOn(
        { name: 'Palace Court', street: 'Las Vegas Blvd', city: 'Las Vegas' },
        { name: 'Empress Court', street: 'Las Vegas Blvd', city: 'Las Vegas' },
      ),
    ).not.toBe('other business at the same address: no match');
  });

  it("keeps a hotel's restaurants apart end to end while their duplicates still match", () => {
    const records: InputRecord[] = [
      { id: 'dr1', attributes: { name: 'Ritz-Carlton Dining Room (Buckhead)', ...hotel } },
      { id: 'dr2', attributes: { name: 'Dining Room, Ritz-Carlton, Buckhead', ...hotel, phone: '404/237-2700' } },
      { id: 'cf1', attributes: { name: 'Ritz-Carlton Cafe (Buckhead)', ...hotel } },
      { id: 'cf2', attributes: { name: 'Cafe, Ritz-Carlton, Buckhead', ...hotel, street: '3434 Peachtree Rd.' } },
    ];
    const streets = ['Main St', 'Oak Ave', 'Pine Rd', 'Elm St', 'Lake Dr', 'Hill Rd', 'Park Ave', 'River Rd'];
    const words = [
      'golden',
      'dragon',
      'blue',
      'olive',
      'harbor',
      'maple',
      'saffron',
      'copper',
      'willow',
      'ember',
      'juniper',
      'lotus',
    ];
    for (let i = 0; i < 60; i++) {
      const name = `${words[i % words.length]} ${words[(i * 5 + 3) % words.length]} ${['grill', 'bistro', 'kitchen', 'house', 'tavern'][i % 5]} ${i}`;
      const attributes = {
        name,
        street: `${100 + i * 7} ${streets[i % streets.length]}`,
        city: ['Atlanta', 'Boston', 'Denver'][i % 3],
        phone: `617-555-${String(1000 + i * 13)}`,
      };
      records.push({ id: `x${i}`, attributes });
      if (i % 3 === 0)
        records.push({
          id: `y${i}`,
          attributes: { ...attributes, name: name.toUpperCase(), phone: attributes.phone.replace(/-/g, '/') },
        });
    }
    const result = resolve({ kind: 'organization', records });
    const clusterOf = (id: string) => result.clusters.find((c) => c.recordIds.includes(id))!.recordIds.sort();
    expect(clusterOf('dr1')).toEqual(['dr1', 'dr2']);
    expect(clusterOf('cf1')).toEqual(['cf1', 'cf2']);
    expect(clusterOf('x0')).toEqual(['x0', 'y0']);
  });
});
