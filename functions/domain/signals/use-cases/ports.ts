/**
 * Ports of the signal use cases (rule administration, detection, deadline fires, signal reads). The engine below
 * them (../engine.ts, ../rules.ts) is pure; these are what the platform stores and schedules around it. Every
 * method is scoped to one tenant.
 */
import type { Signal } from '../../../../schemas/detected-signals.js';
import type { SignalRuleBody } from '../../../../schemas/signals.js';
import type { MutationRecord, Page } from '../../ports.js';
import type { KeyState, SignalEvent } from '../types.js';

/** A rule version as stored: the body exactly as accepted, and who made it when. */
export interface StoredSignalRule {
  body: SignalRuleBody;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
  /**
   * The roles of the user who wrote this version: the workflow its action starts runs with them, so a rule does
   * what its author could by executing the workflow, no more. Absent on versions stored before roles were kept.
   */
  authorRoles?: string[];
}

/**
 * The tenant's signal rules: the latest version of each live rule, every version ever stored (signals name the
 * version that detected them), and one rule-set version that every create, update and delete moves, so the detector
 * can tell with one read whether its cached rules are still the tenant's.
 */
export interface SignalRuleStore {
  /**
   * Stores a new rule (its first version, or the next after a deleted rule of the same id: `rule.version` is
   * `lastVersion + 1`). ConflictError if a live rule has the id, or the id's history moved since it was read.
   */
  create(tenantId: string, rule: StoredSignalRule, lastVersion: number, mutation: MutationRecord): Promise<void>;
  /** The live rule's latest version, or the given version (also of a deleted rule). */
  get(tenantId: string, id: string, version?: number): Promise<StoredSignalRule | undefined>;
  /** The last version of a deleted rule with this id (0 if the id was never used or is live). */
  lastDeletedVersion(tenantId: string, id: string): Promise<number>;
  /** Live rules in id order. */
  list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<StoredSignalRule>>;
  /** Stores `rule` (version N+1) if the latest is still `expectedVersion`, else ConflictError. */
  update(tenantId: string, rule: StoredSignalRule, expectedVersion: number, mutation: MutationRecord): Promise<void>;
  /** Deletes the live rule if its version is `expectedVersion` (else ConflictError); its versions stay readable. */
  delete(tenantId: string, id: string, expectedVersion: number, mutation: MutationRecord): Promise<void>;
  /** The rule set's version (0 before the first rule): it changes with every create, update and delete. */
  ruleSetVersion(tenantId: string): Promise<number>;
  /** Every live rule (latest versions), read consistently. */
  allRules(tenantId: string): Promise<StoredSignalRule[]>;
}

/** A key's state under a rule as stored between events. */
export interface StoredKeyState {
  ruleId: string;
  key: string;
  /** The rule version and semantic fingerprint the state was built under (another fingerprint: start afresh). */
  ruleVersion: number;
  fingerprint: string;
  state: KeyState;
  /** The deadline a timer is armed for (epoch ms), if any. */
  deadline: number | null;
  /** The entity the key's latest event came from, when it carried one. */
  entityId: string | null;
  /** The value of the rule's `case.key` path on the key's latest event that had one. */
  caseKey: string | null;
  /** When the state may be forgotten (epoch ms; the table's TTL removes it some time after). */
  expiresAt: number;
  /** Optimistic-locking counter: every write moves it. */
  revision: number;
}

/** A detected signal with its audit record and `signal.detected` event. */
export interface SignalWrite {
  signal: Signal;
  mutation: MutationRecord;
}

/** The state to write with the signals: conditioned on the revision read (`null`: there was none). */
export interface KeyStateWrite {
  next: Omit<StoredKeyState, 'revision'>;
  expectedRevision: number | null;
}

export interface SignalQuery {
  limit: number;
  cursor?: string;
  rule?: string;
  entity?: string;
  /** ISO instant: signals detected at or after it. */
  since?: string;
}

