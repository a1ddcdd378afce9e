import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEDUP_SOURCES,
  DEFAULT_ORGANIZATION_TRAP_RATES,
  type DedupDataset,
  type LinkDataset,
  ORGANIZATION_COLUMNS,
  type OrganizationOptions,
  SyntheticOptionsError,
  generateOrganizations,
} from '../../../local/synthetic/index.js';
import { closeToRate, digits, firstRecords, recordIndex, streetKey, websiteDomain } from './helpers.js';

const dedup = (o: Partial<OrganizationOptions> = {}): DedupDataset =>
  generateOrganizations({ mode: 'dedup', records: 6000, seed: 21, ...o }) as DedupDataset;
const link = (o: Partial<OrganizationOptions> = {}): LinkDataset =>
  generateOrganizations({ mode: 'link', records: 6000, seed: 22, ...o }) as LinkDataset;

// Generated once per file and only read.
const DEDUP = dedup();
const LINK = link();
const GROUP_TRAPS = ['multiSite', 'subsidiary', 'genericMailbox', 'campus'];

const nameTokens = (name: string): string[] => name.toLowerCase().split(/\s+/);

describe('generateOrganizations: determinism and truth', () => {
  it('returns identical data for the same seed and different data for another', () => {
    const a = JSON.stringify(dedup({ records: 1000 }));
    expect(JSON.stringify(dedup({ records: 1000 }))).toBe(a);
    expect(JSON.stringify(dedup({ records: 1000, seed: 99 }))).not.toBe(a);
  });

  it('writes every record once with the organisation columns', () => {
    expect(DEDUP.records).toHaveLength(6000);
    expect(new Set(DEDUP.records.map((r) => r.id)).size).toBe(6000);
    expect(new Set(DEDUP.records.map((r) => r.entityId)).size).toBe(DEDUP.entities);
    for (const r of DEDUP.records) expect(Object.keys(r.attributes)).toEqual([...ORGANIZATION_COLUMNS]);
  });

  it('links two de-duplicated snapshots one to one over 10 % of the smaller', () => {
    expect(LINK.truthPairs).toHaveLength(300);
    expect(new Set(LINK.left.map((r) => r.entityId)).size).toBe(LINK.left.length);
    expect(new Set(LINK.right.map((r) => r.entityId)).size).toBe(LINK.right.length);
    const byId = recordIndex(LINK);
    for (const [a, b] of LINK.truthPairs) expect(byId.get(a)!.entityId).toBe(byId.get(b)!.entityId);
  });
});

describe('generateOrganizations: trap rates', () => {
  for (const ds of [DEDUP, LINK]) {
    it(`puts every trap at about its default rate (${ds.mode})`, () => {
      for (const [trap, rate] of Object.entries(DEFAULT_ORGANIZATION_TRAP_RATES)) {
        const c = ds.trapCounts[trap]!;
        expect(c.instances, trap).toBeGreaterThan(0);
        if (GROUP_TRAPS.includes(trap)) expect(Math.abs(c.affected / c.eligible - rate), trap).toBeLessThan(0.006);
        else expect(closeToRate(c.affected, c.eligible, rate), `${trap} ${c.affected}/${c.eligible}`).toBe(true);
      }
    });
  }
});

describe('generateOrganizations: different organisations sharing identifiers', () => {
  const first = firstRecords(DEDUP);
  const groups = (trap: string) =>
    DEDUP.traps.filter((t) => t.trap === trap).map((t) => t.entityIds.map((e) => first.get(e)!));

  it('gives the sites of one institution its phone, website and name prefix at different streets', () => {
    for (const sites of groups('multiSite')) {
      expect(sites.length).toBeGreaterThanOrEqual(2);
      const phones = sites.map((r) => r.attributes.phone!).filter((p) => p !== '');
      expect(new Set(phones.map(digits)).size).toBeLessThanOrEqual(1);
      const sites2 = sites.map((r) => r.attributes.website!).filter((w) => w !== '');
      expect(new Set(sites2.map(websiteDomain)).size).toBeLessThanOrEqual(1);
      const prefixes = sites.map((r) => r.attributes.name!.toLowerCase().split(/ [–-] /)[0]);
      expect(new Set(prefixes).size).toBe(1);
      expect(new Set(sites.map((r) => r.attributes.name!.toLowerCase().replace('–', '-'))).size).toBe(sites.length);
    }
  });

  it('gives subsidiaries one brand and a shared domain or address', () => {
    const byEntity = DEDUP.traps.filter((t) => t.trap === 'subsidiary');
    for (const t of byEntity) {
      const members = t.entityIds.map((e) => first.get(e)!);
      expect(new Set(members.map((r) => nameTokens(r.attributes.name!)[0])).size).toBe(1);
      expect(new Set(members.map((r) => r.attributes.name!.toLowerCase())).size).toBe(members.length);
      if (t.detail!.shared!.includes('domain')) {
        const domains = members.map((r) => r.attributes.email!.split('@')[1]).filter((d) => d !== undefined);
        expect(new Set(domains).size).toBeLessThanOrEqual(1);
      }
      if (t.detail!.shared!.includes('address')) {
        const streets = members.map((r) => r.attributes.street!).filter((s) => s !== '');
        expect(new Set(streets.map(streetKey)).size).toBeLessThanOrEqual(1);
      }
    }
  });

  it('gives a shared generic mailbox to organisations with other names', () => {
    for (const members of groups('genericMailbox')) {
      const emails = members.map((r) => r.attributes.email!).filter((e) => e !== '');
      expect(new Set(emails).size).toBeLessThanOrEqual(1);
      expect(emails.every((e) => e.startsWith('info@'))).toBe(true);
      expect(new Set(members.map((r) => r.attributes.name!.toLowerCase())).size).toBe(members.length);
    }
  });

  it('puts several organisations at one campus address', () => {
    for (const members of groups('campus')) {
      expect(members.length).toBeGreaterThanOrEqual(3);
      const streets = members.map((r) => r.attributes.street!).filter((s) => s !== '');
      expect(new Set(streets.map(streetKey)).size).toBeLessThanOrEqual(1);
      expect(new Set(members.map((r) => r.attributes.city!.toLowerCase())).size).toBe(1);
    }
  });
});

