/**
 * HubSpot CRM v3 objects (docs/connectors.md) to canonical entities: companies → organization, contacts → person
 * (works-at each associated company), deals → deal (owned by each associated company, with each associated
 * contact). Entity refs use the object name as namespace and HubSpot's numeric id.
 *
 * Associations are read from the record's `associations` in the v3 list shape (`{ companies: { results: [{ id,
 * type }] } }`); a client that reads records by search (which carries none) puts the v4 batch answer into that shape.
 */
import * as z from 'zod';
import { ConnectorError } from '../errors.js';
import type { EntityRef, NormalisedRecord, NormalisedRelation, Normaliser } from '../ports.js';
import { distinctSorted, entity, ref, relation } from './build.js';
import type { NormaliserOptions } from './options.js';
import { parseRecord, type RecordContext, stringField } from './record-schema.js';
import { normaliseEmail, normalisePhone } from './values/contact.js';
import { countryCode } from './values/countries.js';
import { isoDate, utcInstant } from './values/dates.js';
import { amount, currencyCode } from './values/money.js';
import { composeName } from './values/names.js';
import { cleanText } from './values/text.js';
import { domainOf } from './values/web.js';

const HUBSPOT_ID = /^\d{1,20}$/;

const id = z.string().regex(HUBSPOT_ID, 'expected a HubSpot id (a numeric string)');
/** Every HubSpot property value is a string or null (numbers and dates too); unknown properties are dropped. */
const text = z.string().nullish();
const instant = z
  .string()
  .refine((v) => utcInstant(v) !== undefined, 'expected an ISO 8601 date-time')
  .nullish();
const associations = z.object({ results: z.array(z.object({ id, type: text })) }).nullish();

const base = {
  id,
  createdAt: instant,
  updatedAt: instant,
  archived: z.boolean().nullish(),
  archivedAt: instant,
};

const CompanyRecord = z.object({
  ...base,
  properties: z
    .object({
      name: text,
      domain: text,
      phone: text,
      address: text,
      city: text,
      zip: text,
      country: text,
      industry: text,
      hs_lastmodifieddate: instant,
    })
    .nullish(),
});

const ContactRecord = z.object({
  ...base,
  properties: z
    .object({
      firstname: text,
      lastname: text,
      email: text,
      phone: text,
      mobilephone: text,
      jobtitle: text,
      company: text,
      address: text,
      city: text,
      zip: text,
      country: text,
      date_of_birth: text,
      lastmodifieddate: instant,
      hs_lastmodifieddate: instant,
    })
    .nullish(),
  associations: z.object({ companies: associations }).nullish(),
});

const DealRecord = z.object({
  ...base,
  properties: z
    .object({
      dealname: text,
      amount: text,
      deal_currency_code: text,
      dealstage: text,
      pipeline: text,
      closedate: text,
      hs_lastmodifieddate: instant,
    })
    .nullish(),
  associations: z.object({ companies: associations, contacts: associations }).nullish(),
});

function context(object: string): RecordContext {
  return { object, idOf: (raw) => stringField(raw, 'id', HUBSPOT_ID) };
}

interface Base {
  id: string;
  updatedAt?: string | null;
  archived?: boolean | null;
}

/** modifiedAt: the object's modification property (what the incremental search filters on), else `updatedAt`. */
function record(
  r: Base,
  modified: string | null | undefined,
  entities: NormalisedRecord['entities'],
  relations: NormalisedRelation[],
): NormalisedRecord {
  return {
    sourceId: r.id,
    modifiedAt: utcInstant(modified) ?? utcInstant(r.updatedAt) ?? null,
    deleted: r.archived === true,
    entities,
    relations,
  };
}

const company = (companyId: string) => ref('companies', companyId, 'organization');
const contact = (contactId: string) => ref('contacts', contactId, 'person');

function associated(list: { results: { id: string }[] } | null | undefined, to: (id: string) => EntityRef) {
  return distinctSorted((list?.results ?? []).map((a) => a.id)).map(to);
}

function normaliseCompany(raw: unknown, options: NormaliserOptions): NormalisedRecord {
  const r = parseRecord(CompanyRecord, raw, context('companies'));
  const p = r.properties ?? {};
  const country = countryCode(p.country);
  const organization = entity(company(r.id), 'hubspot', {
    name: cleanText(p.name),
    // HubSpot keeps the domain, not the site: the website is left out rather than made up from it
    domain: domainOf(p.domain),
    phone: normalisePhone(p.phone, country ?? options.defaultCountry),
    street: cleanText(p.address),
    city: cleanText(p.city),
    postcode: cleanText(p.zip),
    country,
    industry: cleanText(p.industry),
  });
  return record(r, p.hs_lastmodifieddate, [organization], []);
}

function normaliseContact(raw: unknown, options: NormaliserOptions): NormalisedRecord {
  const r = parseRecord(ContactRecord, raw, context('contacts'));
  const p = r.properties ?? {};
  const country = countryCode(p.country);
  const region = country ?? options.defaultCountry;
  const person = entity(contact(r.id), 'hubspot', {
    ...composeName(p.firstname, p.lastname),
    email: normaliseEmail(p.email),
    phone: normalisePhone(p.phone, region) ?? normalisePhone(p.mobilephone, region),
    birthDate: isoDate(p.date_of_birth),
    street: cleanText(p.address),
    city: cleanText(p.city),
    postcode: cleanText(p.zip),
    country,
    employer: cleanText(p.company),
    title: cleanText(p.jobtitle),
  });
  const relations = associated(r.associations?.companies, company).map((to) => relation('works-at', person.ref, to));
  return record(r, p.lastmodifieddate ?? p.hs_lastmodifieddate, [person], relations);
}

function normaliseDeal(raw: unknown): NormalisedRecord {
  const r = parseRecord(DealRecord, raw, context('deals'));
  const p = r.properties ?? {};
  const deal = entity(ref('deals', r.id, 'deal'), 'hubspot', {
    name: cleanText(p.dealname),
    amount: amount(p.amount),
    currency: currencyCode(p.deal_currency_code),
    stage: cleanText(p.dealstage),
    pipeline: cleanText(p.pipeline),
    closeDate: isoDate(p.closedate),
  });
  const relations = [
    ...associated(r.associations?.companies, company).map((from) => relation('owns-deal', from, deal.ref)),
    ...associated(r.associations?.contacts, contact).map((to) => relation('deal-with', deal.ref, to)),
  ];
  return record(r, p.hs_lastmodifieddate, [deal], relations);
}

/** The HubSpot normaliser: one record of companies, contacts or deals at a time. */
export function hubspotNormaliser(options: NormaliserOptions): Normaliser {
  return (object, raw) => {
    switch (object) {
      case 'companies':
        return normaliseCompany(raw, options);
      case 'contacts':
        return normaliseContact(raw, options);
      case 'deals':
        return normaliseDeal(raw);
      default:
        throw new ConnectorError(`no normaliser for HubSpot object ${object}`);
    }
  };
}
