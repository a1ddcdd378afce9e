import type { DetectedSignal } from '../../../functions/domain/cases/signal-cases.js';

let n = 0;

/** A signal.detected payload as the detector emits it; each call a new signal id unless one is given. */
export const aSignal = (overrides: Partial<DetectedSignal> & Record<string, unknown> = {}) => ({
  signalId: `sig_${++n}`,
  ruleId: 'stalled-deal',
  ruleVersion: 1,
  ruleName: 'Deal stalled',
  kind: 'absence',
  key: 'deal-1',
  entityId: 'deal-1',
  matchId: `m-${n}`,
  at: '2026-02-03T04:00:00.000Z',
  detectedAt: '2026-02-03T04:05:06.000Z',
  eventIds: ['e-1'],
  caseKey: 'stalled-deal:deal-1',
  caseTitle: null,
  action: null,
  ...overrides,
});
