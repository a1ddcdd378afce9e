import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import { MAX_MINING_UPLOAD_BYTES } from '../../schemas/mining-api.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

/*
 * The process-mining API on the local platform: uploads through the real API, the MiningWorker on the bus event,
 * S3 and DynamoDB Local; processes mined from workflow runs and entity changes made in the test. The datasets'
 * expected values are read from ../shared at test time.
 */

const DATA = '../shared/datasets/process-mining';
const running = JSON.parse(readFileSync(`${DATA}/running-example/expected.json`, 'utf8'))['running-example.xes'];
const road = JSON.parse(readFileSync(`${DATA}/roadtraffic-100/expected_stats.json`, 'utf8'))[
  'roadtraffic100traces.xes'
];

let platform: LocalPlatform;
let operator: ReturnType<typeof apiClient>;
let analyst: ReturnType<typeof apiClient>;
let other: ReturnType<typeof apiClient>;
let token: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  token = await platform.token({ tenantId: 'mine-a', roles: ['operator'], userId: 'olga' });
  operator = apiClient(platform.url, token);
  analyst = apiClient(platform.url, await platform.token({ tenantId: 'mine-a', roles: ['analyst'], userId: 'ann' }));
  other = apiClient(platform.url, await platform.token({ tenantId: 'mine-b', roles: ['admin'], userId: 'bo' }));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

const upload = (client: ReturnType<typeof apiClient>, bytes: Uint8Array, extra: Record<string, unknown> = {}) =>
  client.post('/api/v1/mining/logs', { content: Buffer.from(bytes).toString('base64'), ...extra });

/** Polls the job until it has finished (succeeded or failed). */
const finished = (id: string) =>
  eventually(async () => {
    const r = await operator.get(`/api/v1/mining/logs/${id}`);
    return r.body?.status === 'succeeded' || r.body?.status === 'failed' ? r.body : undefined;
  }, 60_000);

