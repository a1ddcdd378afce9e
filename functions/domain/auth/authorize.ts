import { ForbiddenError } from '../errors.js';
import type { Principal } from '../ports.js';
import { hasPermission, type Permission } from './permissions.js';

/** Throws ForbiddenError unless one of the principal's roles grants `permission`. */
export function requirePermission(principal: Principal, permission: Permission): void {
  if (!hasPermission(principal.roles, permission)) {
    throw new ForbiddenError(`missing permission ${permission}`, { reason: 'missing_permission' });
  }
}
