/**
 * Vendor records as the APIs of docs/connectors.md send them, one builder per object; each call returns a fresh
 * object, and `overrides` replace fields (use `undefined` through `omit` to leave a field out).
 */

type Json = Record<string, unknown>;

/** The record without the named fields (a vendor leaving them out rather than sending null). */
export function omit<T extends Json>(record: T, ...fields: string[]): Json {
  const copy: Json = { ...record };
  for (const f of fields) delete copy[f];
  return copy;
}

export const SF_CONTACT_ID = '0035g00000XyZabAAB';
export const SF_ACCOUNT_ID = '0015g00000AbCdeAAF';
export const SF_OPPORTUNITY_ID = '0065g00000QrStuAAC';

export function aSalesforceContact(overrides: Json = {}): Json {
  return {
    attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${SF_CONTACT_ID}` },
    Id: SF_CONTACT_ID,
    FirstName: 'Logan',
    LastName: 'McNeil',
    Email: 'Logan.McNeil@Example.com',
    Phone: '(415) 555-0132',
    MobilePhone: null,
    Title: 'Director of Operations',
    Birthdate: '1981-04-17',
    MailingStreet: '100 Market Street',
    MailingCity: 'San Francisco',
    MailingPostalCode: '94105',
    MailingCountry: 'United States',
    AccountId: SF_ACCOUNT_ID,
    CreatedDate: '2026-01-05T08:00:00.000+0000',
    SystemModstamp: '2026-11-30T10:15:00.000+0000',
    IsDeleted: false,
    ...overrides,
  };
}

export function aSalesforceAccount(overrides: Json = {}): Json {
  return {
    attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${SF_ACCOUNT_ID}` },
    Id: SF_ACCOUNT_ID,
    Name: 'Global Media Inc.',
    Website: 'https://www.GlobalMedia.com/about/',
    Phone: '+1 (212) 555-0100',
    BillingStreet: '1 Broadway',
    BillingCity: 'New York',
    BillingPostalCode: '10004',
    BillingCountry: 'USA',
    Industry: 'Media',
    CreatedDate: '2025-06-01T12:00:00.000+0000',
    SystemModstamp: '2026-11-29T23:59:59.999+0000',
    IsDeleted: false,
    ...overrides,
  };
}

export function aSalesforceOpportunity(overrides: Json = {}): Json {
  return {
    attributes: { type: 'Opportunity', url: `/services/data/v62.0/sobjects/Opportunity/${SF_OPPORTUNITY_ID}` },
    Id: SF_OPPORTUNITY_ID,
    Name: 'Global Media - 500 seats',
    Amount: 125000.5,
    CurrencyIsoCode: 'usd',
    StageName: 'Negotiation/Review',
    CloseDate: '2026-12-15',
    AccountId: SF_ACCOUNT_ID,
    ContactId: SF_CONTACT_ID,
    CreatedDate: '2026-10-01T09:30:00.000+0000',
    SystemModstamp: '2026-11-30T10:15:00.000+0000',
    IsDeleted: false,
    ...overrides,
  };
}

export function aHubSpotContact(properties: Json = {}, overrides: Json = {}): Json {
  return {
    id: '51',
    properties: {
      firstname: 'logan',
      lastname: 'mcneil',
      email: ' LOGAN@globalmedia.com',
      phone: '030 1234567',
      mobilephone: null,
      jobtitle: 'Head of Sales',
      company: 'Global Media GmbH',
      address: 'Unter den Linden 1',
      city: 'Berlin',
      zip: '10117',
      country: 'Deutschland',
      date_of_birth: '1981-04-17',
      createdate: '2026-01-05T08:00:00.000Z',
      lastmodifieddate: '2026-11-30T10:15:00.000Z',
      hs_object_id: '51',
      ...properties,
    },
    createdAt: '2026-01-05T08:00:00.000Z',
    updatedAt: '2026-11-30T10:16:00.000Z',
    archived: false,
    associations: {
      companies: {
        results: [
          { id: '9001', type: 'contact_to_company' },
          { id: '9001', type: 'contact_to_company_unlabeled' },
        ],
      },
    },
    ...overrides,
  };
}

