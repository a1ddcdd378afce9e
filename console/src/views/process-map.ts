/**
 * Process map: the process mined from the platform's own traces (`GET /mining/processes`: workflow runs or entity
 * change histories) or from an uploaded log (`GET /mining/logs`, `GET /mining/logs/{id}`), drawn as a picture by
 * the console's own layered layout: the directly-follows graph (activities with their event counts, transitions
 * with counts and durations, bottlenecks highlighted, filtered by variant) or the mined Petri net. A table of the
 * transitions is the picture's text.
 */
import { useMemo, useState } from 'preact/hooks';
import type { MiningJob, MiningJobWithResult, MiningModel, MiningProcess } from '../../../schemas/mining-api.js';
import type { Workflow } from '../../../schemas/workflow.js';
import { api, type Page } from '../api.js';
import { html } from '../html.js';
import { href, navigate, type Route } from '../router.js';
import {
  Badge,
  Field,
  formatDuration,
  Loading,
  Pager,
  Progress,
  Spinner,
  Tabs,
  Time,
  useLoad,
  usePaged,
  usePolling,
  View,
} from '../ui.js';
import { activityGraph, activityOf, BOTTLENECK_RULE, type MapGraph, petriGraph } from './process-map-model.js';
import { MapPicture } from './process-map-svg.js';

const ENTITY_TYPES = ['person', 'organization', 'deal', 'employee', 'account', 'contact', 'ticket'] as const;
const POLL_MS = 2500;
const SHOWN_VARIANTS = 12;
const SOURCE_TABS = [
  { id: 'platform', title: 'Platform processes', to: href('process') },
  { id: 'logs', title: 'Uploaded logs', to: href('process', 'logs') },
];

export function ProcessMap({ route }: { route: Route }) {
  const logs = route.path[1] === 'logs';
  const tabs = html`<${Tabs} label="Process sources" tabs=${SOURCE_TABS} current=${logs ? 'logs' : 'platform'} />`;
  if (!logs) return html`<${PlatformProcess} query=${route.query} tabs=${tabs} />`;
  const id = route.path[2];
  return id ? html`<${LogDetail} id=${id} tabs=${tabs} />` : html`<${LogList} tabs=${tabs} />`;
}

function PlatformProcess({ query, tabs }: { query: Record<string, string>; tabs: unknown }) {
  const source = query.source === 'entities' ? 'entities' : 'workflows';
  const { workflowId = '', entityType = '', since = '' } = query;
  const [draft, setDraft] = useState({ source, workflowId, entityType, since });
  const workflows = useLoad((signal) => api.get<Page<Workflow>>('/workflows', { limit: 100 }, signal), []);
  const mined = useLoad(
    (signal) =>
      api.get<MiningProcess>(
        '/mining/processes',
        {
          source,
          workflowId: source === 'workflows' ? workflowId : undefined,
          entityType: source === 'entities' ? entityType : undefined,
          since: since ? `${since}T00:00:00Z` : undefined,
        },
        signal,
      ),
    [source, workflowId, entityType, since],
  );
  const set = (k: keyof typeof draft) => (e: Event) =>
    setDraft({ ...draft, [k]: (e.target as HTMLInputElement | HTMLSelectElement).value });
  const apply = (e: Event) => {
    e.preventDefault();
    navigate(
      href('process', {
        source: draft.source,
        workflowId: draft.source === 'workflows' ? draft.workflowId : undefined,
        entityType: draft.source === 'entities' ? draft.entityType : undefined,
        since: draft.since,
      }),
    );
  };
  return html`<${View} title="Process map" ready=${mined.data !== undefined || !!mined.error}>
    ${tabs}
    <form class="filters" onSubmit=${apply} aria-label="What to mine">
      <${Field} label="Source">
        <select value=${draft.source} onChange=${set('source')}>
          <option value="workflows">Workflow runs</option>
          <option value="entities">Entity change histories</option>
        </select>
      </${Field}>
      ${
        draft.source === 'workflows'
          ? html`<${Field} label="Workflow">
            ${
              workflows.data
                ? html`<select value=${draft.workflowId} onChange=${set('workflowId')}>
                  <option value="">All workflows</option>
                  ${workflows.data.items.map((w) => html`<option value=${w.id}>${w.name} (${w.id})</option>`)}
                </select>`
                : html`<input value=${draft.workflowId} onInput=${set('workflowId')} placeholder="wf_…" />`
            }
          </${Field}>`
          : html`<${Field} label="Entity type">
            <select value=${draft.entityType} onChange=${set('entityType')}>
              <option value="">All types</option>
              ${ENTITY_TYPES.map((t) => html`<option value=${t}>${t}</option>`)}
            </select>
          </${Field}>`
      }
      <${Field} label="Since (UTC day)"><input type="date" value=${draft.since} onInput=${set('since')} /></${Field}>
      <button type="submit" class="primary">Mine</button>
    </form>
    <${Loading} state=${mined} label="Mining the process…">
      ${(p: MiningProcess) => html`
        <p class="muted">
          ${p.bounds.cases === 1 ? '1 case' : `${p.bounds.cases} cases`} mined (the newest, at most ${p.bounds.limit})${
            p.bounds.truncated ? '; older ones were left out.' : '.'
          }
        </p>
        <${ModelView} model=${p.model} />`}
    </${Loading}>
  </${View}>`;
}

