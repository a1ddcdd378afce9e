/**
 * Entities: the list (`#/entities?type=&q=`) and one entity (`#/entities/<id>`, entities-detail.ts).
 *
 * The list is `GET /entities?type=&limit=&cursor=`, newest first, a page at a time. The API has no text search, so
 * the search box filters the pages loaded so far, and the view says so (with how many are loaded): "Load more"
 * widens what it searches.
 */
import { useState } from 'preact/hooks';
import type { Entity } from '../../../schemas/entity.js';
import { html } from '../html.js';
import { href, type Route } from '../router.js';
import { Pager, Time, usePaged, View } from '../ui.js';
import { displayName, ENTITY_TYPES, entityMatches, isEntityType, summaryOf } from './entities-common.js';
import { EntityDetail } from './entities-detail.js';

const PAGE = 50;

const searchHint = (loaded: number, more: boolean) =>
  `The API lists entities by type, newest first, and has no text search: the search filters the ${loaded} ${
    loaded === 1 ? 'entity' : 'entities'
  } loaded${more ? ' so far (load more to search further)' : ''}.`;

export function Entities({ route }: { route: Route }) {
  const id = route.path[1];
  return id ? html`<${EntityDetail} id=${id} key=${id} />` : html`<${EntityList} route=${route} />`;
}

function EntityList({ route }: { route: Route }) {
  const type = isEntityType(route.query.type) ? route.query.type : undefined;
  const [q, setQ] = useState(route.query.q ?? '');
  const list = usePaged<Entity>('/entities', { type, limit: PAGE }, [type]);
  const shown = q.trim() ? list.items.filter((e) => entityMatches(e, q)) : list.items;
  const onSearch = (value: string) => {
    setQ(value);
    // Keeps the address shareable without a history entry per keystroke.
    history.replaceState(null, '', href('entities', { type, q: value || undefined }));
  };
  return html`<${View} title="Entities" ready=${!(list.loading && list.items.length === 0)}>
    <form class="filters" role="search" onSubmit=${(e: Event) => e.preventDefault()}>
      <label class="field">
        <span class="label">Type</span>
        <select value=${type ?? ''} onChange=${(e: Event) => {
          const v = (e.target as HTMLSelectElement).value;
          location.hash = href('entities', { type: v || undefined, q: q || undefined });
        }}>
          <option value="">all types</option>
          ${ENTITY_TYPES.map((t) => html`<option value=${t}>${t}</option>`)}
        </select>
      </label>
      <label class="field entity-search">
        <span class="label">Search</span>
        <input type="search" value=${q} placeholder="name, email, id…" aria-describedby="entity-search-hint"
          onInput=${(e: Event) => onSearch((e.target as HTMLInputElement).value)} />
      </label>
    </form>
    <p class="hint" id="entity-search-hint">${searchHint(list.items.length, list.hasMore)}</p>
    ${q.trim() && list.items.length ? html`<p class="muted" role="status">${shown.length} of ${list.items.length} loaded match “${q.trim()}”.</p>` : null}
    ${
      list.items.length === 0 && !list.loading && !list.error
        ? html`<p class="empty">No ${type ? `${type} ` : ''}entities yet.</p>`
        : shown.length
          ? html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">Name</th>${type ? null : html`<th scope="col">Type</th>`}<th scope="col">Identifiers</th><th scope="col" class="wide-only">Updated</th></tr></thead>
            <tbody>
              ${shown.map(
                (e) => html`<tr key=${e.id} data-entity-id=${e.id}>
                  <td><a href=${href('entities', e.id)}>${displayName(e)}</a></td>
                  ${type ? null : html`<td>${e.type}</td>`}
                  <td class="summary">${summaryOf(e) || html`<span class="muted">—</span>`}</td>
                  <td class="wide-only"><${Time} iso=${e.updatedAt} /></td>
                </tr>`,
              )}
            </tbody>
          </table></div>`
          : null
    }
    <${Pager} list=${list} />
  </${View}>`;
}
