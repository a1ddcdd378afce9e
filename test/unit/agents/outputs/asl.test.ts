import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RETRYABLE_ERROR_NAMES,
  ApprovalRejectedError,
  ToolFailedError,
} from '../../../../functions/domain/workflows/errors.js';
import { STATE_MACHINES } from '../../../../functions/platform/manifest.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const spec = STATE_MACHINES.find((m) => m.name === 'AgentOutput')!;
const asl = JSON.parse(readFileSync(resolve(ROOT, spec.definitionFile), 'utf8'));
type State = {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName: string; Payload: Record<string, unknown> };
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Next?: string;
  End?: boolean;
};
const states = asl.States as Record<string, State>;
const retried = (s: State) => (s.Retry ?? []).flatMap((r) => r.ErrorEquals);

describe('state machine AgentOutput', () => {
  it('gates with waitForTaskToken and a timeout, passing the token to the gate function only', () => {
    const gate = states.Gate!;
    expect(asl.StartAt).toBe('Gate');
    expect(gate.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(gate.Parameters!.FunctionName).toBe('${AgentOutputGateFunction}');
    expect(spec.functions.AgentOutputGateFunction).toBe('AgentOutputGate');
    expect(gate.Parameters!.Payload['taskToken.$']).toBe('$$.Task.Token');
    expect((gate as { TimeoutSecondsPath?: string }).TimeoutSecondsPath).toBe('$.timeoutSeconds');
    const tokenUsers = Object.entries(states).filter(([, s]) => JSON.stringify(s).includes('$$.Task.Token'));
    expect(tokenUsers.map(([n]) => n)).toEqual(['Gate']);
  });

  it('ends a rejection in Rejected and a timeout in TimedOut, and an approval in Execute', () => {
    const gate = states.Gate!;
    expect(gate.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: [new ApprovalRejectedError('x').name], Next: 'Rejected' }),
      expect.objectContaining({ ErrorEquals: ['States.Timeout'], Next: 'TimedOut' }),
    ]);
    expect(gate.Next).toBe('Execute');
    // A gate that cannot record its approval fails the execution (redrivable) rather than deciding the output.
    expect(retried(gate)).not.toContain('States.ALL');
  });

  it('retries a transient execution failure but never a permanent one, and hands over when retries run out', () => {
    const execute = states.Execute!;
    for (const n of RETRYABLE_ERROR_NAMES) expect(retried(execute)).toContain(n);
    expect(retried(execute)).not.toContain(new ToolFailedError('x').name);
    expect(retried(execute)).not.toContain('States.ALL');
    expect(execute.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'HandOver' })]);
  });

  it('runs every end through the step function with an outcome the step knows, and stops there', () => {
    const outcomes = Object.fromEntries(
      ['Execute', 'HandOver', 'Rejected', 'TimedOut'].map((n) => [n, states[n]!.Parameters!.Payload.outcome]),
    );
    expect(outcomes).toEqual({ Execute: 'approved', HandOver: 'failed', Rejected: 'rejected', TimedOut: 'timed_out' });
    for (const n of Object.keys(outcomes)) {
      expect(states[n]!.Parameters!.FunctionName).toBe('${AgentOutputStepFunction}');
      expect(states[n]!.End).toBe(true);
      expect(retried(states[n]!)).toContain('TransientError');
    }
    expect(spec.functions.AgentOutputStepFunction).toBe('AgentOutputStep');
    expect(Object.keys(states).sort()).toEqual(['Execute', 'Gate', 'HandOver', 'Rejected', 'TimedOut']);
  });

  it('is started by the session function and the launcher, and completed by the approval machinery', () => {
    expect(spec.startedBy).toEqual(['AgentSessions', 'AgentOutputLauncher']);
    for (const fn of ['DecideApproval', 'ApprovalCallback', 'ApprovalRelay', 'ApprovalNotifier', 'AgentOutputGate'])
      expect(spec.callbacksFrom).toContain(fn);
  });
});
