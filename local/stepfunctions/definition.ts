/**
 * What the thin layer changes in an ASL definition before the unmodified interpreter sees it, and
 * what it reads from the original. Nothing here evaluates ASL: the interpreter still does all of
 * InputPath, Parameters, ResultSelector, ResultPath, OutputPath, Choice, Retry, Catch, Map, Parallel.
 */

/** AWS Step Functions Standard's default Task timeout (no TimeoutSeconds): 99999999 s. */
export const AWS_DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;

/**
 * The per-Task timer the interpreter arms on its own (it defaults to 60 s when a Task has no
 * TimeoutSeconds). We set it to the longest delay a Node timer can hold (2^31-1 ms, ~24.8 days) so it
 * never decides anything: the layer enforces the real timeout and heartbeat with recorded deadlines.
 */
export const INTERPRETER_TASK_TIMEOUT_SECONDS = 2_147_483;

/** Key of the wrapper the rewritten Task `Parameters` produce (see `prepareDefinition`). */
export const WRAP = '__modos';

/** Replaces `$$.Task.Token` in Parameters; the layer substitutes the real token for it. */
export const TOKEN_PLACEHOLDER = '\u0000modos:task-token\u0000';

/**
 * Name under which the layer exposes the execution's Context Object fields. The interpreter rebuilds
 * `$$.Execution` for every run (StartTime = now, which changes on replay) and for every Map/Parallel
 * child (Input = the item or branch input, which is wrong), so references are redirected here.
 */
export const CONTEXT_EXECUTION_KEY = 'ModosExecution';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface TaskSpec {
  name: string;
  resource: string;
  timeoutSeconds?: number;
  timeoutSecondsPath?: string;
  heartbeatSeconds?: number;
  heartbeatSecondsPath?: string;
}

export interface PreparedDefinition {
  /** What the interpreter runs. */
  interpreter: Record<string, unknown>;
  /** Every Task state (state names are unique across the whole machine, as AWS requires). */
  tasks: Map<string, TaskSpec>;
  /** Top-level TimeoutSeconds, enforced by the layer with an absolute deadline. */
  executionTimeoutSeconds?: number;
}

type StateDef = Record<string, unknown>;
type MachineDef = { States: Record<string, StateDef>; StartAt: string; [k: string]: unknown };

function rewriteContextPaths(value: unknown): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\$\.Execution(?![A-Za-z0-9_])/g, `$$$$.${CONTEXT_EXECUTION_KEY}`);
  if (Array.isArray(value)) return value.map(rewriteContextPaths);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteContextPaths(v)]));
  }
  return value;
}

function rewriteErrorEquals(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((r: Record<string, unknown>) => {
    if (!Array.isArray(r.ErrorEquals)) return r;
    // A heartbeat timeout is reported as States.Timeout (as AWS reports it); a retrier or catcher
    // naming States.HeartbeatTimeout therefore matches States.Timeout (see docs: over-matches task timeouts).
    const names = [
      ...new Set((r.ErrorEquals as string[]).map((e) => (e === 'States.HeartbeatTimeout' ? 'States.Timeout' : e))),
    ];
    return { ...r, ErrorEquals: names };
  });
}

function rewriteMachine(machine: MachineDef, tasks: Map<string, TaskSpec>): MachineDef {
  const states: Record<string, StateDef> = {};
  for (const [name, original] of Object.entries(machine.States)) {
    const state: StateDef = { ...original };
    if ('Retry' in state) state.Retry = rewriteErrorEquals(state.Retry);
    if ('Catch' in state) state.Catch = rewriteErrorEquals(state.Catch);
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      state.Branches = (state.Branches as MachineDef[]).map((b) => rewriteMachine(b, tasks));
    }
    if (state.Type === 'Map') {
      if (state.ItemProcessor) state.ItemProcessor = rewriteMachine(state.ItemProcessor as MachineDef, tasks);
      if (state.Iterator) state.Iterator = rewriteMachine(state.Iterator as MachineDef, tasks);
    }
    if (state.Type === 'Task') {
      if (tasks.has(name)) throw new Error(`state name ${name} is used twice; AWS requires unique state names`);
      const spec: TaskSpec = { name, resource: String(state.Resource) };
      if (typeof state.TimeoutSeconds === 'number') spec.timeoutSeconds = state.TimeoutSeconds;
      if (typeof state.TimeoutSecondsPath === 'string') spec.timeoutSecondsPath = state.TimeoutSecondsPath;
      if (typeof state.HeartbeatSeconds === 'number') spec.heartbeatSeconds = state.HeartbeatSeconds;
      if (typeof state.HeartbeatSecondsPath === 'string') spec.heartbeatSecondsPath = state.HeartbeatSecondsPath;
      tasks.set(name, spec);
      delete state.TimeoutSecondsPath;
      delete state.HeartbeatSeconds;
      delete state.HeartbeatSecondsPath;
      state.TimeoutSeconds = INTERPRETER_TASK_TIMEOUT_SECONDS;
      // The handler receives { __modos: { p: <effective input>, t?: <timeout>, h?: <heartbeat> } }:
      // the original Parameters (or the whole input) are evaluated by the interpreter as before,
      // and the *SecondsPath fields are resolved against the same input.
      const wrapper: Record<string, unknown> = 'Parameters' in state ? { p: state.Parameters } : { 'p.$': '$' };
      if (spec.timeoutSecondsPath && spec.timeoutSeconds === undefined) wrapper['t.$'] = spec.timeoutSecondsPath;
      if (spec.heartbeatSecondsPath && spec.heartbeatSeconds === undefined) wrapper['h.$'] = spec.heartbeatSecondsPath;
      state.Parameters = { [WRAP]: wrapper };
    }
    states[name] = state;
  }
  return { ...machine, States: states };
}

/**
 * Rewrites a JSONPath ASL definition for the interpreter:
 * - every Task gets the interpreter's own timer pushed out of the way, and its Parameters wrapped so
 *   the layer's handler also receives TimeoutSecondsPath/HeartbeatSecondsPath values;
 * - `$$.Execution…` references point at a Context Object field the layer keeps stable across replay;
 * - `States.HeartbeatTimeout` in ErrorEquals is folded into `States.Timeout`;
 * - the top-level TimeoutSeconds is removed (the layer enforces it with an absolute deadline).
 */
export function prepareDefinition(definition: object): PreparedDefinition {
  const def = definition as MachineDef & { QueryLanguage?: string };
  if (def.QueryLanguage === 'JSONata') throw new Error('JSONata state machines are not supported locally');
  const tasks = new Map<string, TaskSpec>();
  const rewritten = rewriteMachine(rewriteContextPaths(def) as MachineDef, tasks);
  const executionTimeoutSeconds = typeof def.TimeoutSeconds === 'number' ? def.TimeoutSeconds : undefined;
  delete (rewritten as Record<string, unknown>).TimeoutSeconds;
  return { interpreter: rewritten, tasks, executionTimeoutSeconds };
}

/** JSON with object keys sorted, so equal values hash equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Deep-replaces the token placeholder in strings (plain references and States.Format results). */
export function substituteToken(value: unknown, token: string): unknown {
  if (typeof value === 'string')
    return value.includes(TOKEN_PLACEHOLDER) ? value.split(TOKEN_PLACEHOLDER).join(token) : value;
  if (Array.isArray(value)) return value.map((v) => substituteToken(v, token));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteToken(v, token)]));
  }
  return value;
}
