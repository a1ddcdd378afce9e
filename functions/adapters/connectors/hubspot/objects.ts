/**
 * The HubSpot objects the connector reads, with the properties and associations docs/connectors.md lists.
 */
export interface HubspotObject {
  properties: readonly string[];
  /** Objects whose ids this one's records carry (list: `associations=`, search: the v4 batch read). */
  associations: readonly string[];
}

export const HUBSPOT_OBJECTS: Readonly<Record<string, HubspotObject>> = {
  contacts: {
    properties: [
      'firstname',
      'lastname',
      'email',
      'phone',
      'mobilephone',
      'jobtitle',
      'company',
      'address',
      'city',
      'zip',
      'country',
      'date_of_birth',
      'createdate',
      'lastmodifieddate',
      'hs_object_id',
    ],
    associations: ['companies'],
  },
  companies: {
    properties: [
      'name',
      'domain',
      'phone',
      'address',
      'city',
      'zip',
      'country',
      'industry',
      'createdate',
      'hs_lastmodifieddate',
      'hs_object_id',
    ],
    associations: [],
  },
  deals: {
    properties: [
      'dealname',
      'amount',
      'deal_currency_code',
      'dealstage',
      'pipeline',
      'closedate',
      'createdate',
      'hs_lastmodifieddate',
      'hs_object_id',
    ],
    associations: ['companies', 'contacts'],
  },
};

const SINGULAR: Record<string, string> = { contacts: 'contact', companies: 'company', deals: 'deal' };

/** Pairs with a primary association (a contact's or deal's primary company). */
const PRIMARY_PAIRS = new Set(['contacts>companies', 'deals>companies']);

/**
 * The association types a v3 listing names for one associated record, from the v4 types of the association: a pair
 * with a primary association lists it twice (`contact_to_company` when primary, always `contact_to_company_unlabeled`),
 * other pairs once (`deal_to_contact`). So a record read through search looks as it does in a listing.
 */
export function listingTypes(from: string, to: string, v4Labels: readonly (string | null)[]): string[] {
  const base = `${SINGULAR[from] ?? from}_to_${SINGULAR[to] ?? to}`;
  if (!PRIMARY_PAIRS.has(`${from}>${to}`)) return [base];
  return v4Labels.includes('Primary') ? [base, `${base}_unlabeled`] : [`${base}_unlabeled`];
}
