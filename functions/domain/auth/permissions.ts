/**
 * Roles and permissions (seed 000, "Roles"):
 * - admin: full access, manage connectors, approve all
 * - operator: execute workflows, view all data; here also signal rules (signals:write), uploaded logs to mine and
 *   working on cases (cases:write: assign, notes, status)
 * - analyst: read-only access to entities and signals
 * - approver: approve/reject pending actions
 * The role names are a contract of the API (schemas/roles.ts); what each may do is decided here.
 */
import { ROLES, type Role } from '../../../schemas/roles.js';

export const PERMISSIONS = [
  'entities:read',
  'entities:write',
  'signals:read',
  'signals:write',
  'cases:read',
  'cases:write',
  'connectors:read',
  'connectors:manage',
  'workflows:read',
  'workflows:write',
  'workflows:execute',
  'approvals:read',
  'approvals:decide',
  'audit:read',
  'tools:read',
  /** Identity resolution runs and match decisions (confirm / reject). */
  'resolution:manage',
  /** Process mining: mined models and uploaded logs (read), uploading logs to mine (write). */
  'mining:read',
  'mining:write',
  /** Agents and what configures them: personas, skills, knowledge bases (read), creating and changing them (write). */
  'agents:read',
  'agents:write',
  /** Agents' outputs and their approval records. */
  'outputs:read',
  /** Model tokens and cost per agent and day (GET /usage). */
  'usage:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ_ALL: Permission[] = PERMISSIONS.filter((p) => p.endsWith(':read'));

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS,
  operator: [...READ_ALL, 'workflows:execute', 'mining:write', 'signals:write', 'cases:write'],
  analyst: ['entities:read', 'signals:read'],
  // An approver reads the agent outputs they decide (their content and approval record).
  approver: ['approvals:read', 'approvals:decide', 'outputs:read'],
};

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) {
    if (isRole(role)) for (const p of ROLE_PERMISSIONS[role]) granted.add(p);
  }
  return granted;
}

export const hasPermission = (roles: readonly string[], permission: Permission): boolean =>
  permissionsOf(roles).has(permission);
