/**
 * Every event on the bus and the component that emits it (`source`). Plain data, no zod, so the manifest
 * (which every function bundles) can type its rules by event name; schemas/events.ts holds each event's
 * zod schema and takes its source from here.
 */
export const EVENT_SOURCES = {
  'entity.created': 'modos.entities',
  'entity.updated': 'modos.entities',
  'workflow.started': 'modos.workflows',
  'workflow.completed': 'modos.workflows',
  'approval.requested': 'modos.approvals',
  'approval.decided': 'modos.approvals',
  'signal.detected': 'modos.signals',
  'entity.merged': 'modos.resolution',
  'entity.split': 'modos.resolution',
  'resolution.run.requested': 'modos.resolution',
  'connector.sync.completed': 'modos.connectors',
  'mining.log.uploaded': 'modos.mining',
  'case.opened': 'modos.cases',
  'case.updated': 'modos.cases',
  'case.resolved': 'modos.cases',
  'agent.output.proposed': 'modos.agents',
  'agent.output.notification_failed': 'modos.agents',
  'agent.output.decided': 'modos.agents',
  'agent.output.completed': 'modos.agents',
} as const;

export type EventName = keyof typeof EVENT_SOURCES;
