import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import createClient, { type Client } from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileEventPattern } from '../../functions/domain/events/event-pattern.js';
import type { BusEvent } from '../../local/event-bus.js';
import type { LocalPlatform } from '../../local/platform.js';
import { EVENT_CATALOGUE, type EventName } from '../../schemas/events.js';
import type { components, paths } from '../support/generated/api.js';
import { eventually, startTestPlatform } from '../support/local-platform.js';
import { type FakeVendors, startFakeVendors } from '../../local/vendors/index.js';
import { outputApprovalIdOf } from '../../functions/domain/agents/outputs/naming.js';
import { proposeOutput } from '../../functions/domain/agents/outputs/propose.js';
import { SYSTEM_SKILLS } from '../../functions/domain/agents/skills/catalogue.js';
import { proposeDeps } from '../../functions/platform/agent-output-composition.js';
import { secretBox } from '../../functions/platform/callback-key.js';

// An integrator's view of the bus: fetch the catalogue over HTTP, validate with ajv what a rule receives.

type CatalogueEntry = components['schemas']['EventCatalogueEntry'];

const TENANT = 'catalogue';
let platform: LocalPlatform;
let api: Client<paths>;
const received: BusEvent[] = [];
let entries: CatalogueEntry[];
const validators = new Map<string, ValidateFunction>();

let vendors: FakeVendors;

beforeAll(async () => {
  vendors = await startFakeVendors({ port: 0, seed: 1, records: 60 });
  platform = await startTestPlatform({ webhookDevPorts: new URL(vendors.url).port });
  platform.bus.onEvent((e) => {
    if (e.detail.tenantId === TENANT) received.push(e);
  });
  const token = await platform.token({ tenantId: TENANT, roles: ['admin'], userId: 'integrator' });
  api = createClient<paths>({ baseUrl: platform.url, headers: { authorization: `Bearer ${token}` } });

  // The catalogue is public: an integrator reads it without a token.
  const { data, response } = await createClient<paths>({ baseUrl: platform.url }).GET('/api/v1/events/catalogue');
  expect(response.status).toBe(200);
  entries = data!.events;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const entry of entries) validators.set(entry.detailType, ajv.compile(entry.schema));
});

afterAll(async () => {
  await platform?.stop();
  await vendors?.stop();
});

const ofType = (name: EventName) => received.filter((e) => e['detail-type'] === name);
const payloadOf = (e: BusEvent) => e.detail.payload as Record<string, unknown>;

/** Validates an event as an integrator would: the schema of its detail-type, from the served catalogue. */
function validate(event: unknown): { valid: boolean; errors: string } {
  const detailType = (event as { 'detail-type'?: unknown })['detail-type'];
  const check = typeof detailType === 'string' ? validators.get(detailType) : undefined;
  if (!check) return { valid: false, errors: `no schema for detail-type ${String(detailType)}` };
  const valid = check(event);
  return { valid, errors: JSON.stringify(check.errors ?? []) };
}

