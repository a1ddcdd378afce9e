/**
 * The seeded world of the three fakes, built from the adversarial generator (local/synthetic): its people and
 * organisations, each record placed in one system, so one true person is a Salesforce contact, a HubSpot contact
 * and/or a Workday worker, written each system's way (with the generator's nicknames, typos, moves, changed e-mails
 * and missing fields between them). Companies are accounts and/or companies of the CRMs with their contacts
 * associated; deals reference a company and often one of its contacts; Workday holds the employees of one of the
 * companies. A pure function of (seed, records, epoch): the same arguments give the same data.
 */
import {
  type DedupDataset,
  Rng,
  type SourceFormat,
  type SyntheticRecord,
  ZipfPool,
  generateOrganizations,
  generatePeople,
} from '../../synthetic/index.js';
import { FREE_MAIL } from '../../synthetic/pools.js';
import { mailPart } from '../../synthetic/world.js';
import {
  CONTACT_TITLES,
  DEAL_PRODUCTS,
  DEAL_STAGES,
  countryName,
  hubspotName,
  hubspotPhone,
  industryOf,
  orNull,
  salesforceEmail,
  salesforcePhone,
  salesforceWebsite,
  shortStreet,
} from './formats.js';
import { HubSpotIds, SalesforceIds } from './ids.js';
import type { SeedData, SeedHubSpotRecord, SeedSalesforceRecord } from './types.js';
import { type WorkforcePerson, buildWorkforce } from './workforce.js';

export type { SeedData } from './types.js';

type Crm = 'salesforce' | 'hubspot';
type PersonSystem = Crm | 'workday';

/** The neutral rendering the vendor formats start from (see formats.ts). */
const NEUTRAL: SourceFormat = {
  name: 'neutral',
  weight: 1,
  nameCase: 'title',
  nameLayout: 'columns',
  middleName: 'full',
  dateFormat: 'iso',
  phoneFormat: 'digits',
  gender: 'letter',
  streetTypes: 'long',
  website: 'bare',
};

const DAY = 86_400_000;
/** Shares of the records: people 60 %, organisations 20 %, deals the rest. */
const PERSON_SHARE = 0.6;
const ORGANIZATION_SHARE = 0.2;
/** Of the people the generator writes three times, this share stays in all three systems (the rest in two). */
const KEEP_IN_THREE = 0.35;
/** The generator's records dropped by KEEP_IN_THREE, so the people's share stays near PERSON_SHARE. */
const PERSON_RECORDS_KEPT = 0.92;
const FREE_MAIL_DOMAINS = new Set(FREE_MAIL);

const US_COUNTRY_SF: [string, number][] = [
  ['United States', 0.7],
  ['USA', 0.2],
  ['US', 0.1],
];
const US_COUNTRY_HS: [string, number][] = [
  ['United States', 0.55],
  ['US', 0.25],
  ['', 0.2],
];

export interface SeedOptions {
  seed: number;
  records: number;
  /** Epoch ms at which the seeded history ends. */
  epoch: number;
}

interface Plan {
  entityId: string;
  /** The record each system holds (the generator's n-th record; duplicates carry its record traps). */
  bySystem: Map<PersonSystem, SyntheticRecord>;
}

function groupByEntity(records: readonly SyntheticRecord[]): SyntheticRecord[][] {
  const groups = new Map<string, SyntheticRecord[]>();
  for (const r of records) {
    const g = groups.get(r.entityId);
    if (g) g.push(r);
    else groups.set(r.entityId, [r]);
  }
  const order = (r: SyntheticRecord) => Number(r.origId.slice(r.origId.lastIndexOf('-') + 1));
  return [...groups.values()].map((g) => g.sort((a, b) => order(a) - order(b)));
}

function pickBy<T>(rng: Rng, options: readonly [T, number][]): T {
  let x = rng.next() * options.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of options) {
    if (x < w) return v;
    x -= w;
  }
  return options[options.length - 1]![0];
}

const PAIRS: [PersonSystem[], number][] = [
  [['salesforce', 'hubspot'], 0.6],
  [['salesforce', 'workday'], 0.2],
  [['hubspot', 'workday'], 0.2],
];
const SINGLES: [PersonSystem[], number][] = [
  [['salesforce'], 0.5],
  [['hubspot'], 0.35],
  [['workday'], 0.15],
];

