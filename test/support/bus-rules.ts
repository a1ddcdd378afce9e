import type { EventRuleSpec } from '../../functions/platform/manifest.js';

/** Rules of the bus tests: a function target for one kind of event, and the log target for every event. */
export const CHILD_BUS_RULES: readonly EventRuleSpec[] = [
  {
    name: 'EveryEventLogged',
    description: 'every test event into the log file',
    pattern: { source: [{ prefix: 'test.' }] },
    target: { kind: 'log' },
  },
  {
    name: 'ThingsToFunction',
    description: 'thing events to the function target',
    pattern: { source: ['test.things'], 'detail-type': ['thing.happened'] },
    target: { kind: 'function', function: 'Health' },
  },
];
