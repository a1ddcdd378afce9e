import { createHash } from 'node:crypto';
import type { EntityRef } from '../ports.js';

/**
 * The entity id of a source record's entity: derived from the connector, the id's namespace, the source id and the
 * role, so a record read twice (a retry, a resync, a resumed run) is the same entity, and a relation can name an
 * entity whose record has not been read yet. 24 base64url characters (144 bits of SHA-256): collisions are not a
 * practical concern at any tenant size.
 */
export function entityIdOf(connectorId: string, ref: EntityRef): string {
  const digest = createHash('sha256')
    .update(`${connectorId}\u0000${ref.namespace}\u0000${ref.sourceId}\u0000${ref.role}`)
    .digest();
  return `s${digest.subarray(0, 18).toString('base64url')}`.slice(0, 25);
}
