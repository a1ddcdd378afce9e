import { describe, expect, it } from 'vitest';
import { ConnectorError, MalformedPageError } from '../../../../functions/domain/connectors/errors.js';
import { normaliserFor, salesforceId18 } from '../../../../functions/domain/connectors/normalise/index.js';
import {
  aSalesforceAccount,
  aSalesforceContact,
  aSalesforceOpportunity,
  omit,
  SF_ACCOUNT_ID,
  SF_CONTACT_ID,
  SF_OPPORTUNITY_ID,
} from './builders.js';

const normalise = normaliserFor('salesforce');

/** The error a normaliser threw, for assertions on its message. */
function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the normaliser to throw');
}

describe('Salesforce Contact (UT-001: raw CRM contact → normalised person)', () => {
  it('gives one person with canonical, normalised attributes and a works-at relation to its account', () => {
    const result = normalise('Contact', aSalesforceContact());

    expect(result).toEqual({
      sourceId: SF_CONTACT_ID,
      modifiedAt: '2026-11-30T10:15:00.000Z',
      deleted: false,
      entities: [
        {
          ref: { namespace: 'Contact', sourceId: SF_CONTACT_ID, role: 'person' },
          type: 'person',
          attributes: {
            firstName: 'Logan',
            lastName: 'McNeil',
            fullName: 'Logan McNeil',
            email: 'logan.mcneil@example.com',
            phone: '+14155550132',
            birthDate: '1981-04-17',
            street: '100 Market Street',
            city: 'San Francisco',
            postcode: '94105',
            country: 'US',
            title: 'Director of Operations',
            source: 'salesforce',
          },
        },
      ],
      relations: [
        {
          kind: 'works-at',
          from: { namespace: 'Contact', sourceId: SF_CONTACT_ID, role: 'person' },
          to: { namespace: 'Account', sourceId: SF_ACCOUNT_ID, role: 'organization' },
        },
      ],
    });
  });

  it('cases names written in capitals and composes the full name', () => {
    const { entities } = normalise('Contact', aSalesforceContact({ FirstName: 'MARY-JANE', LastName: "O'BRIEN" }));

    expect(entities[0]!.attributes).toMatchObject({
      firstName: 'Mary-Jane',
      lastName: "O'Brien",
      fullName: "Mary-Jane O'Brien",
    });
  });

  it('leaves out what the source left empty (null, absent or blank) instead of writing null', () => {
    const raw = omit(
      aSalesforceContact({ FirstName: null, Email: '   ', Phone: null, Title: null, MailingCountry: null }),
      'Birthdate',
      'MailingStreet',
      'MailingCity',
      'MailingPostalCode',
      'AccountId',
    );

    const result = normalise('Contact', raw);

    expect(result.entities[0]!.attributes).toEqual({ lastName: 'McNeil', fullName: 'McNeil', source: 'salesforce' });
    expect(result.relations).toEqual([]);
  });

  it('takes the mobile number when the main phone is missing, in the region of the mailing country', () => {
    const raw = aSalesforceContact({ Phone: null, MobilePhone: '0171 2345678', MailingCountry: 'Germany' });

    expect(normalise('Contact', raw).entities[0]!.attributes.phone).toBe('+491712345678');
  });

  it('omits a phone number that cannot be one and an e-mail address that is not one', () => {
    const attributes = normalise('Contact', aSalesforceContact({ Phone: '555', Email: 'logan at example.com' }))
      .entities[0]!.attributes;

    expect(attributes).not.toHaveProperty('phone');
    expect(attributes).not.toHaveProperty('email');
  });

  it('marks a record of queryAll with IsDeleted true as deleted', () => {
    expect(normalise('Contact', aSalesforceContact({ IsDeleted: true })).deleted).toBe(true);
  });

  it('ignores fields it does not know (custom fields, relationship objects)', () => {
    const raw = aSalesforceContact({ Custom__c: 42, Account: { attributes: { type: 'Account' }, Name: 'x' } });

    expect(normalise('Contact', raw)).toEqual(normalise('Contact', aSalesforceContact()));
  });

  it('is deterministic and leaves its input as it was', () => {
    const raw = aSalesforceContact({ FirstName: 'LOGAN' });
    const before = structuredClone(raw);

    const first = normalise('Contact', raw);
    const second = normalise('Contact', raw);

    expect(second).toEqual(first);
    expect(raw).toEqual(before);
  });
});

describe('Salesforce Account', () => {
  it('gives an organization with domain, https website, E.164 phone and country code', () => {
    const result = normalise('Account', aSalesforceAccount());

    expect(result.sourceId).toBe(SF_ACCOUNT_ID);
    expect(result.modifiedAt).toBe('2026-11-29T23:59:59.999Z');
    expect(result.relations).toEqual([]);
    expect(result.entities).toEqual([
      {
        ref: { namespace: 'Account', sourceId: SF_ACCOUNT_ID, role: 'organization' },
        type: 'organization',
        attributes: {
          name: 'Global Media Inc.',
          domain: 'globalmedia.com',
          website: 'https://www.globalmedia.com/about',
          phone: '+12125550100',
          street: '1 Broadway',
          city: 'New York',
          postcode: '10004',
          country: 'US',
          industry: 'Media',
          source: 'salesforce',
        },
      },
    ]);
  });
});

