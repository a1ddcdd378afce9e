/**
 * Salesforce records (REST query API, docs/connectors.md) to canonical entities: Account → organization,
 * Contact → person (works-at its Account), Opportunity → deal (owned by its Account's organization, with its
 * Contact's person). Entity refs use the object name as namespace and the 18-character id.
 */
import * as z from 'zod';
import { ConnectorError } from '../errors.js';
import type { NormalisedRecord, Normaliser } from '../ports.js';
import { entity, ref, relation } from './build.js';
import type { NormaliserOptions } from './options.js';
import { parseRecord, type RecordContext, stringField } from './record-schema.js';
import { normaliseEmail, normalisePhone } from './values/contact.js';
import { countryCode } from './values/countries.js';
import { isoDate, utcInstant } from './values/dates.js';
import { amount, currencyCode } from './values/money.js';
import { composeName } from './values/names.js';
import { cleanText } from './values/text.js';
import { domainOf, normaliseWebsite } from './values/web.js';

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/**
 * The 18-character form of a Salesforce id. The REST API writes 18 characters, but ids copied from the UI or from
 * reports have 15 (case-sensitive): both name the same record, and a ref must be one string for it. The three
 * suffix characters encode, five characters at a time, which of them are capitals.
 */
export function salesforceId18(id: string): string {
  if (id.length !== 15) return id;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return id + suffix;
}

// Vendors leave fields null or out, and add fields of their own (custom fields, relationship objects): optional
// fields are nullish and unknown fields are dropped; a field that is there must have its type.
const id = z.string().regex(SALESFORCE_ID, 'expected a Salesforce id (15 or 18 letters and digits)');
const text = z.string().nullish();
const instant = z
  .string()
  .refine((v) => utcInstant(v) !== undefined, 'expected an ISO 8601 date-time')
  .nullish();
const common = (object: string) => ({
  attributes: z.object({ type: z.literal(object, { error: `expected "${object}"` }), url: text }).nullish(),
  Id: id,
  CreatedDate: instant,
  SystemModstamp: instant,
  IsDeleted: z.boolean().nullish(),
});

const AccountRecord = z.object({
  ...common('Account'),
  Name: text,
  Website: text,
  Phone: text,
  BillingStreet: text,
  BillingCity: text,
  BillingPostalCode: text,
  BillingCountry: text,
  Industry: text,
});

const ContactRecord = z.object({
  ...common('Contact'),
  FirstName: text,
  LastName: text,
  Email: text,
  Phone: text,
  MobilePhone: text,
  Title: text,
  Birthdate: text,
  MailingStreet: text,
  MailingCity: text,
  MailingPostalCode: text,
  MailingCountry: text,
  AccountId: id.nullish(),
});

const OpportunityRecord = z.object({
  ...common('Opportunity'),
  Name: text,
  Amount: z.number().nullish(),
  CurrencyIsoCode: text,
  StageName: text,
  CloseDate: text,
  AccountId: id.nullish(),
  ContactId: id.nullish(),
});

type Common = { Id: string; SystemModstamp?: string | null; IsDeleted?: boolean | null };

function context(object: string): RecordContext {
  return { object, idOf: (raw) => stringField(raw, 'Id', SALESFORCE_ID) };
}

function record(r: Common, entities: NormalisedRecord['entities'], relations: NormalisedRecord['relations']) {
  return {
    sourceId: salesforceId18(r.Id),
    modifiedAt: utcInstant(r.SystemModstamp) ?? null,
    deleted: r.IsDeleted === true,
    entities,
    relations,
  };
}

const account = (accountId: string) => ref('Account', salesforceId18(accountId), 'organization');
const contact = (contactId: string) => ref('Contact', salesforceId18(contactId), 'person');
const opportunity = (opportunityId: string) => ref('Opportunity', salesforceId18(opportunityId), 'deal');

function normaliseAccount(raw: unknown, options: NormaliserOptions): NormalisedRecord {
  const r = parseRecord(AccountRecord, raw, context('Account'));
  const country = countryCode(r.BillingCountry);
  const organization = entity(account(r.Id), 'salesforce', {
    name: cleanText(r.Name),
    domain: domainOf(r.Website),
    website: normaliseWebsite(r.Website),
    phone: normalisePhone(r.Phone, country ?? options.defaultCountry),
    street: cleanText(r.BillingStreet),
    city: cleanText(r.BillingCity),
    postcode: cleanText(r.BillingPostalCode),
    country,
    industry: cleanText(r.Industry),
  });
  return record(r, [organization], []);
}

function normaliseContact(raw: unknown, options: NormaliserOptions): NormalisedRecord {
  const r = parseRecord(ContactRecord, raw, context('Contact'));
  const country = countryCode(r.MailingCountry);
  const region = country ?? options.defaultCountry;
  const person = entity(contact(r.Id), 'salesforce', {
    ...composeName(r.FirstName, r.LastName),
    email: normaliseEmail(r.Email),
    // one phone per person: the main number, else the mobile
    phone: normalisePhone(r.Phone, region) ?? normalisePhone(r.MobilePhone, region),
    birthDate: isoDate(r.Birthdate),
    street: cleanText(r.MailingStreet),
    city: cleanText(r.MailingCity),
    postcode: cleanText(r.MailingPostalCode),
    country,
    title: cleanText(r.Title),
  });
  const relations = r.AccountId ? [relation('works-at', person.ref, account(r.AccountId))] : [];
  return record(r, [person], relations);
}

function normaliseOpportunity(raw: unknown): NormalisedRecord {
  const r = parseRecord(OpportunityRecord, raw, context('Opportunity'));
  const deal = entity(opportunity(r.Id), 'salesforce', {
    name: cleanText(r.Name),
    amount: amount(r.Amount),
    currency: currencyCode(r.CurrencyIsoCode),
    stage: cleanText(r.StageName),
    closeDate: isoDate(r.CloseDate),
  });
  const relations = [
    ...(r.AccountId ? [relation('owns-deal', account(r.AccountId), deal.ref)] : []),
    ...(r.ContactId ? [relation('deal-with', deal.ref, contact(r.ContactId))] : []),
  ];
  return record(r, [deal], relations);
}

/** The Salesforce normaliser: one record of Account, Contact or Opportunity at a time. */
export function salesforceNormaliser(options: NormaliserOptions): Normaliser {
  return (object, raw) => {
    switch (object) {
      case 'Account':
        return normaliseAccount(raw, options);
      case 'Contact':
        return normaliseContact(raw, options);
      case 'Opportunity':
        return normaliseOpportunity(raw);
      default:
        throw new ConnectorError(`no normaliser for Salesforce object ${object}`);
    }
  };
}