/** Key states and the signals detected from them. */
export interface SignalStore {
  getState(tenantId: string, ruleId: string, key: string): Promise<StoredKeyState | undefined>;
  /**
   * Writes the key's new state (when given) and the signals, each signal with its audit record and event, all or
   * nothing where one transaction holds them. ConflictError when the state moved since it was read or a signal
   * exists already (nothing of that transaction is written). When they do not fit one transaction, the signals go
   * first, the state last, so a crash between them leaves signals the retry finds (`existingSignals`), never a
   * state that claims signals nobody wrote.
   */
  commit(tenantId: string, write: { state?: KeyStateWrite; signals: SignalWrite[] }): Promise<void>;
  /** Which of these signal ids are stored. */
  existingSignals(tenantId: string, ids: readonly string[]): Promise<Set<string>>;
  getSignal(tenantId: string, id: string): Promise<Signal | undefined>;
  /** Newest first (by detection time); `rule`, `entity` and `since` narrow it. */
  listSignals(tenantId: string, query: SignalQuery): Promise<Page<Signal>>;
}

/** A deadline of a rule for one key: when it comes, the deadline fire advances the key's state to it. */
export interface DeadlineFire {
  tenantId: string;
  ruleId: string;
  ruleVersion: number;
  key: string;
  /** Epoch ms. */
  deadline: number;
}

/**
 * Durable one-shot timers (EventBridge Scheduler in AWS, the local scheduler's persisted schedules locally): each
 * fires SignalDeadline once, at `fireAt` or later, never before, with the fire as its input.
 */
export interface DeadlineTimers {
  /**
   * Arms the timer of `fire` at `fireAt` (idempotent: the same fire arms one timer). `'past'`: the time has come
   * already and nothing was armed, the caller acts now.
   */
  arm(fire: DeadlineFire, fireAt: number): Promise<'scheduled' | 'past'>;
}

/** Whether a workflow exists (a rule that starts one must name one that does). */
export interface WorkflowCatalog {
  exists(tenantId: string, workflowId: string): Promise<boolean>;
}

/** An event of the signal history as stored: the engine's event, and whether its detail had to be trimmed to fit. */
export interface HistoryEntry {
  event: SignalEvent;
  /** Leaves of `detail.payload` were removed to bound the item (use-cases/signal-history.ts). */
  trimmed: boolean;
}

/** Which part of the history to read, newest first, and how much at most. */
export interface HistoryQuery {
  /** Epoch ms, inclusive: the oldest event time wanted. */
  from: number;
  /** Epoch ms, inclusive: the newest event time wanted. */
  to: number;
  /** Most events to hold. */
  maxEvents: number;
  /** Most bytes of stored events (their JSON, UTF-8) to hold. */
  maxBytes: number;
}

/** What a read of the history found. */
export interface HistoryRead {
  /** The events with a time in [from, to], in time order (then id); one per id. */
  events: SignalEvent[];
  /** How many of them were stored trimmed. */
  trimmed: number;
  /**
   * True when a bound was reached before the oldest event wanted: `from` is then later than the query's, and the
   * events are every event of [from, to] (none of the instant at which the read stopped, which it may have split).
   */
  truncated: boolean;
  /** Epoch ms: the oldest time the events cover completely (the query's `from` unless truncated). */
  from: number;
}

/**
 * The signal history: every entity change event the detector saw, as the rules see it, kept for a month by event
 * time (per tenant and UTC day), so a rule can be tried on the recent past before it is saved.
 */
export interface SignalHistory {
  /** Stores the entries; an event whose id is stored already is left as it is (the first copy stays). */
  record(tenantId: string, entries: readonly HistoryEntry[]): Promise<void>;
  /** The events of [from, to], newest first until a bound is reached (see HistoryRead). */
  read(tenantId: string, query: HistoryQuery): Promise<HistoryRead>;
}