/** A GET answered as text (pictures). */
async function getText(path: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${platform.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('uploaded logs', () => {
  it('mines the running example (XES) into the statistics and DFG of the dataset, with pictures', async () => {
    const posted = await upload(operator, readFileSync(`${DATA}/running-example/running-example.xes`), {
      name: 'running-example.xes',
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    expect(posted.body).toMatchObject({ status: 'queued', format: 'xes', compressed: false });
    const job = await finished(posted.body.id);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.result.summary).toMatchObject({
      cases: running.stats.cases,
      events: running.stats.events,
      activities: running.stats.activities,
      variants: running.stats.variants,
      startActivities: running.stats.start,
      endActivities: running.stats.end,
    });
    const dfg = Object.fromEntries(
      job.result.dfg.map((e: { from: string; to: string; count: number }) => [`${e.from} -> ${e.to}`, e.count]),
    );
    expect(dfg).toEqual(running.dfg);

    const svg = await getText(job.links.svg);
    expect(svg.status).toBe(200);
    expect(svg.type).toMatch(/^image\/svg\+xml/);
    expect(svg.text).toMatch(/<svg[\s>]/);
    const pnml = await getText(job.links.pnml);
    expect(pnml.text).toContain('<pnml');
    expect((await getText(job.links.dot)).text).toMatch(/digraph/);

    // Every reader role but the analyst's (entities and signals only) reads the jobs.
    expect((await analyst.get('/api/v1/mining/logs')).status).toBe(403);
    const list = await operator.get('/api/v1/mining/logs');
    expect(list.status).toBe(200);
    expect(list.body.items.map((j: { id: string }) => j.id)).toContain(posted.body.id);
    expect((await other.get(`/api/v1/mining/logs/${posted.body.id}`)).status).toBe(404);
  }, 90_000);

  it('mines the road-traffic CSV, gzipped, into its statistics and most frequent variants', async () => {
    const csv = gzipSync(readFileSync(`${DATA}/roadtraffic-100/roadtraffic100traces.csv`));
    const posted = await upload(operator, csv, { name: 'roadtraffic.csv.gz' });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    expect(posted.body).toMatchObject({ format: 'csv', compressed: true, size: csv.length });
    const job = await finished(posted.body.id);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.result.summary).toMatchObject({
      cases: road.stats.cases,
      events: road.stats.events,
      activities: road.stats.activities,
      variants: road.stats.variants,
      startActivities: road.stats.start,
      endActivities: road.stats.end,
    });
    expect(job.result.dfg).toHaveLength(road.stats.dfg_edges);
    const top = job.result.variants.top.slice(0, road.variants.length);
    expect(top.map((v: { activities: string[]; count: number }) => [v.activities.join(' , '), v.count])).toEqual(
      road.variants,
    );
  }, 90_000);

  it('refuses bad uploads with a 4xx naming the field, and writes nothing', async () => {
    const before = (await operator.get('/api/v1/mining/logs?limit=100')).body.items.length;
    const cases: [Promise<{ status: number; body: any }>, number, string][] = [
      [upload(operator, Buffer.from('id;what\n1;a\n')), 400, 'options.caseColumn'],
      [
        upload(operator, Buffer.from('case_id,activity\nc1,a\n'), { options: { timestampColumn: 'when' } }),
        400,
        'options.timestampColumn',
      ],
      [upload(operator, readFileSync(`${DATA}/running-example/running-example.xes`), { format: 'csv' }), 400, 'format'],
      [upload(operator, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])), 400, 'content'],
      [operator.post('/api/v1/mining/logs', { content: 'not base64 at all!' }), 400, 'content'],
      [
        operator.post('/api/v1/mining/logs', { content: 'QUJD', settings: { noiseThreshold: 2 } }),
        400,
        'settings.noiseThreshold',
      ],
      [operator.post('/api/v1/mining/logs', { content: 'A'.repeat(MAX_MINING_UPLOAD_BYTES) }), 400, 'body'],
      [upload(analyst, Buffer.from('case_id,activity\nc1,a\n')), 403, ''],
    ];
    for (const [response, status, field] of cases) {
      const r = await response;
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      if (field) expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const after = (await operator.get('/api/v1/mining/logs?limit=100')).body.items.length;
    expect(after).toBe(before);
  }, 60_000);

  it("fails the job with the importer's message when the log breaks after its start", async () => {
    const gz = gzipSync(readFileSync(`${DATA}/roadtraffic-100/roadtraffic100traces.csv`));
    const posted = await upload(operator, gz.subarray(0, Math.floor(gz.length / 2)));
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const job = await finished(posted.body.id);
    expect(job.status).toBe('failed');
    expect(job.error.message.length).toBeGreaterThan(0);
    expect(job.result).toBeNull();
    expect((await getText(`/api/v1/mining/logs/${posted.body.id}?format=svg`)).status).toBe(409);
  }, 60_000);
});

describe("processes of the platform's own traces", () => {
  it('mines the workflow runs made here (gates approved and rejected) and the changes of entities', async () => {
    const admin = apiClient(
      platform.url,
      await platform.token({ tenantId: 'mine-a', roles: ['admin'], userId: 'ada' }),
    );
    const entity = await admin.post('/api/v1/entities', { type: 'deal', attributes: { name: 'D', stage: 'new' } });
    expect(entity.status).toBe(201);
    const workflow = await admin.post('/api/v1/workflows', {
      name: 'review deal',
      steps: [
        {
          id: 'tag',
          tool: 'entity.update',
          input: { entityId: '$.input.entityId', attributes: { tagged: '$.input.n' } },
        },
        {
          id: 'close',
          tool: 'entity.update',
          input: { entityId: '$.input.entityId', attributes: { stage: '$.input.stage' } },
          approval: { required: true, timeoutSeconds: 300 },
        },
      ],
    });
    expect(workflow.status, JSON.stringify(workflow.body)).toBe(201);
    const decisions = ['approve', 'approve', 'reject'] as const;
    const runs: string[] = [];
    for (const [n, decision] of decisions.entries()) {
      const started = await admin.post('/api/v1/workflows/execute', {
        workflowId: workflow.body.id,
        input: { entityId: entity.body.id, n: `run-${n}`, stage: `closed-${n}` },
      });
      expect(started.status).toBe(202);
      const id = started.body.executionId as string;
      runs.push(id);
      const approval = await eventually(async () => {
        const r = await admin.get('/api/v1/approvals?status=pending');
        return r.body.items.find((a: { executionId: string }) => a.executionId === id);
      }, 30_000);
      expect((await admin.post(`/api/v1/approvals/${approval.id}/${decision}`, {})).status).toBe(200);
      await eventually(async () => {
        const r = await admin.get(`/api/v1/workflows/executions/${id}`);
        return ['SUCCEEDED', 'REJECTED', 'FAILED'].includes(r.body.status) ? r.body : undefined;
      }, 30_000);
    }

    const mined = await operator.get(`/api/v1/mining/processes?source=workflows&workflowId=${workflow.body.id}`);
    expect(mined.status, JSON.stringify(mined.body)).toBe(200);
    expect(mined.body.bounds).toMatchObject({ cases: 3, truncated: false, workflowId: workflow.body.id });
    const model = mined.body.model;
    // What happened in the rejected run, in order: the person rejected the gate, its step ended with the rejection
    // (`close (rejected)`: the step records when, and the gate's decision says how), then the saga undid the first
    // step. Its trace ends with that compensation, which follows the rejection rather than standing in for it.
    expect(model.summary).toMatchObject({
      cases: 3,
      startActivities: { tag: 3 },
      endActivities: { close: 2, 'tag (compensated)': 1 },
    });
    const dfg = Object.fromEntries(
      model.dfg.map((e: { from: string; to: string; count: number }) => [`${e.from}>${e.to}`, e.count]),
    );
    expect(dfg).toEqual({
      'tag>close approval': 3,
      'close approval>close': 2,
      'close approval>close (rejected)': 1,
      'close (rejected)>tag (compensated)': 1,
    });
    // The gate is decided by a person and followed by different steps: no automation candidate.
    expect(model.automationCandidates).toEqual([]);
    expect(model.fitness).toMatchObject({ traces: 3 });
    expect(mined.body.dot).toMatch(/digraph/);
    const limited = await operator.get(
      `/api/v1/mining/processes?source=workflows&workflowId=${workflow.body.id}&limit=2`,
    );
    expect(limited.body.bounds).toMatchObject({ cases: 2, truncated: true, limit: 2 });
    const svg = await getText(`/api/v1/mining/processes?source=workflows&workflowId=${workflow.body.id}&format=svg`);
    expect(svg.type).toMatch(/^image\/svg\+xml/);
    expect(svg.text).toMatch(/<svg[\s>]/);

    // The deal was created, then tagged three times, closed twice and untagged once by the runs; each update names
    // the attribute it changed. Every audited change of the deal is one event.
    const audit = await admin.get('/api/v1/audit?limit=100');
    const changes = audit.body.items.filter((r: { resourceId: string }) => r.resourceId === entity.body.id).length;
    const entities = await operator.get('/api/v1/mining/processes?source=entities&entityType=deal');
    expect(entities.status, JSON.stringify(entities.body)).toBe(200);
    const deal = entities.body.model;
    expect(deal.summary).toMatchObject({ cases: 1, events: changes, startActivities: { created: 1 } });
    expect(changes).toBeGreaterThanOrEqual(1 + 3 + 2);
    const names = deal.dfg.flatMap((e: { from: string; to: string }) => [e.from, e.to]);
    expect(new Set(names)).toEqual(new Set(['created', 'updated: tagged', 'updated: stage']));
    const people = await operator.get('/api/v1/mining/processes?source=entities&entityType=person');
    expect(people.body.bounds).toMatchObject({ cases: 0, entityType: 'person' });

    expect((await analyst.get('/api/v1/mining/processes?source=workflows')).status).toBe(403);
    expect((await operator.get('/api/v1/mining/processes?source=elsewhere')).status).toBe(400);
  }, 180_000);
});
