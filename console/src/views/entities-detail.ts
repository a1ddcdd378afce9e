/**
 * One entity (`#/entities/<id>`): its golden record with, per attribute, the source system and time of the value
 * that won (`GET /entities/{id}/sources`: `golden.provenance`), its own attributes (admins edit them: `PATCH` with
 * the version read, a stale one answers 409), its matches and their explanations (entities-matches.ts), the source
 * records behind it and the other members of its cluster, and its relations (`GET /entities/{id}/relations`,
 * paged, each linking to the entity at the other end).
 */
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import type { EntityRelations, EntitySources } from '../../../schemas/connectors.js';
import type { Entity } from '../../../schemas/entity.js';
import type { MatchList } from '../../../schemas/resolution.js';
import { ApiError, api } from '../api.js';
import { html } from '../html.js';
import { href } from '../router.js';
import {
  Act,
  Badge,
  ErrorBanner,
  isStale,
  type Loaded,
  Loading,
  Pager,
  Time,
  useAction,
  useCan,
  useLoad,
  usePaged,
  View,
} from '../ui.js';
import { displayName, useEntities, valueText } from './entities-common.js';
import { EntityMatches } from './entities-matches.js';

type Sources = z.output<typeof EntitySources>;
type Relation = z.output<typeof EntityRelations>['items'][number];

const RELATION_KINDS = ['works-at', 'owns-deal', 'deal-with', 'reports-to', 'employed-as'] as const;
const RELATIONS_PAGE = 25;

const settled = (l: { data?: unknown; error: unknown }) => l.data !== undefined || l.error !== undefined;

export function EntityDetail({ id }: { id: string }) {
  const path = `/entities/${encodeURIComponent(id)}`;
  const entity = useLoad((signal) => api.get<Entity>(path, undefined, signal), [id]);
  const sources = useLoad((signal) => api.get<Sources>(`${path}/sources`, undefined, signal), [id]);
  const matches = useLoad((signal) => api.get<MatchList>(`${path}/matches`, undefined, signal), [id]);
  const others = [
    ...(matches.data?.items.map((i) => i.entityId) ?? []),
    ...(matches.data?.decisions.map((d) => d.otherId) ?? []),
    ...(sources.data?.golden.entityIds ?? []),
  ].filter((x) => x !== id);
  const members = useEntities(others);
  const entityOf = (eid: string) => (eid === id ? entity.data : members.get(eid));
  const nameOf = (eid: string) => {
    const e = entityOf(eid);
    return e ? displayName(e) : eid;
  };
  const ready = settled(entity) && settled(sources) && settled(matches);
  const resolved = () => {
    matches.reload();
    sources.reload();
  };
  return html`<${View} title=${entity.data ? displayName(entity.data) : 'Entity'} ready=${ready}
    actions=${html`<a href=${href('entities')}>All entities</a>`}>
    <${Loading} state=${entity} label="Loading the entity…">${(e: Entity) => html`
      <dl class="facts entity-facts">
        <div><dt>Type</dt><dd>${e.type}</dd></div>
        <div><dt>Id</dt><dd><code>${e.id}</code></dd></div>
        <div><dt>Version</dt><dd>${e.version}</dd></div>
        <div><dt>Created</dt><dd><${Time} iso=${e.createdAt} /></dd></div>
        <div><dt>Updated</dt><dd><${Time} iso=${e.updatedAt} /></dd></div>
      </dl>
      <div class="entity-grid">
        <${GoldenRecord} entityId=${id} state=${sources} entityOf=${entityOf} nameOf=${nameOf} />
        <${EntityMatches} entityId=${id} state=${matches} nameOf=${nameOf} onDecided=${resolved} />
        <${OwnAttributes} entity=${e} onSaved=${(updated: Entity) => {
          entity.setData(updated);
          resolved();
        }} onReload=${entity.reload} />
        <${Relations} entityId=${id} />
        <${SourceRecords} entityId=${id} state=${sources} nameOf=${nameOf} />
      </div>`}
    </${Loading}>
  </${View}>`;
}

