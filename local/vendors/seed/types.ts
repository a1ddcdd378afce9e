/** The seeded state of the three fakes, before any request changes it: vendor-native records plus the truth. */

export type SalesforceObject = 'Account' | 'Contact' | 'Opportunity';
export type HubSpotObject = 'contacts' | 'companies' | 'deals';
export type SalesforceValue = string | number | boolean | null;

/** The kind of true entity a record describes. */
export type TruthKind = 'person' | 'organization' | 'deal';

export interface SeedSalesforceRecord {
  object: SalesforceObject;
  id: string;
  /** Every field of the object except Id, CreatedDate, SystemModstamp and IsDeleted (kept below). */
  fields: Record<string, SalesforceValue>;
  createdAt: number;
  modifiedAt: number;
  entityId: string;
  kind: TruthKind;
}

export interface SeedHubSpotRecord {
  object: HubSpotObject;
  id: string;
  /** Property values, without createdate, lastmodifieddate / hs_lastmodifieddate and hs_object_id (kept below). */
  properties: Record<string, string | null>;
  createdAt: number;
  updatedAt: number;
  /** Primary associations this record states (contact → company, deal → company and contacts). */
  associations: { companies?: string[]; contacts?: string[] };
  entityId: string;
  kind: TruthKind;
}

export interface SeedWorker {
  wid: string;
  employeeId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  title: string;
  hireDate: string;
  birthDate: string | null;
  workerType: 'Employee' | 'Contingent Worker';
  managerWid: string | null;
  locationId: string;
  /** The supervisory organization the worker belongs to (the one their manager leads). */
  organizationId: string;
  modifiedAt: number;
  entityId: string;
}

export interface SeedWorkday {
  /** The employer of every worker: an organisation that is also an account / company in both CRMs. */
  company: { name: string; domain: string; entityId: string };
  workers: SeedWorker[];
  organizations: { id: string; descriptor: string; managerWid: string }[];
  locations: { id: string; descriptor: string; country: string }[];
}

export interface SeedData {
  seed: number;
  records: number;
  salesforce: SeedSalesforceRecord[];
  hubspot: SeedHubSpotRecord[];
  workday: SeedWorkday;
}
