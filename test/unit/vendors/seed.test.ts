import { describe, expect, it } from 'vitest';
import { buildSeed } from '../../../local/vendors/seed/index.js';
import type { SeedData } from '../../../local/vendors/seed/types.js';

const EPOCH = Date.parse('2026-11-01T00:00:00.000Z');
const seedOf = (seed: number, records: number): SeedData => buildSeed({ seed, records, epoch: EPOCH });

// Built once per size and only read.
const SMALL = seedOf(1, 300);
const LARGE = seedOf(5, 20_000);

/** Systems each true person appears in. */
function systemsByPerson(d: SeedData): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (e: string, s: string) => {
    if (!out.has(e)) out.set(e, new Set());
    out.get(e)!.add(s);
  };
  for (const r of d.salesforce) if (r.object === 'Contact') add(r.entityId, 'salesforce');
  for (const r of d.hubspot) if (r.object === 'contacts') add(r.entityId, 'hubspot');
  for (const w of d.workday.workers) add(w.entityId, 'workday');
  return out;
}

const total = (d: SeedData) => d.salesforce.length + d.hubspot.length + d.workday.workers.length;

describe('buildSeed: size and determinism', () => {
  it('writes exactly the requested number of vendor records', () => {
    expect(total(SMALL)).toBe(300);
    expect(total(LARGE)).toBe(20_000);
    expect(total(seedOf(2, 50))).toBe(50);
  });

  it('returns identical data for the same seed and different data for another', () => {
    expect(JSON.stringify(seedOf(1, 300))).toBe(JSON.stringify(SMALL));
    const other = seedOf(2, 300);
    expect(other.salesforce.map((r) => r.fields.LastName)).not.toEqual(SMALL.salesforce.map((r) => r.fields.LastName));
  });

  it('ends the seeded history before the epoch, creation before modification', () => {
    for (const r of [...LARGE.salesforce, ...LARGE.hubspot]) {
      const modified = 'modifiedAt' in r ? r.modifiedAt : r.updatedAt;
      expect(r.createdAt).toBeLessThanOrEqual(modified);
      expect(modified).toBeLessThan(EPOCH);
    }
    // Salesforce keeps whole seconds.
    expect(LARGE.salesforce.every((r) => r.modifiedAt % 1000 === 0 && r.createdAt % 1000 === 0)).toBe(true);
  });

  it('leaves many records on one modification instant (bulk imports), as cursors must survive', () => {
    const counts = new Map<number, number>();
    for (const r of LARGE.hubspot)
      if (r.object === 'contacts') counts.set(r.updatedAt, (counts.get(r.updatedAt) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeGreaterThan(100);
  });

  it('numbers records in creation order: Salesforce 18-character ids, HubSpot numeric ids', () => {
    for (const object of ['Account', 'Contact', 'Opportunity'] as const) {
      const list = LARGE.salesforce.filter((r) => r.object === object);
      const byCreation = [...list].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      expect(list.map((r) => r.id).sort()).toEqual(byCreation.map((r) => r.id));
      expect(list.every((r) => /^(001|003|006)[0-9A-Za-z]{15}$/.test(r.id))).toBe(true);
    }
    const ids = LARGE.hubspot.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^\d+$/.test(id))).toBe(true);
  });
});

