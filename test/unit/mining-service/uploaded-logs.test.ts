import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../functions/domain/errors.js';
import { jobKeys } from '../../../functions/domain/mining/service/ports.js';
import {
  getMiningLog,
  listMiningLogs,
  uploadMiningLog,
} from '../../../functions/domain/mining/service/uploaded-logs.js';
import { executeMiningJob } from '../../../functions/domain/mining/service/worker.js';
import type { RequestContext } from '../../../functions/domain/ports.js';
import { MiningJobWithResult, UploadMiningLogRequest } from '../../../schemas/mining-api.js';
import { fixedClock, sequentialIds } from '../../fakes/clock-and-ids.js';
import { InMemoryBytesStore, InMemoryMiningJobs } from '../../fakes/in-memory-mining.js';

const DATA = '../shared/datasets/process-mining';
const expected = JSON.parse(readFileSync(`${DATA}/running-example/expected.json`, 'utf8'));
const road = JSON.parse(readFileSync(`${DATA}/roadtraffic-100/expected_stats.json`, 'utf8'))[
  'roadtraffic100traces.xes'
];

const ctxOf = (roles: string[], tenantId = 'm1'): RequestContext => ({
  principal: { tenantId, userId: 'uma', roles },
  requestId: 'req-1',
});
const operator = ctxOf(['operator']);

function setup() {
  const deps = {
    jobs: new InMemoryMiningJobs(),
    logs: new InMemoryBytesStore(),
    results: new InMemoryBytesStore(),
    clock: fixedClock('2026-03-01T12:00:00.000Z'),
    ids: sequentialIds('0a1b2c3d'),
  };
  return deps;
}

const request = (content: Uint8Array, extra: Record<string, unknown> = {}) =>
  UploadMiningLogRequest.parse({ content: Buffer.from(content).toString('base64'), ...extra });

