/**
 * Signal detection on the platform: each entity change event is evaluated against the tenant's enabled rules, one
 * key state per rule and key; each new match becomes a signal, written with its audit record and `signal.detected`
 * event in the transaction that moves the key's state. Deadlines (absence, inactivity with `fireAtDeadline`) are
 * durable one-shot timers whose fire advances the key's state to the deadline and writes what holds then.
 *
 * Time. A deadline counts as passed once the wall clock is `graceMs` beyond it, for events and fires alike: an event
 * of the same key whose time is before the deadline but that is still on its way (outbox, stream, bus) gets that long
 * to arrive and prevent an absence. The engine's `now` is therefore the wall clock less the grace, not the event's
 * time: an event says nothing about which other events of its key have arrived, and a timer fires at or after its
 * time, never before. A match reported is never retracted, so an event later than the grace cannot undo one.
 *
 * Exactly once, from at-least-once deliveries. The engine keeps the ids of the events and matches it has seen in the
 * state, so a redelivered event changes nothing; a signal's id is deterministic from the tenant, rule, key and
 * match, and written only if it does not exist, so a retry whose first attempt wrote its signals writes none again.
 * The state is written conditionally on the revision read: a concurrent change of the same key is read again and
 * re-evaluated.
 */
import type { Signal, SignalDetectedPayload } from '../../../../schemas/detected-signals.js';
import { SIGNAL_DETECTOR_ACTOR } from '../../auth/actors.js';
import { ConflictError, TransientError } from '../../errors.js';
import type { Clock, MutationRecord } from '../../ports.js';
import { hashOf, sha256Hex } from '../../shared/hash.js';
import { advance, applyEvent, emptyKeyState } from '../engine.js';
import type { Evaluation, KeyState, SignalEvent, SignalMatch } from '../types.js';
import { type EntityBusEvent, entityIdOf, signalEventsOf } from './entity-events.js';
import type { DeadlineFire, DeadlineTimers, SignalHistory, SignalStore, SignalWrite, StoredKeyState } from './ports.js';
import type { LoadedRule, RuleSetSource } from './rule-set.js';
import { type HistoryOutcome, recordHistory } from './signal-history.js';

