import type { EntityType } from '../../../../schemas/entity.js';
import type { EventLog, LogEvent, Trace } from '../log.js';

/** A workflow run as mining reads it: its steps in definition order with their times, and each gate's decision. */
export interface RunTrace {
  executionId: string;
  workflowId: string;
  workflowVersion: number;
  status: string;
  startedAt: string;
  completedAt?: string;
  steps: Array<{
    id: string;
    tool: string;
    status: string;
    attempts: number;
    startedAt?: string;
    completedAt?: string;
    approval?: { status: string; requestedAt: string; decidedAt?: string; decidedBy?: string };
  }>;
}

/** One change of an entity, from the audit trail (`changed`: the attributes an update changed, where known). */
export interface EntityChange {
  at: string;
  /** The audit action (`entity.create`, `entity.update`, `entity.merge`…). */
  action: string;
  actor: string;
  via?: string;
  changed?: readonly string[];
}

export interface EntityHistory {
  entityId: string;
  entityType?: string;
  /** Oldest first. */
  changes: EntityChange[];
}

/** The platform's own traces, newest cases first, at most `limit` of them (`truncated`: older ones were left out). */
export interface PlatformTraceReader {
  workflowRuns(
    tenantId: string,
    query: { workflowId?: string; since?: string; limit: number },
  ): Promise<{ runs: RunTrace[]; truncated: boolean }>;
  entityHistories(
    tenantId: string,
    query: { entityType?: EntityType; since?: string; limit: number },
  ): Promise<{ histories: EntityHistory[]; truncated: boolean }>;
}

const epoch = (iso: string | undefined): number | null => {
  if (iso === undefined) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
};

/** Stable by time; events without one keep their place after the timed events before them. */
function byTime(events: LogEvent[]): LogEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.time ?? 0) - (b.e.time ?? 0) || a.i - b.i)
    .map(({ e }) => e);
}

/** Step statuses whose step ran to an end: the step is an event at its completion. */
const ENDED: Record<string, string | undefined> = {
  SUCCEEDED: '',
  COMPENSATED: '',
  COMPENSATION_FAILED: '',
  FAILED: ' (failed)',
};

/** How a failed step whose gate was not approved ended: at its gate, by the gate's decision. */
const ENDED_AT_GATE: Record<string, string | undefined> = {
  rejected: ' (rejected)',
  timed_out: ' (timed out)',
};

/** The suffix of a step's end event: how it ended; undefined for a step that has not ended. */
function endOf(step: RunTrace['steps'][number]): string | undefined {
  const suffix = ENDED[step.status];
  if (step.status !== 'FAILED') return suffix;
  return (step.approval && ENDED_AT_GATE[step.approval.status]) ?? suffix;
}

/**
 * A workflow run as a trace: each gate a person (or the clock) decided is an event `<step> approval` at its decision,
 * manual when a person decided (resource: who), with the decision and the wait; each step that ran to an end is an
 * event at its completion, done by the system, named for how it ended: `<step>`, `<step> (failed)` when its tool
 * failed, `<step> (rejected)` / `<step> (timed out)` when it ended at its gate, rejected or not decided in time. The
 * compensations come last, in the saga's order (the reverse of the steps'): a compensated step is `<step>
 * (compensated)` at the run's end, after the failure that started the saga (`<step> (compensation failed)` when its
 * undoing failed). Pending gates and steps that did not run
 * are not events: a trace shows what happened. Activities are step ids, unique within a workflow; mining several
 * workflows together keeps them apart only where their step ids differ (filter by `workflowId`).
 */
export function workflowRunsToLog(runs: readonly RunTrace[]): EventLog {
  const traces: Trace[] = runs.map((run) => {
    const events: LogEvent[] = [];
    const push = (activity: string, at: string | undefined, attributes: LogEvent['attributes'], resource: string) =>
      events.push({
        id: `${run.executionId}#${events.length}`,
        activity,
        time: epoch(at),
        lifecycle: 'complete',
        resource,
        attributes,
      });
    for (const step of run.steps) {
      const gate = step.approval;
      if (gate && gate.status !== 'pending') {
        // A gate the clock decided ended its step: the step's end is when the timeout reached it.
        const at = gate.decidedAt ?? step.completedAt ?? run.completedAt;
        const wait = (epoch(at) ?? Number.NaN) - (epoch(gate.requestedAt) ?? Number.NaN);
        const byPerson = gate.status === 'approved' || gate.status === 'rejected';
        push(
          `${step.id} approval`,
          at,
          {
            decision: gate.status,
            manual: byPerson,
            tool: step.tool,
            ...(Number.isFinite(wait) ? { waitMs: wait } : {}),
          },
          byPerson ? (gate.decidedBy ?? 'unknown') : 'system',
        );
      }
      const suffix = endOf(step);
      if (suffix === undefined || step.completedAt === undefined) continue;
      push(
        `${step.id}${suffix}`,
        step.completedAt,
        { tool: step.tool, status: step.status.toLowerCase(), attempts: step.attempts, manual: false },
        'system',
      );
    }
    // The saga runs after the failure, undoing the steps in reverse: its events follow every step's at equal times.
    for (const step of [...run.steps].reverse()) {
      if (step.status !== 'COMPENSATED' && step.status !== 'COMPENSATION_FAILED') continue;
      if (step.completedAt === undefined) continue;
      push(
        `${step.id} ${step.status === 'COMPENSATED' ? '(compensated)' : '(compensation failed)'}`,
        run.completedAt ?? step.completedAt,
        { tool: step.tool, status: step.status.toLowerCase(), manual: false },
        'system',
      );
    }
    return {
      caseId: run.executionId,
      events: byTime(events),
      attributes: {
        workflowId: run.workflowId,
        workflowVersion: run.workflowVersion,
        status: run.status.toLowerCase(),
        startedAt: run.startedAt,
      },
    };
  });
  return { traces };
}

/** `entity.update` → `updated`; the kind of change an audit action names, in the past tense where it has one. */
const CHANGE_KINDS: Record<string, string> = {
  'entity.create': 'created',
  'entity.update': 'updated',
  'entity.merge': 'merged',
  'entity.split': 'split',
  'entity.resolve.batch': 'resolved',
};

/**
 * An entity's change history as a trace: each audited change is an event whose activity is its kind (`created`,
 * `updated`, `merged`…, other actions by their name) and, for an update whose changed attributes are known, those
 * attributes (`updated: email, phone`, sorted), so the process shows which attributes change in which order. The
 * actor is the resource; a change made by a workflow run names the system in `via`.
 */
export function entityHistoriesToLog(histories: readonly EntityHistory[]): EventLog {
  const traces: Trace[] = histories.map((h) => {
    const events: LogEvent[] = h.changes.map((c, i) => {
      const kind = CHANGE_KINDS[c.action] ?? c.action;
      const changed = c.changed?.length ? [...c.changed].sort() : undefined;
      return {
        id: `${h.entityId}#${i}`,
        activity: changed && kind === 'updated' ? `updated: ${changed.join(', ')}` : kind,
        time: epoch(c.at),
        lifecycle: 'complete',
        resource: c.actor,
        attributes: {
          action: c.action,
          manual: c.via === undefined && !c.actor.startsWith('system:'),
          ...(c.via ? { via: c.via } : {}),
        },
      };
    });
    return {
      caseId: h.entityId,
      events: byTime(events),
      attributes: h.entityType ? { entityType: h.entityType } : ({} as Trace['attributes']),
    };
  });
  return { traces };
}
