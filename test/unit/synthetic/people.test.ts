import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PERSON_TRAP_RATES,
  type DedupDataset,
  type LinkDataset,
  PERSON_COLUMNS,
  type PersonOptions,
  SyntheticOptionsError,
  generatePeople,
} from '../../../local/synthetic/index.js';
import { DIMINUTIVES } from '../../../local/synthetic/pools.js';
import {
  allRecords,
  closeToRate,
  digits,
  firstRecords,
  isoDate,
  personName,
  recordIndex,
  streetKey,
} from './helpers.js';

const dedup = (o: Partial<PersonOptions> = {}): DedupDataset =>
  generatePeople({ mode: 'dedup', records: 6000, seed: 11, ...o }) as DedupDataset;
const link = (o: Partial<PersonOptions> = {}): LinkDataset =>
  generatePeople({ mode: 'link', records: 8000, seed: 12, ...o }) as LinkDataset;

// Generated once per file and only read: every test below inspects, none mutates.
const DEDUP = dedup();
const LINK = link();

describe('generatePeople: determinism', () => {
  it('returns identical data for the same seed and options', () => {
    expect(JSON.stringify(dedup({ records: 1500 }))).toBe(JSON.stringify(dedup({ records: 1500 })));
    expect(JSON.stringify(link({ records: 1500 }))).toBe(JSON.stringify(link({ records: 1500 })));
  });

  it('returns different data for another seed', () => {
    const a = dedup({ records: 1500, seed: 1 });
    const b = dedup({ records: 1500, seed: 2 });
    const same = a.records.filter((r, i) => JSON.stringify(r.attributes) === JSON.stringify(b.records[i]!.attributes));
    expect(same.length).toBeLessThan(15);
  });
});

describe('generatePeople: dedup truth', () => {
  it('writes exactly the requested number of records, each with a unique opaque id and one entity', () => {
    expect(DEDUP.records).toHaveLength(6000);
    expect(new Set(DEDUP.records.map((r) => r.id)).size).toBe(6000);
    expect(new Set(DEDUP.records.map((r) => r.origId)).size).toBe(6000);
    expect(new Set(DEDUP.records.map((r) => r.entityId)).size).toBe(DEDUP.entities);
    for (const r of DEDUP.records) {
      expect(r.id).toMatch(/^r\d{6}$/);
      expect(r.origId.startsWith(`${r.entityId}-`)).toBe(true);
      expect(Object.keys(r.attributes)).toEqual([...PERSON_COLUMNS]);
    }
  });

  it('gives about 40 % of entities more than one record, at most five', () => {
    const counts = new Map<string, number>();
    for (const r of DEDUP.records) counts.set(r.entityId, (counts.get(r.entityId) ?? 0) + 1);
    const multi = [...counts.values()].filter((n) => n > 1).length / counts.size;
    expect(multi).toBeGreaterThan(0.36);
    expect(multi).toBeLessThan(0.44);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(5);
  });

  it('orders rows by id with the entities shuffled, so neither the id nor the row order tells the entity', () => {
    const sorted = [...DEDUP.records].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(sorted.map((r) => r.id)).toEqual(DEDUP.records.map((r) => r.id));
    let adjacentSameEntity = 0;
    for (let i = 1; i < sorted.length; i++) if (sorted[i]!.entityId === sorted[i - 1]!.entityId) adjacentSameEntity++;
    expect(adjacentSameEntity).toBeLessThan(30);
  });

  it('draws each record source by weight, with its own formats', () => {
    const bySource = new Map<string, number>();
    for (const r of DEDUP.records) bySource.set(r.source, (bySource.get(r.source) ?? 0) + 1);
    expect(bySource.get('salesforce')! / 6000).toBeCloseTo(0.45, 1);
    const workday = DEDUP.records.filter((r) => r.source === 'workday');
    expect(workday.every((r) => r.attributes.first_name === '' && r.attributes.full_name!.includes(', '))).toBe(true);
    const hubspot = DEDUP.records.filter((r) => r.source === 'hubspot' && r.attributes.birth_date !== '');
    expect(hubspot.every((r) => /^\d{2}\/\d{2}\/\d{4}$/.test(r.attributes.birth_date!))).toBe(true);
    const salesforce = DEDUP.records.filter((r) => r.source === 'salesforce' && r.attributes.phone !== '');
    expect(salesforce.every((r) => /^\(\d{3}\) \d{3}-\d{4}$/.test(r.attributes.phone!))).toBe(true);
  });
});

