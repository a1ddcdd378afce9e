import type { MiningProcess, MiningProcessQuery } from '../../../../schemas/mining-api.js';
import { requirePermission } from '../../auth/authorize.js';
import type { RequestContext } from '../../ports.js';
import { renderSvg } from '../render.js';
import { analyseLog } from './analyse.js';
import { entityHistoriesToLog, type PlatformTraceReader, workflowRunsToLog } from './traces.js';
import type { MinedFile } from './uploaded-logs.js';

/** Heuristics threshold of the platform's processes: its traces are few and clean, so a moderate one. */
const DEPENDENCY_THRESHOLD = 0.5;

/**
 * The process mined from the platform's own traces: `workflows` (each run a case: its gates' decisions and its
 * steps, see workflowRunsToLog) or `entities` (each entity a case: its audited changes, see entityHistoriesToLog),
 * the newest `limit` cases, mined as an uploaded log is (analyseLog). The answer states what was read (`bounds`) and
 * carries the net as DOT; `format=svg` answers the rendered picture and `format=dot` the DOT alone.
 */
export async function getMiningProcess(
  query: MiningProcessQuery,
  ctx: RequestContext,
  deps: { traces: PlatformTraceReader },
): Promise<MiningProcess | MinedFile> {
  requirePermission(ctx.principal, 'mining:read');
  const tenantId = ctx.principal.tenantId;
  const { source, limit, workflowId, entityType } = query;
  // Keys hold UTC ISO instants: an offset given in the query is normalised so the key comparison is the instant's.
  const since = query.since === undefined ? undefined : new Date(query.since).toISOString();
  const read =
    source === 'workflows'
      ? await deps.traces.workflowRuns(tenantId, { workflowId, since, limit }).then(({ runs, truncated }) => ({
          log: workflowRunsToLog(runs),
          truncated,
        }))
      : await deps.traces.entityHistories(tenantId, { entityType, since, limit }).then(({ histories, truncated }) => ({
          log: entityHistoriesToLog(histories),
          truncated,
        }));
  const { model, dot } = analyseLog(read.log, {
    noiseThreshold: query.noiseThreshold,
    dependencyThreshold: DEPENDENCY_THRESHOLD,
  });
  if (query.format === 'dot') return { contentType: 'text/vnd.graphviz; charset=utf-8', body: dot };
  if (query.format === 'svg') return { contentType: 'image/svg+xml; charset=utf-8', body: await renderSvg(dot) };
  return {
    source,
    bounds: {
      limit,
      cases: read.log.traces.length,
      truncated: read.truncated,
      since: since ?? null,
      workflowId: source === 'workflows' ? (workflowId ?? null) : null,
      entityType: source === 'entities' ? (entityType ?? null) : null,
    },
    model,
    dot,
  };
}