function LogList({ tabs }: { tabs: unknown }) {
  const list = usePaged<MiningJob>('/mining/logs', { limit: 20 }, []);
  const busy = list.items.some((j) => j.status === 'queued' || j.status === 'running');
  usePolling(() => busy && list.reload(), POLL_MS, [busy]);
  return html`<${View} title="Process map" ready=${!list.loading || list.items.length > 0 || !!list.error}>
    ${tabs}
    ${
      list.items.length
        ? html`<div class="table-wrap"><table>
          <caption class="muted">Uploaded event logs, newest first</caption>
          <thead><tr><th scope="col">Log</th><th scope="col">Status</th><th scope="col">Progress</th>
            <th scope="col">Cases</th><th scope="col">Uploaded</th></tr></thead>
          <tbody>${list.items.map(
            (j) => html`<tr>
              <td><a href=${href('process', 'logs', j.id)}>${j.name}</a> <span class="muted">${j.format}${j.compressed ? ', gzip' : ''}</span></td>
              <td><${Badge} value=${j.status} /></td>
              <td>${j.progress.phase}, ${j.progress.events} events</td>
              <td>${j.summary ? `${j.summary.cases} cases, ${j.summary.events} events` : '—'}</td>
              <td>${j.uploadedBy} <${Time} iso=${j.createdAt} /></td>
            </tr>`,
          )}</tbody>
        </table></div>`
        : list.loading || list.error
          ? null
          : html`<p class="empty">No uploaded logs. Upload one with <code>POST /api/v1/mining/logs</code> (docs/process-mining.md).</p>`
    }
    <${Pager} list=${list} />
  </${View}>`;
}

function LogDetail({ id, tabs }: { id: string; tabs: unknown }) {
  const job = useLoad(
    (signal) => api.get<MiningJobWithResult>(`/mining/logs/${encodeURIComponent(id)}`, undefined, signal),
    [id],
  );
  const running = job.data?.status === 'queued' || job.data?.status === 'running';
  usePolling(() => running && job.reload(), POLL_MS, [running]);
  return html`<${View} title="Process map" ready=${job.data !== undefined || !!job.error}>
    ${tabs}
    <${Loading} state=${job} label="Loading the log…">
      ${(j: MiningJobWithResult) => html`
        <section class="card" aria-labelledby="log-h">
          <header><h2 id="log-h">${j.name}</h2><${Badge} value=${j.status} /></header>
          <dl class="facts">
            <dt>Format</dt><dd>${j.format}${j.compressed ? ' (gzip)' : ''}, ${j.size} bytes</dd>
            <dt>Uploaded</dt><dd>${j.uploadedBy} <${Time} iso=${j.createdAt} /></dd>
            <dt>Phase</dt><dd><${Progress} value=${j.progress.events} max=${null} label=${`events read (${j.progress.phase})`} /> ${j.progress.phase}</dd>
            ${j.error ? html`<dt>Error</dt><dd class="overdue">${j.error.code}: ${j.error.message}</dd>` : null}
          </dl>
          ${running ? html`<${Spinner} label="Mining… this page follows the job." />` : null}
        </section>
        ${j.result ? html`<${ModelView} model=${j.result} />` : null}`}
    </${Loading}>
  </${View}>`;
}

