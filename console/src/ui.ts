/**
 * The pieces every view is made of: loading a resource or a paged list, a spinner, an error with the API's message
 * and request id, a button that exists only for who may press it, progress, times, tabs. Preact escapes every text it
 * renders: content from the API is shown as text, never as markup.
 */
import { type ComponentChildren, cloneElement, createContext, isValidElement } from 'preact';
import { useCallback, useContext, useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Permission } from '../../functions/domain/auth/permissions.js';
import { ApiError, api, type Page, type Query } from './api.js';
import { can, type Session } from './auth.js';
import { html } from './html.js';

export const SessionContext = createContext<Session | null>(null);
export const useSession = () => useContext(SessionContext);
export const useCan = () => {
  const session = useSession();
  return (p: Permission) => can(session, p);
};

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (d: T) => void;
}

/** Loads with `load` when `deps` change; a newer load wins over an older one still in flight. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, loading: false }),
      (error) => !ac.signal.aborted && setState((s) => ({ ...s, error, loading: false })),
    );
    return () => ac.abort();
  }, [...deps, tick]);
  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    reload: useCallback(() => setTick((t) => t + 1), []),
    setData: (data: T) => setState({ data, loading: false }),
  };
}

export interface Paged<T> {
  items: T[];
  error: unknown;
  loading: boolean;
  hasMore: boolean;
  more: () => void;
  reload: () => void;
}

/** A list route's pages (`{ items, nextCursor }`): the first page on `deps`, the next ones on `more()`. */
export function usePaged<T>(path: string | null, query: Query, deps: unknown[]): Paged<T> {
  const [state, setState] = useState<{ items: T[]; cursor: string | null; error?: unknown; loading: boolean }>({
    items: [],
    cursor: null,
    loading: path !== null,
  });
  const generation = useRef(0);
  const [tick, setTick] = useState(0);
  const fetchPage = (cursor: string | null, append: boolean) => {
    if (path === null) return;
    const g = generation.current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    api.get<Page<T>>(path, { ...query, ...(cursor ? { cursor } : {}) }).then(
      (page) =>
        g === generation.current &&
        setState((s) => ({
          items: append ? [...s.items, ...page.items] : page.items,
          cursor: page.nextCursor,
          loading: false,
        })),
      (error) => g === generation.current && setState((s) => ({ ...s, error, loading: false })),
    );
  };
  useEffect(() => {
    generation.current++;
    setState({ items: [], cursor: null, loading: path !== null });
    fetchPage(null, false);
  }, [path, ...deps, tick]);
  return {
    items: state.items,
    error: state.error,
    loading: state.loading,
    hasMore: state.cursor !== null,
    more: () => state.cursor && fetchPage(state.cursor, true),
    reload: () => setTick((t) => t + 1),
  };
}

/** Runs `interval` ms apart while the tab is visible, and at once when it becomes visible again. */
export function usePolling(fn: () => void, intervalMs: number, deps: unknown[] = []) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      if (document.visibilityState === 'visible') saved.current();
      timer = setTimeout(tick, intervalMs);
    };
    timer = setTimeout(tick, intervalMs);
    const onVisible = () => document.visibilityState === 'visible' && saved.current();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [intervalMs, ...deps]);
}

/**
 * A form's values as state (controlled inputs): a re-render (a list that finished loading, a poll) never wipes what
 * the user typed. `bind(name)` for inputs, textareas and selects, `check(name)` for checkboxes.
 */
export function useForm<T extends Record<string, string | boolean>>(initial: T) {
  const [values, setValues] = useState<T>(initial);
  const bind = (name: keyof T & string) => ({
    name,
    value: values[name] as string,
    onInput: (e: Event) => setValues((v) => ({ ...v, [name]: (e.target as HTMLInputElement).value })),
  });
  const check = (name: keyof T & string) => ({
    name,
    checked: values[name] as boolean,
    onChange: (e: Event) => setValues((v) => ({ ...v, [name]: (e.target as HTMLInputElement).checked })),
  });
  return { values, bind, check, set: (patch: Partial<T>) => setValues((v) => ({ ...v, ...patch })) };
}

/** An action's progress and failure: `run(f)` sets `busy` while f runs and keeps its error. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await f();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}

export const Spinner = ({ label = 'Loading…' }: { label?: string }) =>
  html`<p class="spinner" role="status" aria-live="polite"><span class="spin" aria-hidden="true"></span>${label}</p>`;

export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : undefined;
  const message = e ? e.message : error instanceof Error ? error.message : String(error);
  return html`<div class="error" role="alert">
    <strong>${e ? `${e.code}${e.status ? ` (${e.status})` : ''}` : 'Error'}:</strong> ${message}
    ${
      e?.details.length
        ? html`<ul>
          ${e.details.map((d) => html`<li>${d.field ? html`<code>${d.field}</code>: ` : ''}${d.message}</li>`)}
        </ul>`
        : null
    }
    ${e?.requestId ? html`<div class="request-id">request id <code>${e.requestId}</code></div>` : null}
    ${onRetry ? html`<button type="button" onClick=${onRetry}>Retry</button>` : null}
  </div>`;
}

/** Loading, failed or loaded: the spinner, the error (with retry) or the children. */
export function Loading<T>({
  state,
  label,
  children,
}: {
  state: { data?: T; loading: boolean; error: unknown; reload?: () => void };
  label?: string;
  children: (data: T) => ComponentChildren;
}) {
  if (state.error && state.data === undefined)
    return html`<${ErrorBanner} error=${state.error} onRetry=${state.reload} />`;
  if (state.data === undefined) return html`<${Spinner} label=${label} />`;
  return html`${state.error ? html`<${ErrorBanner} error=${state.error} onRetry=${state.reload} />` : null}${children(state.data)}`;
}