function GoldenRecord({
  entityId,
  state,
  entityOf,
  nameOf,
}: {
  entityId: string;
  state: Loaded<Sources>;
  entityOf: (id: string) => Entity | null | undefined;
  nameOf: (id: string) => string;
}) {
  return html`<section class="card golden" aria-labelledby="golden-h">
    <header><h2 id="golden-h">Golden record</h2></header>
    <${Loading} state=${state} label="Loading the golden record…">${(s: Sources) => {
      const g = s.golden;
      const names = Object.keys(g.attributes);
      return html`
        <p class="muted">${
          g.clusterId
            ? html`The best value of each attribute among the ${s.members.read} of ${s.members.total} entities resolved to one (cluster <code>${g.clusterId}</code>), by source trust, then recency, completeness and frequency.`
            : 'This entity is in no cluster: the golden record is its own attributes.'
        }</p>
        ${s.truncated ? html`<p class="notice">Not every record was read (the cluster or an entity has more than the read limit): the golden record is built from what was.</p>` : null}
        ${
          names.length === 0
            ? html`<p class="empty">No attributes.</p>`
            : html`<div class="table-wrap"><table>
              <thead><tr><th scope="col">Attribute</th><th scope="col">Value</th><th scope="col">Source, time and rule</th></tr></thead>
              <tbody>${names.map((k) => {
                const p = g.provenance[k];
                const from = p ? entityOf(p.entityId) : undefined;
                return html`<tr data-attribute=${k}>
                  <th scope="row">${k}</th>
                  <td class="value">${valueText(g.attributes[k])}</td>
                  <td data-source>${
                    p
                      ? html`<div>${p.system ? html`<strong class="system">${p.system}</strong> <code>${p.sourceId}</code>` : 'set through the API'}</div>
                        <div class="hint">${
                          p.syncedAt
                            ? html`synced <${Time} iso=${p.syncedAt} />`
                            : from
                              ? html`updated <${Time} iso=${from.updatedAt} />`
                              : null
                        }${p.syncedAt || from ? ' · ' : ''}chosen by ${p.decidedBy}</div>
                        ${
                          p.entityId !== entityId
                            ? html`<div class="hint">from <a href=${href('entities', p.entityId)}>${nameOf(p.entityId)}</a></div>`
                            : null
                        }`
                      : html`<span class="muted">—</span>`
                  }</td>
                </tr>`;
              })}</tbody>
            </table></div>`
        }`;
    }}</${Loading}>
  </section>`;
}

/** The JSON merge patch from `before` to `after`: changed and new attributes, `null` for removed ones. */
export function mergePatch(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) if (JSON.stringify(before[k]) !== JSON.stringify(v)) patch[k] = v;
  for (const k of Object.keys(before)) if (!(k in after)) patch[k] = null;
  return patch;
}

