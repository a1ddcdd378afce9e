/**
 * The console's views, in the order of its navigation. A view is offered to a user only when their roles grant
 * one of its permissions (the API decides every call anyway); the first one offered is where they land, so an
 * approver lands on the inbox and an analyst on the entities.
 */
import type { ComponentType } from 'preact';
import type { Permission } from '../../../functions/domain/auth/permissions.js';
import type { Route } from '../router.js';
import { Agents } from './agents.js';
import { Audit } from './audit.js';
import { Cases } from './cases.js';
import { Connectors } from './connectors.js';
import { Dashboard } from './dashboard.js';
import { Entities } from './entities.js';
import { Inbox } from './inbox.js';
import { ProcessMap } from './process-map.js';
import { Signals } from './signals.js';
import { Workflows } from './workflows.js';

export interface ViewDef {
  id: string;
  title: string;
  /** Any one of these lets a user see the view. */
  anyOf: readonly Permission[];
  component: ComponentType<{ route: Route }>;
}

export const VIEWS: readonly ViewDef[] = [
  { id: 'home', title: 'Dashboard', anyOf: ['audit:read', 'connectors:read', 'workflows:read'], component: Dashboard },
  { id: 'inbox', title: 'Inbox', anyOf: ['approvals:read'], component: Inbox },
  { id: 'entities', title: 'Entities', anyOf: ['entities:read'], component: Entities },
  { id: 'signals', title: 'Signals', anyOf: ['signals:read'], component: Signals },
  { id: 'cases', title: 'Cases', anyOf: ['cases:read'], component: Cases },
  { id: 'workflows', title: 'Workflows', anyOf: ['workflows:read'], component: Workflows },
  { id: 'process', title: 'Process map', anyOf: ['mining:read'], component: ProcessMap },
  { id: 'agents', title: 'Agents', anyOf: ['agents:read'], component: Agents },
  { id: 'connectors', title: 'Connectors', anyOf: ['connectors:read'], component: Connectors },
  { id: 'audit', title: 'Audit', anyOf: ['audit:read'], component: Audit },
];