/** A deep copy of `event` with the member at `path` set to `value`, or removed when `value` is undefined. */
function changed(event: BusEvent, path: string[], value: unknown): BusEvent {
  const copy = structuredClone(event);
  let node = copy as unknown as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

async function person(attributes: components['schemas']['Attributes']): Promise<string> {
  const res = await api.POST('/api/v1/entities', { body: { type: 'person', attributes } });
  expect(res.response.status, JSON.stringify(res.error)).toBe(201);
  return res.data!.id;
}

describe('events on the bus against the served catalogue', () => {
  it('lists every event with its source, schema version and a pattern', () => {
    expect(entries.map((e) => e.detailType).sort()).toEqual(Object.keys(EVENT_CATALOGUE).sort());
    for (const e of entries) {
      expect(e.source).toBe(EVENT_CATALOGUE[e.detailType as EventName].source);
      expect(e.schemaVersion).toBe(1);
      expect(e.pattern).toEqual({ source: [e.source], 'detail-type': [e.detailType] });
    }
  });

  it('validates every event the platform publishes while entities, workflows, approvals and resolution run', async () => {
    // entity.created, entity.updated; a near-duplicate person: entity.merged (incremental resolution).
    const jon = await person({ firstName: 'Jon', lastName: 'Smith', email: 'jon.smith@example.com' });
    const patched = await api.PATCH('/api/v1/entities/{id}', {
      params: { path: { id: jon } },
      body: { version: 1, attributes: { city: 'Leeds' } },
    });
    expect(patched.response.status).toBe(200);
    await eventually(() => ofType('entity.created').some((e) => (payloadOf(e).entity as { id: string }).id === jon));
    await platform.bus.drain();
    const john = await person({
      firstName: 'John',
      lastName: 'Smith',
      email: 'Jon.Smith@example.com',
      phone: '+1 415 555 0100',
    });
    await eventually(
      () => ofType('entity.merged').find((e) => (payloadOf(e).entityIds as string[]).includes(john)),
      20_000,
    );

    // entity.split: an admin rejects the pair.
    const split = await api.POST('/api/v1/entities/{id}/matches/{otherId}/reject', {
      params: { path: { id: jon, otherId: john } },
    });
    expect(split.response.status, JSON.stringify(split.error)).toBe(200);
    await eventually(() => ofType('entity.split').length > 0, 20_000);

    // workflow.started, approval.requested, approval.decided, workflow.completed.
    const workflow = await api.POST('/api/v1/workflows', {
      body: {
        name: 'gated',
        steps: [
          {
            id: 'mark',
            tool: 'entity.update',
            input: { entityId: '$.input.entityId', attributes: { reviewed: true } },
            approval: { required: true, timeoutSeconds: 120 },
          },
        ],
      },
    });
    expect(workflow.response.status, JSON.stringify(workflow.error)).toBe(201);
    const started = await api.POST('/api/v1/workflows/execute', {
      body: { workflowId: workflow.data!.id, input: { entityId: jon } },
    });
    expect(started.response.status).toBe(202);
    const executionId = started.data!.executionId;
    const approval = await eventually(async () =>
      (await api.GET('/api/v1/approvals', { params: { query: { status: 'pending' } } })).data?.items.find(
        (a) => a.executionId === executionId,
      ),
    );
    const decided = await api.POST('/api/v1/approvals/{id}/approve', {
      params: { path: { id: approval.id } },
      body: { comment: 'fine' },
    });
    expect(decided.response.status).toBe(200);
    await eventually(() => ofType('workflow.completed').find((e) => payloadOf(e).executionId === executionId), 20_000);

    // resolution.run.requested: a batch run of the tenant's persons.
    const run = await api.POST('/api/v1/resolution/runs', { body: { type: 'person' } });
    expect(run.response.status, JSON.stringify(run.error)).toBe(202);
    await eventually(() => ofType('resolution.run.requested').length > 0);

    // connector.sync.completed: a Salesforce connector against the fake vendors, synced.
    const connector = await api.POST('/api/v1/connectors', {
      body: {
        system: 'salesforce',
        name: 'catalogue',
        baseUrl: `${vendors.url}/salesforce`,
        credentials: {
          kind: 'client_credentials',
          clientId: vendors.credentials.salesforce.clientId,
          clientSecret: vendors.credentials.salesforce.clientSecret,
        },
        settings: { objects: ['Account'] },
        schedule: null,
        enabled: true,
      },
    });
    expect(connector.response.status, JSON.stringify(connector.error)).toBe(201);
    const sync = await api.POST('/api/v1/connectors/{id}/sync', {
      params: { path: { id: connector.data!.id } },
      body: { full: false },
    });
    expect(sync.response.status, JSON.stringify(sync.error)).toBe(202);
    await eventually(
      () => ofType('connector.sync.completed').find((e) => payloadOf(e).runId === sync.data!.runId),
      60_000,
    );
    // mining.log.uploaded: a small CSV log uploaded to mine.
    const csv = 'case_id,activity,timestamp\nc1,a,2026-01-01T00:00:00Z\nc1,b,2026-01-01T00:01:00Z\n';
    const upload = await api.POST('/api/v1/mining/logs', {
      body: { name: 'catalogue.csv', content: Buffer.from(csv).toString('base64') },
    });
    expect(upload.response.status, JSON.stringify(upload.error)).toBe(202);
    await eventually(() => ofType('mining.log.uploaded').find((e) => payloadOf(e).jobId === upload.data!.id));

    // signal.detected, case.opened, case.updated, case.resolved: a rule on tickets, a ticket created and changed.
    const rule = await api.POST('/api/v1/signal-rules', {
      body: {
        id: 'catalogue-ticket',
        name: 'Ticket changed',
        kind: 'match',
        key: 'entityId',
        enabled: true,
        match: { detail: { entityType: ['ticket'] } },
      },
    });
    expect(rule.response.status, JSON.stringify(rule.error)).toBe(201);
    const ticket = await api.POST('/api/v1/entities', { body: { type: 'ticket', attributes: { subject: 'Refund' } } });
    expect(ticket.response.status).toBe(201);
    const opened = await eventually(
      () => ofType('case.opened').find((e) => (payloadOf(e).case as { entityId: string }).entityId === ticket.data!.id),
      20_000,
    );
    const caseId = (payloadOf(opened).case as { id: string }).id;
    await api.PATCH('/api/v1/entities/{id}', {
      params: { path: { id: ticket.data!.id } },
      body: { version: 1, attributes: { priority: 'high' } },
    });
    await eventually(
      () => ofType('case.updated').find((e) => (payloadOf(e).case as { id: string }).id === caseId),
      20_000,
    );
    const resolved = await api.PATCH('/api/v1/cases/{id}', {
      params: { path: { id: caseId } },
      body: { version: 2, status: 'resolved' },
    });
    expect(resolved.response.status, JSON.stringify(resolved.error)).toBe(200);
    await eventually(() => ofType('case.resolved').find((e) => (payloadOf(e).case as { id: string }).id === caseId));

    // agent.output.proposed, .notification_failed, .decided, .completed: an agent's summary proposed as the session
    // function proposes it, its webhook to an endpoint the URL policy refuses, approved, then handed to a person.
    const summary = SYSTEM_SKILLS.find((s) => s.name === 'write_summary')!;
    const output = await proposeOutput(
      {
        tenantId: TENANT,
        agent: {
          id: '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f',
          daily_output_limit: 10,
          webhook_url: 'http://127.0.0.1:1/hooks',
          sealed_webhook_secret: await secretBox().seal(TENANT, 'catalogue-agent-webhook-secret-0123456789'),
        },
        sessionId: '0c4e8a2b-7d1f-4b3a-8e6c-5f9d2a1b3c4e',
        proposer: { userId: 'integrator', roles: ['admin'] },
        skill: summary,
        skillInput: summary.input.parse({ title: 'Jon Smith', body: 'Moved to Leeds.' }),
        offline: true,
        requestId: 'catalogue',
      },
      proposeDeps('AgentSessions'),
    );
    await eventually(
      () => ofType('agent.output.notification_failed').find((e) => payloadOf(e).outputId === output.id),
      20_000,
    );
    const approvedOutput = await api.POST('/api/v1/approvals/{id}/approve', {
      params: { path: { id: outputApprovalIdOf(output.id) } },
      body: {},
    });
    expect(approvedOutput.response.status, JSON.stringify(approvedOutput.error)).toBe(200);
    await eventually(() => ofType('agent.output.completed').find((e) => payloadOf(e).outputId === output.id), 20_000);
    await platform.bus.drain();

    expect(new Set(received.map((e) => e['detail-type']))).toEqual(new Set(Object.keys(EVENT_CATALOGUE)));
    for (const event of received) {
      const { valid, errors } = validate(event);
      expect(valid, `${event['detail-type']} ${event.detail.eventId as string}: ${errors}`).toBe(true);
      const entry = entries.find((e) => e.detailType === event['detail-type'])!;
      expect(
        compileEventPattern(entry.pattern)(event as unknown as Record<string, unknown>),
        event['detail-type'],
      ).toBe(true);
    }
  }, 120_000);

  it("refuses an event whose detail, source or detail-type was tampered with, as the platform's own schema does", () => {
    const created = ofType('entity.created')[0]!;
    const updated = ofType('entity.updated')[0]!;
    expect(validate(created).valid).toBe(true);
    const tampered: Array<[string, BusEvent]> = [
      ['a payload without its entity', changed(created, ['detail', 'payload', 'entity'], undefined)],
      ['an entity version given as text', changed(created, ['detail', 'payload', 'entity', 'version'], '2')],
      ['an entity type outside the catalogue', changed(created, ['detail', 'payload', 'entity', 'type'], 'planet')],
      ['a tenant id that is not a string', changed(created, ['detail', 'tenantId'], 42)],
      ['another schema version', changed(created, ['detail', 'schemaVersion'], 2)],
      ['the changed names of an update removed', changed(updated, ['detail', 'payload', 'changed'], undefined)],
      ['a source of another component', changed(created, ['source'], 'modos.workflows')],
      ['a creation relabelled as an update', changed(created, ['detail-type'], 'entity.updated')],
    ];
    for (const [label, event] of tampered) {
      expect(validate(event).valid, label).toBe(false);
      const name = event['detail-type'] as EventName;
      if (event.source === EVENT_CATALOGUE[name].source)
        expect(EVENT_CATALOGUE[name].detail.safeParse(event.detail).success, label).toBe(false);
    }
  });
});