describe('Salesforce Opportunity', () => {
  it('gives a deal owned by its account and with its contact', () => {
    const result = normalise('Opportunity', aSalesforceOpportunity());
    const deal = { namespace: 'Opportunity', sourceId: SF_OPPORTUNITY_ID, role: 'deal' };

    expect(result.entities).toEqual([
      {
        ref: deal,
        type: 'deal',
        attributes: {
          name: 'Global Media - 500 seats',
          amount: 125000.5,
          currency: 'USD',
          stage: 'Negotiation/Review',
          closeDate: '2026-12-15',
          source: 'salesforce',
        },
      },
    ]);
    expect(result.relations).toEqual([
      { kind: 'owns-deal', from: { namespace: 'Account', sourceId: SF_ACCOUNT_ID, role: 'organization' }, to: deal },
      { kind: 'deal-with', from: deal, to: { namespace: 'Contact', sourceId: SF_CONTACT_ID, role: 'person' } },
    ]);
  });

  it('states no relation for an opportunity without account or contact, and keeps an amount of 0', () => {
    const result = normalise('Opportunity', aSalesforceOpportunity({ AccountId: null, ContactId: null, Amount: 0 }));

    expect(result.relations).toEqual([]);
    expect(result.entities[0]!.attributes.amount).toBe(0);
  });

  it('omits a currency code that is not ISO 4217', () => {
    const result = normalise('Opportunity', aSalesforceOpportunity({ CurrencyIsoCode: 'dollars' }));

    expect(result.entities[0]!.attributes).not.toHaveProperty('currency');
  });
});

describe('Salesforce ids', () => {
  it('turns a 15-character id into the 18-character form the REST API writes', () => {
    expect(salesforceId18('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(salesforceId18('001A0000006Vm9rIAC')).toBe('001A0000006Vm9rIAC');
  });

  it('refers to a record by its 18-character id whichever form the record gave', () => {
    const result = normalise('Contact', aSalesforceContact({ Id: '003A0000006Vm9r', AccountId: '001A0000006Vm9r' }));

    expect(result.sourceId).toBe('003A0000006Vm9rIAC');
    expect(result.relations[0]!.to.sourceId).toBe('001A0000006Vm9rIAC');
  });
});

describe('malformed Salesforce records', () => {
  it('refuses a record without Id, naming the object and the field', () => {
    const error = errorOf(() => normalise('Contact', omit(aSalesforceContact(), 'Id')));

    expect(error).toBeInstanceOf(MalformedPageError);
    expect(error.name).toBe('MalformedPageError');
    expect(error.message).toBe('Contact record field Id: missing (expected string)');
  });

  it('refuses a mistyped field, naming the record id and the field but not the value', () => {
    const error = errorOf(() => normalise('Contact', aSalesforceContact({ Email: 4155550132 })));

    expect(error).toBeInstanceOf(MalformedPageError);
    expect(error.message).toBe(`Contact ${SF_CONTACT_ID} field Email: expected string, got number`);
    expect(error.message).not.toContain('4155550132');
  });

  it('does not echo an id that is not a Salesforce id', () => {
    const error = errorOf(() => normalise('Contact', aSalesforceContact({ Id: 'logan.mcneil@example.com' })));

    expect(error.message).toBe('Contact record field Id: expected a Salesforce id (15 or 18 letters and digits)');
  });

  it('refuses a record of another object in the page', () => {
    const error = errorOf(() => normalise('Contact', aSalesforceAccount()));

    expect(error.message).toBe(`Contact ${SF_ACCOUNT_ID} field attributes.type: expected "Contact"`);
  });

  it('names the first field that does not match and counts the others', () => {
    const error = errorOf(() => normalise('Contact', aSalesforceContact({ Email: 1, Phone: 2, Title: [] })));

    expect(error.message).toBe(`Contact ${SF_CONTACT_ID} field Email: expected string, got number (and 2 more)`);
  });

  it('refuses a modification stamp that is not a date-time (the cursor depends on it)', () => {
    const error = errorOf(() => normalise('Account', aSalesforceAccount({ SystemModstamp: 'yesterday' })));

    expect(error.message).toBe(`Account ${SF_ACCOUNT_ID} field SystemModstamp: expected an ISO 8601 date-time`);
  });

  it('refuses an amount sent as a string, a deleted flag that is not a boolean and a record that is not an object', () => {
    expect(errorOf(() => normalise('Opportunity', aSalesforceOpportunity({ Amount: '100' }))).message).toBe(
      `Opportunity ${SF_OPPORTUNITY_ID} field Amount: expected number, got string`,
    );
    expect(errorOf(() => normalise('Account', aSalesforceAccount({ IsDeleted: 'false' }))).message).toBe(
      `Account ${SF_ACCOUNT_ID} field IsDeleted: expected boolean, got string`,
    );
    expect(errorOf(() => normalise('Account', [aSalesforceAccount()])).message).toBe(
      'Account record: expected object, got array',
    );
  });

  it('refuses an object it has no normaliser for', () => {
    const error = errorOf(() => normalise('Lead', aSalesforceContact()));

    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).not.toBeInstanceOf(MalformedPageError);
  });
});