describe('generatePeople: link truth', () => {
  it('splits the records over two snapshots and links 10 % of the smaller one, one to one', () => {
    expect(LINK.left.length + LINK.right.length).toBe(8000);
    expect(LINK.truthPairs).toHaveLength(400);
    expect(new Set(LINK.truthPairs.map((p) => p[0])).size).toBe(400);
    expect(new Set(LINK.truthPairs.map((p) => p[1])).size).toBe(400);
    const byId = recordIndex(LINK);
    for (const [a, b] of LINK.truthPairs) {
      expect(a).toMatch(/^a\d{6}$/);
      expect(b).toMatch(/^b\d{6}$/);
      expect(byId.get(a)!.entityId).toBe(byId.get(b)!.entityId);
    }
  });

  it('keeps each snapshot free of duplicates and every shared entity in the truth', () => {
    const leftEntities = new Set(LINK.left.map((r) => r.entityId));
    const rightEntities = new Set(LINK.right.map((r) => r.entityId));
    expect(leftEntities.size).toBe(LINK.left.length);
    expect(rightEntities.size).toBe(LINK.right.length);
    const shared = [...leftEntities].filter((e) => rightEntities.has(e));
    expect(shared).toHaveLength(LINK.truthPairs.length);
  });

  it('honours another overlap', () => {
    expect(link({ records: 2000, overlap: 0.5 }).truthPairs).toHaveLength(500);
    expect(link({ records: 2000, overlap: 0 }).truthPairs).toHaveLength(0);
  });
});

describe('generatePeople: trap rates', () => {
  for (const ds of [DEDUP, LINK]) {
    it(`puts every trap at about its default rate (${ds.mode})`, () => {
      for (const [trap, rate] of Object.entries(DEFAULT_PERSON_TRAP_RATES)) {
        const c = ds.trapCounts[trap]!;
        expect(c.instances, trap).toBeGreaterThan(0);
        expect(
          ds.traps.filter((t) => t.trap === trap),
          trap,
        ).toHaveLength(c.instances);
        if (['family', 'commonFirstNameTown', 'juniorSenior', 'twins'].includes(trap))
          expect(Math.abs(c.affected / c.eligible - rate), trap).toBeLessThan(0.006);
        else expect(closeToRate(c.affected, c.eligible, rate), `${trap} ${c.affected}/${c.eligible}`).toBe(true);
      }
    });
  }

  it('follows a changed rate and leaves a trap out at rate 0', () => {
    const ds = dedup({ records: 3000, traps: { nickname: 0.8, twins: 0, typo: 0 } });
    const c = ds.trapCounts.nickname!;
    expect(closeToRate(c.affected, c.eligible, 0.8)).toBe(true);
    expect(ds.trapCounts.twins!.instances).toBe(0);
    expect(ds.trapCounts.typo!.instances).toBe(0);
  });
});

describe('generatePeople: look-alike different people', () => {
  const first = firstRecords(DEDUP);
  const groups = (trap: string) =>
    DEDUP.traps.filter((t) => t.trap === trap).map((t) => t.entityIds.map((e) => first.get(e)!));

  it('puts families at one address under one surname with other first names and birth dates', () => {
    for (const members of groups('family')) {
      expect(members.length).toBeGreaterThanOrEqual(3);
      expect(new Set(members.map((r) => personName(r).last)).size).toBe(1);
      expect(new Set(members.map((r) => personName(r).first)).size).toBe(members.length);
      expect(new Set(members.map((r) => r.attributes.city!.toLowerCase())).size).toBe(1);
      const streets = members.map((r) => r.attributes.street!).filter((s) => s !== '');
      expect(new Set(streets.map(streetKey)).size).toBeLessThanOrEqual(1);
      expect(new Set(members.map((r) => r.entityId)).size).toBe(members.length);
    }
  });

  it('gives twins one surname, address and birth date but other first names', () => {
    for (const [a, b] of groups('twins')) {
      expect(personName(a!).last).toBe(personName(b!).last);
      expect(personName(a!).first).not.toBe(personName(b!).first);
      const dates = [a!, b!].map((r) => isoDate(r.attributes.birth_date!)).filter((d) => d !== '');
      expect(new Set(dates).size).toBeLessThanOrEqual(1);
    }
  });

  it('gives Jr and Sr one name and address, births 25 to 35 years apart', () => {
    const t = DEDUP.traps.filter((x) => x.trap === 'juniorSenior');
    for (const inst of t) {
      const [father, son] = inst.entityIds.map((e) => first.get(e)!);
      expect(personName(father!)).toEqual(personName(son!));
      const years = [father!, son!].map((r) => isoDate(r.attributes.birth_date!).slice(0, 4));
      if (years.every((y) => y !== '')) {
        const gap = Number(years[1]) - Number(years[0]);
        expect(gap).toBeGreaterThanOrEqual(25);
        expect(gap).toBeLessThanOrEqual(35);
      }
    }
  });

  it('puts namesakes in one small town: one first name and gender, other surnames', () => {
    for (const members of groups('commonFirstNameTown')) {
      expect(new Set(members.map((r) => personName(r).first)).size).toBe(1);
      expect(new Set(members.map((r) => r.attributes.city!.toLowerCase())).size).toBe(1);
      expect(new Set(members.map((r) => personName(r).last)).size).toBe(members.length);
      const genders = members.map((r) => r.attributes.gender!.slice(0, 1).toUpperCase()).filter((g) => g !== '');
      expect(new Set(genders).size).toBeLessThanOrEqual(1);
    }
  });
});

