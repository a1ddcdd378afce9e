// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import {
  AgentOutputCompletedPayload,
  AgentOutputDecidedPayload,
  AgentOutputNotificationFailedPayload,
  AgentOutputProposedPayload,
} from './agent-output-events.js';
import { CaseOpenedPayload, CaseResolvedPayload, CaseUpdatedPayload } from './cases.js';
import { SignalDetectedPayload } from './detected-signals.js';
import { Entity } from './entity.js';
import { EVENT_SOURCES } from './event-names.js';
import { MiningLogUploadedPayload } from './mining-events.js';
import { EntityMergedPayload, EntitySplitPayload, ResolutionRunRequestedPayload } from './resolution.js';
import { ApprovalAction } from './approval-action.js';

export { EntityMergedPayload, EntitySplitPayload, ResolutionRunRequestedPayload };

/**
 * Events on the bus. `source` is `modos.<component>`, `detail-type` the event name, and the detail
 * an envelope carrying tenantId, eventId, occurredAt, schemaVersion and the payload.
 */
export const envelope = <P extends z.ZodType>(payload: P) =>
  z.object({
    tenantId: z.string(),
    eventId: z.string(),
    occurredAt: z.string(),
    schemaVersion: z.literal(1),
    correlationId: z.string().optional(),
    payload,
  });

export const EntityCreatedPayload = z.object({ entity: Entity, actor: z.string() });
export const EntityUpdatedPayload = z.object({
  entity: Entity,
  previousVersion: z.number().int(),
  changed: z.array(z.string()),
  actor: z.string(),
});

export const WorkflowStartedPayload = z.object({
  executionId: z.string(),
  workflowId: z.string(),
  workflowVersion: z.number().int(),
  generation: z.number().int(),
  startedBy: z.string(),
});
export const WorkflowCompletedPayload = z.object({
  executionId: z.string(),
  workflowId: z.string(),
  workflowVersion: z.number().int(),
  status: z.enum(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED']),
  error: z
    .object({ code: z.string(), name: z.string(), message: z.string(), stepId: z.string().optional() })
    .optional(),
});
/**
 * `approval.requested`: the approval as recorded, with who asked and what approving does (the record's own
 * `requestedBy` and `action`: secret inputs as "[secret]", an input over 8 KB as its size). Optional so that an
 * event emitted before they were carried still parses (a dead letter redriven later); every gate sets both.
 */
export const ApprovalRequestedPayload = z.object({
  approvalId: z.string(),
  executionId: z.string(),
  workflowId: z.string(),
  stepId: z.string(),
  tool: z.string(),
  expiresAt: z.string(),
  roles: z.array(z.string()),
  requestedBy: z.string().optional(),
  action: ApprovalAction.optional(),
});
export const ApprovalDecidedPayload = z.object({
  approvalId: z.string(),
  executionId: z.string(),
  stepId: z.string(),
  decision: z.enum(['approved', 'rejected']),
  decidedBy: z.string(),
});

/** `connector.sync.completed`: a sync run ended (any final status), with its counts. */
export const ConnectorSyncCompletedPayload = z.object({
  runId: z.string(),
  connectorId: z.string(),
  system: z.string(),
  status: z.enum(['succeeded', 'completed_with_gaps', 'failed']),
  full: z.boolean(),
  counts: z.record(z.string(), z.number()),
  gaps: z.array(z.string()),
  error: z.object({ code: z.string(), name: z.string(), message: z.string() }).nullable(),
});

export const EVENT_CATALOGUE = {
  'entity.created': { source: EVENT_SOURCES['entity.created'], detail: envelope(EntityCreatedPayload) },
  'entity.updated': { source: EVENT_SOURCES['entity.updated'], detail: envelope(EntityUpdatedPayload) },
  'workflow.started': { source: EVENT_SOURCES['workflow.started'], detail: envelope(WorkflowStartedPayload) },
  'workflow.completed': { source: EVENT_SOURCES['workflow.completed'], detail: envelope(WorkflowCompletedPayload) },
  'approval.requested': { source: EVENT_SOURCES['approval.requested'], detail: envelope(ApprovalRequestedPayload) },
  'approval.decided': { source: EVENT_SOURCES['approval.decided'], detail: envelope(ApprovalDecidedPayload) },
  'signal.detected': { source: EVENT_SOURCES['signal.detected'], detail: envelope(SignalDetectedPayload) },
  'entity.merged': { source: EVENT_SOURCES['entity.merged'], detail: envelope(EntityMergedPayload) },
  'entity.split': { source: EVENT_SOURCES['entity.split'], detail: envelope(EntitySplitPayload) },
  'resolution.run.requested': {
    source: EVENT_SOURCES['resolution.run.requested'],
    detail: envelope(ResolutionRunRequestedPayload),
  },
  'connector.sync.completed': {
    source: EVENT_SOURCES['connector.sync.completed'],
    detail: envelope(ConnectorSyncCompletedPayload),
  },
  'mining.log.uploaded': { source: EVENT_SOURCES['mining.log.uploaded'], detail: envelope(MiningLogUploadedPayload) },
  'case.opened': { source: EVENT_SOURCES['case.opened'], detail: envelope(CaseOpenedPayload) },
  'case.updated': { source: EVENT_SOURCES['case.updated'], detail: envelope(CaseUpdatedPayload) },
  'case.resolved': { source: EVENT_SOURCES['case.resolved'], detail: envelope(CaseResolvedPayload) },
  'agent.output.proposed': {
    source: EVENT_SOURCES['agent.output.proposed'],
    detail: envelope(AgentOutputProposedPayload),
  },
  'agent.output.notification_failed': {
    source: EVENT_SOURCES['agent.output.notification_failed'],
    detail: envelope(AgentOutputNotificationFailedPayload),
  },
  'agent.output.decided': {
    source: EVENT_SOURCES['agent.output.decided'],
    detail: envelope(AgentOutputDecidedPayload),
  },
  'agent.output.completed': {
    source: EVENT_SOURCES['agent.output.completed'],
    detail: envelope(AgentOutputCompletedPayload),
  },
} as const;

export type EventName = keyof typeof EVENT_CATALOGUE;
export { EVENT_SOURCES };
export type EventPayload<N extends EventName> = z.infer<(typeof EVENT_CATALOGUE)[N]['detail']>['payload'];

/** A domain event before it is written to the outbox. */
export interface DomainEvent<N extends EventName = EventName> {
  name: N;
  payload: EventPayload<N>;
}
