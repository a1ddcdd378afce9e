/**
 * A process running the local event bus alone, for the tests that kill -9 it. Configured by environment:
 *   BUS_STATE_DIR      the bus state folder (journal, dead letters)
 *   BUS_DELIVERED_LOG  JSON-lines file: one line per delivery its function target completed (survives the kill)
 *   BUS_EVENT_LOG      the `log` target's file
 *   BUS_TARGET_MS      how long each attempt of the function target takes
 * Prints `{"endpoint": "..."}` on stdout once it serves.
 */
import { appendFileSync } from 'node:fs';
import { LocalEventBus } from '../../local/event-bus.js';
import { CHILD_BUS_RULES } from './bus-rules.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const delivered = env('BUS_DELIVERED_LOG');
const targetMs = Number(env('BUS_TARGET_MS'));
const bus = new LocalEventBus({
  busName: 'test-bus',
  rules: CHILD_BUS_RULES,
  logFile: env('BUS_EVENT_LOG'),
  stateDir: env('BUS_STATE_DIR'),
  resolveFunction: async (name) => async (event) => {
    await new Promise((r) => setTimeout(r, targetMs));
    appendFileSync(delivered, JSON.stringify({ name, eventId: event.id, pid: process.pid }) + '\n');
  },
  log: () => undefined,
});
const endpoint = await bus.start(0);
process.stdout.write(JSON.stringify({ endpoint }) + '\n');