export function aHubSpotCompany(properties: Json = {}, overrides: Json = {}): Json {
  return {
    id: '9001',
    properties: {
      name: 'Global Media GmbH',
      domain: 'www.globalmedia.de',
      phone: '+49 30 1234560',
      address: 'Unter den Linden 1',
      city: 'Berlin',
      zip: '10117',
      country: 'Germany',
      industry: 'BROADCAST_MEDIA',
      createdate: '2025-06-01T12:00:00.000Z',
      hs_lastmodifieddate: '2026-11-28T07:00:00.000Z',
      hs_object_id: '9001',
      ...properties,
    },
    createdAt: '2025-06-01T12:00:00.000Z',
    updatedAt: '2026-11-28T07:00:01.000Z',
    archived: false,
    ...overrides,
  };
}

export function aHubSpotDeal(properties: Json = {}, overrides: Json = {}): Json {
  return {
    id: '7007',
    properties: {
      dealname: 'Global Media renewal',
      amount: '48000.00',
      deal_currency_code: 'eur',
      dealstage: 'contractsent',
      pipeline: 'default',
      closedate: '2026-12-31T00:00:00.000Z',
      createdate: '2026-10-01T09:30:00.000Z',
      hs_lastmodifieddate: '2026-11-30T10:15:00.000Z',
      hs_object_id: '7007',
      ...properties,
    },
    createdAt: '2026-10-01T09:30:00.000Z',
    updatedAt: '2026-11-30T10:15:00.000Z',
    archived: false,
    associations: {
      companies: { results: [{ id: '9001', type: 'deal_to_company' }] },
      contacts: {
        results: [
          { id: '52', type: 'deal_to_contact' },
          { id: '51', type: 'deal_to_contact' },
        ],
      },
    },
    ...overrides,
  };
}

export const WORKER_WID = '3aa5550b7fe348b98d7b5741afc65534';
export const MANAGER_WID = '0e44c92412d34b01ace61e80a47aaf6d';

export function aWorkdayWorker(overrides: Json = {}): Json {
  return {
    id: WORKER_WID,
    descriptor: 'logan mcneil',
    href: `https://wd2-impl-services1.workday.com/ccx/api/v1/acme/workers/${WORKER_WID}`,
    workerId: '21001',
    isManager: false,
    primaryWorkEmail: 'Logan.McNeil@acme.com',
    primaryWorkPhone: '+1 415 555 0132',
    businessTitle: 'Director, Operations',
    hireDate: '2019-03-04',
    workerType: { descriptor: 'Employee' },
    primarySupervisoryOrganization: { id: 'b9a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2', descriptor: 'Operations' },
    location: {
      id: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
      descriptor: 'San Francisco',
      country: { 'ISO_3166-1_Alpha-2_Code': 'US' },
    },
    manager: { id: MANAGER_WID, descriptor: 'Teresa Serrano' },
    ...overrides,
  };
}

export function aWorkdayReportRow(overrides: Json = {}): Json {
  return {
    Worker_WID: WORKER_WID.toUpperCase(),
    Employee_ID: '21001',
    Legal_Name_First_Name: 'LOGAN',
    Legal_Name_Last_Name: 'MCNEIL',
    Email_Address_Work: 'logan.mcneil@acme.com',
    Phone_Work: '(415) 555-0132',
    Business_Title: 'Director, Operations',
    Hire_Date: '2019-03-04-08:00',
    Worker_Status: 'Active',
    Supervisory_Organization: 'Operations',
    Manager_WID: MANAGER_WID,
    Location: 'San Francisco',
    Country_ISO_Code: 'US',
    Birth_Date: '1981-04-17',
    ...overrides,
  };
}
