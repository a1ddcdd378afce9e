/**
 * Every key of the single table is built here and nowhere else.
 *
 * Rule: every partition key, of the table and of every index, begins with `T#<tenantId>#`, so an IAM
 * policy with `dynamodb:LeadingKeys` = `T#${tenant}#*` confines a principal to its tenant.
 *
 * Access patterns
 * | pattern                        | index | key condition                                        | used by                     |
 * |--------------------------------|-------|------------------------------------------------------|-----------------------------|
 * | get entity by id               | table | PK = T#t#ENTITY#<id>, SK = ENTITY                    | get/update entity           |
 * | list a tenant's entities       | GSI1  | GSI1PK = T#t#ENTITIES, GSI1SK desc (<createdAt>#<id>) | GET /entities               |
 * | list a tenant's entities by type| GSI2 | GSI2PK = T#t#ENTITIES#<type>, GSI2SK desc             | GET /entities?type=         |
 * | audit trail, newest first      | table | PK = T#t#AUDIT, SK desc (<at>#<id>)                   | GET /audit                  |
 * | audit lane in chain order      | GSI1  | GSI1PK = T#t#AUDITLANE#<lane>, GSI1SK asc (<seq>)     | chain verification          |
 * | audit lane head                | table | PK = T#t#AUDITHEAD, SK = LANE#<lane>                  | every mutation              |
 * | outbox event                   | table | PK = T#t#OUTBOX, SK = <eventId> (TTL expiresAt)       | stream → bus publisher      |
 */
export const tenantPrefix = (tenantId: string): string => `T#${tenantId}#`;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export const keys = {
  entity: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}ENTITY#${id}`, SK: 'ENTITY' }),
  entityIndexes: (tenantId: string, type: string, createdAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}ENTITIES`,
    GSI1SK: `${createdAt}#${id}`,
    GSI2PK: `${tenantPrefix(tenantId)}ENTITIES#${type}`,
    GSI2SK: `${createdAt}#${id}`,
  }),
  entitiesPartition: (tenantId: string) => `${tenantPrefix(tenantId)}ENTITIES`,
  entitiesOfTypePartition: (tenantId: string, type: string) => `${tenantPrefix(tenantId)}ENTITIES#${type}`,

  audit: (tenantId: string, at: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}AUDIT`, SK: `${at}#${id}` }),
  auditPartition: (tenantId: string) => `${tenantPrefix(tenantId)}AUDIT`,
  auditLaneIndex: (tenantId: string, lane: number, seq: number) => ({
    GSI1PK: `${tenantPrefix(tenantId)}AUDITLANE#${pad(lane, 3)}`,
    GSI1SK: pad(seq, 12),
  }),
  auditLanePartition: (tenantId: string, lane: number) => `${tenantPrefix(tenantId)}AUDITLANE#${pad(lane, 3)}`,
  auditHead: (tenantId: string, lane: number) => ({ PK: `${tenantPrefix(tenantId)}AUDITHEAD`, SK: `LANE#${pad(lane, 3)}` }),

  outbox: (tenantId: string, eventId: string) => ({ PK: `${tenantPrefix(tenantId)}OUTBOX`, SK: eventId }),
} as const;

/** Item type tags stored in `entityType` on every item. */
export const ITEM_TYPES = {
  entity: 'Entity',
  audit: 'AuditRecord',
  auditHead: 'AuditHead',
  outbox: 'OutboxEvent',
} as const;
