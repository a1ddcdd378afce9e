/**
 * The signal engine's contract: what the detector (the platform), the replay command and the benchmark hand to the
 * engine (engine.ts) and get back. Everything here is plain JSON-serialisable data, so a key's state can be stored
 * in one table item between events.
 *
 * Evaluation is by event time. A key's state holds the events that matter to its rule, sorted by time (then id),
 * deduplicated by event id; a late event is placed by its time. The engine reports a match once (by its `matchId`)
 * as soon as the events it has seen and the time `now` make it hold; a match reported from the events known then
 * is not retracted by a later, earlier-timed event. Replaying a whole log therefore inserts every event first and
 * evaluates once at the end (`now` = +Infinity), which makes the result independent of the events' arrival order.
 */

/** An event as the rules see it: an EventBridge-shaped event (`source`, `detail-type`, `time`, `detail`). */
export interface SignalEvent {
  /** Unique id: duplicates (same id) count once. */
  id: string;
  /** Event time, epoch milliseconds. */
  time: number;
  /** What the rule's patterns match and its `key` path (relative to `detail`) reads. */
  event: Record<string, unknown>;
}

/** A rule that held for a key. */
export interface SignalMatch {
  ruleId: string;
  key: string;
  /** Deterministic per rule and key: the same match found twice has the same id (kind-specific, see engine.ts). */
  matchId: string;
  /** Event time at which it held: the completing event's time, or the deadline for absence and open inactivity. */
  at: number;
  /** Ids of the events that make it up, in time order (for an absence: the first event). */
  eventIds: string[];
}

/** One event kept in a key's state: its id, time and which of the rule's patterns it matched (bit mask). */
export interface KeptEvent {
  id: string;
  t: number;
  m: number;
}

/** A key's state under one rule. */
export interface KeyState {
  /** Kept events, sorted by (t, id). */
  events: KeptEvent[];
  /** Ids of matches already reported (bounded). */
  reported: string[];
  /** Newest event time seen (epoch ms). */
  lastTime: number;
  /** The key the state belongs to (set by its first event), so `advance` can name it in its matches. */
  key?: string;
  /** repetition: matching events counted that the state no longer holds (older than the lateness horizon). */
  counted?: number;
  /** count: the last match's completing event; events at or before it are used up (a new match needs n after it). */
  consumed?: { t: number; id: string };
}

/** What applying an event or advancing time produced. */
export interface Evaluation {
  state: KeyState;
  /** New matches, not reported before, in order of `at`. */
  matches: SignalMatch[];
  /** The earliest future time (epoch ms) at which `advance` could find a match (absence and open inactivity). */
  nextDeadline: number | null;
  /** When the state may be forgotten (epoch ms): no future event or deadline can use it after then. */
  expiresAt: number;
}
