import type { ApprovalRecord, ListOutputsQuery, Output } from '../../../../schemas/agents.js';
import type { Approval } from '../../../../schemas/workflow.js';
import { requirePermission } from '../../auth/authorize.js';
import { NotFoundError } from '../../errors.js';
import type { BlobStore, Page, RequestContext } from '../../ports.js';
import { publicApproval } from '../../workflows/approvals.js';
import type { ApprovalRepository } from '../../workflows/ports.js';
import { outputApprovalIdOf } from './naming.js';
import type { OutputRepository } from './ports.js';
import { approvalRecordOf, publicOutput } from './view.js';

export interface OutputQueryDeps {
  outputs: OutputRepository;
  approvals: ApprovalRepository;
  /** The tenant's `agent-outputs/` area (read). */
  blobs: BlobStore;
}

/** An output with its content (read from S3), its approval and the seed's approval record. */
export type OutputDetail = Output & {
  content: string;
  approval: Approval | null;
  approval_record: ApprovalRecord | null;
};

/** GET /outputs: the tenant's outputs, newest first, by agent, by status or both (outputs:read). */
export async function listOutputs(
  query: ListOutputsQuery,
  ctx: RequestContext,
  deps: Pick<OutputQueryDeps, 'outputs'>,
): Promise<Page<Output>> {
  requirePermission(ctx.principal, 'outputs:read');
  const page = await deps.outputs.list(ctx.principal.tenantId, {
    ...(query.agent_id ? { agentId: query.agent_id } : {}),
    ...(query.status ? { status: query.status } : {}),
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return { items: page.items.map(publicOutput), nextCursor: page.nextCursor };
}

/** GET /outputs/{id}: metadata, the content as stored, the approval and its record (outputs:read). */
export async function getOutput(id: string, ctx: RequestContext, deps: OutputQueryDeps): Promise<OutputDetail> {
  requirePermission(ctx.principal, 'outputs:read');
  const tenantId = ctx.principal.tenantId;
  const output = await deps.outputs.get(tenantId, id);
  if (!output) throw new NotFoundError(`output ${id} not found`);
  const [content, approval] = await Promise.all([
    deps.blobs.get(tenantId, output.s3_key).then((o) => o.text()),
    deps.approvals.get(tenantId, output.approval_id ?? outputApprovalIdOf(output.id)),
  ]);
  return {
    ...publicOutput(output),
    content,
    approval: approval ? publicApproval(approval) : null,
    approval_record: approvalRecordOf(output, approval),
  };
}