function OwnAttributes({
  entity,
  onSaved,
  onReload,
}: {
  entity: Entity;
  onSaved: (e: Entity) => void;
  onReload: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const names = Object.keys(entity.attributes);
  return html`<section class="card own" aria-labelledby="own-h">
    <header>
      <h2 id="own-h">This entity’s attributes</h2>
      ${editing ? null : html`<${Act} permission="entities:write" onClick=${() => setEditing(true)}>Edit</${Act}>`}
    </header>
    ${
      editing
        ? html`<${EditAttributes} key=${entity.version} entity=${entity} onCancel=${() => setEditing(false)}
            onSaved=${(e: Entity) => {
              setEditing(false);
              onSaved(e);
            }} onReload=${onReload} />`
        : names.length
          ? html`<dl class="facts">${names.map((k) => html`<dt>${k}</dt><dd>${valueText(entity.attributes[k])}</dd>`)}</dl>`
          : html`<p class="empty">No attributes.</p>`
    }
  </section>`;
}

function EditAttributes({
  entity,
  onSaved,
  onCancel,
  onReload,
}: {
  entity: Entity;
  onSaved: (e: Entity) => void;
  onCancel: () => void;
  onReload: () => void;
}) {
  const [text, setText] = useState(JSON.stringify(entity.attributes, null, 2));
  const [problem, setProblem] = useState<string | undefined>();
  const action = useAction();
  const save = (e: Event) => {
    e.preventDefault();
    let after: unknown;
    try {
      after = JSON.parse(text);
    } catch (error) {
      setProblem(`not JSON: ${(error as Error).message}`);
      return;
    }
    if (typeof after !== 'object' || after === null || Array.isArray(after)) {
      setProblem('the attributes are one JSON object: { "name": value, … }');
      return;
    }
    const attributes = mergePatch(entity.attributes, after as Record<string, unknown>);
    if (Object.keys(attributes).length === 0) {
      setProblem('nothing changed');
      return;
    }
    setProblem(undefined);
    void action.run(async () => {
      onSaved(
        await api.patch<Entity>(`/entities/${encodeURIComponent(entity.id)}`, { version: entity.version, attributes }),
      );
    });
  };
  const stale = isStale(action.error);
  return html`<form class="edit-attributes" onSubmit=${save}>
    <p class="hint">Sent as a merge patch on version ${entity.version}: changed and added attributes, and a removal for each one you delete. Identity resolution runs again on the change.</p>
    <label class="field">
      <span class="label">Attributes (JSON)</span>
      <textarea rows="10" spellcheck="false" value=${text} aria-invalid=${problem ? 'true' : undefined}
        onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)}></textarea>
      ${problem ? html`<span class="field-error" role="alert">${problem}</span>` : null}
    </label>
    <${ErrorBanner} error=${action.error} />
    ${
      stale
        ? html`<p class="notice">Someone changed this entity after you read it (version ${entity.version}).
            <button type="button" onClick=${onReload}>Reload the entity</button></p>`
        : null
    }
    <div class="buttons">
      <button type="submit" class="primary" disabled=${action.busy} aria-busy=${action.busy ? 'true' : undefined}>Save</button>
      <button type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

function SourceRecords({
  entityId,
  state,
  nameOf,
}: {
  entityId: string;
  state: Loaded<Sources>;
  nameOf: (id: string) => string;
}) {
  return html`<section class="card sources" aria-labelledby="sources-h">
    <header><h2 id="sources-h">Source records</h2></header>
    <${Loading} state=${state} label="Loading the source records…">${(s: Sources) =>
      s.items.length === 0
        ? html`<p class="empty">No source records: ${s.members.total > 1 ? 'these entities were' : 'this entity was'} created through the API, not synced.</p>`
        : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">System</th><th scope="col">Record</th><th scope="col">Entity</th><th scope="col">Synced</th><th scope="col">Modified at the source</th><th scope="col">Values</th></tr></thead>
          <tbody>${s.items.map(
            (r) => html`<tr key=${`${r.entityId}:${r.system}:${r.object}:${r.sourceId}`}>
              <td>${r.system} · ${r.object}</td>
              <td><code>${r.sourceId}</code>${r.deletedAt ? html` <${Badge} value="deleted" /> <${Time} iso=${r.deletedAt} />` : null}</td>
              <td>${r.entityId === entityId ? 'this one' : html`<a href=${href('entities', r.entityId)}>${nameOf(r.entityId)}</a>`}</td>
              <td><${Time} iso=${r.syncedAt} /></td>
              <td><${Time} iso=${r.modifiedAt} /></td>
              <td><details><summary>${Object.keys(r.attributes).length} values</summary>
                <dl class="facts">${Object.entries(r.attributes).map(([k, v]) => html`<dt>${k}</dt><dd>${valueText(v)}</dd>`)}</dl>
              </details></td>
            </tr>`,
          )}</tbody>
        </table></div>`}
    </${Loading}>
  </section>`;
}

function Relations({ entityId }: { entityId: string }) {
  const can = useCan();
  const [kind, setKind] = useState('');
  const [direction, setDirection] = useState('');
  const list = usePaged<Relation>(
    `/entities/${encodeURIComponent(entityId)}/relations`,
    { kind, direction, limit: RELATIONS_PAGE },
    [entityId, kind, direction],
  );
  const ends = useEntities(list.items.map((r) => r.entityId));
  const nameOf = (id: string) => {
    const e = ends.get(id);
    return e ? displayName(e) : id;
  };
  return html`<section class="card relations" aria-labelledby="relations-h">
    <header><h2 id="relations-h">Relations</h2></header>
    <div class="filters">
      <label class="field"><span class="label">Kind</span>
        <select value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value)}>
          <option value="">all kinds</option>
          ${RELATION_KINDS.map((k) => html`<option value=${k}>${k}</option>`)}
        </select>
      </label>
      <label class="field"><span class="label">Direction</span>
        <select value=${direction} onChange=${(e: Event) => setDirection((e.target as HTMLSelectElement).value)}>
          <option value="">both</option>
          <option value="out">stated by this entity</option>
          <option value="in">naming this entity</option>
        </select>
      </label>
    </div>
    ${
      list.items.length
        ? html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">Relation</th><th scope="col">Entity</th><th scope="col">Stated by</th><th scope="col">Synced</th></tr></thead>
          <tbody>${list.items.map(
            (r) => html`<tr key=${`${r.direction}:${r.kind}:${r.entityId}`}>
              <td>${r.direction === 'out' ? html`this <strong>${r.kind}</strong> →` : html`← <strong>${r.kind}</strong> this`}</td>
              <td><a href=${href('entities', r.entityId)}>${nameOf(r.entityId)}</a></td>
              <td>${can('connectors:read') ? html`<a href=${href('connectors', r.connectorId)}>connector <code>${r.connectorId.slice(0, 8)}</code></a>` : html`<code>${r.connectorId}</code>`}</td>
              <td><${Time} iso=${r.syncedAt} /></td>
            </tr>`,
          )}</tbody>
        </table></div>`
        : !list.loading && !list.error && !list.hasMore
          ? html`<p class="empty">No relations${kind || direction ? ' of this filter' : ''}.</p>`
          : null
    }
    <${Pager} list=${list} />
  </section>`;
}
