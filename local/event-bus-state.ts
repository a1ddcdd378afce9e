/**
 * What the local bus keeps in its state folder (`<data dir>/bus/`), and the shapes shared by the bus,
 * its journal, its dead-letter file and the `bus:dead-letters` command. Layout and guarantees:
 * docs/local-event-bus.md.
 */
import { join } from 'node:path';
import type { EventRuleSpec } from '../functions/platform/manifest.js';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type DeliveryTarget = EventRuleSpec['target'];

export interface DeliveryError {
  name: string;
  message: string;
}

/** One event on its way to one rule's target, until it is delivered or dead-lettered. */
export interface Delivery {
  /** Unique per delivery (a redrive makes a new one); also the id of its dead letter. */
  id: string;
  rule: string;
  target: DeliveryTarget;
  event: BusEvent;
  /** When the bus accepted the event (or the redrive): the start of its maximum event age (ms). */
  acceptedAt: number;
  /** Failed attempts so far. */
  attempts: number;
  firstAttemptAt?: number;
  lastAttemptAt?: number;
  lastError?: DeliveryError;
  /** When the next attempt is due (ms). */
  nextAt: number;
  /** The dead letter this delivery re-drives. */
  redriveOf?: string;
}

export type GiveUpReason = 'retry-attempts-exhausted' | 'maximum-event-age-exceeded';

/** A line of the dead-letter file: what gave up, with the whole event so it can be re-driven. */
export interface DeadLetter {
  id: string;
  rule: string;
  target: DeliveryTarget;
  event: BusEvent;
  error: DeliveryError;
  reason: GiveUpReason;
  attempts: number;
  firstAttemptAt: string;
  lastAttemptAt: string;
  deadLetteredAt: string;
  redriveOf?: string;
}

export interface RetryPolicy {
  maximumEventAgeSeconds: number;
  maximumRetryAttempts: number;
}

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** The files of a bus state folder. */
export function busStateFiles(stateDir: string) {
  return {
    /** Append-only JSON lines: accepted events and their delivery states (event-journal.ts). */
    journal: join(stateDir, 'journal.jsonl'),
    /** One JSON line per dead letter (DeadLetter). */
    deadLetters: join(stateDir, 'dead-letters.jsonl'),
    /** Redrive requests (`<name>.json`: `{ "ids": [...] }`), taken by the running bus or the next start. */
    redrive: join(stateDir, 'redrive'),
    /** The process id of the bus that owns the folder while it runs. */
    pid: join(stateDir, 'pid'),
  };
}

/** A human name of a target: `function:ResolveEntity`, `log`. */
export const targetName = (target: DeliveryTarget): string =>
  target.kind === 'function' ? `function:${target.function}` : target.kind;
