import type { MiningJob } from '../../../../schemas/mining-api.js';
import { isDomainError, TransientError } from '../../errors.js';
import { readEventLog } from '../import/index.js';
import { renderSvg } from '../render.js';
import { writePnml } from '../pnml.js';
import { analyseLog } from './analyse.js';
import { jobKeys, type MiningDeps } from './ports.js';

const MESSAGE_LIMIT = 500;

/**
 * Mines a queued job's log: reads it from `mining-logs/` (gzip inflated, XES or CSV with the job's options), mines
 * it (analyseLog: statistics, DFG, variants, dependencies, inductive-miner net, token replay, bottlenecks,
 * automation candidates), and stores the model JSON, the net's DOT, SVG and PNML in `mining-results/`; the job
 * records each phase. A log that cannot be read fails the job with the importer's message (naming the line and
 * field) and is not retried: it would fail the same way. A transient failure (store, table) is rethrown, so the
 * event's delivery retries and the job starts again; a redelivered event of a finished job does nothing.
 */
export async function executeMiningJob(
  tenantId: string,
  jobId: string,
  deps: Pick<MiningDeps, 'jobs' | 'logs' | 'results' | 'clock'>,
): Promise<MiningJob | undefined> {
  const found = await deps.jobs.get(tenantId, jobId);
  if (!found || found.status === 'succeeded' || found.status === 'failed') return found;
  let job: MiningJob = found;
  const save = async (patch: Partial<MiningJob>): Promise<void> => {
    job = { ...job, ...patch, updatedAt: deps.clock.now().toISOString() };
    await deps.jobs.save(tenantId, job);
  };
  try {
    await save({ status: 'running', progress: { phase: 'reading', events: 0 } });
    const object = await deps.logs.get(tenantId, jobKeys.log(job));
    const log = await readEventLog(object.body, { format: job.format, ...job.options });
    const events = log.traces.reduce((n, t) => n + t.events.length, 0);
    await save({ progress: { phase: 'mining', events } });
    const { model, net, dot } = analyseLog(log, job.settings);
    await save({ progress: { phase: 'storing', events } });
    const svg = await renderSvg(dot);
    const json = { contentType: 'application/json', metadata: { job: jobId } };
    await deps.results.put(tenantId, jobKeys.model(jobId), JSON.stringify(model), json);
    await deps.results.put(tenantId, jobKeys.dot(jobId), dot, { contentType: 'text/vnd.graphviz' });
    await deps.results.put(tenantId, jobKeys.svg(jobId), svg, { contentType: 'image/svg+xml' });
    await deps.results.put(tenantId, jobKeys.pnml(jobId), writePnml(net), { contentType: 'application/xml' });
    const at = deps.clock.now().toISOString();
    await save({ status: 'succeeded', progress: { phase: 'done', events }, summary: model.summary, completedAt: at });
    return job;
  } catch (error) {
    if (error instanceof TransientError) throw error;
    // A domain error's message is for the uploader (the importer's names the line and field); anything else is
    // named by its class, so the job says what kind of fault ended it.
    const domain = isDomainError(error);
    const text = domain ? error.message : `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? error}`;
    const message = text.slice(0, MESSAGE_LIMIT);
    const code = domain ? error.code : 'INTERNAL_ERROR';
    await save({
      status: 'failed',
      progress: { ...job.progress, phase: 'done' },
      error: { code, message },
      completedAt: deps.clock.now().toISOString(),
    });
    return job;
  }
}
