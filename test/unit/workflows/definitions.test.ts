import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/domain/errors.js';
import { ToolRegistry } from '../../../functions/domain/tools/registry.js';
import { validateDefinition } from '../../../functions/domain/workflows/definitions.js';
import { PRODUCTION_URL_POLICY } from '../../../functions/domain/webhooks/url-policy.js';

const deps = { tools: new ToolRegistry(), urlPolicy: PRODUCTION_URL_POLICY };
const details = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details?.map((d) => d.field);
  }
  throw new Error('expected a ValidationError');
};

describe('workflow definition checks', () => {
  it('accepts a valid definition with references to earlier steps', () => {
    expect(() =>
      validateDefinition({ name: 'ok', steps: [{ id: 'a', tool: 'core.echo', input: {} }, { id: 'b', tool: 'core.echo', input: { x: '$.steps.a.output.y' } }] }, deps),
    ).not.toThrow();
  });

  it('refuses a self reference', () => {
    expect(details(() => validateDefinition({ name: 'x', steps: [{ id: 'a', tool: 'core.echo', input: { x: '$.steps.a.output' } }] }, deps))).toEqual(['steps.0.input']);
  });

  it('refuses a heartbeat that is not below the timeout', () => {
    const steps = [{ id: 'a', tool: 'core.echo', input: {}, approval: { required: true as const, timeoutSeconds: 10, heartbeatSeconds: 10 } }];
    expect(details(() => validateDefinition({ name: 'x', steps }, deps))).toEqual(['steps.0.approval.heartbeatSeconds']);
  });

  it('allows http to loopback only when the local platform says so, and only to its development ports', () => {
    const def = (url: string) => ({ name: 'x', steps: [{ id: 'a', tool: 'core.echo', input: {} }], webhook: { url } });
    const local = { ...deps, urlPolicy: { allowHttpLoopback: true, loopbackPorts: new Set([9999]) } };
    expect(details(() => validateDefinition(def('http://127.0.0.1:9999/hook'), deps))).toEqual(['webhook.url']);
    expect(() => validateDefinition(def('http://127.0.0.1:9999/hook'), local)).not.toThrow();
    expect(details(() => validateDefinition(def('http://127.0.0.1:8000/hook'), local))).toEqual(['webhook.url']);
  });

  it('reports every problem at once', () => {
    const fields = details(() =>
      validateDefinition({ name: 'x', steps: [{ id: 'a', tool: 'nope', input: {} }, { id: 'a', tool: 'http.webhook', input: {} }] }, deps),
    );
    expect(fields).toEqual(['steps.0.tool', 'steps.1.id', 'steps.1.approval']);
  });
});