/** Places each person's records in distinct systems; at least one person ends up in all three. */
function planPeople(groups: SyntheticRecord[][], rng: Rng): Plan[] {
  const plans = groups.map((g): Plan => {
    const systems: PersonSystem[] =
      g.length >= 3 && rng.chance(KEEP_IN_THREE)
        ? ['salesforce', 'hubspot', 'workday']
        : g.length >= 2
          ? [...pickBy(rng, PAIRS)]
          : [...pickBy(rng, SINGLES)];
    // Which system got the entity's first (clean) record varies.
    rng.shuffle(systems);
    return { entityId: g[0]!.entityId, bySystem: new Map(systems.map((s, i) => [s, g[i]!])) };
  });
  if (!plans.some((p) => p.bySystem.size === 3)) {
    const p = plans.find((x) => x.bySystem.size === 2) ?? plans[0]!;
    const first = [...p.bySystem.values()][0]!;
    for (const s of ['salesforce', 'hubspot', 'workday'] as const) {
      if (!p.bySystem.has(s)) p.bySystem.set(s, { ...first, attributes: { ...first.attributes } });
    }
  }
  return plans;
}

function planOrganizations(groups: SyntheticRecord[][], rng: Rng): Map<string, Map<Crm, SyntheticRecord>> {
  const plans = new Map<string, Map<Crm, SyntheticRecord>>();
  for (const g of groups) {
    const systems: Crm[] =
      g.length >= 2 ? rng.shuffle(['salesforce', 'hubspot']) : [rng.chance(0.55) ? 'salesforce' : 'hubspot'];
    plans.set(g[0]!.entityId, new Map(systems.map((s, i) => [s, g[i]!])));
  }
  if (![...plans.values()].some((m) => m.size === 2)) {
    const m = plans.values().next().value!;
    const first = [...m.values()][0]!;
    for (const s of ['salesforce', 'hubspot'] as const) if (!m.has(s)) m.set(s, first);
  }
  return plans;
}

/**
 * Creation and modification instants of a seeded record. A quarter were created by one bulk import (the same
 * instant to the millisecond, as imports leave them), and a tenth last touched by one mass update: ties that a
 * cursor on the modification time must survive. Salesforce keeps whole seconds; HubSpot milliseconds.
 */
function stamps(rng: Rng, system: Crm, epoch: number): { createdAt: number; modifiedAt: number } {
  const ms = system === 'salesforce' ? 0 : rng.int(0, 999);
  const importAt = epoch - (system === 'salesforce' ? 900 : 700) * DAY + (system === 'salesforce' ? 0 : 417);
  const massUpdateAt = epoch - 20 * DAY + (system === 'salesforce' ? 0 : 250);
  const createdAt = rng.chance(0.25) ? importAt : epoch - rng.int(2 * 86_400, 1000 * 86_400) * 1000 + ms;
  const r = rng.next();
  const modifiedAt =
    r < 0.45
      ? createdAt
      : r < 0.55 && massUpdateAt > createdAt
        ? massUpdateAt
        : createdAt + Math.floor((rng.next() * (epoch - createdAt)) / 1000) * 1000 + (system === 'salesforce' ? 0 : ms);
  return { createdAt, modifiedAt: Math.min(Math.max(modifiedAt, createdAt), epoch - 1) };
}