describe('buildSeed: the same people and companies in several systems', () => {
  for (const [name, data] of [
    ['300 records', SMALL],
    ['20,000 records', LARGE],
  ] as const) {
    it(`puts a good share of people in two systems and some in all three (${name})`, () => {
      const people = [...systemsByPerson(data).values()];
      const inTwo = people.filter((s) => s.size >= 2).length / people.length;
      const inThree = people.filter((s) => s.size === 3).length;
      expect(inTwo).toBeGreaterThan(0.25);
      expect(inThree).toBeGreaterThanOrEqual(Math.max(1, 0.03 * people.length));
    });
  }

  it('puts at least one person in all three systems even in the smallest data set', () => {
    for (let seed = 0; seed < 20; seed++) {
      expect([...systemsByPerson(seedOf(seed, 50)).values()].some((s) => s.size === 3)).toBe(true);
    }
  });

  it('keeps a person at most once per system', () => {
    for (const object of ['Contact'] as const) {
      const e = LARGE.salesforce.filter((r) => r.object === object).map((r) => r.entityId);
      expect(new Set(e).size).toBe(e.length);
    }
    const h = LARGE.hubspot.filter((r) => r.object === 'contacts').map((r) => r.entityId);
    expect(new Set(h).size).toBe(h.length);
    const w = LARGE.workday.workers.map((x) => x.entityId);
    expect(new Set(w).size).toBe(w.length);
  });

  it('has companies in both CRMs and associates contacts with companies of their own CRM', () => {
    const accounts = new Map(LARGE.salesforce.filter((r) => r.object === 'Account').map((r) => [r.id, r]));
    const companies = new Map(LARGE.hubspot.filter((r) => r.object === 'companies').map((r) => [r.id, r]));
    const accountEntities = new Set([...accounts.values()].map((r) => r.entityId));
    const both = [...companies.values()].filter((c) => accountEntities.has(c.entityId)).length;
    expect(both / companies.size).toBeGreaterThan(0.4);
    const sfContacts = LARGE.salesforce.filter((r) => r.object === 'Contact');
    const linked = sfContacts.filter((r) => r.fields.AccountId !== null);
    expect(linked.length / sfContacts.length).toBeGreaterThan(0.6);
    for (const c of linked) expect(accounts.has(c.fields.AccountId as string)).toBe(true);
    const hsContacts = LARGE.hubspot.filter((r) => r.object === 'contacts');
    for (const c of hsContacts) for (const id of c.associations.companies ?? []) expect(companies.has(id)).toBe(true);
  });

  it('associates a person in both CRMs with the same company in both, most of the time', () => {
    const account = new Map(LARGE.salesforce.filter((r) => r.object === 'Account').map((r) => [r.id, r.entityId]));
    const company = new Map(LARGE.hubspot.filter((r) => r.object === 'companies').map((r) => [r.id, r.entityId]));
    const sfOrg = new Map(
      LARGE.salesforce
        .filter((r) => r.object === 'Contact' && r.fields.AccountId)
        .map((r) => [r.entityId, account.get(r.fields.AccountId as string)]),
    );
    let same = 0;
    let pairs = 0;
    for (const c of LARGE.hubspot) {
      const org = c.associations.companies?.[0];
      if (c.object !== 'contacts' || !org || !sfOrg.has(c.entityId)) continue;
      pairs++;
      if (sfOrg.get(c.entityId) === company.get(org)) same++;
    }
    expect(pairs).toBeGreaterThan(100);
    expect(same).toBe(pairs);
  });

  it('makes deals reference a company of their CRM and, when they name one, a contact of that company', () => {
    const sf = new Map(LARGE.salesforce.map((r) => [r.id, r]));
    const opps = LARGE.salesforce.filter((r) => r.object === 'Opportunity');
    expect(opps.length).toBeGreaterThan(100);
    for (const o of opps) {
      expect(sf.get(o.fields.AccountId as string)?.object).toBe('Account');
      if (o.fields.ContactId) expect(sf.get(o.fields.ContactId as string)?.fields.AccountId).toBe(o.fields.AccountId);
    }
    expect(opps.filter((o) => o.fields.ContactId).length / opps.length).toBeGreaterThan(0.3);
    const hs = new Map(LARGE.hubspot.map((r) => [r.id, r]));
    for (const d of LARGE.hubspot.filter((r) => r.object === 'deals')) {
      const [company] = d.associations.companies!;
      expect(hs.get(company!)?.object).toBe('companies');
      for (const c of d.associations.contacts ?? []) expect(hs.get(c)?.associations.companies).toContain(company);
    }
    const sfDeals = new Set(opps.map((o) => o.entityId));
    expect(LARGE.hubspot.some((d) => d.object === 'deals' && sfDeals.has(d.entityId))).toBe(true);
  });

  it('makes the Workday workers the employees of one company that both CRMs know, in one management tree', () => {
    const { company, workers, organizations } = LARGE.workday;
    expect(LARGE.salesforce.some((r) => r.object === 'Account' && r.entityId === company.entityId)).toBe(true);
    expect(LARGE.hubspot.some((r) => r.object === 'companies' && r.entityId === company.entityId)).toBe(true);
    expect(workers.filter((w) => w.email).every((w) => w.email!.endsWith(`@${company.domain}`))).toBe(true);
    const byWid = new Map(workers.map((w) => [w.wid, w]));
    expect(workers.filter((w) => w.managerWid === null)).toHaveLength(1);
    for (const w of workers) {
      let depth = 0;
      for (let m = w; m.managerWid; m = byWid.get(m.managerWid)!) expect(++depth).toBeLessThan(20);
      const org = organizations.find((o) => o.id === w.organizationId)!;
      expect(org.managerWid).toBe(w.managerWid ?? w.wid);
    }
  });
});

describe('buildSeed: each vendor writes the same values its own way', () => {
  const sfContacts = LARGE.salesforce.filter((r) => r.object === 'Contact');
  const hsContacts = LARGE.hubspot.filter((r) => r.object === 'contacts');

  it('formats phones per vendor', () => {
    const phones = sfContacts
      .map((r) => r.fields.Phone ?? r.fields.MobilePhone)
      .filter((p): p is string => typeof p === 'string');
    expect(phones.every((p) => /^\(\d{3}\) \d{3}-\d{4}$/.test(p))).toBe(true);
    const hsPhones = hsContacts.map((r) => r.properties.phone).filter((p): p is string => p !== null);
    expect(hsPhones.filter((p) => /^\d{3}-\d{3}-\d{4}$/.test(p)).length / hsPhones.length).toBeGreaterThan(0.5);
    expect(
      LARGE.workday.workers.filter((w) => w.phone).every((w) => /^\+1 \(\d{3}\) \d{3}-\d{4}$/.test(w.phone!)),
    ).toBe(true);
  });

  it('differs between the CRMs on name casing and e-mail case for some of the same people', () => {
    const sfBy = new Map(sfContacts.map((r) => [r.entityId, r]));
    let lower = 0;
    let both = 0;
    for (const h of hsContacts) {
      const s = sfBy.get(h.entityId);
      if (!s) continue;
      both++;
      if (
        h.properties.lastname === (s.fields.LastName as string).toLowerCase() &&
        h.properties.lastname !== s.fields.LastName
      )
        lower++;
    }
    expect(lower / both).toBeGreaterThan(0.3);
    expect(sfContacts.some((r) => typeof r.fields.Email === 'string' && /[A-Z]/.test(r.fields.Email))).toBe(true);
    expect(hsContacts.every((r) => (r.properties.email ?? '') === (r.properties.email ?? '').toLowerCase())).toBe(true);
    expect(hsContacts.some((r) => r.properties.email === null)).toBe(true);
    expect(sfContacts.every((r) => typeof r.fields.LastName === 'string' && r.fields.LastName !== '')).toBe(true);
  });
});
