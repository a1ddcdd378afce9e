import type { ResolvableType } from '../../../schemas/resolution.js';
import type { MatchedPair } from './engine/resolve.js';
import { CHANGE_LIMITS, type ClusterChange, type ClusterState, RESOLUTION_ACTOR } from './store.js';

export type BatchEvent = { name: 'entity.merged' | 'entity.split'; payload: never };

/** One change written as one audited transaction, with the events that describe it. */
export interface BatchStep {
  change: ClusterChange;
  events: BatchEvent[];
  before: { clusterId: string; members: string[] }[];
  /** Stored clusters this step brings to their final state. */
  finished?: string[];
}

/**
 * A connected batch change: the stored clusters it touches and the clusters it leads to (`targets`, in the
 * order the ids were assigned; `reused` when the id is a stored cluster's).
 */
export interface BatchComponent {
  type: ResolvableType;
  runId: string;
  olds: ClusterState[];
  targets: { clusterId: string; members: string[]; reused: boolean }[];
  /** The engine's best pair of an entity within a group (the evidence of `entity.merged`). */
  bestPair: (id: string, within: readonly string[]) => MatchedPair | undefined;
}

/** Budget of one step: items and bytes of its transaction (defaults: what one transaction holds, with room). */
export interface StepBudget {
  items: number;
  bytes: number;
}
export const DEFAULT_STEP_BUDGET: StepBudget = { items: CHANGE_LIMITS.items - 10, bytes: 3_000_000 };

const PAGE = CHANGE_LIMITS.membersPerPage;
/** Bookkeeping items of every transaction: audit record, chain head, a spare. */
const BOOKKEEPING = 3;
/** Bytes of one id in an item (the JSON string and its separator), and of an event beside its ids. */
const idBytes = (id: string) => id.length + 3;
const EVENT_BYTES = 4_000;
/** Ids an event lists at most (schemas/resolution.ts MAX_EVENT_IDS twice, or a split's 20 × 100 + 500). */
const EVENT_IDS = 2_500;

const pagesOf = (n: number) => Math.max(1, Math.ceil(n / PAGE));

/** entity.merged of a batch: `joined` entered `clusterId`, which now has `members`. */
export function mergedEvent(
  c: Pick<BatchComponent, 'type' | 'runId' | 'bestPair'>,
  clusterId: string,
  joined: readonly string[],
  members: readonly string[],
  evidenceGroup: readonly string[],
  absorbed: readonly string[],
): BatchEvent {
  const first = joined[0]!;
  const p = c.bestPair(first, evidenceGroup);
  return {
    name: 'entity.merged',
    payload: {
      type: c.type,
      clusterId,
      entityIds: [...joined],
      memberIds: [...members],
      ...(p
        ? {
            matchedEntityId: p.id1 === first ? p.id2 : p.id1,
            probability: p.probability,
            weight: p.weight,
            ...(p.explanation ? { explanation: p.explanation } : {}),
          }
        : {}),
      ...(absorbed.length ? { absorbedClusterIds: [...absorbed] } : {}),
      reason: 'batch',
      runId: c.runId,
      modelSource: 'fitted',
      actor: RESOLUTION_ACTOR,
    } as never,
  };
}

/** entity.split of a batch for a stored cluster whose members go to two destinations or more, if any left it. */
export function splitEvent(
  c: Pick<BatchComponent, 'type' | 'runId'>,
  old: ClusterState,
  finalOf: ReadonlyMap<string, string>,
): BatchEvent | undefined {
  const destinations = new Map<string, string[]>();
  for (const m of old.members) {
    const d = finalOf.get(m) ?? `single:${m}`;
    const list = destinations.get(d);
    if (list) list.push(m);
    else destinations.set(d, [m]);
  }
  const left = old.members.filter((m) => finalOf.get(m) !== old.clusterId);
  if (destinations.size < 2 || left.length === 0) return undefined;
  return {
    name: 'entity.split',
    payload: {
      type: c.type,
      clusterId: old.clusterId,
      entityIds: left,
      resultingClusters: [...destinations].map(([d, memberIds]) => ({
        clusterId: d.startsWith('single:') ? null : d,
        memberIds,
      })),
      reason: 'batch',
      runId: c.runId,
      actor: RESOLUTION_ACTOR,
    } as never,
  };
}