function hubspotStamps(rng: Rng, epoch: number): { createdAt: number; updatedAt: number } {
  const s = stamps(rng, 'hubspot', epoch);
  return { createdAt: s.createdAt, updatedAt: s.modifiedAt };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Ids in creation order, as both CRMs number records. */
function assignIds<T extends { id: string; createdAt: number }>(records: T[], take: () => string): void {
  records.sort((a, b) => a.createdAt - b.createdAt);
  for (const r of records) r.id = take();
}

/** Builds the seeded data; see the module comment. */
export function buildSeed({ seed, records, epoch }: SeedOptions): SeedData {
  const rng = new Rng(seed);
  const personRecords = Math.max(2, Math.round((records * PERSON_SHARE) / PERSON_RECORDS_KEPT));
  const people = generatePeople({
    mode: 'dedup',
    records: personRecords,
    seed,
    maxRecordsPerEntity: 3,
    sources: [NEUTRAL],
  }) as DedupDataset;
  const orgs = generateOrganizations({
    mode: 'dedup',
    records: Math.max(4, Math.round(records * ORGANIZATION_SHARE)),
    seed: (seed ^ 0x9e3779b9) >>> 0,
    maxRecordsPerEntity: 2,
    duplicateRate: 0.55,
    sources: [NEUTRAL],
  }) as DedupDataset;

  const personPlans = planPeople(groupByEntity(people.records), rng.fork());
  const orgPlans = planOrganizations(groupByEntity(orgs.records), rng.fork());

  // Organisations → accounts and companies.
  const orgRng = rng.fork();
  const sfIds = {
    Account: new SalesforceIds('001', orgRng.int(1000, 90_000)),
    Contact: new SalesforceIds('003', orgRng.int(1000, 90_000)),
    Opportunity: new SalesforceIds('006', orgRng.int(1000, 90_000)),
  };
  const hsIds = {
    contacts: new HubSpotIds(orgRng.int(50, 400)),
    companies: new HubSpotIds(5_000_000_000 + orgRng.int(0, 9_999_999)),
    deals: new HubSpotIds(9_000_000_000 + orgRng.int(0, 9_999_999)),
  };
  const accounts: SeedSalesforceRecord[] = [];
  const companies: SeedHubSpotRecord[] = [];
  const orgDomain = new Map<string, string>();
  for (const [entityId, bySystem] of orgPlans) {
    const first = [...bySystem.values()][0]!.attributes;
    const industry = industryOf(first.name!, orgRng);
    if (first.website) orgDomain.set(entityId, first.website);
    for (const [system, rec] of bySystem) {
      const a = rec.attributes;
      if (system === 'salesforce') {
        accounts.push({
          object: 'Account',
          id: '',
          fields: {
            Name: a.name!,
            Website: salesforceWebsite(a.website ?? '', orgRng),
            Phone: salesforcePhone(a.phone ?? ''),
            BillingStreet: orNull(a.street),
            BillingCity: orNull(a.city),
            BillingPostalCode: orNull(a.postcode),
            BillingCountry: countryName(orgRng, US_COUNTRY_SF),
            Industry: orgRng.chance(0.85) ? industry.salesforce : null,
          },
          ...stamps(orgRng, 'salesforce', epoch),
          entityId,
          kind: 'organization',
        });
      } else {
        companies.push({
          object: 'companies',
          id: '',
          properties: {
            name: a.name!,
            domain: orNull(a.website),
            phone: hubspotPhone(a.phone ?? '', orgRng),
            address: a.street ? shortStreet(a.street) : null,
            city: orNull(a.city),
            zip: orNull(a.postcode),
            country: countryName(orgRng, US_COUNTRY_HS),
            industry: orgRng.chance(0.8) ? industry.hubspot : null,
          },
          ...hubspotStamps(orgRng, epoch),
          associations: {},
          entityId,
          kind: 'organization',
        });
      }
    }
  }
  assignIds(accounts, () => sfIds.Account.take(orgRng));
  assignIds(companies, () => hsIds.companies.take(orgRng));
  const orgRecord = {
    salesforce: new Map(accounts.map((r) => [r.entityId, r])),
    hubspot: new Map(companies.map((r) => [r.entityId, r])),
  };

  // The Workday company: an organisation in both CRMs, with a domain for the work e-mail addresses.
  const inBoth = [...orgPlans.keys()].filter((e) => orgRecord.salesforce.has(e) && orgRecord.hubspot.has(e));
  const employerId = inBoth.find((e) => orgDomain.has(e)) ?? inBoth[0]!;
  const employerRecord = [...orgPlans.get(employerId)!.values()][0]!.attributes;
  const employerDomain = orgDomain.get(employerId) ?? `${mailPart(employerRecord.name!.split(' ')[0]!)}.com`;

  const workRng = rng.fork();
  const workforcePeople: WorkforcePerson[] = personPlans
    .filter((p) => p.bySystem.has('workday'))
    .map((p) => {
      const a = p.bySystem.get('workday')!.attributes;
      return {
        entityId: p.entityId,
        first: a.first_name!,
        last: a.last_name!,
        phoneDigits: a.phone ?? '',
        birthDate: a.birth_date ?? '',
        city: a.city ?? '',
      };
    });
  const workforce = buildWorkforce(
    workforcePeople,
    { name: employerRecord.name!, domain: employerDomain, entityId: employerId, city: employerRecord.city ?? '' },
    workRng,
    epoch,
  );

  // People → contacts, each associated with a company of the same CRM most of the time.
  const contactRng = rng.fork();
  const orgsIn = (systems: Crm[]) =>
    [...orgPlans.keys()].filter((e) => systems.every((s) => orgRecord[s].has(e)) && e !== employerId);
  const pools = new Map<string, ZipfPool<string> | null>();
  const poolFor = (systems: Crm[]): ZipfPool<string> | null => {
    const key = systems.join('+');
    if (!pools.has(key)) {
      const list = orgsIn(systems);
      pools.set(key, list.length > 0 ? new ZipfPool(list, 0.7) : null);
    }
    return pools.get(key)!;
  };
  const titles = new Map<string, string>();
  const sfContacts: SeedSalesforceRecord[] = [];
  const hsContacts: SeedHubSpotRecord[] = [];
  /** Who works where, per CRM: the deals below pick their contact from these. */
  const staff = {
    salesforce: new Map<string, SeedSalesforceRecord[]>(),
    hubspot: new Map<string, SeedHubSpotRecord[]>(),
  };
  for (const plan of personPlans) {
    const crms = (['salesforce', 'hubspot'] as const).filter((s) => plan.bySystem.has(s));
    if (crms.length === 0) continue;
    const employee = plan.bySystem.has('workday');
    let employer: string | null = null;
    if (employee) employer = employerId;
    else if (contactRng.chance(0.8)) employer = (poolFor(crms) ?? poolFor([crms[0]!]))?.draw(contactRng) ?? null;
    const title = employee
      ? workforce.titles.get(plan.entityId)!
      : (titles.get(plan.entityId) ?? contactRng.pick(CONTACT_TITLES));
    const domain = employer ? (employer === employerId ? employerDomain : orgDomain.get(employer)) : undefined;
    for (const system of crms) {
      const a = plan.bySystem.get(system)!.attributes;
      // A person in both CRMs is sometimes linked to the company in one of them only.
      const linked =
        employer !== null && orgRecord[system].has(employer) && !(crms.length === 2 && contactRng.chance(0.08));
      let email = a.email ?? '';
      if (employee && contactRng.chance(0.5)) email = workforce.emails.get(plan.entityId)!;
      else if (email && domain && !FREE_MAIL_DOMAINS.has(email.slice(email.indexOf('@') + 1))) {
        email = `${email.slice(0, email.indexOf('@'))}@${domain}`;
      }
      const stamp = stamps(contactRng, system, epoch);
      const withTitle = contactRng.chance(0.8) ? title : null;
      const country =
        a.street || a.postcode
          ? countryName(contactRng, system === 'salesforce' ? US_COUNTRY_SF : US_COUNTRY_HS)
          : null;
      if (system === 'salesforce') {
        const mobileOnly = contactRng.chance(0.25);
        const phone = salesforcePhone(a.phone ?? '');
        const account = linked ? orgRecord.salesforce.get(employer!)! : null;
        const rec: SeedSalesforceRecord = {
          object: 'Contact',
          id: '',
          fields: {
            FirstName: orNull(a.first_name),
            LastName: a.last_name!,
            Email: salesforceEmail(email, contactRng),
            Phone: mobileOnly ? null : phone,
            MobilePhone: mobileOnly ? phone : null,
            Title: withTitle,
            Birthdate: orNull(a.birth_date),
            MailingStreet: orNull(a.street),
            MailingCity: orNull(a.city),
            MailingPostalCode: orNull(a.postcode),
            MailingCountry: country,
            AccountId: account ? account.id : null,
          },
          ...stamp,
          entityId: plan.entityId,
          kind: 'person',
        };
        sfContacts.push(rec);
        if (account) push(staff.salesforce, employer!, rec);
      } else {
        const lower = contactRng.chance(0.55);
        const company = linked ? orgRecord.hubspot.get(employer!)! : null;
        const mobile = contactRng.chance(0.2);
        const phone = hubspotPhone(a.phone ?? '', contactRng);
        const rec: SeedHubSpotRecord = {
          object: 'contacts',
          id: '',
          properties: {
            firstname: hubspotName(a.first_name ?? '', lower),
            lastname: hubspotName(a.last_name ?? '', lower),
            email: email ? email.toLowerCase() : null,
            phone: mobile ? null : phone,
            mobilephone: mobile ? phone : null,
            jobtitle: withTitle,
            company:
              company && contactRng.chance(0.7)
                ? company.properties.name!
                : a.employer && contactRng.chance(0.4)
                  ? a.employer
                  : null,
            address: a.street ? shortStreet(a.street) : null,
            city: orNull(a.city),
            zip: orNull(a.postcode),
            country,
            date_of_birth: orNull(a.birth_date),
          },
          createdAt: stamp.createdAt,
          updatedAt: stamp.modifiedAt,
          associations: company ? { companies: [company.id] } : {},
          entityId: plan.entityId,
          kind: 'person',
        };
        hsContacts.push(rec);
        if (company) push(staff.hubspot, employer!, rec);
      }
    }
  }
  assignIds(sfContacts, () => sfIds.Contact.take(contactRng));
  assignIds(hsContacts, () => hsIds.contacts.take(contactRng));

  // Deals: each names a company of its CRM and usually one of that company's contacts; a fifth are in both CRMs.
  const dealRng = rng.fork();
  const workdayCount = workforce.workday.workers.length;
  const used = accounts.length + companies.length + sfContacts.length + hsContacts.length + workdayCount;
  const dealBudget = Math.max(0, records - used);
  const opportunities: SeedSalesforceRecord[] = [];
  const deals: SeedHubSpotRecord[] = [];
  const dealOrgs = {
    salesforce: poolFor(['salesforce']),
    hubspot: poolFor(['hubspot']),
    both: poolFor(['salesforce', 'hubspot']),
  };
  for (let n = 1, written = 0; written < dealBudget; n++) {
    const r = dealRng.next();
    let systems: Crm[] = r < 0.45 ? ['salesforce'] : r < 0.8 ? ['hubspot'] : ['salesforce', 'hubspot'];
    if (systems.length === 2 && (written + 2 > dealBudget || !dealOrgs.both))
      systems = [dealRng.chance(0.5) ? 'salesforce' : 'hubspot'];
    const pool = systems.length === 2 ? dealOrgs.both : dealOrgs[systems[0]!];
    const orgEntity = pool?.draw(dealRng) ?? employerId;
    if (!systems.every((s) => orgRecord[s].has(orgEntity)))
      systems = systems.filter((s) => orgRecord[s].has(orgEntity));
    const entityId = `d${String(n).padStart(7, '0')}`;
    const createdAt = epoch - dealRng.int(5, 700) * DAY;
    const closeAt = createdAt + dealRng.int(20, 200) * DAY;
    const closeDay = new Date(Math.floor(closeAt / DAY) * DAY).toISOString().slice(0, 10);
    const stage = closeAt < epoch ? DEAL_STAGES[dealRng.chance(0.55) ? 5 : 6]! : DEAL_STAGES[dealRng.int(0, 4)]!;
    const amount = Math.round(Math.exp(dealRng.next() * 4.6 + 8.5) / 100) * 100;
    const currency = pickBy(dealRng, [
      ['USD', 0.8],
      ['EUR', 0.12],
      ['GBP', 0.08],
    ] as [string, number][]);
    const product = dealRng.pick(DEAL_PRODUCTS);
    // The same person as the deal's contact in both CRMs when one works at the company in both.
    const personEntity = dealRng.chance(0.75)
      ? (() => {
          const candidates = (staff[systems[0]!].get(orgEntity) ?? []).map((c) => c.entityId);
          return candidates.length > 0 ? dealRng.pick(candidates) : null;
        })()
      : null;
    for (const system of systems) {
      const stamp = stamps(dealRng, system, epoch);
      const created = Math.max(stamp.createdAt, createdAt);
      const times = { createdAt: created, modifiedAt: Math.max(created, stamp.modifiedAt) };
      if (system === 'salesforce') {
        const account = orgRecord.salesforce.get(orgEntity)!;
        const contact = personEntity
          ? staff.salesforce.get(orgEntity)?.find((c) => c.entityId === personEntity)
          : undefined;
        opportunities.push({
          object: 'Opportunity',
          id: '',
          fields: {
            Name: `${account.fields.Name as string} - ${product}`,
            Amount: amount,
            CurrencyIsoCode: currency,
            StageName: stage.salesforce,
            CloseDate: closeDay,
            AccountId: account.id,
            ContactId: contact?.id ?? null,
          },
          ...times,
          entityId,
          kind: 'deal',
        });
      } else {
        const company = orgRecord.hubspot.get(orgEntity)!;
        const contact = personEntity
          ? staff.hubspot.get(orgEntity)?.find((c) => c.entityId === personEntity)
          : undefined;
        deals.push({
          object: 'deals',
          id: '',
          properties: {
            dealname: `${company.properties.name} - ${product}`,
            amount: String(amount),
            deal_currency_code: currency,
            dealstage: stage.hubspot,
            pipeline: 'default',
            closedate: `${closeDay}T00:00:00.000Z`,
          },
          createdAt: times.createdAt,
          updatedAt: Math.min(times.modifiedAt, epoch - 1),
          associations: { companies: [company.id], ...(contact ? { contacts: [contact.id] } : {}) },
          entityId,
          kind: 'deal',
        });
      }
      written++;
    }
  }
  for (const o of opportunities) o.modifiedAt = Math.min(o.modifiedAt, epoch - 1);
  assignIds(opportunities, () => sfIds.Opportunity.take(dealRng));
  assignIds(deals, () => hsIds.deals.take(dealRng));

  return {
    seed,
    records,
    salesforce: [...accounts, ...sfContacts, ...opportunities],
    hubspot: [...companies, ...hsContacts, ...deals],
    workday: workforce.workday,
  };
}
