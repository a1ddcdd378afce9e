/**
 * One connector (`#/connectors/<id>`): its settings, schedule and last sync (`GET /connectors/{id}`), its sync runs
 * (`GET /connectors/{id}/runs`, paged, newest first; connectors-runs.ts), **Sync now** (`POST /connectors/{id}/sync`,
 * admins; 409 while a sync of it runs) and, for admins, its schedule and whether it is enabled (`PATCH` with the
 * version read; 409 if it changed). While a run is not final it is read again every 2 s, and so is the connector
 * while it holds a sync (a scheduled run that starts meanwhile joins the list).
 */
import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import type { Connector, SyncRun, SyncStarted } from '../../../schemas/connectors.js';
import { ApiError, api } from '../api.js';
import { html } from '../html.js';
import { href } from '../router.js';
import {
  Act,
  Badge,
  ErrorBanner,
  Field,
  isStale,
  Loading,
  Pager,
  Time,
  useAction,
  useLoad,
  usePaged,
  View,
} from '../ui.js';
import {
  connectorState,
  isFinal,
  POLL_MS,
  readConnector,
  readRun,
  scheduleText,
  useLiveCopies,
} from './connectors-common.js';
import { RunCard } from './connectors-runs.js';

const RUNS_PAGE = 10;

export function ConnectorDetail({ id }: { id: string }) {
  const path = `/connectors/${encodeURIComponent(id)}`;
  const loaded = useLoad((signal) => api.get<Connector>(path, undefined, signal), [id]);
  const runs = usePaged<SyncRun>(`${path}/runs`, { limit: RUNS_PAGE }, [id]);
  const latestConnector = useLiveCopies(
    loaded.data ? [loaded.data] : [],
    (c) => c.id,
    (c) => c.activeRunId !== null,
    readConnector,
  );
  const connector = loaded.data ? latestConnector(loaded.data) : undefined;
  const latestRun = useLiveCopies(
    runs.items,
    (r) => r.runId,
    (r) => !isFinal(r),
    readRun,
    loaded.reload,
  );
  const active = connector?.activeRunId ?? null;
  // A run started elsewhere (the schedule, another admin) shows up as the connector's active run: list it.
  useEffect(() => {
    if (active && !runs.loading && !runs.error && !runs.items.some((r) => r.runId === active)) runs.reload();
  }, [active, runs.loading]);
  const running = runs.items.map(latestRun).some((r) => !isFinal(r));
  return html`<${View} title=${connector?.name ?? 'Connector'} ready=${(loaded.data !== undefined || loaded.error !== undefined) && !(runs.loading && runs.items.length === 0)}
    actions=${html`<a href=${href('connectors')}>All connectors</a>`}>
    <${Loading} state=${{ ...loaded, data: connector }} label="Loading the connector…">${(c: Connector) => html`
      <div class="grid2">
        <${About} connector=${c} />
        <${SyncNow} connector=${c} onStarted=${() => {
          runs.reload();
          loaded.reload();
        }} />
      </div>
      <${ScheduleEditor} connector=${c} onSaved=${loaded.setData} onReload=${loaded.reload} />
    `}</${Loading}>
    <section aria-labelledby="runs-h" class="runs">
      <h2 id="runs-h">Sync runs</h2>
      ${running ? html`<p class="muted">A run is in progress: it is read again every ${POLL_MS / 1000} s.</p>` : null}
      ${
        runs.items.length
          ? html`<ul class="cards">${runs.items.map(latestRun).map((r) => html`<${RunCard} key=${r.runId} run=${r} />`)}</ul>`
          : !runs.loading && !runs.error
            ? html`<p class="empty">No sync runs yet.</p>`
            : null
      }
      <${Pager} list=${runs} />
    </section>
  </${View}>`;
}

