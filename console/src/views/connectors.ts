/**
 * Connectors: the list (`#/connectors`) and one connector (`#/connectors/<id>`, connectors-detail.ts).
 *
 * The list is `GET /connectors?limit=&cursor=`, newest first: each connector's system, state (syncing, active,
 * disabled), schedule and last sync. A connector that is syncing is read again every 2 s until its run ends. Admins
 * add one (`POST /connectors`, connectors-form.ts).
 */
import { useState } from 'preact/hooks';
import type { Connector } from '../../../schemas/connectors.js';
import { html } from '../html.js';
import { href, type Route } from '../router.js';
import { Act, Badge, Pager, Time, usePaged, View } from '../ui.js';
import { connectorState, readConnector, scheduleText, useLiveCopies } from './connectors-common.js';
import { ConnectorDetail } from './connectors-detail.js';
import { CreateConnector } from './connectors-form.js';

const PAGE = 25;

export function Connectors({ route }: { route: Route }) {
  const id = route.path[1];
  return id ? html`<${ConnectorDetail} id=${id} key=${id} />` : html`<${ConnectorList} />`;
}

function ConnectorList() {
  const list = usePaged<Connector>('/connectors', { limit: PAGE }, []);
  const [creating, setCreating] = useState(false);
  const latest = useLiveCopies(
    list.items,
    (c) => c.id,
    (c) => c.activeRunId !== null,
    readConnector,
  );
  return html`<${View} title="Connectors" ready=${!(list.loading && list.items.length === 0)}
    actions=${creating ? null : html`<${Act} permission="connectors:manage" kind="primary" onClick=${() => setCreating(true)}>New connector</${Act}>`}>
    ${creating ? html`<${CreateConnector} onCancel=${() => setCreating(false)} />` : null}
    ${
      list.items.length === 0 && !list.loading && !list.error
        ? html`<p class="empty">No connectors yet.${creating ? '' : ' An admin adds one with “New connector”.'}</p>`
        : list.items.length
          ? html`<div class="table-wrap"><table class="connectors">
            <thead><tr><th scope="col">Name</th><th scope="col">System</th><th scope="col">State</th><th scope="col">Schedule</th><th scope="col">Last sync</th></tr></thead>
            <tbody>${list.items.map(latest).map(
              (c) => html`<tr key=${c.id} data-connector-id=${c.id}>
                <td><a href=${href('connectors', c.id)}>${c.name}</a></td>
                <td>${c.system}</td>
                <td><${Badge} value=${connectorState(c)} /></td>
                <td>${scheduleText(c.schedule, c.enabled)}</td>
                <td>${
                  c.lastRun
                    ? html`<${Badge} value=${c.lastRun.status} /> <${Time} iso=${c.lastRun.finishedAt} />`
                    : html`<span class="muted">never</span>`
                }</td>
              </tr>`,
            )}</tbody>
          </table></div>`
          : null
    }
    <${Pager} list=${list} />
  </${View}>`;
}