describe('generateOrganizations: true duplicates written differently', () => {
  const byId = recordIndex(DEDUP);
  const instances = (trap: string) => DEDUP.traps.filter((t) => t.trap === trap);

  it('writes another legal form, or none', () => {
    const ins = instances('legalForm');
    expect(ins.some((t) => t.detail!.to === '')).toBe(true);
    for (const t of ins) {
      const tokens = nameTokens(byId.get(t.recordIds[0]!)!.attributes.name!);
      if (t.detail!.to === '') expect(tokens).not.toContain(t.detail!.from!.toLowerCase());
      else expect(tokens).toContain(t.detail!.to!.toLowerCase());
    }
  });

  it('abbreviates or expands a sector word or the ampersand', () => {
    const pairs = new Set(instances('abbreviation').map((t) => `${t.detail!.from}/${t.detail!.to}`));
    expect(pairs.has('Laboratories/Labs') || pairs.has('Labs/Laboratories')).toBe(true);
    expect(pairs.has('&/and') || pairs.has('and/&')).toBe(true);
    for (const t of instances('abbreviation'))
      expect(nameTokens(byId.get(t.recordIds[0]!)!.attributes.name!)).toContain(t.detail!.to!.toLowerCase());
  });

  it('writes the new contact mailbox and the typo', () => {
    for (const t of instances('contactChange')) expect(byId.get(t.recordIds[0]!)!.attributes.email).toBe(t.detail!.to);
    for (const t of instances('typo')) {
      const values = Object.values(byId.get(t.recordIds[0]!)!.attributes).join('|').toLowerCase();
      expect(values).toContain(t.detail!.to!.toLowerCase());
    }
  });

  it('keeps a true duplicate at its address', () => {
    const typoed = new Set(instances('typo').flatMap((t) => t.recordIds));
    const streets = new Map<string, Set<string>>();
    for (const r of DEDUP.records) {
      if (typoed.has(r.id) || r.attributes.street === '') continue;
      streets.set(r.entityId, (streets.get(r.entityId) ?? new Set()).add(streetKey(r.attributes.street!)));
    }
    for (const s of streets.values()) expect(s.size).toBe(1);
  });
});

describe('generateOrganizations: options', () => {
  it('writes every record with the one source given, and no duplicates when an entity may have one record', () => {
    const only = { ...DEFAULT_DEDUP_SOURCES[1]!, name: 'crm' };
    const ds = dedup({ records: 500, sources: [only], maxRecordsPerEntity: 1 });
    expect(new Set(ds.records.map((r) => r.source))).toEqual(new Set(['crm']));
    expect(ds.entities).toBe(500);
    expect(ds.records.every((r) => r.attributes.name === r.attributes.name!.toLowerCase())).toBe(true);
  });

  it.each([
    [{ mode: 'link' as const, sources: DEFAULT_DEDUP_SOURCES }, /exactly two/],
    [{ mode: 'merge' as never }, /mode/],
    [{ sources: [{ ...DEFAULT_DEDUP_SOURCES[0]!, weight: 0 }] }, /positive weight/],
    [{ traps: { campus: 0.5, multiSite: 0.5 } }, /group traps/],
  ])('refuses %j', (options, message) => {
    expect(() => generateOrganizations({ mode: 'dedup', records: 100, seed: 1, ...options })).toThrow(
      SyntheticOptionsError,
    );
    expect(() => generateOrganizations({ mode: 'dedup', records: 100, seed: 1, ...options })).toThrow(message);
  });
});