function About({ connector: c }: { connector: Connector }) {
  const s = c.settings;
  return html`<section class="card" aria-labelledby="about-h">
    <header><h2 id="about-h">Connector</h2><${Badge} value=${connectorState(c)} /></header>
    <dl class="facts">
      <dt>System</dt><dd>${c.system}</dd>
      <dt>API root</dt><dd><code>${c.baseUrl}</code></dd>
      <dt>Credentials</dt><dd>${c.credentialsKind.replace(/_/g, ' ')} <span class="muted">(sealed, never shown)</span></dd>
      <dt>Objects</dt><dd>${s.objects?.join(', ') ?? html`<span class="muted">the system's defaults</span>`}</dd>
      ${s.pageSize ? html`<dt>Page size</dt><dd>${s.pageSize}</dd>` : null}
      ${s.apiVersion ? html`<dt>API version</dt><dd>${s.apiVersion}</dd>` : null}
      ${s.tenant ? html`<dt>Workday tenant</dt><dd>${s.tenant}</dd>` : null}
      ${s.reportPath ? html`<dt>Report</dt><dd>${s.reportPath}</dd>` : null}
      ${s.companyName ? html`<dt>Company</dt><dd>${s.companyName}</dd>` : null}
      ${s.defaultCountry ? html`<dt>Default country</dt><dd>${s.defaultCountry}</dd>` : null}
      <dt>Schedule</dt><dd data-schedule>${scheduleText(c.schedule, c.enabled)}</dd>
      <dt>Last sync</dt><dd>${
        c.lastRun
          ? html`<${Badge} value=${c.lastRun.status} /> ${c.lastRun.finishedAt ? html`<${Time} iso=${c.lastRun.finishedAt} />` : null}`
          : html`<span class="muted">never</span>`
      }</dd>
      ${c.activeRunId ? html`<dt>Running</dt><dd><code>${c.activeRunId}</code></dd>` : null}
      <dt>Created</dt><dd><${Time} iso=${c.createdAt} /></dd>
      <dt>Updated</dt><dd><${Time} iso=${c.updatedAt} /> (version ${c.version})</dd>
    </dl>
  </section>`;
}

function SyncNow({ connector, onStarted }: { connector: Connector; onStarted: () => void }) {
  const [full, setFull] = useState(false);
  const [said, setSaid] = useState('');
  const action = useAction();
  const start = () =>
    action.run(async () => {
      setSaid('');
      const r = await api.post<z.output<typeof SyncStarted>>(`/connectors/${encodeURIComponent(connector.id)}/sync`, {
        full,
      });
      setSaid(`Sync ${r.runId} started (${r.status}).`);
      onStarted();
    });
  const busyElsewhere = action.error instanceof ApiError && action.error.status === 409;
  // The refusal of a second sync is about the run that held the connector: once it has ended, it is no longer true.
  useEffect(() => {
    if (connector.activeRunId === null && busyElsewhere) action.clear();
  }, [connector.activeRunId]);
  return html`<section class="card sync-now" aria-labelledby="sync-h">
    <header><h2 id="sync-h">Sync</h2></header>
    <p class="muted">An incremental sync reads what changed since the last one; a full sync reads everything and marks
      records missing at the source as deleted.</p>
    <div class="buttons">
      <label class="check"><input type="checkbox" checked=${full} onChange=${(e: Event) => setFull((e.target as HTMLInputElement).checked)} />Full sync</label>
      <${Act} permission="connectors:manage" kind="primary" busy=${action.busy} onClick=${start}>Sync now</${Act}>
    </div>
    <div role="status" aria-live="polite" class="live">${said}</div>
    ${busyElsewhere ? html`<p class="notice">Only one sync of a connector runs at a time: its progress is below; start another once it has ended.</p>` : null}
    <${ErrorBanner} error=${action.error} />
  </section>`;
}

function ScheduleEditor({
  connector,
  onSaved,
  onReload,
}: {
  connector: Connector;
  onSaved: (c: Connector) => void;
  onReload: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [schedule, setSchedule] = useState(connector.schedule ?? '');
  const [enabled, setEnabled] = useState(connector.enabled);
  const action = useAction();
  const problems = action.error instanceof ApiError ? action.error : undefined;
  if (!open)
    return html`<div class="buttons schedule-edit"><${Act} permission="connectors:manage" onClick=${() => {
      setSchedule(connector.schedule ?? '');
      setEnabled(connector.enabled);
      action.clear();
      setOpen(true);
    }}>Change the schedule</${Act}></div>`;
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const c = await api.patch<Connector>(`/connectors/${encodeURIComponent(connector.id)}`, {
        version: connector.version,
        schedule: schedule.trim() || null,
        enabled,
      });
      setOpen(false);
      onSaved(c);
    });
  };
  return html`<form class="card schedule-form" onSubmit=${save} aria-labelledby="schedule-h">
    <header><h2 id="schedule-h">Schedule</h2></header>
    <${Field} label="Schedule" error=${problems?.fieldMessage('schedule')} hint="rate(1 hour) or cron(0 2 * * ? *) in UTC, at most every 5 minutes; empty: on demand only">
      <input value=${schedule} placeholder="rate(1 hour)" onInput=${(e: Event) => setSchedule((e.target as HTMLInputElement).value)} />
    </${Field}>
    <label class="check"><input type="checkbox" checked=${enabled} onChange=${(e: Event) => setEnabled((e.target as HTMLInputElement).checked)} />Enabled (the schedule runs)</label>
    <${ErrorBanner} error=${action.error} />
    ${
      isStale(action.error)
        ? html`<p class="notice">The connector changed after you read it (version ${connector.version}).
            <button type="button" onClick=${onReload}>Reload the connector</button></p>`
        : null
    }
    <div class="buttons">
      <button type="submit" class="primary" disabled=${action.busy} aria-busy=${action.busy ? 'true' : undefined}>Save</button>
      <button type="button" onClick=${() => setOpen(false)}>Cancel</button>
    </div>
  </form>`;
}
