/**
 * Dashboard (seed 001: recent activity and integration health): the newest audit records, each connector's last
 * sync, what waits in the inbox and the workflow runs that failed or run. A section shows only when the user's roles
 * may read it, and each loads (and fails) on its own.
 */
import type { AuditRecord } from '../../../schemas/audit.js';
import type { Connector } from '../../../schemas/connectors.js';
import type { Approval, ExecutionSummary } from '../../../schemas/workflow.js';
import { api, type Page } from '../api.js';
import { html } from '../html.js';
import { href, type Route } from '../router.js';
import { Badge, ErrorBanner, Spinner, Time, useCan, useLoad, View } from '../ui.js';

export function Dashboard(_props: { route: Route }) {
  const may = useCan();
  const audit = useLoad(
    (signal) =>
      may('audit:read') ? api.get<Page<AuditRecord>>('/audit', { limit: 10 }, signal) : Promise.resolve(null),
    [],
  );
  const connectors = useLoad(
    (signal) =>
      may('connectors:read') ? api.get<Page<Connector>>('/connectors', { limit: 50 }, signal) : Promise.resolve(null),
    [],
  );
  const pending = useLoad(
    (signal) =>
      may('approvals:read')
        ? api.get<Page<Approval>>('/approvals', { status: 'pending', limit: 100 }, signal)
        : Promise.resolve(null),
    [],
  );
  const runs = useLoad(
    (signal) =>
      may('workflows:read')
        ? api.get<Page<ExecutionSummary>>('/workflows/executions', { limit: 10 }, signal)
        : Promise.resolve(null),
    [],
  );
  const ready = [audit, connectors, pending, runs].every((s) => s.data !== undefined || s.error);
  return html`<${View} title="Dashboard" ready=${ready}>
    <div class="grid2">
      ${
        pending.data !== null
          ? html`<section class="card" aria-labelledby="dash-inbox"><h2 id="dash-inbox">Waiting for a decision</h2>
            ${pending.data ? html`<p><a href=${href('inbox')}>${pending.data.items.length}${pending.data.nextCursor ? '+' : ''} pending approval${pending.data.items.length === 1 ? '' : 's'}</a></p>` : html`<${Spinner} />`}
            <${ErrorBanner} error=${pending.error} onRetry=${pending.reload} /></section>`
          : null
      }
      ${
        connectors.data !== null
          ? html`<section class="card" aria-labelledby="dash-health"><h2 id="dash-health">Integration health</h2>
            ${
              connectors.data
                ? connectors.data.items.length
                  ? html`<ul>${connectors.data.items.map(
                      (c) => html`<li><a href=${href('connectors', c.id)}>${c.name}</a> (${c.system})
                      ${c.activeRunId ? html`<${Badge} value="running" />` : html`<${Badge} value=${c.lastRun?.status ?? 'never_synced'} />`}
                      ${c.enabled ? null : html` <${Badge} value="disabled" />`} <${Time} iso=${c.lastRun?.finishedAt ?? null} /></li>`,
                    )}</ul>`
                  : html`<p class="empty">No connector yet.</p>`
                : html`<${Spinner} />`
            }
            <${ErrorBanner} error=${connectors.error} onRetry=${connectors.reload} /></section>`
          : null
      }
      ${
        runs.data !== null
          ? html`<section class="card" aria-labelledby="dash-runs"><h2 id="dash-runs">Workflow runs</h2>
            ${
              runs.data
                ? runs.data.items.length
                  ? html`<ul>${runs.data.items.map(
                      (r) =>
                        html`<li><a href=${href('workflows', 'runs', r.executionId)}>${r.workflowId}</a> <${Badge} value=${r.status} /> <${Time} iso=${r.startedAt} /></li>`,
                    )}</ul>`
                  : html`<p class="empty">No run yet.</p>`
                : html`<${Spinner} />`
            }
            <${ErrorBanner} error=${runs.error} onRetry=${runs.reload} /></section>`
          : null
      }
    </div>
    ${
      audit.data !== null
        ? html`<section class="card" aria-labelledby="dash-activity"><h2 id="dash-activity">Recent activity</h2>
          ${
            audit.data
              ? audit.data.items.length
                ? html`<ul>${audit.data.items.map(
                    (a) =>
                      html`<li><code>${a.action}</code> by ${a.actor} on ${a.resourceType} <code>${a.resourceId}</code> <${Time} iso=${a.at} /></li>`,
                  )}</ul>`
                : html`<p class="empty">Nothing has happened yet.</p>`
              : html`<${Spinner} />`
          }
          <${ErrorBanner} error=${audit.error} onRetry=${audit.reload} />
          <p><a href=${href('audit')}>The whole trail</a></p></section>`
        : null
    }
  </${View}>`;
}