/**
 * The component's clusters as they stand while it is written step by step: members and version of every
 * cluster written so far (stored ones first), where each entity is, and which stored clusters are done.
 */
export class StepState {
  readonly members = new Map<string, string[]>();
  readonly version = new Map<string, number>();
  readonly at = new Map<string, string>();
  readonly done = new Set<string>();
  constructor(olds: readonly ClusterState[]) {
    for (const o of olds) {
      this.members.set(o.clusterId, [...o.members]);
      this.version.set(o.clusterId, o.version);
      for (const m of o.members) this.at.set(m, o.clusterId);
    }
  }
  /** The state after a step was written. */
  advance(step: BatchStep): void {
    for (const c of step.change.clusters) {
      if (c.members.length === 0) {
        this.members.delete(c.clusterId);
        this.version.delete(c.clusterId);
      } else {
        this.members.set(c.clusterId, [...c.members]);
        this.version.set(c.clusterId, c.expectedVersion + 1);
      }
    }
    for (const p of step.change.pointers) {
      if (p.clusterId === null) this.at.delete(p.entityId);
      else this.at.set(p.entityId, p.clusterId);
    }
    for (const id of step.finished ?? []) this.done.add(id);
  }
}

/**
 * The next step of a component too large for one transaction, from the state its earlier steps left, or
 * undefined when it is written. Every step is a change of its own that leaves clusters and pointers
 * consistent (an entity a cluster lists has its pointer on it, written in the same transaction):
 * 1. joins: entities move to their cluster, the reused clusters first, in chunks within the budget; a stored
 *    cluster left with fewer than two members is deleted (its last member is alone until its own move);
 * 2. leaves: stored clusters lose the members that end alone (deleted when none of theirs keeps the id).
 * Each step carries the `entity.merged` of the joins it writes, and the `entity.split` of a stored cluster in
 * the step that completes it. A conflict leaves the earlier steps standing: each was a consistent change.
 */
