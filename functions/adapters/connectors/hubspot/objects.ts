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

/** The association type v3 listings name (`contact_to_company`), for records whose associations came from v4. */
export function associationType(from: string, to: string): string {
  return `${SINGULAR[from] ?? from}_to_${SINGULAR[to] ?? to}`;
}
