import { describe, expect, it } from 'vitest';
import { checkParams, TEMPLATES, valuesOf, type WorkflowTemplate } from '../../../console/src/templates/index.js';
import { newWebhookSecret } from '../../../console/src/templates/template.js';
import { compileSignalRule } from '../../../functions/domain/signals/rules.js';
import { signalEventsOf } from '../../../functions/domain/signals/use-cases/entity-events.js';
import { BUILTIN_TOOLS } from '../../../functions/domain/tools/builtin.js';
import { ToolRegistry } from '../../../functions/domain/tools/registry.js';
import { validateDefinition } from '../../../functions/domain/workflows/definitions.js';
import { referencesIn, resolveInput } from '../../../functions/domain/workflows/references.js';
import { PRODUCTION_URL_POLICY, checkWebhookUrl } from '../../../functions/domain/webhooks/url-policy.js';
import { SignalDetectedPayload } from '../../../schemas/detected-signals.js';
import { SignalRuleBody } from '../../../schemas/signals.js';
import { WebhookSecret, WorkflowDefinitionRequest } from '../../../schemas/workflow.js';

const registry = new ToolRegistry(BUILTIN_TOOLS);

/** What a user types: the defaults, and a public https URL where one is asked for. */
const filled = (t: WorkflowTemplate) =>
  valuesOf(
    t,
    Object.fromEntries(t.params.filter((p) => p.kind === 'url').map((p) => [p.key, 'https://hooks.example.com/modos'])),
  );

describe.each(TEMPLATES.map((t) => [t.id, t] as const))('template %s', (_id, template) => {
  const values = filled(template);
  const built = template.build(values);

  it('has a name, says what it does, and asks for nothing it does not use', () => {
    expect(template.name.length).toBeGreaterThan(3);
    expect(template.summary.length).toBeGreaterThan(10);
    expect(template.does.length).toBeGreaterThan(1);
    expect(checkParams(template, values)).toEqual({});
    expect(new Set(template.params.map((p) => p.key)).size).toBe(template.params.length);
    expect(built.signalRule !== undefined).toBe(template.startsOnSignal === true);
  });

  it('builds a body POST /workflows accepts (the create-request schema and the definition checks)', () => {
    const parsed = WorkflowDefinitionRequest.safeParse(built.workflow);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(() => validateDefinition(parsed.data!, { tools: registry, urlPolicy: PRODUCTION_URL_POLICY })).not.toThrow();
  });

  it("gives every step an input its tool's schema accepts, as written and once its references are resolved", () => {
    const outputs: Record<string, unknown> = {};
    for (const step of built.workflow.steps) {
      const tool = registry.get(step.tool)!;
      const written = tool.input.safeParse(step.input);
      expect(written.success, `${step.id}: ${JSON.stringify(written.error?.issues)}`).toBe(true);
      // Every reference names a member of the documented run input, or an earlier step.
      for (const ref of referencesIn(step.input)) {
        if (ref.root === 'input') expect(Object.keys(template.runInput)).toContain(ref.path[0]);
        else expect(outputs).toHaveProperty(ref.stepId!);
      }
      const resolved = tool.input.safeParse(resolveInput(step.input, { input: { ...template.exampleInput }, outputs }));
      expect(resolved.success, `${step.id} resolved: ${JSON.stringify(resolved.error?.issues)}`).toBe(true);
      outputs[step.id] = { entityId: 'ent_x', version: 2, before: {} };
      if (tool.requiresApproval) expect(step.approval, `${step.id} needs a gate`).toBeDefined();
      if (step.tool === 'http.webhook') {
        expect(checkWebhookUrl(String(step.input.url), PRODUCTION_URL_POLICY).allowed).toBe(true);
      }
    }
  });

  it('uses the approver and deadline of the form on its gates', () => {
    const custom = template.build({ ...values, approverRole: 'operator', approvalHours: '2' });
    const gates = custom.workflow.steps.filter((s) => s.approval);
    expect(gates.length).toBeGreaterThan(0);
    for (const s of gates) expect(s.approval).toEqual({ required: true, timeoutSeconds: 7200, roles: ['operator'] });
  });

  it('generates a signing secret for each webhook step left without one, and keeps one that is given', () => {
    const webhooks = built.workflow.steps.filter((s) => s.tool === 'http.webhook');
    expect(built.generatedSecrets).toHaveLength(webhooks.length);
    for (const s of webhooks) expect(WebhookSecret.safeParse(s.input.secret).success).toBe(true);
    if (webhooks.length) {
      const mine = newWebhookSecret();
      const given = template.build({ ...values, secret: mine });
      expect(given.generatedSecrets).toEqual([]);
      expect(given.workflow.steps.find((s) => s.tool === 'http.webhook')!.input.secret).toBe(mine);
    }
  });

  it('refuses parameters the API would refuse, naming them', () => {
    for (const p of template.params) {
      const bad =
        p.kind === 'number'
          ? String((p.max ?? 10) + 1)
          : p.kind === 'url'
            ? 'http://hooks.example.com/modos'
            : p.kind === 'role'
              ? 'analyst'
              : p.kind === 'secret'
                ? 'whsec_short'
                : p.kind === 'id'
                  ? 'has spaces'
                  : p.kind === 'attribute'
                    ? '1st'
                    : p.kind === 'select'
                      ? 'nothing-offered'
                      : 'x'.repeat(201);
      expect(checkParams(template, { ...values, [p.key]: bad }), p.key).toHaveProperty(p.key);
      if (!p.optional) expect(checkParams(template, { ...values, [p.key]: ' ' }), p.key).toHaveProperty(p.key);
    }
  });
});

