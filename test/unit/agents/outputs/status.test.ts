import { describe, expect, it } from 'vitest';
import { OutputTransitionError } from '../../../../functions/domain/agents/outputs/errors.js';
import { assertTransition, canTransition, isTerminal } from '../../../../functions/domain/agents/outputs/status.js';
import { OUTPUT_STATUSES, TERMINAL_OUTPUT_STATUSES, type OutputStatus } from '../../../../schemas/agents.js';

// The seed's diagram, written out as the pairs it draws (not derived from the module under test).
const DRAWN: ReadonlyArray<[OutputStatus, OutputStatus]> = [
  ['pending', 'approved'],
  ['pending', 'rejected'],
  ['pending', 'notification_failed'],
  ['notification_failed', 'approved'],
  ['notification_failed', 'rejected'],
  ['approved', 'executed'],
  ['approved', 'manual'],
];

describe('the output status machine', () => {
  const pairs = OUTPUT_STATUSES.flatMap((from) =>
    OUTPUT_STATUSES.map((to) => [from, to] as [OutputStatus, OutputStatus]),
  );

  it.each(pairs)('%s → %s is allowed exactly when the seed draws it', (from, to) => {
    const drawn = DRAWN.some(([f, t]) => f === from && t === to);
    expect(canTransition(from, to)).toBe(drawn);
    if (drawn) expect(() => assertTransition(from, to)).not.toThrow();
    else expect(() => assertTransition(from, to)).toThrow(OutputTransitionError);
  });

  it('never leaves a terminal state, and names the refused change', () => {
    for (const from of TERMINAL_OUTPUT_STATUSES) {
      expect(isTerminal(from)).toBe(true);
      for (const to of OUTPUT_STATUSES) {
        const error = (() => {
          try {
            assertTransition(from, to);
          } catch (e) {
            return e as OutputTransitionError;
          }
        })();
        expect(error).toMatchObject({ name: 'OutputTransitionError', code: 'CONFLICT', status: 409, from, to });
      }
    }
    expect(OUTPUT_STATUSES.filter(isTerminal).sort()).toEqual(['executed', 'manual', 'rejected']);
  });

  it('executes or hands over only what was approved: no way from pending straight to executed or manual', () => {
    for (const from of ['pending', 'notification_failed'] as const) {
      expect(canTransition(from, 'executed')).toBe(false);
      expect(canTransition(from, 'manual')).toBe(false);
    }
  });
});
