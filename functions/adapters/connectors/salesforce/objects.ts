/**
 * The Salesforce objects the connector reads, with the fields docs/connectors.md lists, and the SOQL it sends:
 * `SELECT <fields> FROM <Object> [WHERE SystemModstamp >= <instant>] ORDER BY SystemModstamp, Id`.
 */
import { ConnectorError } from '../../../domain/connectors/errors.js';

export const SALESFORCE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Account: [
    'Id',
    'Name',
    'Website',
    'Phone',
    'BillingStreet',
    'BillingCity',
    'BillingPostalCode',
    'BillingCountry',
    'Industry',
    'CreatedDate',
    'SystemModstamp',
    'IsDeleted',
  ],
  Contact: [
    'Id',
    'FirstName',
    'LastName',
    'Email',
    'Phone',
    'MobilePhone',
    'Title',
    'Birthdate',
    'MailingStreet',
    'MailingCity',
    'MailingPostalCode',
    'MailingCountry',
    'AccountId',
    'CreatedDate',
    'SystemModstamp',
    'IsDeleted',
  ],
  Opportunity: [
    'Id',
    'Name',
    'Amount',
    'CurrencyIsoCode',
    'StageName',
    'CloseDate',
    'AccountId',
    'ContactId',
    'CreatedDate',
    'SystemModstamp',
    'IsDeleted',
  ],
};

/**
 * A SOQL datetime literal, to the second, rounded down: a lower bound that is a little earlier reads a record twice
 * (harmless, the upsert is idempotent), one that is later could skip one.
 */
export function soqlDateTime(at: Date): string {
  return `${new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** The query of one pass over `object`. `since`: the incremental lower bound (already a checked instant). */
export function soqlFor(object: string, modifiedField: string | null, since: Date | null): string {
  const fields = SALESFORCE_FIELDS[object];
  if (!fields) throw new ConnectorError(`no Salesforce fields for ${object}`, { vendorCode: 'UNKNOWN_OBJECT' });
  const where = since && modifiedField ? ` WHERE ${modifiedField} >= ${soqlDateTime(since)}` : '';
  const order = modifiedField ? ` ORDER BY ${modifiedField}, Id` : ' ORDER BY Id';
  return `SELECT ${fields.join(', ')} FROM ${object}${where}${order}`;
}
