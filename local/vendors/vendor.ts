/**
 * What each fake vendor implements for the server (its API, its answers to injected faults) and for the control
 * API (changing records, the truth), and the shared state they read.
 */
import type { VendorClock } from './clock.js';
import type { FaultKind } from './faults.js';
import type { VendorAnswer, VendorRequest } from './http.js';
import type { VendorSettings, VendorSystem } from './options.js';
import type { SeedData, TruthKind } from './seed/types.js';
import type { VendorStats } from './stats.js';
import type { TokenStore } from './tokens.js';

export interface VendorContext {
  clock: VendorClock;
  tokens: TokenStore;
  settings: VendorSettings;
  stats: VendorStats;
}

/** One row of the ground truth: a vendor record and the generator's entity it describes. */
export interface TruthRow {
  system: VendorSystem;
  object: string;
  id: string;
  entityId: string;
  kind: TruthKind;
}

/** A record as the control API shows it: the vendor's own field names, plus its state. */
export interface ControlRecord {
  system: VendorSystem;
  object: string;
  id: string;
  entityId: string;
  fields: Record<string, unknown>;
  deleted: boolean;
}

/** A control request the fake refuses (unknown object, unknown field, no such record). */
export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

export type AnswerFault = '429' | '500' | 'expired-token' | 'html-200' | 'error-200';
export type DataFault = 'missing-fields' | 'wrong-types' | 'empty';

export interface FakeVendor {
  readonly system: VendorSystem;
  /** The path kind a request is counted under in the stats (`query`, `list`, `workers`…). */
  kindOf(req: VendorRequest): string;
  handle(req: VendorRequest): VendorAnswer;
  /** The vendor's own answer for a fault that replaces the handling. */
  faultAnswer(fault: AnswerFault, req: VendorRequest): VendorAnswer;
  /** A successful JSON answer's records, damaged as the fault says. */
  corrupt(fault: DataFault, json: unknown, req: VendorRequest): unknown;
  create(object: string, fields: Record<string, unknown>, entityId?: string): ControlRecord;
  update(object: string, id: string, fields: Record<string, unknown>): ControlRecord;
  remove(object: string, id: string): ControlRecord;
  get(object: string, id: string): ControlRecord;
  truth(): TruthRow[];
  /** Back to the seeded state (records, cursors, quotas). */
  reset(seed: SeedData): void;
}

export type { FaultKind };

/** Applies `fn` to each record of the array under `key` of a JSON object answer, when there is one. */
export function mapRecords(json: unknown, key: string, fn: (r: Record<string, unknown>) => unknown): unknown {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return json;
  const list = (json as Record<string, unknown>)[key];
  if (!Array.isArray(list)) return json;
  return { ...json, [key]: list.map((r) => (r && typeof r === 'object' ? fn(r as Record<string, unknown>) : r)) };
}

export function without(r: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out = { ...r };
  for (const k of keys) delete out[k];
  return out;
}

/** Checks control-API field values: strings, numbers, booleans or null only. */
export function plainValue(field: string, v: unknown): string | number | boolean | null {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  throw new ControlError(400, `field ${field}: value must be a string, number, boolean or null`);
}
