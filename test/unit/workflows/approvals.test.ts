import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, UnauthorizedError } from '../../../functions/domain/errors.js';
import { decideApproval, type ApprovalDeps } from '../../../functions/domain/workflows/approvals.js';
import { signCallbackCredential } from '../../../functions/domain/workflows/callback-credentials.js';
import type { RunState, StoredApproval } from '../../../functions/domain/workflows/ports.js';
import { aPrincipal } from '../../support/builders.js';
import { fixedClock, sequentialIds } from '../../fakes/clock-and-ids.js';
import { InMemoryApprovals, InMemoryRuns, RecordingTaskCallbacks } from '../../fakes/in-memory-workflows.js';
import { aTestRegistry } from '../../support/tools/test-tools.js';

const anApproval = (over: Partial<StoredApproval> = {}): StoredApproval => ({
  id: 'apr_test000001',
  executionId: 'run_test000001',
  workflowId: 'wf_1',
  stepId: 'gate',
  tool: 'entity.update',
  status: 'pending',
  notification: 'pending',
  requestedAt: '2026-02-03T04:00:00.000Z',
  expiresAt: '2026-02-03T05:00:00.000Z',
  roles: ['approver'],
  tenantId: 'tenant-a',
  generation: 1,
  taskToken: 'token-1',
  callbackNonce: 'nonce-1',
  version: 1,
  ...over,
});

describe('deciding an approval', () => {
  let approvals: InMemoryApprovals;
  let calls: string[];
  let deps: ApprovalDeps;
  const key = randomBytes(48);

  beforeEach(() => {
    approvals = new InMemoryApprovals();
    approvals.items.set('apr_test000001', anApproval());
    const callbacks = new RecordingTaskCallbacks();
    calls = callbacks.calls;
    deps = {
      approvals,
      runs: new InMemoryRuns(),
      callbacks,
      clock: fixedClock('2026-02-03T04:30:00.000Z'),
      ids: sequentialIds(),
      tools: aTestRegistry(),
      callbackKey: key,
      publicBaseUrl: 'https://api.example',
    } as unknown as ApprovalDeps;
  });

  const user = (roles: string[], userId = 'u1') => ({
    kind: 'user' as const,
    principal: aPrincipal({ roles, userId }),
    requestId: 'r1',
  });

  it('approves, completes the gate with SendTaskSuccess, and records who decided', async () => {
    const out = await decideApproval('apr_test000001', 'approve', user(['approver'], 'arthur'), 'fine', deps);
    expect(out).toMatchObject({ status: 'approved', decidedBy: 'arthur', comment: 'fine' });
    expect(calls).toEqual(['succeed:token-1']);
    expect(JSON.stringify(out)).not.toContain('token-1');
  });

  it('rejects with SendTaskFailure ApprovalRejectedError', async () => {
    await decideApproval('apr_test000001', 'reject', user(['admin']), undefined, deps);
    expect(calls).toEqual(['fail:token-1:ApprovalRejectedError']);
  });

  it('lets only one decision win: the second gets 409 and sends nothing', async () => {
    await decideApproval('apr_test000001', 'approve', user(['approver']), undefined, deps);
    await expect(
      decideApproval('apr_test000001', 'reject', user(['approver']), undefined, deps),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(calls).toEqual(['succeed:token-1']);
  });

  it('retries when only the notification status changed concurrently, and still decides', async () => {
    approvals.beforeSave = () => {
      const a = approvals.items.get('apr_test000001')!;
      approvals.items.set(a.id, { ...a, notification: 'delivered', version: a.version + 1 });
    };
    const out = await decideApproval('apr_test000001', 'approve', user(['approver']), undefined, deps);
    expect(out).toMatchObject({ status: 'approved', notification: 'delivered' });
  });

  it('refuses roles the step does not name, and analysts altogether', async () => {
    approvals.items.set('apr_test000001', anApproval({ roles: ['operator'] }));
    await expect(
      decideApproval('apr_test000001', 'approve', user(['approver']), undefined, deps),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      decideApproval('apr_test000001', 'approve', user(['analyst']), undefined, deps),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('accepts a valid callback credential once, and refuses a stale nonce', async () => {
    const credential = signCallbackCredential(
      { tenantId: 'tenant-a', approvalId: 'apr_test000001', decision: 'approve', nonce: 'nonce-1', exp: 1_900_000_000 },
      key,
    );
    await decideApproval(
      'apr_test000001',
      'approve',
      { kind: 'callback', credential, requestId: 'r' },
      undefined,
      deps,
    );
    approvals.items.set('apr_test000001', { ...approvals.items.get('apr_test000001')!, status: 'pending' });
    await expect(
      decideApproval('apr_test000001', 'approve', { kind: 'callback', credential, requestId: 'r' }, undefined, deps),
    ).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('answers approved when the gate was already completed by the relay (task gone, run not timed out)', async () => {
    deps.callbacks.succeed = async () => 'gone';
    const out = await decideApproval('apr_test000001', 'approve', user(['approver']), undefined, deps);
    expect(out.status).toBe('approved');
    expect(approvals.items.get('apr_test000001')!.status).toBe('approved');
  });

  it('records timed_out and answers 409 when the decision reached a gate whose run timed out', async () => {
    deps.callbacks.succeed = async () => 'gone';
    await (deps.runs as InMemoryRuns).create('tenant-a', {
      executionId: 'run_test000001',
      generation: 1,
      status: 'TIMED_OUT',
      revision: 1,
    } as RunState);
    await expect(
      decideApproval('apr_test000001', 'approve', user(['approver']), undefined, deps),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(approvals.items.get('apr_test000001')!.status).toBe('timed_out');
  });

  it('refuses a decision after the approval expired', async () => {
    approvals.items.set('apr_test000001', anApproval({ expiresAt: '2026-02-03T04:29:59.000Z' }));
    await expect(decideApproval('apr_test000001', 'approve', user(['approver']), undefined, deps)).rejects.toThrow(
      /expired/,
    );
    expect(calls).toEqual([]);
  });
});