function ModelView({ model }: { model: MiningModel }) {
  const [picture, setPicture] = useState<'dfg' | 'net'>('dfg');
  const [selected, setSelected] = useState<number[] | null>(null);
  const [allVariants, setAllVariants] = useState(false);
  const [zoom, setZoom] = useState(1);
  const hasNet = model.net.transitions.length > 0;
  const graph: MapGraph = useMemo(
    () => (picture === 'net' && hasNet ? petriGraph(model.net) : activityGraph(model, selected)),
    [model, picture, selected, hasNet],
  );
  const s = model.summary;
  if (s.events === 0)
    return html`<p class="empty">No events to draw yet: the map appears once runs have finished steps (or entities have changed).</p>`;
  const variants = model.variants.top;
  const shown = allVariants ? variants : variants.slice(0, SHOWN_VARIANTS);
  const toggle = (i: number) => {
    const next = new Set(selected ?? []);
    if (next.has(i)) next.delete(i);
    else next.add(i);
    setSelected(next.size ? [...next].sort((a, b) => a - b) : null);
  };
  const net = picture === 'net' && hasNet;
  const labelOf = (id: string) => {
    const a = activityOf(id);
    return a ?? graph.nodes.find((n) => n.id === id)?.label ?? id;
  };
  const pct = (n: number) => `${Math.round((100 * n) / s.cases)} %`;
  const cases = (n: number) => `${n} case${n === 1 ? '' : 's'}`;
  return html`
    <dl class="facts pm-facts">
      <dt>Cases</dt><dd>${s.cases}</dd>
      <dt>Events</dt><dd>${s.events}, of ${s.activities} activities</dd>
      <dt>Variants</dt><dd>${s.variants}</dd>
      <dt>Time span</dt><dd>${s.from ? html`<${Time} iso=${s.from} /> to <${Time} iso=${s.to} />` : 'no timestamps'}</dd>
      <dt>Fitness</dt><dd>${model.fitness.logFitness.toFixed(3)} (token replay of the log on the net)</dd>
    </dl>
    <fieldset class="pm-controls">
      <legend>Picture</legend>
      <label class="check"><input type="radio" name="pm-picture" checked=${!net} onChange=${() => setPicture('dfg')} /> Directly-follows graph</label>
      <label class="check"><input type="radio" name="pm-picture" checked=${net} disabled=${!hasNet} onChange=${() => setPicture('net')} /> Petri net (inductive miner)</label>
      ${hasNet ? null : html`<span class="muted">The API offers no Petri net for this model.</span>`}
      <span class="buttons pm-zoom">
        <button type="button" aria-label="Zoom out" onClick=${() => setZoom(Math.max(0.25, zoom / 1.25))}>−</button>
        <span aria-live="polite">${Math.round(zoom * 100)} %</span>
        <button type="button" aria-label="Zoom in" onClick=${() => setZoom(Math.min(4, zoom * 1.25))}>+</button>
        <button type="button" onClick=${() => setZoom(1)}>Reset zoom</button>
      </span>
    </fieldset>
    <div class=${net ? 'pm-body' : 'pm-body with-variants'}>
    <div class="map" tabindex="0" role="region" aria-label="Process map picture (scroll to pan)">
      <${MapPicture} graph=${graph} direction=${net ? 'LR' : 'TB'} zoom=${zoom} durations=${!net}
        label=${
          net
            ? `Petri net: ${model.net.places.length} places, ${model.net.transitions.length} transitions; the arcs table follows.`
            : `Directly-follows graph: ${graph.nodes.length} nodes, ${graph.edges.length} transitions; the transitions table follows.`
        } />
    </div>
    ${
      net
        ? null
        : html`<fieldset class="pm-variants">
          <legend>Variants ${selected ? `(${selected.length} chosen)` : '(all cases)'}</legend>
          <p class="hint">Choose variants to draw only their paths. Counts then follow the chosen variants; durations are
            measured over all cases (the API gives them per transition, not per variant).${
              model.variants.total > variants.length
                ? ` The API lists the ${variants.length} most frequent of ${model.variants.total} variants.`
                : ''
            }</p>
          <ul class="pm-variant-list">
            ${shown.map(
              (v, i) => html`<li><label class="check">
                <input type="checkbox" checked=${selected?.includes(i) ?? false} onChange=${() => toggle(i)} />
                <span><strong>#${i + 1}</strong> ${cases(v.count)} (${pct(v.count)}): ${
                  v.activities.length ? v.activities.join(' → ') : html`<em>no events</em>`
                }</span>
              </label></li>`,
            )}
          </ul>
          <div class="buttons">
            ${selected ? html`<button type="button" onClick=${() => setSelected(null)}>Show all cases</button>` : null}
            ${
              variants.length > SHOWN_VARIANTS
                ? html`<button type="button" onClick=${() => setAllVariants(!allVariants)}>
                  ${allVariants ? 'Fewer variants' : `All ${variants.length} listed variants`}</button>`
                : null
            }
          </div>
        </fieldset>`
    }
    </div>
    <p class="legend muted">
      ${
        net
          ? 'Circles are places (● a token of the initial marking; a double circle ends the net), boxes transitions, black bars silent steps.'
          : html`Boxes are activities with their event counts (darker: more frequent), ▶ the start and ■ the end of cases; an
            arrow says how often one activity directly followed another and the median time between them, thicker the more
            frequent. <strong class="pm-hot-key">⚠ Dashed red arrows</strong> are bottlenecks. ${BOTTLENECK_RULE}`
      }
    </p>
    <div class="table-wrap">
      <table class="pm-table">
        <caption>${net ? 'Arcs of the Petri net' : 'Transitions (the picture as text)'}</caption>
        <thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">${net ? 'Weight' : 'Count'}</th>
          ${net ? null : html`<th scope="col">Mean</th><th scope="col">Median</th><th scope="col">Max</th><th scope="col">Bottleneck</th>`}</tr></thead>
        <tbody>${graph.edges.map(
          (e) => html`<tr class=${e.bottleneck ? 'pm-hot-row' : ''}>
            <td>${labelOf(e.from)}</td><td>${labelOf(e.to)}</td><td>${e.count}</td>
            ${
              net
                ? null
                : html`<td>${formatDuration(e.meanMs)}</td><td>${formatDuration(e.medianMs)}</td>
                  <td>${formatDuration(e.maxMs)}</td><td>${e.bottleneck ? '⚠ yes' : ''}</td>`
            }
          </tr>`,
        )}</tbody>
      </table>
    </div>`;
}
