/**
 * The handlers of the routes that take free JSON (entities, workflow definitions, executions), built with
 * makeHandler over in-memory ports and fed fuzzed raw bodies: no 5xx, a refusal stores nothing, and what
 * is accepted is stored as sent and is something the DynamoDB marshaller takes.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { AesSecretBox } from '../../functions/adapters/crypto/aes-secret-box.js';
import { BUILTIN_TOOLS } from '../../functions/domain/tools/builtin.js';
import { ToolRegistry } from '../../functions/domain/tools/registry.js';
import type { ApiHandler } from '../../functions/platform/http.js';
import { jsonValueIssues } from '../../schemas/json-rules.js';
import { anApiEvent, stubHandlerSettings } from '../support/builders.js';
import { fixedClock, sequentialIds } from '../fakes/clock-and-ids.js';
import { fuzzRequest, type FuzzRoute, FUZZ_SEED } from '../support/fuzz-bodies.js';
import { InMemoryEntityRepository } from '../fakes/in-memory-entity-repository.js';
import { InMemoryApprovals, InMemoryRuns, InMemoryWorkflows, RecordingStarter } from '../fakes/in-memory-workflows.js';

const entities = new InMemoryEntityRepository();
const workflows = new InMemoryWorkflows();
const runs = new InMemoryRuns();
const starter = new RecordingStarter();
const handlers = {} as Record<FuzzRoute, ApiHandler>;
let entityId = '';
let workflowId = '';

/** What the fakes hold: a refused request must leave every count as it was. */
const written = () => [entities.mutations.length, workflows.mutations.length, runs.items.size, starter.started.length];

beforeAll(async () => {
  // The handler modules also build their production `handler` on import, which reads the bound settings.
  stubHandlerSettings((name, value) => vi.stubEnv(name, value));
  const [createEntity, updateEntity, createWorkflow, updateWorkflow, executeWorkflow] = await Promise.all([
    import('../../functions/handlers/create-entity.js'),
    import('../../functions/handlers/update-entity.js'),
    import('../../functions/handlers/create-workflow.js'),
    import('../../functions/handlers/update-workflow.js'),
    import('../../functions/handlers/execute-workflow.js'),
  ]);
  const clock = fixedClock();
  const definitions = {
    workflows,
    tools: new ToolRegistry(BUILTIN_TOOLS),
    clock,
    ids: sequentialIds('wf'),
    secrets: new AesSecretBox(async () => randomBytes(48)),
    urlPolicy: { allowHttpLoopback: false, loopbackPorts: new Set<number>() },
  };
  handlers.createEntity = createEntity.makeHandler({ entities, clock, ids: sequentialIds('ent') });
  handlers.patchEntity = updateEntity.makeHandler({ entities, clock });
  handlers.createWorkflow = createWorkflow.makeHandler(definitions);
  handlers.updateWorkflow = updateWorkflow.makeHandler(definitions);
  handlers.execute = executeWorkflow.makeHandler({
    workflows,
    runs,
    approvals: new InMemoryApprovals(),
    starter,
    clock,
    ids: sequentialIds('run'),
  });

  const entity = await handlers.createEntity(
    anApiEvent({ body: JSON.stringify({ type: 'account', attributes: { name: 'Target' } }) }),
  );
  expect(entity.statusCode, entity.body).toBe(201);
  entityId = JSON.parse(entity.body).id;
  const wf = await handlers.createWorkflow(
    anApiEvent({
      body: JSON.stringify({
        name: 'w',
        steps: [{ id: 'a', tool: 'entity.update', input: { entityId, attributes: {} } }],
      }),
    }),
  );
  expect(wf.statusCode, wf.body).toBe(201);
  workflowId = JSON.parse(wf.body).id;
});

const pathOf: Record<FuzzRoute, () => Record<string, string> | undefined> = {
  createEntity: () => undefined,
  patchEntity: () => ({ id: entityId }),
  createWorkflow: () => undefined,
  updateWorkflow: () => ({ id: workflowId }),
  execute: () => undefined,
};

/** The stored value of an accepted request and the part of the body it must equal. */
async function storedAndSent(
  route: FuzzRoute,
  res: APIGatewayProxyResult,
  body: unknown,
): Promise<[unknown, unknown] | undefined> {
  const out = JSON.parse(res.body);
  const sent = body as Record<string, any>;
  switch (route) {
    case 'createEntity':
      return [(await entities.get('tenant-a', out.id))?.attributes, sent.attributes];
    case 'createWorkflow':
      return [
        (await workflows.get('tenant-a', out.id))?.steps.map((s) => s.input),
        sent.steps.map((s: { input?: unknown }) => s.input ?? {}),
      ];
    case 'execute':
      return [(await runs.get('tenant-a', out.executionId))?.input, sent.input ?? {}];
    default:
      return undefined;
  }
}

describe('fuzzed bodies through the handlers', () => {
  it('never answer 5xx; a refusal stores nothing; an accepted body is stored as sent, in a form DynamoDB takes', async () => {
    const requests = fuzzRequest({ workflowId, entityTypes: ['person', 'deal', 'account'] }, { rawStrings: true });
    await fc.assert(
      fc.asyncProperty(requests, async ({ route, body, contentType }) => {
        const before = written();
        const event = anApiEvent({
          body,
          path: pathOf[route](),
          headers: contentType === undefined ? {} : { 'Content-Type': contentType },
        });
        const res = await handlers[route](event);
        expect(
          res.statusCode,
          `${route} ${contentType}: ${body.slice(0, 300)} → ${res.body.slice(0, 300)}`,
        ).toBeLessThan(500);
        const answer = JSON.parse(res.body);
        if (res.statusCode >= 400) {
          expect(written()).toEqual(before);
          expect(answer.error.code).toMatch(/^[A-Z_]+$/);
          if (res.statusCode === 400)
            expect(
              answer.error.details.every((d: { field?: string }) => typeof d.field === 'string' && d.field !== ''),
            ).toBe(true);
          return;
        }
        const pair = await storedAndSent(route, res, JSON.parse(body));
        if (!pair) return;
        const [stored, sent] = pair;
        expect(stored).toEqual(JSON.parse(JSON.stringify(sent)));
        expect(jsonValueIssues(stored)).toEqual([]);
        expect(() => marshall({ value: stored })).not.toThrow();
      }),
      { numRuns: 1500, seed: FUZZ_SEED },
    );
  }, 120_000);
});
