import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesSecretBox } from '../../../functions/adapters/crypto/aes-secret-box.js';
import { ValidationError } from '../../../functions/domain/errors.js';
import {
  createWorkflow,
  getWorkflow,
  listWorkflows,
  updateWorkflow,
  validateDefinition,
  type DefinitionDeps,
} from '../../../functions/domain/workflows/definitions.js';
import { generateWebhookSecret } from '../../../functions/domain/webhooks/signing.js';
import { PRODUCTION_URL_POLICY } from '../../../functions/domain/webhooks/url-policy.js';
import { aContext } from '../../support/builders.js';
import { fixedClock, sequentialIds } from '../../fakes/clock-and-ids.js';
import { InMemoryWorkflows } from '../../fakes/in-memory-workflows.js';
import { anEchoTool, aTestRegistry } from '../../support/tools/test-tools.js';

const deps = { tools: aTestRegistry(anEchoTool()), urlPolicy: PRODUCTION_URL_POLICY };
const details = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details?.map((d) => d.field);
  }
  throw new Error('expected a ValidationError');
};
const detailsOf = async (p: Promise<unknown>) => {
  const error = await p.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).details;
};

describe('workflow definition checks', () => {
  it('accepts a valid definition with references to earlier steps', () => {
    expect(() =>
      validateDefinition(
        {
          name: 'ok',
          steps: [
            { id: 'a', tool: 'test.echo', input: {} },
            { id: 'b', tool: 'test.echo', input: { x: '$.steps.a.output.y' } },
          ],
        },
        deps,
      ),
    ).not.toThrow();
  });

  it('refuses a self reference', () => {
    expect(
      details(() =>
        validateDefinition(
          { name: 'x', steps: [{ id: 'a', tool: 'test.echo', input: { x: '$.steps.a.output' } }] },
          deps,
        ),
      ),
    ).toEqual(['steps.0.input']);
  });

  it('refuses a heartbeat that is not below the timeout', () => {
    const steps = [
      {
        id: 'a',
        tool: 'test.echo',
        input: {},
        approval: { required: true as const, timeoutSeconds: 10, heartbeatSeconds: 10 },
      },
    ];
    expect(details(() => validateDefinition({ name: 'x', steps }, deps))).toEqual([
      'steps.0.approval.heartbeatSeconds',
    ]);
  });

  it('allows http to loopback only when the local platform says so, and only to its development ports', () => {
    const def = (url: string) => ({ name: 'x', steps: [{ id: 'a', tool: 'test.echo', input: {} }], webhook: { url } });
    const local = { ...deps, urlPolicy: { allowHttpLoopback: true, loopbackPorts: new Set([9999]) } };
    expect(details(() => validateDefinition(def('http://127.0.0.1:9999/hook'), deps))).toEqual(['webhook.url']);
    expect(() => validateDefinition(def('http://127.0.0.1:9999/hook'), local)).not.toThrow();
    expect(details(() => validateDefinition(def('http://127.0.0.1:8000/hook'), local))).toEqual(['webhook.url']);
  });

  it('reports every problem at once', () => {
    const fields = details(() =>
      validateDefinition(
        {
          name: 'x',
          steps: [
            { id: 'a', tool: 'nope', input: {} },
            { id: 'a', tool: 'http.webhook', input: {} },
          ],
        },
        deps,
      ),
    );
    expect(fields).toEqual(['steps.0.tool', 'steps.1.id', 'steps.1.approval', 'steps.1.input.secret']);
  });
});

