import { describe, expect, it } from 'vitest';
import { ConnectorError, MalformedPageError } from '../../../../functions/domain/connectors/errors.js';
import { normaliserFor } from '../../../../functions/domain/connectors/normalise/index.js';
import { aWorkdayReportRow, aWorkdayWorker, MANAGER_WID, omit, WORKER_WID } from './builders.js';

const normalise = normaliserFor('workday', { employer: 'Acme Corporation' });

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the normaliser to throw');
}

const person = (wid: string) => ({ namespace: 'worker', sourceId: wid, role: 'person' });
const employee = (wid: string) => ({ namespace: 'worker', sourceId: wid, role: 'employee' });

describe('Workday REST worker (UT-001: raw HR worker → normalised person)', () => {
  it('gives a person and an employee joined by employed-as, reporting to the manager', () => {
    const result = normalise('workers', aWorkdayWorker());

    expect(result).toEqual({
      sourceId: WORKER_WID,
      modifiedAt: null,
      deleted: false,
      entities: [
        {
          ref: person(WORKER_WID),
          type: 'person',
          attributes: {
            firstName: 'Logan',
            lastName: 'McNeil',
            fullName: 'Logan McNeil',
            email: 'logan.mcneil@acme.com',
            phone: '+14155550132',
            country: 'US',
            employer: 'Acme Corporation',
            title: 'Director, Operations',
            source: 'workday',
          },
        },
        {
          ref: employee(WORKER_WID),
          type: 'employee',
          attributes: {
            employeeId: '21001',
            fullName: 'Logan McNeil',
            title: 'Director, Operations',
            department: 'Operations',
            hireDate: '2019-03-04',
            workEmail: 'logan.mcneil@acme.com',
            workPhone: '+14155550132',
            location: 'San Francisco',
            country: 'US',
            workerType: 'Employee',
            source: 'workday',
          },
        },
      ],
      relations: [
        { kind: 'employed-as', from: person(WORKER_WID), to: employee(WORKER_WID) },
        { kind: 'reports-to', from: employee(WORKER_WID), to: employee(MANAGER_WID) },
      ],
    });
  });

  it('gives no employer when the connector does not name the company, and no reports-to without a manager', () => {
    const result = normaliserFor('workday')('workers', aWorkdayWorker({ manager: null }));

    expect(result.entities[0]!.attributes).not.toHaveProperty('employer');
    expect(result.relations.map((r) => r.kind)).toEqual(['employed-as']);
  });

  it('splits a descriptor written surname first', () => {
    const result = normalise('workers', aWorkdayWorker({ descriptor: 'VAN DER BERG, ANNA' }));

    expect(result.entities[0]!.attributes).toMatchObject({
      firstName: 'Anna',
      lastName: 'van der Berg',
      fullName: 'Anna van der Berg',
    });
  });
});

describe('Workday report row', () => {
  it('gives the same refs and relations as the REST worker of the same WID', () => {
    const rest = normalise('workers', aWorkdayWorker());
    const report = normalise('workerReport', aWorkdayReportRow());

    expect(report.sourceId).toBe(rest.sourceId);
    expect(report.entities.map((e) => e.ref)).toEqual(rest.entities.map((e) => e.ref));
    expect(report.relations).toEqual(rest.relations);
  });

  it('gives the same names and contact details as the REST worker, plus status and birth date', () => {
    const rest = normalise('workers', aWorkdayWorker());
    const report = normalise('workerReport', aWorkdayReportRow());

    const { workerType, ...restEmployee } = rest.entities[1]!.attributes;
    expect(workerType).toBe('Employee');
    expect(report.entities[0]!.attributes).toEqual({ ...rest.entities[0]!.attributes, birthDate: '1981-04-17' });
    expect(report.entities[1]!.attributes).toEqual({ ...restEmployee, status: 'active' });
  });

  it('keeps a terminated worker as a record with status terminated, not as a deletion', () => {
    const result = normalise('workerReport', aWorkdayReportRow({ Worker_Status: 'Terminated' }));

    expect(result.deleted).toBe(false);
    expect(result.entities[1]!.attributes.status).toBe('terminated');
  });

  it('reads an empty manager cell as no manager', () => {
    const result = normalise('workerReport', aWorkdayReportRow({ Manager_WID: '' }));

    expect(result.relations.map((r) => r.kind)).toEqual(['employed-as']);
  });

  it('leaves out a status it does not know', () => {
    const result = normalise('workerReport', aWorkdayReportRow({ Worker_Status: 'On Leave' }));

    expect(result.entities[1]!.attributes).not.toHaveProperty('status');
  });
});

describe('malformed Workday records', () => {
  it('refuses a worker without a WID and a WID that is not 32 hexadecimal digits', () => {
    expect(errorOf(() => normalise('workers', omit(aWorkdayWorker(), 'id'))).message).toBe(
      'workers record field id: missing (expected string)',
    );
    expect(errorOf(() => normalise('workerReport', aWorkdayReportRow({ Worker_WID: '21001' }))).message).toBe(
      'workerReport record field Worker_WID: expected a Workday WID (32 hexadecimal digits)',
    );
  });

  it('refuses a mistyped nested field, naming its path and not its value', () => {
    const error = errorOf(() =>
      normalise(
        'workers',
        aWorkdayWorker({ location: { descriptor: 'HQ', country: { 'ISO_3166-1_Alpha-2_Code': 840 } } }),
      ),
    );

    expect(error).toBeInstanceOf(MalformedPageError);
    expect(error.message).toBe(
      `workers ${WORKER_WID} field location.country.ISO_3166-1_Alpha-2_Code: expected string, got number`,
    );
    expect(error.message).not.toContain('840');
  });

  it('refuses a manager whose id is not a WID', () => {
    expect(errorOf(() => normalise('workers', aWorkdayWorker({ manager: { id: 'teresa' } }))).message).toBe(
      `workers ${WORKER_WID} field manager.id: expected a Workday WID (32 hexadecimal digits)`,
    );
  });

  it('refuses an object it has no normaliser for', () => {
    const error = errorOf(() => normalise('positions', aWorkdayWorker()));

    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).not.toBeInstanceOf(MalformedPageError);
  });
});
