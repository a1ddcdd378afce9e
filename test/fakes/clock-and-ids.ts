import type { Clock, IdGenerator } from '../../functions/domain/ports.js';

/** A Clock that always answers the same instant. */
export const fixedClock = (iso = '2026-02-03T04:05:06.000Z'): Clock => ({ now: () => new Date(iso) });

/** An IdGenerator answering `<prefix>-1`, `<prefix>-2`, … */
export const sequentialIds = (prefix = 'id'): IdGenerator => {
  let n = 0;
  return { newId: () => `${prefix}-${++n}` };
};