export function nextBatchStep(
  component: BatchComponent,
  state: StepState,
  budget: StepBudget = DEFAULT_STEP_BUDGET,
): BatchStep | undefined {
  const { type, olds, targets } = component;
  const finalOf = new Map<string, string>();
  for (const t of targets) for (const m of t.members) finalOf.set(m, t.clusterId);
  const targetOf = new Map(targets.map((t) => [t.clusterId, t]));
  const isTarget = { has: (id: string) => targetOf.has(id) };
  const ordered = [...targets.filter((t) => t.reused), ...targets.filter((t) => !t.reused)];
  const pendingOf = (t: { clusterId: string; members: string[] }) =>
    t.members.filter((m) => state.at.get(m) !== t.clusterId);
  const hasPending = new Set(ordered.filter((t) => pendingOf(t).length > 0).map((t) => t.clusterId));

  if (hasPending.size > 0) {
    for (const fallback of [false, true]) {
      const step = joinStep(fallback);
      if (step) return step;
    }
    throw new Error('batch step planning made no progress');
  }
  return leaveStep();

  function joinStep(fallback: boolean): BatchStep | undefined {
    const joins = new Map<string, string[]>();
    const removed = new Map<string, Set<string>>();
    const sourcePages = new Map<string, Set<number>>();
    const indexOf = new Map<string, Map<string, number>>();
    let items = BOOKKEEPING;
    let bytes = 0;
    const pageOf = (s: string, m: string) => {
      let idx = indexOf.get(s);
      if (!idx) indexOf.set(s, (idx = new Map(state.members.get(s)!.map((x, k) => [x, k]))));
      return Math.floor(idx.get(m)! / PAGE);
    };
    /** Items and bytes that adding `m` to `t`'s joins costs. */
    const costOf = (t: string, m: string): [number, number] => {
      let n = 1; // its pointer
      let b = 300;
      const joined = joins.get(t)?.length ?? 0;
      if (joined === 0) {
        const current = state.members.get(t)?.length ?? 0;
        n += 3; // head, a page, the event
        b += EVENT_BYTES + Math.min(EVENT_IDS, current + 1) * idBytes(m) + Math.min(PAGE, current + 1) * idBytes(m);
      } else if (joined % PAGE === 0) {
        n += 1;
        b += PAGE * idBytes(m);
      } else b += 2 * idBytes(m);
      const s = state.at.get(m);
      if (s !== undefined) {
        if (!removed.has(s)) {
          // its head, and the entity.split of a stored cluster this step may complete
          n += 2;
          b += EVENT_BYTES + EVENT_IDS * idBytes(m);
        }
        const page = pageOf(s, m);
        if (!sourcePages.get(s)?.has(page)) {
          n += 1;
          b += Math.min(PAGE, state.members.get(s)!.length) * idBytes(m);
        }
      }
      return [n, b];
    };
    const add = (t: string, m: string, [n, b]: [number, number]) => {
      const list = joins.get(t);
      if (list) list.push(m);
      else joins.set(t, [m]);
      const s = state.at.get(m);
      if (s !== undefined) {
        const r = removed.get(s);
        if (r) r.add(m);
        else removed.set(s, new Set([m]));
        const page = pageOf(s, m);
        const ps = sourcePages.get(s);
        if (ps) ps.add(page);
        else sourcePages.set(s, new Set([page]));
      }
      items += n;
      bytes += b;
    };
    const fits = ([n, b]: [number, number]) => fallback || (items + n <= budget.items && bytes + b <= budget.bytes);
    /** A reused cluster that still waits for its own joins keeps two members while others take from it. */
    const mayTake = (m: string) => {
      const s = state.at.get(m);
      if (fallback || s === undefined || !isTarget.has(s) || !hasPending.has(s)) return true;
      return state.members.get(s)!.length - (removed.get(s)?.size ?? 0) - 1 >= 2;
    };
    let full = false;
    for (const t of ordered) {
      if (full) break;
      if (!hasPending.has(t.clusterId)) continue;
      const bySource = pendingOf(t).sort((a, b) => {
        const sa = state.at.get(a) ?? '';
        const sb = state.at.get(b) ?? '';
        return sa < sb ? -1 : sa > sb ? 1 : 0;
      });
      const available = bySource.filter(mayTake);
      // a new cluster is created with two members or more
      const isNew = !state.members.has(t.clusterId);
      if (isNew && available.length < 2) continue;
      if (isNew) {
        const [c1, c2] = [costOf(t.clusterId, available[0]!), costOf(t.clusterId, available[1]!)];
        if (!fits([c1[0] + c2[0] + 2, c1[1] + c2[1]])) {
          full = true;
          break;
        }
      }
      for (const m of available) {
        if (!mayTake(m)) continue;
        const cost = costOf(t.clusterId, m);
        if (!fits(cost)) {
          full = true;
          break;
        }
        add(t.clusterId, m, cost);
      }
    }
    if (joins.size === 0) return undefined;

    const after = new Map<string, string[]>();
    const touched = [...new Set([...removed.keys(), ...joins.keys()])];
    for (const id of touched) {
      const gone = removed.get(id) ?? new Set<string>();
      after.set(id, [...(state.members.get(id) ?? []).filter((m) => !gone.has(m)), ...(joins.get(id) ?? [])]);
    }
    const clusters: ClusterChange['clusters'] = [];
    const pointers: ClusterChange['pointers'] = [];
    const dissolved = new Set<string>();
    for (const id of touched) {
      let members = after.get(id)!;
      if (members.length < 2) {
        // a reused cluster is never dissolved: in fallback its own joins come in the same step
        if (isTarget.has(id) && !fallback) return undefined;
        for (const m of members) pointers.push({ entityId: m, clusterId: null, expectedClusterId: id });
        members = [];
        after.set(id, members);
        dissolved.add(id);
      }
      clusters.push({ clusterId: id, type, members, expectedVersion: state.version.get(id) ?? 0 });
    }
    for (const [t, ms] of joins)
      for (const m of ms) pointers.push({ entityId: m, clusterId: t, expectedClusterId: state.at.get(m) ?? null });
    const events: BatchEvent[] = [];
    for (const [t, ms] of joins) {
      const absorbed = [...dissolved].filter((s) => !isTarget.has(s) && ms.some((m) => state.at.get(m) === s));
      const group = targetOf.get(t)!.members;
      events.push(mergedEvent(component, t, ms, after.get(t)!, group, absorbed));
    }
    return withSplits({ change: { clusters, pointers }, events, before: beforeOf(touched) }, after);
  }

  function leaveStep(): BatchStep | undefined {
    const clusters: ClusterChange['clusters'] = [];
    const pointers: ClusterChange['pointers'] = [];
    const after = new Map<string, string[]>();
    let items = BOOKKEEPING;
    let bytes = 0;
    for (const old of olds) {
      const current = state.members.get(old.clusterId);
      if (!current || state.done.has(old.clusterId)) continue;
      const keeps = isTarget.has(old.clusterId);
      const leavers = current.filter((m) => finalOf.get(m) !== old.clusterId);
      if (leavers.length === 0) continue;
      // pages the leavers are on (a member's index / page size: the store fills pages in member order)
      const pages = new Map<number, string[]>();
      current.forEach((m, k) => {
        if (finalOf.get(m) === old.clusterId) return;
        const p = Math.floor(k / PAGE);
        const list = pages.get(p);
        if (list) list.push(m);
        else pages.set(p, [m]);
      });
      const cost = keeps || current.length - leavers.length >= 2 ? 1 + pages.size : 1 + pagesOf(current.length) + 1;
      const idBytesOf = (n: number) => n * idBytes(old.clusterId);
      const eventBytes = EVENT_BYTES + idBytesOf(EVENT_IDS);
      if (items + cost + 1 <= budget.items && bytes + idBytesOf(current.length) + eventBytes <= budget.bytes) {
        items += cost + 1;
        bytes += idBytesOf(current.length) + eventBytes;
        const members = keeps ? current.filter((m) => finalOf.get(m) === old.clusterId) : [];
        after.set(old.clusterId, members);
        clusters.push({ clusterId: old.clusterId, type, members, expectedVersion: state.version.get(old.clusterId)! });
        for (const m of leavers) pointers.push({ entityId: m, clusterId: null, expectedClusterId: old.clusterId });
        continue;
      }
      if (clusters.length > 0) break;
      // one stored cluster whose leavers are on more pages than one step writes: the first pages' leavers
      const room = Math.max(
        1,
        Math.min(budget.items - BOOKKEEPING - 2, Math.floor(budget.bytes / (PAGE * idBytes(old.clusterId))) - 1),
      );
      const chunk = [...pages.entries()]
        .sort(([a], [b]) => a - b)
        .slice(0, room)
        .flatMap(([, ms]) => ms);
      const gone = new Set(chunk);
      const members = current.filter((m) => !gone.has(m));
      after.set(old.clusterId, members);
      clusters.push({ clusterId: old.clusterId, type, members, expectedVersion: state.version.get(old.clusterId)! });
      for (const m of chunk) pointers.push({ entityId: m, clusterId: null, expectedClusterId: old.clusterId });
      break;
    }
    if (clusters.length === 0) return undefined;
    return withSplits(
      { change: { clusters, pointers }, events: [], before: beforeOf(clusters.map((c) => c.clusterId)) },
      after,
    );
  }

  function beforeOf(ids: readonly string[]) {
    return ids.filter((id) => state.members.has(id)).map((id) => ({ clusterId: id, members: state.members.get(id)! }));
  }

  /** Adds the entity.split of every stored cluster this step completes, and marks it finished. */
  function withSplits(step: BatchStep, after: ReadonlyMap<string, string[]>): BatchStep {
    const finished: string[] = [];
    for (const old of olds) {
      if (state.done.has(old.clusterId) || !after.has(old.clusterId)) continue;
      const members = after.get(old.clusterId)!;
      const final = targetOf.get(old.clusterId)?.members ?? [];
      const complete = members.length === final.length && members.every((m) => finalOf.get(m) === old.clusterId);
      if (!complete) continue;
      finished.push(old.clusterId);
      const split = splitEvent(component, old, finalOf);
      if (split) step.events.push(split);
    }
    return Object.assign(step, { finished });
  }
}

/**
 * Items a whole component change would take in one transaction (an upper estimate: every page of a changed
 * cluster), to tell whether it is written at once or step by step.
 */
export function estimateItems(step: BatchStep): number {
  const before = new Map(step.before.map((b) => [b.clusterId, b.members.length]));
  let items = BOOKKEEPING + step.events.length;
  for (const c of step.change.clusters) {
    const was = before.get(c.clusterId) ?? 0;
    items += 1 + (was > 0 ? pagesOf(was) + 1 : 0) + (c.members.length > 0 ? pagesOf(c.members.length) : 0);
  }
  return items + step.change.pointers.filter((p) => p.clusterId !== null).length;
}