export interface DetectionDeps {
  ruleSets: RuleSetSource;
  store: SignalStore;
  timers: DeadlineTimers;
  clock: Clock;
  /** Where every event evaluated is also recorded, for rule previews (signal-history.ts). */
  history: Pick<SignalHistory, 'record'>;
  /** How far past a deadline the wall clock must be for it to count as passed (default DEFAULT_GRACE_MS). */
  graceMs?: number;
  /** Waits (a fire that came early); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The default grace: the platform's own delivery from an entity write to the detector takes well under a second
 * (docs/benchmarks.md, signal latency); a second more for the tail costs nothing next to Scheduler's minute.
 */
export const DEFAULT_GRACE_MS = 1000;
/** Rules of one event evaluated at once (each is a read and at most a transaction). */
const RULE_CONCURRENCY = 8;
/** Attempts at one key's evaluation that lost a race (a concurrent event of the key) before the caller retries. */
const MAX_ATTEMPTS = 8;
/** A timer that fires this much early at most is waited out; earlier, it is armed again. */
const MAX_EARLY_WAIT_MS = 70_000;

/** The signal id of a match: the same match found again (a retry, a redelivery) is the same signal. */
export const signalIdOf = (tenantId: string, ruleId: string, key: string, matchId: string): string =>
  `sig-${sha256Hex(JSON.stringify([tenantId, ruleId, key, matchId])).slice(0, 32)}`;

/** What the evaluation of one event or fire did. */
export interface DetectionOutcome {
  /** Rule and key pairs evaluated (rules whose key the event has and whose patterns it matches). */
  evaluated: number;
  /** Ids of the signals written. */
  signals: string[];
}

interface KeyContext {
  tenantId: string;
  loaded: LoadedRule;
  key: string;
  /** Correlation of what the signals are written for (the entity change's request, or the fire). */
  requestId: string;
  /** The entity the event came from, and the case key it gives, when it is an event. */
  entityId: string | null;
  caseKey: string | null;
  /** The deadline being fired, when it is a fire. */
  firedDeadline?: number;
}

const nowOf = (deps: DetectionDeps) => deps.clock.now().getTime() - (deps.graceMs ?? DEFAULT_GRACE_MS);

/**
 * When the timer of a deadline fires: the grace after it, and a millisecond more, so the engine's `now` is past the
 * deadline itself (an absence holds once its window (tA, tA+W] is over, i.e. at a time after tA+W).
 */
const fireAtOf = (deadline: number, deps: DetectionDeps) => deadline + 1 + (deps.graceMs ?? DEFAULT_GRACE_MS);

const fireOf = (c: KeyContext, deadline: number): DeadlineFire => ({
  tenantId: c.tenantId,
  ruleId: c.loaded.rule.id,
  ruleVersion: c.loaded.version,
  key: c.key,
  deadline,
});

function signalOf(c: KeyContext, match: SignalMatch, entityId: string | null, caseKey: string | null, at: string) {
  const { rule, version, authorRoles } = c.loaded;
  const signal: Signal = {
    id: signalIdOf(c.tenantId, rule.id, c.key, match.matchId),
    ruleId: rule.id,
    ruleVersion: version,
    ruleName: rule.body.name,
    kind: rule.kind,
    key: c.key,
    entityId,
    matchId: match.matchId,
    at: new Date(match.at).toISOString(),
    detectedAt: at,
    eventIds: match.eventIds,
    caseKey: caseKey ?? `${rule.id}:${c.key}`,
    caseTitle: rule.caseTitle ?? null,
    action: rule.action ? { ...rule.action, ...(authorRoles ? { roles: authorRoles } : {}) } : null,
  };
  const { id, ...fields } = signal;
  const payload: SignalDetectedPayload = { signalId: id, ...fields };
  const mutation: MutationRecord = {
    audit: {
      action: 'signal.detect',
      actor: SIGNAL_DETECTOR_ACTOR,
      resourceType: 'signal',
      resourceId: id,
      at,
      requestId: c.requestId,
      beforeHash: null,
      afterHash: hashOf(signal),
    },
    events: [{ name: 'signal.detected', payload }],
  };
  return { signal, mutation } satisfies SignalWrite;
}

const sameState = (a: KeyState, b: KeyState) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Evaluates one key of one rule (`step`: an event applied, or time advanced) and writes what changed: the state
 * (conditioned on the revision read), the new signals, and the timer of its next deadline. Retried on a concurrent
 * change of the key; signals that turn out to exist already are left out of the next attempt.
 */
async function evaluateKey(
  c: KeyContext,
  step: (state: KeyState, now: number) => Evaluation,
  deps: DetectionDeps,
): Promise<string[]> {
  const exists = new Set<string>();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await deps.store.getState(c.tenantId, c.loaded.rule.id, c.key);
    // Another definition's state, or one past its expiry (TTL deletes it days later): the key starts afresh, as
    // it would once the item is gone, so when TTL gets to it changes nothing.
    const fresh =
      !stored || stored.fingerprint !== c.loaded.fingerprint || stored.expiresAt <= deps.clock.now().getTime();
    // A fire of a deadline the rule's current definition did not set: that definition is gone, and so is its deadline.
    if (c.firedDeadline !== undefined && fresh) return [];
    const state = fresh ? emptyKeyState() : stored.state;
    const evaluation = step(state, nowOf(deps));
    // The timer that is armed for this key (the earliest), once the one firing now is done.
    const armed = fresh || stored.deadline === c.firedDeadline ? null : stored.deadline;
    const entityId = c.entityId ?? stored?.entityId ?? null;
    const caseKey = c.caseKey ?? (fresh ? null : stored.caseKey);
    const detectedAt = deps.clock.now().toISOString();
    const signals = evaluation.matches
      .map((m) => signalOf(c, m, entityId, caseKey, detectedAt))
      .filter((s) => !exists.has(s.signal.id));
    const deadline = evaluation.nextDeadline;
    // A later deadline needs no timer while an earlier one is armed: that one's fire arms it.
    let nextArmed = armed;
    if (deadline !== null && (armed === null || armed > deadline)) {
      // Its time came while this was computed: evaluate again, now past it.
      if ((await deps.timers.arm(fireOf(c, deadline), fireAtOf(deadline, deps))) === 'past') continue;
      nextArmed = deadline;
    }
    const changed =
      !stored ||
      fresh ||
      !sameState(state, evaluation.state) ||
      nextArmed !== stored.deadline ||
      entityId !== stored.entityId ||
      caseKey !== stored.caseKey;
    if (!changed && signals.length === 0) return [];
    const next: Omit<StoredKeyState, 'revision'> = {
      ruleId: c.loaded.rule.id,
      key: c.key,
      ruleVersion: c.loaded.version,
      fingerprint: c.loaded.fingerprint,
      state: evaluation.state,
      deadline: nextArmed,
      entityId,
      caseKey,
      expiresAt: evaluation.expiresAt,
    };
    try {
      await deps.store.commit(c.tenantId, {
        ...(changed ? { state: { next, expectedRevision: stored?.revision ?? null } } : {}),
        signals,
      });
      return signals.map((s) => s.signal.id);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // The key moved (read it again) or a signal exists (a concurrent copy of this evaluation wrote it).
      for (const id of await deps.store.existingSignals(
        c.tenantId,
        signals.map((s) => s.signal.id),
      ))
        exists.add(id);
    }
  }
  throw new TransientError(
    `rule ${c.loaded.rule.id}: a key's state kept changing under ${MAX_ATTEMPTS} evaluations; the delivery is retried`,
  );
}

