/**
 * The event log every mining algorithm and the signal replay read: cases (traces) of events in order, each event
 * with its activity, time and other attributes. Importers (import/xes.ts, import/csv.ts) build it from XES and CSV;
 * the platform builds it from workflow runs and entity histories.
 */

/** One event of a trace. */
export interface LogEvent {
  /** The event's id: XES `identity:id`, a CSV id column, else `<case>#<position in its trace>`. */
  id: string;
  /** The activity (XES `concept:name`). */
  activity: string;
  /** Epoch milliseconds, or null when the log has no timestamp for it. */
  time: number | null;
  /** `lifecycle:transition` when present (lower case: `complete`, `start`, ...). */
  lifecycle?: string;
  /** `org:resource` when present. */
  resource?: string;
  /** Every other attribute of the event, by its key (dates as ISO strings, numbers as numbers). */
  attributes: Record<string, string | number | boolean>;
}

/** One case: its id (XES trace `concept:name`) and its events, in log order (stable-sorted by time when known). */
export interface Trace {
  caseId: string;
  events: LogEvent[];
  /** The trace's own attributes besides `concept:name`. */
  attributes: Record<string, string | number | boolean>;
}

export interface EventLog {
  traces: Trace[];
}
