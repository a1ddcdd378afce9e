import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as domainErrors from '../../../functions/domain/errors.js';
import * as workflowErrors from '../../../functions/domain/workflows/errors.js';
import * as connectorErrors from '../../../functions/domain/connectors/errors.js';
import { FUNCTIONS, STATE_MACHINES } from '../../../functions/platform/manifest.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Every error name used in Retry/Catch of a state: the contract between ASL and code. */
function errorNamesOf(asl: {
  States: Record<string, { Retry?: { ErrorEquals: string[] }[]; Catch?: { ErrorEquals: string[] }[] }>;
}): string[] {
  return Object.values(asl.States).flatMap((s) =>
    [...(s.Retry ?? []), ...(s.Catch ?? [])].flatMap((r) => r.ErrorEquals),
  );
}

const exportedErrorNames = new Set(
  ([...Object.values(domainErrors), ...Object.values(workflowErrors), ...Object.values(connectorErrors)] as unknown[])
    .filter(
      (v): v is new (m: string) => Error =>
        typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error,
    )
    .map((C) => new C('probe').name),
);

describe.each(STATE_MACHINES.map((sm) => [sm.name, sm] as const))('state machine %s', (_name, sm) => {
  const text = readFileSync(resolve(ROOT, sm.definitionFile), 'utf8');
  const asl = JSON.parse(text);

  it('names in Retry and Catch only errors the code exports, or States.* / Lambda.* service errors', () => {
    const names = errorNamesOf(asl);
    expect(names.length).toBeGreaterThan(5);
    const unknown = names.filter(
      (n) => !n.startsWith('States.') && !n.startsWith('Lambda.') && !exportedErrorNames.has(n),
    );
    expect(unknown).toEqual([]);
  });

  it('maps every ${placeholder} to a function of the manifest, and uses every mapping', () => {
    const placeholders = [...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(new Set(placeholders)).toEqual(new Set(Object.keys(sm.functions)));
    for (const fn of Object.values(sm.functions)) expect(FUNCTIONS[fn]).toBeDefined();
  });

  it('never uses ResultPath "$" (unsupported by the local interpreter) nor JSONata', () => {
    expect(text).not.toMatch(/"ResultPath":\s*"\$"/);
    expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  });
});

const aslOf = (name: string) => {
  const sm = STATE_MACHINES.find((m) => m.name === name)!;
  return JSON.parse(readFileSync(resolve(ROOT, sm.definitionFile), 'utf8'));
};

describe('state machine WorkflowRun', () => {
  const asl = aslOf('WorkflowRun');
  it('retries the retryable error names and never retries a permanent tool failure', () => {
    const execute = asl.States.Execute;
    const retried = execute.Retry.flatMap((r: { ErrorEquals: string[] }) => r.ErrorEquals);
    for (const n of workflowErrors.RETRYABLE_ERROR_NAMES) expect(retried).toContain(n);
    expect(retried).not.toContain(new workflowErrors.ToolFailedError('x').name);
    expect(retried).not.toContain('States.ALL');
  });

  it('gates with waitForTaskToken, a timeout and a heartbeat, and passes the token only to the request function', () => {
    const gate = asl.States.Gate;
    expect(gate.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(gate.TimeoutSecondsPath ?? gate.TimeoutSeconds).toBeDefined();
    expect(gate.HeartbeatSecondsPath ?? gate.HeartbeatSeconds).toBeDefined();
    expect(gate.Parameters.Payload['taskToken.$']).toBe('$$.Task.Token');
    const tokenUsers = Object.entries(asl.States).filter(([, s]) => JSON.stringify(s).includes('$$.Task.Token'));
    expect(tokenUsers.map(([n]) => n)).toEqual(['Gate']);
  });
});

describe('state machine ConnectorSync', () => {
  const asl = aslOf('ConnectorSync');
  it('retries transient failures of its tasks but not a vendor that gave up or a malformed page, and ends every failure in Fail', () => {
    for (const state of ['Pages', 'Finish']) {
      const retried = asl.States[state].Retry.flatMap((r: { ErrorEquals: string[] }) => r.ErrorEquals);
      expect(retried).toContain('TransientError');
      for (const permanent of Object.values(connectorErrors.CONNECTOR_ERROR_NAMES)) {
        expect(retried).not.toContain(permanent);
      }
      expect(retried).not.toContain('States.ALL');
      expect(asl.States[state].Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'Fail' });
    }
    expect(asl.States.Wait.SecondsPath).toBe('$.step.waitSeconds');
    expect(asl.States.Fail.Parameters.Payload.outcome).toBe('failed');
  });
});