async function mapLimit<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** What the evaluation of an entity change event did, and what its recording in the history did. */
export interface EventDetectionOutcome extends DetectionOutcome {
  history: HistoryOutcome;
}

/**
 * Evaluates an entity change event (entity.created, entity.updated, entity.merged, entity.split) against the
 * tenant's enabled rules, and records its engine events in the signal history (whether or not any rule wants
 * them: a rule not yet saved is previewed on them). A rule that does not find its key in the event, or whose
 * patterns the event matches none of, is not evaluated (no read). Idempotent: a redelivered event writes nothing
 * new. The history is written after the rules' writes, on its own: a failure of either fails the delivery, whose
 * retry redoes both without doubling anything.
 */
export async function detectSignals(bus: EntityBusEvent, deps: DetectionDeps): Promise<EventDetectionOutcome> {
  const tenantId = bus.detail.tenantId;
  const events = signalEventsOf(bus);
  if (events.length === 0) return { evaluated: 0, signals: [], history: { recorded: 0, trimmed: 0, skipped: 0 } };
  // The rules first: the history's write adds nothing to a signal's latency.
  const detection = await evaluateEvents(bus, events, deps);
  const history = await recordHistory(tenantId, events, deps.clock.now().getTime(), deps.history);
  return { ...detection, history };
}

async function evaluateEvents(
  bus: EntityBusEvent,
  events: readonly SignalEvent[],
  deps: DetectionDeps,
): Promise<DetectionOutcome> {
  const tenantId = bus.detail.tenantId;
  const rules = (await deps.ruleSets.rulesOf(tenantId)).filter((r) => r.rule.enabled);
  const requestId = typeof bus.detail.correlationId === 'string' ? bus.detail.correlationId : bus.detail.eventId;
  const work: Array<{ loaded: LoadedRule; key: string; ev: SignalEvent }> = [];
  for (const ev of events)
    for (const loaded of rules) {
      const key = loaded.rule.keyOf(ev.event);
      if (key !== null && loaded.rule.mask(ev.event) !== 0) work.push({ loaded, key, ev });
    }
  const written = await mapLimit(work, RULE_CONCURRENCY, ({ loaded, key, ev }) =>
    evaluateKey(
      {
        tenantId,
        loaded,
        key,
        requestId,
        entityId: entityIdOf(ev),
        caseKey: loaded.rule.caseKeyOf(ev.event),
      },
      (state, now) => applyEvent(loaded.rule, state, ev, now),
      deps,
    ),
  );
  return { evaluated: work.length, signals: written.flat() };
}

/** What a deadline fire did. */
export type DeadlineOutcome =
  | { skipped: 'rule-gone' | 'rule-disabled' | 'rearmed' }
  | ({ skipped?: undefined } & DetectionOutcome);

/**
 * A deadline's timer fired: advances the key's state to now and writes what holds (the absence, the silence), then
 * arms the key's next deadline, if any. A fire of a deleted or disabled rule, or of a rule whose definition changed
 * since, does nothing. Idempotent: a fire delivered twice finds its matches reported and writes nothing new.
 */
export async function fireDeadline(fire: DeadlineFire, deps: DetectionDeps): Promise<DeadlineOutcome> {
  const loaded = (await deps.ruleSets.rulesOf(fire.tenantId)).find((r) => r.rule.id === fire.ruleId);
  if (!loaded) return { skipped: 'rule-gone' };
  if (!loaded.rule.enabled) return { skipped: 'rule-disabled' };
  const early = fireAtOf(fire.deadline, deps) - deps.clock.now().getTime();
  if (early > 0) {
    // Timers fire at or after their time; an early one is waited out, or (far too early) armed again.
    if (early > MAX_EARLY_WAIT_MS) {
      await deps.timers.arm(fire, fireAtOf(fire.deadline, deps));
      return { skipped: 'rearmed' };
    }
    await (deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(early);
  }
  const signals = await evaluateKey(
    {
      tenantId: fire.tenantId,
      loaded,
      key: fire.key,
      requestId: `deadline:${fire.ruleId}:${fire.deadline}`,
      entityId: null,
      caseKey: null,
      firedDeadline: fire.deadline,
    },
    (state, now) => advance(loaded.rule, state, now),
    deps,
  );
  return { evaluated: 1, signals };
}
