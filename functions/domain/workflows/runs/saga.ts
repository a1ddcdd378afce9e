import type { RunError } from '../../../../schemas/workflow.js';
import { TransientError } from '../../errors.js';
import type { RunState } from '../ports.js';
import { toolContextOf, toRunError, type EngineDeps } from './run-state.js';

/** What compensation did to each step it touched (step id → outcome); steps without compensation are absent. */
export type Compensation = Record<string, { status: 'COMPENSATED' | 'COMPENSATION_FAILED'; error?: RunError }>;

/**
 * The saga: undoes the run's SUCCEEDED steps in reverse order, each with its tool's `compensate` given the
 * input the step ran with and its output, acting as the run's starter. A tool without `compensate` leaves
 * its effect in place. A compensation that fails for good is reported and the others still run; a
 * TransientError stops the saga and is thrown for the state machine to retry (compensations are
 * idempotent on the step's effect key, so a retry repeats none twice).
 */
export async function compensate(
  run: RunState,
  deps: Pick<EngineDeps, 'tools' | 'entities' | 'clock' | 'idempotency' | 'webhooks'>,
): Promise<Compensation> {
  const compensation: Compensation = {};
  const inputs = run.inputs ?? {};
  for (const step of [...run.steps].reverse()) {
    if (step.status !== 'SUCCEEDED') continue;
    const tool = deps.tools.get(step.tool);
    if (!tool?.compensate) continue;
    const ctx = toolContextOf(run, step.id, step.attempts);
    try {
      await tool.compensate(inputs[step.id], step.output, ctx, {
        entities: deps.entities,
        clock: deps.clock,
        idempotency: deps.idempotency,
        webhooks: deps.webhooks,
      });
      compensation[step.id] = { status: 'COMPENSATED' };
    } catch (error) {
      if (error instanceof TransientError) throw error; // retried by the state machine
      compensation[step.id] = { status: 'COMPENSATION_FAILED', error: toRunError(error, step.id) };
    }
  }
  return compensation;
}