describe('the churn-risk template', () => {
  const template = TEMPLATES.find((t) => t.id === 'churn-risk')!;
  const values = filled(template);
  const rule = template.build(values).signalRule!('wf_created');

  it("builds a signal rule POST /signal-rules accepts, which starts the template's workflow", () => {
    expect(SignalRuleBody.safeParse(rule).success).toBe(true);
    const compiled = compileSignalRule(rule);
    expect(compiled.action).toMatchObject({ startWorkflow: 'wf_created' });
    expect(compiled.caseTitle).toBe('Churn risk');
  });

  const update = (attributes: Record<string, unknown>, changed: string[], type = 'account') =>
    signalEventsOf({
      source: 'modos.entities',
      'detail-type': 'entity.updated',
      detail: {
        tenantId: 't',
        eventId: 'e1',
        occurredAt: '2026-01-01T00:00:00.000Z',
        schemaVersion: 1,
        payload: { entity: { id: 'ent_1', type, attributes }, changed, previousVersion: 1, actor: 'u' },
      },
    })[0]!.event;

  it('fires on an update that sets the health score below the threshold, and on nothing else', () => {
    const compiled = compileSignalRule(rule);
    expect(compiled.mask(update({ healthScore: 25 }, ['healthScore']))).not.toBe(0);
    expect(compiled.mask(update({ healthScore: 55 }, ['healthScore']))).toBe(0);
    expect(compiled.mask(update({ healthScore: 25, name: 'x' }, ['name']))).toBe(0);
    expect(compiled.mask(update({ healthScore: 25 }, ['healthScore'], 'deal'))).toBe(0);
  });

  it('gives the workflow the signal members its steps read', () => {
    const steps = template.build(values).workflow.steps;
    const signalRefs = steps.flatMap((s) => referencesIn(s.input)).filter((r) => r.path[0] === 'signal');
    // The run input of a signal start is { signal: <the signal.detected payload>, ...then.input }.
    const payloadMembers = Object.keys(SignalDetectedPayload.shape);
    for (const r of signalRefs) expect(payloadMembers).toContain(r.path[1]);
    expect(Object.keys(rule.kind === 'match' && rule.then ? (rule.then.input ?? {}) : {})).toEqual(['reason']);
  });
});
