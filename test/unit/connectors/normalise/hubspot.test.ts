import { describe, expect, it } from 'vitest';
import { ConnectorError, MalformedPageError } from '../../../../functions/domain/connectors/errors.js';
import { normaliserFor } from '../../../../functions/domain/connectors/normalise/index.js';
import { aHubSpotCompany, aHubSpotContact, aHubSpotDeal, omit } from './builders.js';

const normalise = normaliserFor('hubspot');

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the normaliser to throw');
}

const contactRef = (id: string) => ({ namespace: 'contacts', sourceId: id, role: 'person' });
const companyRef = (id: string) => ({ namespace: 'companies', sourceId: id, role: 'organization' });
const dealRef = (id: string) => ({ namespace: 'deals', sourceId: id, role: 'deal' });

describe('HubSpot contacts (UT-001: raw CRM contact → normalised person)', () => {
  it('gives one person with canonical, normalised attributes and works-at its associated company once', () => {
    const result = normalise('contacts', aHubSpotContact());

    expect(result).toEqual({
      sourceId: '51',
      modifiedAt: '2026-11-30T10:15:00.000Z',
      deleted: false,
      entities: [
        {
          ref: contactRef('51'),
          type: 'person',
          attributes: {
            firstName: 'Logan',
            lastName: 'McNeil',
            fullName: 'Logan McNeil',
            email: 'logan@globalmedia.com',
            phone: '+49301234567',
            birthDate: '1981-04-17',
            street: 'Unter den Linden 1',
            city: 'Berlin',
            postcode: '10117',
            country: 'DE',
            employer: 'Global Media GmbH',
            title: 'Head of Sales',
            source: 'hubspot',
          },
        },
      ],
      relations: [{ kind: 'works-at', from: contactRef('51'), to: companyRef('9001') }],
    });
  });

  it('falls back to updatedAt when the modification property is empty', () => {
    const result = normalise('contacts', aHubSpotContact({ lastmodifieddate: null }));

    expect(result.modifiedAt).toBe('2026-11-30T10:16:00.000Z');
  });

  it('marks an archived contact as deleted', () => {
    const raw = aHubSpotContact({}, { archived: true, archivedAt: '2026-12-01T00:00:00.000Z' });

    expect(normalise('contacts', raw).deleted).toBe(true);
  });

  it('states no relation for a contact without associations (a search result)', () => {
    expect(normalise('contacts', omit(aHubSpotContact(), 'associations')).relations).toEqual([]);
  });

  it('keeps only the properties that are set, and leaves out a phone it cannot place in a country', () => {
    const raw = aHubSpotContact({
      firstname: null,
      email: null,
      phone: '030 1234567',
      country: null,
      jobtitle: '',
      company: null,
      address: null,
      city: null,
      zip: null,
      date_of_birth: null,
    });

    expect(normalise('contacts', raw).entities[0]!.attributes).toEqual({
      lastName: 'McNeil',
      fullName: 'McNeil',
      source: 'hubspot',
    });
  });

  it('places a national number with the connector default country when the record names none', () => {
    const raw = aHubSpotContact({ country: null, phone: '030 1234567' });

    const result = normaliserFor('hubspot', { defaultCountry: 'DE' })('contacts', raw);

    expect(result.entities[0]!.attributes.phone).toBe('+49301234567');
  });
});

describe('HubSpot companies', () => {
  it('gives an organization whose domain is the bare host', () => {
    const result = normalise('companies', aHubSpotCompany());

    expect(result).toEqual({
      sourceId: '9001',
      modifiedAt: '2026-11-28T07:00:00.000Z',
      deleted: false,
      entities: [
        {
          ref: companyRef('9001'),
          type: 'organization',
          attributes: {
            name: 'Global Media GmbH',
            domain: 'globalmedia.de',
            phone: '+49301234560',
            street: 'Unter den Linden 1',
            city: 'Berlin',
            postcode: '10117',
            country: 'DE',
            industry: 'BROADCAST_MEDIA',
            source: 'hubspot',
          },
        },
      ],
      relations: [],
    });
  });
});

describe('HubSpot deals', () => {
  it('gives a deal with a numeric amount, owned by its company and with its contacts in id order', () => {
    const result = normalise('deals', aHubSpotDeal());

    expect(result.entities[0]!.attributes).toEqual({
      name: 'Global Media renewal',
      amount: 48000,
      currency: 'EUR',
      stage: 'contractsent',
      pipeline: 'default',
      closeDate: '2026-12-31',
      source: 'hubspot',
    });
    expect(result.relations).toEqual([
      { kind: 'owns-deal', from: companyRef('9001'), to: dealRef('7007') },
      { kind: 'deal-with', from: dealRef('7007'), to: contactRef('51') },
      { kind: 'deal-with', from: dealRef('7007'), to: contactRef('52') },
    ]);
  });

  it('leaves out an amount that is not a number', () => {
    const result = normalise('deals', aHubSpotDeal({ amount: 'TBD' }));

    expect(result.entities[0]!.attributes).not.toHaveProperty('amount');
  });
});

describe('malformed HubSpot records', () => {
  it('refuses a property value that is not a string, naming the field and not the value', () => {
    const error = errorOf(() => normalise('contacts', aHubSpotContact({ email: 12345 })));

    expect(error).toBeInstanceOf(MalformedPageError);
    expect(error.message).toBe('contacts 51 field properties.email: expected string, got number');
    expect(error.message).not.toContain('12345');
  });

  it('refuses a record without id and an id that is not numeric', () => {
    expect(errorOf(() => normalise('deals', omit(aHubSpotDeal(), 'id'))).message).toBe(
      'deals record field id: missing (expected string)',
    );
    expect(errorOf(() => normalise('deals', aHubSpotDeal({}, { id: 'abc' }))).message).toBe(
      'deals record field id: expected a HubSpot id (a numeric string)',
    );
  });

  it('refuses a malformed association, naming its path', () => {
    const raw = aHubSpotContact({}, { associations: { companies: { results: [{ id: 9001 }] } } });

    expect(errorOf(() => normalise('contacts', raw)).message).toBe(
      'contacts 51 field associations.companies.results.0.id: expected string, got number',
    );
  });

  it('refuses an archived flag that is not a boolean and a modification date that is not one', () => {
    expect(errorOf(() => normalise('companies', aHubSpotCompany({}, { archived: 'no' }))).message).toBe(
      'companies 9001 field archived: expected boolean, got string',
    );
    expect(errorOf(() => normalise('companies', aHubSpotCompany({ hs_lastmodifieddate: 'soon' }))).message).toBe(
      'companies 9001 field properties.hs_lastmodifieddate: expected an ISO 8601 date-time',
    );
  });

  it('refuses an object it has no normaliser for', () => {
    const error = errorOf(() => normalise('tickets', aHubSpotContact()));

    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).not.toBeInstanceOf(MalformedPageError);
  });
});
