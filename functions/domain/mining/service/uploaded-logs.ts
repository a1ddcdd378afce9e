import type {
  MiningJob,
  MiningJobWithResult,
  MiningModel,
  UploadMiningLogRequest,
} from '../../../../schemas/mining-api.js';
import { requirePermission } from '../../auth/authorize.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { Page, RequestContext } from '../../ports.js';
import { hashOf } from '../../shared/hash.js';
import { jobKeys, type MiningDeps } from './ports.js';
import { sniffLog } from './sniff.js';

const CONTENT_TYPES = { xes: 'application/xml', csv: 'text/csv' } as const;

/**
 * Stores an uploaded log and queues its mining: the content is checked cheaply first (base64 decoded, gzip and
 * format sniffed, a CSV's columns found; a refusal names the field and writes nothing), then the log goes to
 * `mining-logs/` and the job (queued), its audit record and `mining.log.uploaded` are one write. The mining worker
 * takes the event. A log stored whose job write then fails is left to the area's retention.
 */
export async function uploadMiningLog(
  input: UploadMiningLogRequest,
  ctx: RequestContext,
  deps: Pick<MiningDeps, 'jobs' | 'logs' | 'clock' | 'ids'>,
): Promise<MiningJob> {
  requirePermission(ctx.principal, 'mining:write');
  const tenantId = ctx.principal.tenantId;
  const bytes = Buffer.from(input.content, 'base64');
  const sniffed = sniffLog(bytes, input.format, input.options);
  const at = deps.clock.now().toISOString();
  const id = `mlog_${deps.ids.newId().replace(/-/g, '')}`;
  const draft = { id, format: sniffed.format, compressed: sniffed.compressed };
  const stored = await deps.logs.put(tenantId, jobKeys.log(draft), bytes, {
    contentType: sniffed.compressed ? 'application/gzip' : CONTENT_TYPES[sniffed.format],
    metadata: { job: id, format: sniffed.format },
  });
  const job: MiningJob = {
    ...draft,
    name: input.name ?? `${id}.${sniffed.format}${sniffed.compressed ? '.gz' : ''}`,
    size: stored.size,
    sha256: stored.sha256,
    options: input.options,
    settings: input.settings,
    status: 'queued',
    progress: { phase: 'queued', events: 0 },
    error: null,
    summary: null,
    uploadedBy: ctx.principal.userId,
    createdAt: at,
    updatedAt: at,
    completedAt: null,
  };
  await deps.jobs.create(tenantId, job, {
    audit: {
      action: 'mining.log.upload',
      actor: ctx.principal.userId,
      resourceType: 'mining-log',
      resourceId: id,
      at,
      requestId: ctx.requestId,
      beforeHash: null,
      afterHash: hashOf(job),
    },
    events: [
      {
        name: 'mining.log.uploaded',
        payload: {
          jobId: id,
          format: job.format,
          compressed: job.compressed,
          size: job.size,
          uploadedBy: job.uploadedBy,
        },
      },
    ],
  });
  return job;
}

export async function listMiningLogs(
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<MiningDeps, 'jobs'>,
): Promise<Page<MiningJob>> {
  requirePermission(ctx.principal, 'mining:read');
  return deps.jobs.list(ctx.principal.tenantId, query);
}

/** A picture or file of a mined net, as stored beside its model. */
export interface MinedFile {
  contentType: string;
  body: string;
}

const FILES = {
  dot: { key: jobKeys.dot, contentType: 'text/vnd.graphviz; charset=utf-8' },
  svg: { key: jobKeys.svg, contentType: 'image/svg+xml; charset=utf-8' },
  pnml: { key: jobKeys.pnml, contentType: 'application/xml; charset=utf-8' },
} as const;

/**
 * A job with, once it succeeded, its model and the paths of its pictures; or (`dot`, `svg`, `pnml`) the mined net
 * itself. A picture of a job that has not succeeded is a ConflictError (409): there is none yet, or none will be.
 */
export async function getMiningLog(
  id: string,
  format: 'json' | 'dot' | 'svg' | 'pnml',
  ctx: RequestContext,
  deps: Pick<MiningDeps, 'jobs' | 'results'>,
): Promise<MiningJobWithResult | MinedFile> {
  requirePermission(ctx.principal, 'mining:read');
  const tenantId = ctx.principal.tenantId;
  const job = await deps.jobs.get(tenantId, id);
  if (!job) throw new NotFoundError(`mining log ${id} not found`);
  if (format !== 'json') {
    if (job.status !== 'succeeded')
      throw new ConflictError(`mining log ${id} is ${job.status}: it has no ${format} yet`, {
        details: [{ field: 'format', message: `the job is ${job.status}` }],
      });
    const file = FILES[format];
    return { contentType: file.contentType, body: await (await deps.results.get(tenantId, file.key(id))).text() };
  }
  if (job.status !== 'succeeded') return { ...job, result: null, links: null };
  const result = JSON.parse(await (await deps.results.get(tenantId, jobKeys.model(id))).text()) as MiningModel;
  const path = `/api/v1/mining/logs/${id}`;
  return {
    ...job,
    result,
    links: { json: path, dot: `${path}?format=dot`, svg: `${path}?format=svg`, pnml: `${path}?format=pnml` },
  };
}