describe('uploading a log to mine', () => {
  it('stores the bytes, records a queued job, its audit record and mining.log.uploaded in one write', async () => {
    const deps = setup();
    const xes = gzipSync(readFileSync(`${DATA}/running-example/running-example.xes`));
    const job = await uploadMiningLog(request(xes, { name: 'running.xes.gz' }), operator, deps);
    expect(job).toMatchObject({
      status: 'queued',
      format: 'xes',
      compressed: true,
      size: xes.length,
      name: 'running.xes.gz',
    });
    expect(job.id).toMatch(/^mlog_/);
    const stored = deps.logs.objects.get(`m1/${jobKeys.log(job)}`)!;
    expect(Buffer.compare(Buffer.from(stored.bytes), xes)).toBe(0);
    expect(stored.contentType).toBe('application/gzip');
    const [mutation] = deps.jobs.mutations;
    expect(mutation!.audit).toMatchObject({ action: 'mining.log.upload', resourceId: job.id, actor: 'uma' });
    expect(mutation!.events).toEqual([
      {
        name: 'mining.log.uploaded',
        payload: { jobId: job.id, format: 'xes', compressed: true, size: xes.length, uploadedBy: 'uma' },
      },
    ]);
  });

  it('refuses a log that cannot be one, naming the field, and writes nothing', async () => {
    const deps = setup();
    const bad = [
      request(Buffer.from('just some words, no header columns\n')),
      request(readFileSync(`${DATA}/running-example/running-example.xes`), { format: 'csv' }),
      request(Buffer.from([0, 1, 2, 3, 4, 5])),
    ];
    const fields: (string | undefined)[] = [];
    for (const input of bad) {
      const error = await uploadMiningLog(input, operator, deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      fields.push((error as ValidationError).details?.[0]?.field);
    }
    expect(fields).toEqual(['options.caseColumn', 'format', 'content']);
    expect(deps.logs.objects.size).toBe(0);
    expect(deps.jobs.jobs.size).toBe(0);
  });

  it('is for admins and operators: an analyst may read jobs but not upload', async () => {
    const deps = setup();
    const csv = Buffer.from('case_id,activity\nc1,a\n');
    await expect(uploadMiningLog(request(csv), ctxOf(['analyst']), deps)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(uploadMiningLog(request(csv), ctxOf(['admin']), deps)).resolves.toMatchObject({ status: 'queued' });
    await expect(listMiningLogs({ limit: 10 }, ctxOf(['analyst']), deps)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listMiningLogs({ limit: 10 }, ctxOf(['approver']), deps)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await listMiningLogs({ limit: 10 }, operator, deps)).items).toHaveLength(1);
  });
});

describe('mining an uploaded log', () => {
  it("mines the running example into the dataset's statistics and DFG, and stores its model and pictures", async () => {
    const deps = setup();
    const job = await uploadMiningLog(
      request(readFileSync(`${DATA}/running-example/running-example.xes`)),
      operator,
      deps,
    );
    const done = await executeMiningJob('m1', job.id, deps);
    expect(done).toMatchObject({ status: 'succeeded', error: null, progress: { phase: 'done', events: 42 } });
    expect(deps.jobs.saves.map((j) => j.progress.phase)).toEqual(['reading', 'mining', 'storing', 'done']);

    const got = MiningJobWithResult.parse(await getMiningLog(job.id, 'json', operator, deps));
    const stats = expected['running-example.xes'].stats;
    expect(got.result!.summary).toMatchObject({
      cases: stats.cases,
      events: stats.events,
      activities: stats.activities,
      variants: stats.variants,
      startActivities: stats.start,
      endActivities: stats.end,
    });
    const dfg = Object.fromEntries(got.result!.dfg.map((e) => [`${e.from} -> ${e.to}`, e.count]));
    expect(dfg).toEqual(expected['running-example.xes'].dfg);
    // The log was mined with noise 0.2 and replays on its own net; the replay is of the whole log.
    expect(got.result!.fitness.traces).toBe(stats.cases);
    // Its 6 variants are all aligned (well under the cap) and, the net fitting the log, every trace fits.
    expect(got.result!.alignments).toMatchObject({
      alignedTraces: stats.cases,
      timedOutTraces: 0,
      fittingTraces: stats.cases,
      variantsAligned: stats.variants,
      traces: stats.cases,
      averageTraceFitness: 1,
    });
    expect(got.result!.net.transitions.length).toBeGreaterThanOrEqual(stats.activities);
    expect(got.links).toEqual({
      json: `/api/v1/mining/logs/${job.id}`,
      dot: `/api/v1/mining/logs/${job.id}?format=dot`,
      svg: `/api/v1/mining/logs/${job.id}?format=svg`,
      pnml: `/api/v1/mining/logs/${job.id}?format=pnml`,
    });
    const svg = await getMiningLog(job.id, 'svg', operator, deps);
    expect(svg).toMatchObject({ contentType: expect.stringContaining('image/svg+xml') });
    expect((svg as { body: string }).body).toContain('<svg');
    expect((await getMiningLog(job.id, 'dot', operator, deps)) as { body: string }).toMatchObject({
      body: expect.stringMatching(/digraph/),
    });
    expect(((await getMiningLog(job.id, 'pnml', operator, deps)) as { body: string }).body).toContain('<pnml');
  });

  it('mines the road-traffic CSV, gzipped, into its statistics and variants', async () => {
    const deps = setup();
    const csv = gzipSync(readFileSync(`${DATA}/roadtraffic-100/roadtraffic100traces.csv`));
    const job = await uploadMiningLog(request(csv), operator, deps);
    await executeMiningJob('m1', job.id, deps);
    const got = MiningJobWithResult.parse(await getMiningLog(job.id, 'json', operator, deps));
    expect(got.status).toBe('succeeded');
    expect(got.result!.summary).toMatchObject({
      cases: road.stats.cases,
      events: road.stats.events,
      activities: road.stats.activities,
      variants: road.stats.variants,
      startActivities: road.stats.start,
      endActivities: road.stats.end,
    });
    expect(got.result!.dfg).toHaveLength(road.stats.dfg_edges);
    const top = got.result!.variants.top.slice(0, road.variants.length);
    expect(top.map((v) => [v.activities.join(' , '), v.count])).toEqual(road.variants);
  });

  it("fails the job with the importer's message for a log that passes the sniff but cannot be read", async () => {
    const deps = setup();
    // A header that names the columns, then an event without a case id.
    const csv = Buffer.from('case_id,activity,timestamp\nc1,a,2020-01-01T00:00:00Z\n,b,2020-01-01T00:01:00Z\n');
    const job = await uploadMiningLog(request(csv), operator, deps);
    const done = await executeMiningJob('m1', job.id, deps);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_ERROR' } });
    expect(done!.error!.message).toMatch(/line 3/);
    expect(deps.results.objects.size).toBe(0);
    await expect(getMiningLog(job.id, 'svg', operator, deps)).rejects.toBeInstanceOf(ConflictError);
    expect(MiningJobWithResult.parse(await getMiningLog(job.id, 'json', operator, deps)).result).toBeNull();
  });

  it('does nothing for a redelivered event of a finished job', async () => {
    const deps = setup();
    const job = await uploadMiningLog(request(Buffer.from('case_id,activity\nc1,a\nc1,b\n')), operator, deps);
    await executeMiningJob('m1', job.id, deps);
    const saves = deps.jobs.saves.length;
    await expect(executeMiningJob('m1', job.id, deps)).resolves.toMatchObject({ status: 'succeeded' });
    expect(deps.jobs.saves.length).toBe(saves);
  });

  it("keeps tenants apart: another tenant's job id is not found", async () => {
    const deps = setup();
    const job = await uploadMiningLog(request(Buffer.from('case_id,activity\nc1,a\n')), operator, deps);
    await expect(getMiningLog(job.id, 'json', ctxOf(['operator'], 'm2'), deps)).rejects.toBeInstanceOf(NotFoundError);
  });
});
