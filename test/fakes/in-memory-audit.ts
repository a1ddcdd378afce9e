import { genesisHash, linkAudit } from '../../functions/domain/audit/audit-chain.js';
import type { AuditEntry, AuditLaneHead, AuditQuery, AuditReader, Page } from '../../functions/domain/ports.js';
import type { AuditRecord } from '../../schemas/audit.js';

/**
 * An audit trail in memory, chained into lanes as the mutation writer chains it, with the lane heads it keeps.
 * `records` and `heads` are open so a test can tamper with them as someone with write access to the table could.
 */
export class InMemoryAuditTrail implements AuditReader {
  readonly records: AuditRecord[] = [];
  readonly heads = new Map<number, AuditLaneHead>();
  private ids = 0;

  constructor(readonly tenantId = 'tenant-a') {}

  /** Appends a record to a lane's chain and moves its head, as one mutation does. */
  append(lane: number, entry: Partial<AuditEntry> = {}): AuditRecord {
    const head = this.heads.get(lane) ?? { seq: 0, hash: genesisHash(this.tenantId, lane) };
    const n = ++this.ids;
    const full: AuditEntry = {
      action: 'entity.update',
      actor: 'user-1',
      resourceType: 'entity',
      resourceId: `ent-${n}`,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
      requestId: `req-${n}`,
      beforeHash: null,
      afterHash: `after-${n}`,
      ...entry,
    };
    const link = linkAudit(full, lane, head.seq + 1, head.hash);
    const record: AuditRecord = { id: `aud-${n}`, ...full, ...link };
    this.records.push(record);
    this.heads.set(lane, { seq: link.seq, hash: link.hash });
    return record;
  }

  /** Newest first, filtered exactly; the cursor is the id of the last record of the page before. */
  async list(_tenantId: string, q: AuditQuery): Promise<Page<AuditRecord>> {
    const newestFirst = [...this.records].sort((a, b) => (`${a.at}#${a.id}` < `${b.at}#${b.id}` ? 1 : -1));
    const matching = newestFirst.filter(
      (r) =>
        (q.actor === undefined || r.actor === q.actor) &&
        (q.action === undefined || r.action === q.action) &&
        (q.resourceType === undefined || r.resourceType === q.resourceType) &&
        (q.resourceId === undefined || r.resourceId === q.resourceId),
    );
    const start = q.cursor === undefined ? 0 : matching.findIndex((r) => r.id === q.cursor) + 1;
    const items = matching.slice(start, start + q.limit);
    return { items, nextCursor: start + q.limit < matching.length ? items.at(-1)!.id : null };
  }

  async laneHeads(): Promise<Map<number, AuditLaneHead>> {
    return new Map(this.heads);
  }

  async laneRecords(
    _tenantId: string,
    lane: number,
    range: { fromSeq: number; throughSeq: number; limit: number },
  ): Promise<AuditRecord[]> {
    return this.records
      .filter((r) => r.lane === lane && r.seq >= range.fromSeq && r.seq <= range.throughSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, range.limit)
      .map((r) => structuredClone(r));
  }
}