describe('generatePeople: true duplicates that look different', () => {
  const byId = recordIndex(DEDUP);
  const instances = (trap: string) => DEDUP.traps.filter((t) => t.trap === trap);

  it('writes a known diminutive for a nickname', () => {
    for (const t of instances('nickname')) {
      expect(DIMINUTIVES[t.detail!.from!]).toContain(t.detail!.to);
      expect(personName(byId.get(t.recordIds[0]!)!).first).toBe(t.detail!.to!.toLowerCase());
    }
  });

  it('changes one letter, swaps two or drops one for a typo', () => {
    for (const t of instances('typo')) {
      const { from, to, kind } = t.detail as { from: string; to: string; kind: string };
      expect(to).not.toBe(from);
      expect(Math.abs(from.length - to.length)).toBe(kind === 'deletion' ? 1 : 0);
      const r = byId.get(t.recordIds[0]!)!;
      expect(Object.values(r.attributes).join('|').toLowerCase()).toContain(to.toLowerCase());
    }
  });

  it('swaps day and month for dateSwap', () => {
    for (const t of instances('dateSwap')) {
      const [y, m, d] = t.detail!.from!.split('-');
      expect(t.detail!.to).toBe(`${y}-${d}-${m}`);
      expect(isoDate(byId.get(t.recordIds[0]!)!.attributes.birth_date!)).toBe(t.detail!.to);
    }
  });

  it('writes the new e-mail address and the new address', () => {
    for (const t of instances('emailChange')) {
      expect(byId.get(t.recordIds[0]!)!.attributes.email).toBe(t.detail!.to);
      expect(t.detail!.to).not.toBe(t.detail!.from);
    }
    for (const t of instances('move')) {
      const r = byId.get(t.recordIds[0]!)!;
      expect(t.detail!.to!.endsWith(`, ${r.attributes.postcode}`)).toBe(true);
      expect(t.detail!.to!.toLowerCase().startsWith(streetKey(r.attributes.street!))).toBe(true);
    }
  });

  it('leaves the listed fields empty for missing', () => {
    const column: Record<string, string> = { middle: 'middle_name', birth: 'birth_date', employer: 'employer' };
    for (const t of instances('missing')) {
      const r = byId.get(t.recordIds[0]!)!;
      for (const f of t.detail!.fields!.split(',')) expect(r.attributes[column[f] ?? f]).toBe('');
    }
  });

  it('keeps a true duplicate on the same phone or e-mail when neither trap touched it', () => {
    const touched = new Set(DEDUP.traps.filter((t) => t.trap !== 'nickname').flatMap((t) => t.recordIds));
    const byEntity = new Map<string, string[]>();
    for (const r of allRecords(DEDUP)) {
      if (touched.has(r.id) || r.attributes.phone === '') continue;
      byEntity.set(r.entityId, [...(byEntity.get(r.entityId) ?? []), digits(r.attributes.phone!)]);
    }
    for (const phones of byEntity.values()) expect(new Set(phones).size).toBe(1);
  });
});

describe('generatePeople: options', () => {
  it.each([
    [{ records: 1 }, /records/],
    [{ seed: -1 }, /seed/],
    [{ overlap: 1.5 }, /overlap/],
    [{ traps: { sneaky: 0.1 } as never }, /unknown trap "sneaky"/],
    [{ traps: { typo: 2 } }, /trap typo/],
    [{ traps: { family: 0.5, twins: 0.5 } }, /group traps/],
    [{ mode: 'link' as const, sources: [] }, /sources/],
    [{ employerRate: -0.1 }, /employerRate/],
    [{ householdPhoneRate: 1.1 }, /householdPhoneRate/],
    [{ maxRecordsPerEntity: 0 }, /maxRecordsPerEntity/],
  ])('refuses %j', (options, message) => {
    expect(() => generatePeople({ mode: 'dedup', records: 100, seed: 1, ...options })).toThrow(SyntheticOptionsError);
    expect(() => generatePeople({ mode: 'dedup', records: 100, seed: 1, ...options })).toThrow(message);
  });

  it('still writes every record of a tiny data set', () => {
    const ds = generatePeople({ mode: 'dedup', records: 5, seed: 3 }) as DedupDataset;
    expect(ds.records).toHaveLength(5);
  });
});
