/**
 * Workday workers (docs/connectors.md) to canonical entities: each worker is a person (the human, as identity
 * resolution sees people from every system) and an employee (the employment: id, position, organisation), joined by
 * `employed-as`, and the employee `reports-to` the manager's employee. The REST workers collection (`workers`) and a
 * RaaS report of workers (`workerReport`) both use the namespace `worker` and the WID in lower case, so the same
 * worker read either way is the same two entities.
 */
import * as z from 'zod';
import { ConnectorError } from '../errors.js';
import type { NormalisedRecord, Normaliser } from '../ports.js';
import { entity, ref, relation } from './build.js';
import type { NormaliserOptions } from './options.js';
import { parseRecord, type RecordContext, stringField } from './record-schema.js';
import { normaliseEmail, normalisePhone } from './values/contact.js';
import { countryCode } from './values/countries.js';
import { isoDate } from './values/dates.js';
import { composeName, type PersonName, splitFullName } from './values/names.js';
import { cleanText } from './values/text.js';

const WID = /^[0-9a-fA-F]{32}$/;
const WID_MESSAGE = 'expected a Workday WID (32 hexadecimal digits)';

const wid = z.string().regex(WID, WID_MESSAGE);
/** A report writes a worker without a manager as an empty cell, or leaves the field out. */
const optionalWid = z
  .string()
  .regex(/^(?:[0-9a-fA-F]{32})?$/, WID_MESSAGE)
  .nullish();
const text = z.string().nullish();

const WorkerRecord = z.object({
  id: wid,
  descriptor: text,
  href: text,
  workerId: text,
  isManager: z.boolean().nullish(),
  primaryWorkEmail: text,
  primaryWorkPhone: text,
  businessTitle: text,
  hireDate: text,
  workerType: z.object({ descriptor: text }).nullish(),
  primarySupervisoryOrganization: z.object({ id: text, descriptor: text }).nullish(),
  location: z
    .object({ id: text, descriptor: text, country: z.object({ 'ISO_3166-1_Alpha-2_Code': text }).nullish() })
    .nullish(),
  manager: z.object({ id: wid, descriptor: text }).nullish(),
});

const ReportRow = z.object({
  Worker_WID: wid,
  Employee_ID: text,
  Legal_Name_First_Name: text,
  Legal_Name_Last_Name: text,
  Email_Address_Work: text,
  Phone_Work: text,
  Business_Title: text,
  Hire_Date: text,
  Worker_Status: text,
  Supervisory_Organization: text,
  Manager_WID: optionalWid,
  Location: text,
  Country_ISO_Code: text,
  Birth_Date: text,
});

/** The worker's attributes, whichever way they were read. */
interface Worker {
  wid: string;
  name: PersonName;
  employeeId?: string;
  email?: string;
  phone?: string;
  title?: string;
  birthDate?: string;
  hireDate?: string;
  status?: 'active' | 'terminated';
  department?: string;
  location?: string;
  country?: string;
  workerType?: string;
  managerWid?: string;
}

const worker = (w: string, role: 'person' | 'employee') => ref('worker', w.toLowerCase(), role);

function status(value: string | null | undefined): Worker['status'] {
  const s = cleanText(value)?.toLowerCase();
  return s === 'active' || s === 'terminated' ? s : undefined;
}

function normaliseWorker(w: Worker, options: NormaliserOptions): NormalisedRecord {
  const person = entity(worker(w.wid, 'person'), 'workday', {
    firstName: w.name.firstName,
    lastName: w.name.lastName,
    fullName: w.name.fullName,
    email: w.email,
    phone: w.phone,
    birthDate: w.birthDate,
    country: w.country,
    employer: cleanText(options.employer),
    title: w.title,
  });
  const employee = entity(worker(w.wid, 'employee'), 'workday', {
    employeeId: w.employeeId,
    fullName: w.name.fullName,
    title: w.title,
    department: w.department,
    hireDate: w.hireDate,
    status: w.status,
    workEmail: w.email,
    workPhone: w.phone,
    location: w.location,
    country: w.country,
    workerType: w.workerType,
  });
  const relations = [relation('employed-as', person.ref, employee.ref)];
  if (w.managerWid) relations.push(relation('reports-to', employee.ref, worker(w.managerWid, 'employee')));
  return {
    sourceId: w.wid.toLowerCase(),
    // Workday's workers collection and reports carry no modification instant: every sync is a full pass
    modifiedAt: null,
    // A terminated worker is not a deleted record: the person and the employment stay in the graph with status
    // `terminated` (what signals on leavers need). Only a worker missing from a completed full pass is deleted.
    deleted: false,
    entities: [person, employee],
    relations,
  };
}

function fromRest(raw: unknown, options: NormaliserOptions): NormalisedRecord {
  const r = parseRecord(WorkerRecord, raw, context('workers', 'id'));
  const country = countryCode(r.location?.country?.['ISO_3166-1_Alpha-2_Code']);
  return normaliseWorker(
    {
      wid: r.id,
      name: splitFullName(r.descriptor),
      employeeId: cleanText(r.workerId),
      email: normaliseEmail(r.primaryWorkEmail),
      phone: normalisePhone(r.primaryWorkPhone, country ?? options.defaultCountry),
      title: cleanText(r.businessTitle),
      hireDate: isoDate(r.hireDate),
      // the REST worker states no status (the collection lists current workers); it is left out, not assumed
      department: cleanText(r.primarySupervisoryOrganization?.descriptor),
      location: cleanText(r.location?.descriptor),
      country,
      workerType: cleanText(r.workerType?.descriptor),
      managerWid: r.manager?.id,
    },
    options,
  );
}

function fromReport(raw: unknown, options: NormaliserOptions): NormalisedRecord {
  const r = parseRecord(ReportRow, raw, context('workerReport', 'Worker_WID'));
  const country = countryCode(r.Country_ISO_Code);
  return normaliseWorker(
    {
      wid: r.Worker_WID,
      name: composeName(r.Legal_Name_First_Name, r.Legal_Name_Last_Name),
      employeeId: cleanText(r.Employee_ID),
      email: normaliseEmail(r.Email_Address_Work),
      phone: normalisePhone(r.Phone_Work, country ?? options.defaultCountry),
      title: cleanText(r.Business_Title),
      birthDate: isoDate(r.Birth_Date),
      hireDate: isoDate(r.Hire_Date),
      status: status(r.Worker_Status),
      department: cleanText(r.Supervisory_Organization),
      location: cleanText(r.Location),
      country,
      managerWid: r.Manager_WID || undefined,
    },
    options,
  );
}

function context(object: string, idField: string): RecordContext {
  return { object, idOf: (raw) => stringField(raw, idField, WID) };
}

/** The Workday normaliser: one worker of the REST collection (`workers`) or of a report (`workerReport`). */
export function workdayNormaliser(options: NormaliserOptions): Normaliser {
  return (object, raw) => {
    switch (object) {
      case 'workers':
        return fromRest(raw, options);
      case 'workerReport':
        return fromReport(raw, options);
      default:
        throw new ConnectorError(`no normaliser for Workday object ${object}`);
    }
  };
}