/** The end of a paged list: a spinner while a page loads, "Load more" while pages remain, the error if one failed. */
export function Pager({ list, label = 'Load more' }: { list: Paged<unknown>; label?: string }) {
  return html`<div class="pager">
    <${ErrorBanner} error=${list.error} onRetry=${list.items.length ? list.more : list.reload} />
    ${
      list.loading
        ? html`<${Spinner} />`
        : list.hasMore
          ? html`<button type="button" onClick=${list.more}>${label}</button>`
          : list.items.length
            ? html`<p class="muted">${list.items.length} shown, no more.</p>`
            : null
    }
  </div>`;
}

/**
 * A 409 because the record changed since it was read (the API names `version`), not another conflict (a rule id
 * taken, a case key held by a newer case, a sync already running), which the error itself explains.
 */
export const isStale = (error: unknown) =>
  error instanceof ApiError &&
  error.status === 409 &&
  (error.details.length === 0 || error.fieldMessage('version') !== undefined);

/** A button only for who holds `permission`: for anyone else it is not there at all. */
export function Act({
  permission,
  onClick,
  busy,
  kind,
  children,
  type = 'button',
  label,
}: {
  permission: Permission;
  onClick?: () => void;
  busy?: boolean;
  kind?: 'primary' | 'danger';
  children: ComponentChildren;
  type?: 'button' | 'submit';
  label?: string;
}) {
  const allowed = useCan()(permission);
  if (!allowed) return null;
  return html`<button type=${type} class=${kind ?? ''} onClick=${onClick} disabled=${busy} aria-busy=${busy ? 'true' : undefined} aria-label=${label}>
    ${children}
  </button>`;
}

export function Time({ iso }: { iso?: string | null }) {
  if (!iso) return html`<span class="muted">—</span>`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return html`<span>${iso}</span>`;
  return html`<time datetime=${iso} title=${iso}>${formatTime(d)}</time>`;
}

export function formatTime(d: Date): string {
  const diff = Date.now() - d.getTime();
  const abs = Math.abs(diff);
  const past = diff >= 0;
  const say = (n: number, unit: string) => `${past ? '' : 'in '}${n} ${unit}${n === 1 ? '' : 's'}${past ? ' ago' : ''}`;
  if (abs < 60_000) return past ? 'just now' : 'in under a minute';
  if (abs < 3600_000) return say(Math.round(abs / 60_000), 'minute');
  if (abs < 86_400_000) return say(Math.round(abs / 3600_000), 'hour');
  return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 90) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = s / 60;
  if (m < 90) return `${m.toFixed(0)} min`;
  const h = m / 60;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} d`;
}

export const Badge = ({ value }: { value: string }) =>
  html`<span class=${`badge badge-${value.replace(/[^a-z_]/gi, '').toLowerCase()}`}>${value.replace(/_/g, ' ')}</span>`;

export function Progress({ value, max, label }: { value: number; max: number | null; label: string }) {
  return html`<div class="progress">
    <progress value=${max === null ? undefined : value} max=${max ?? undefined} aria-label=${label}></progress>
    <span class="muted">${max === null ? `${value}` : `${value} / ${max}`}</span>
  </div>`;
}

/** Tabs as links: the current one is `aria-current="page"`. */
export function Tabs({
  label,
  tabs,
  current,
}: {
  label: string;
  tabs: { id: string; title: string; to: string }[];
  current: string;
}) {
  return html`<nav class="tabs" aria-label=${label}>
    ${tabs.map((t) => html`<a href=${t.to} aria-current=${t.id === current ? 'page' : undefined}>${t.title}</a>`)}
  </nav>`;
}

/** Pretty JSON as text (never markup). */
export const Json = ({ value }: { value: unknown }) =>
  html`<pre class="json" tabindex="0">${JSON.stringify(value, null, 2)}</pre>`;

/**
 * A labelled form field with the API's message for it. The label holds only its text and the control, so the
 * control's accessible name is the label; the hint and the error describe it (aria-describedby).
 */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: string;
  children: ComponentChildren;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const control = isValidElement(children)
    ? cloneElement(children, { 'aria-describedby': described, 'aria-invalid': error ? 'true' : undefined })
    : children;
  return html`<div class="field">
    <label><span class="label">${label}</span>${control}</label>
    ${hint ? html`<span class="hint" id=${`${id}-hint`}>${hint}</span>` : null}
    ${error ? html`<span class="field-error" id=${`${id}-error`} role="alert">${error}</span>` : null}
  </div>`;
}

/** A view's root: its heading and, once its first data is there, `data-view-ready` (the benchmarks wait on it). */
export function View({
  title,
  ready,
  actions,
  children,
}: {
  title: string;
  ready: boolean;
  actions?: ComponentChildren;
  children: ComponentChildren;
}) {
  return html`<section class="view" data-view-ready=${ready ? 'true' : undefined} aria-busy=${ready ? 'false' : 'true'}>
    <header class="view-head"><h1>${title}</h1>${actions ? html`<div class="actions">${actions}</div>` : null}</header>
    ${children}
  </section>`;
}