describe("http.webhook's signing secret in a step", () => {
  const gate = { required: true as const, timeoutSeconds: 60 };
  const webhookStep = (input: Record<string, unknown>) => ({
    id: 'notify',
    tool: 'http.webhook',
    input: { url: 'https://hooks.example.com/x', ...input },
    approval: gate,
  });
  const setup = () => {
    const workflows = new InMemoryWorkflows();
    const secrets = new AesSecretBox(async () => randomBytes(48));
    const d: DefinitionDeps = {
      workflows,
      tools: aTestRegistry(),
      clock: fixedClock(),
      ids: sequentialIds(),
      secrets,
      urlPolicy: PRODUCTION_URL_POLICY,
    };
    return { workflows, secrets, d };
  };

  it('is stored sealed for the tenant, never in the step input, and no read returns it', async () => {
    const { workflows, secrets, d } = setup();
    const secret = generateWebhookSecret();

    const created = await createWorkflow({ name: 'w', steps: [webhookStep({ secret })] }, aContext(), d);

    const stored = (await workflows.get('tenant-a', created.id))!;
    expect(stored.steps[0]!.input).not.toHaveProperty('secret');
    expect(stored.steps[0]!.sealed!.secret).toMatch(/^enc1\./);
    await expect(secrets.open('tenant-a', stored.steps[0]!.sealed!.secret!)).resolves.toBe(secret);
    expect(JSON.stringify(stored)).not.toContain(secret);
    const reads = [
      created,
      await getWorkflow(created.id, undefined, aContext(), d),
      (await listWorkflows({ limit: 10 }, aContext(), d)).items[0],
    ];
    for (const read of reads) {
      expect(JSON.stringify(read)).not.toMatch(/whsec_|enc1\./);
      expect(read!.steps[0]).toMatchObject({ input: { url: 'https://hooks.example.com/x' }, secretInputs: ['secret'] });
    }
    expect(JSON.stringify(workflows.mutations)).not.toContain(secret);
  });

  it("keeps the previous version's secret when a change omits it, and seals a new one when given", async () => {
    const { workflows, secrets, d } = setup();
    const first = generateWebhookSecret();
    const created = await createWorkflow({ name: 'w', steps: [webhookStep({ secret: first })] }, aContext(), d);

    const v2 = await updateWorkflow(
      created.id,
      { version: 1, name: 'w2', steps: [webhookStep({ payload: { n: 2 } })] },
      aContext(),
      d,
    );
    const kept = (await workflows.get('tenant-a', created.id))!;
    await expect(secrets.open('tenant-a', kept.steps[0]!.sealed!.secret!)).resolves.toBe(first);
    expect(v2.steps[0]!.secretInputs).toEqual(['secret']);

    const second = generateWebhookSecret();
    await updateWorkflow(
      created.id,
      { version: 2, name: 'w3', steps: [webhookStep({ secret: second })] },
      aContext(),
      d,
    );
    const replaced = (await workflows.get('tenant-a', created.id))!;
    await expect(secrets.open('tenant-a', replaced.steps[0]!.sealed!.secret!)).resolves.toBe(second);
    // Versions stay readable with the secret they were stored with.
    await expect(
      secrets.open('tenant-a', (await workflows.get('tenant-a', created.id, 1))!.steps[0]!.sealed!.secret!),
    ).resolves.toBe(first);
  });

  it('does not carry a secret over to a step with another id', async () => {
    const { d } = setup();
    const created = await createWorkflow(
      { name: 'w', steps: [webhookStep({ secret: generateWebhookSecret() })] },
      aContext(),
      d,
    );
    const problems = await detailsOf(
      updateWorkflow(
        created.id,
        { version: 1, name: 'w', steps: [{ ...webhookStep({}), id: 'renamed' }] },
        aContext(),
        d,
      ),
    );
    expect(problems).toEqual([{ field: 'steps.0.input.secret', message: 'http.webhook needs its secret secret' }]);
  });

  it.each([
    ['a reference to the run input', '$.input.secret', /literal string, not a reference/],
    ['a reference to an earlier output', '$.steps.a.output.secret', /literal string, not a reference/],
    ['a value that is not a Standard Webhooks secret', 'whsec_short', /Standard Webhooks secret/],
    ['a number', 42, /literal string/],
  ])('refuses %s with 400 naming the field, without echoing the value', async (_n, secret, message) => {
    const { d } = setup();
    const problems = (await detailsOf(
      createWorkflow({ name: 'w', steps: [webhookStep({ secret })] }, aContext(), d),
    ))!.filter((p) => p.field?.endsWith('secret'));
    expect(problems).toEqual([{ field: 'steps.0.input.secret', message: expect.stringMatching(message) }]);
    expect(problems[0]!.message).not.toContain(String(secret));
  });

  it('leaves out a secret stored in clear by an earlier release, and seals it on the next change', async () => {
    const { workflows, secrets, d } = setup();
    const legacy = generateWebhookSecret();
    await workflows.create(
      'tenant-a',
      {
        id: 'wf_old',
        name: 'old',
        version: 1,
        steps: [webhookStep({ secret: legacy })],
        createdAt: 'x',
        updatedAt: 'x',
        createdBy: 'u',
      },
      { audit: {} as never, events: [] },
    );
    const read = await getWorkflow('wf_old', undefined, aContext(), d);
    expect(JSON.stringify(read)).not.toContain(legacy);
    expect(read.steps[0]!.secretInputs).toEqual(['secret']);

    await updateWorkflow('wf_old', { version: 1, name: 'old', steps: [webhookStep({})] }, aContext(), d);
    const sealed = (await workflows.get('tenant-a', 'wf_old'))!.steps[0]!;
    expect(sealed.input).not.toHaveProperty('secret');
    await expect(secrets.open('tenant-a', sealed.sealed!.secret!)).resolves.toBe(legacy);
  });
});
