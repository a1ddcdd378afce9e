// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
import type { SignalRuleBodyInput } from '../../../schemas/signals.js';

/** Pattern on the activity of an entity change event. */
export const activity = (...names: string[]): Record<string, unknown> => ({ detail: { activity: names } });

/** One rule of each kind over activities A and B, with the given window (the kinds without one ignore it). */
export function rulesOfEveryKind(window: string, n = 2): SignalRuleBodyInput[] {
  return [
    { id: 'm', name: 'match', kind: 'match', match: activity('A') },
    { id: 'seq', name: 'sequence', kind: 'sequence', first: activity('A'), then: activity('B'), within: window },
    { id: 'abs', name: 'absence', kind: 'absence', first: activity('A'), missing: activity('B'), within: window },
    { id: 'cnt', name: 'count', kind: 'count', match: activity('A'), atLeast: n, within: window },
    { id: 'rep', name: 'repetition', kind: 'repetition', match: activity('A'), atLeast: n },
    { id: 'gap', name: 'inactivity', kind: 'inactivity', longerThan: window },
    { id: 'gapd', name: 'inactivity at deadline', kind: 'inactivity', longerThan: window, fireAtDeadline: true },
    {
      id: 'gapm',
      name: 'inactivity of A',
      kind: 'inactivity',
      longerThan: window,
      match: activity('A'),
      fireAtDeadline: true,
    },
    {
      id: 'seqab',
      name: 'sequence A|B then A|B',
      kind: 'sequence',
      first: activity('A', 'B'),
      then: activity('A', 'B'),
      within: window,
    },
  ];
}
