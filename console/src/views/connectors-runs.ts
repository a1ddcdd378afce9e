/**
 * A sync run as the run records it: status, trigger, full or incremental, who asked, when, a progress bar while it
 * is not final (the run's `progress`, 0..1: objects done plus the current object's read / total), its counts, per
 * object the mode, status, records read against the vendor's total, the changes, rate-limit waits, retries and the
 * vendor's quota, the gaps that kept it from a clean success, and its error.
 */
import type { SyncCounts, SyncRun } from '../../../schemas/connectors.js';
import { html } from '../html.js';
import { Badge, formatDuration, Time } from '../ui.js';
import { isFinal } from './connectors-common.js';

type Quota = SyncRun['objects'][number]['quota'];

/** The run's counts in words: the count's key, its word for one and for several. */
const COUNTS: readonly [keyof SyncCounts, string, string][] = [
  ['read', 'read', 'read'],
  ['created', 'created', 'created'],
  ['changed', 'changed', 'changed'],
  ['unchanged', 'unchanged', 'unchanged'],
  ['deleted', 'deleted', 'deleted'],
  ['failed', 'failed', 'failed'],
  ['pages', 'page', 'pages'],
  ['rateLimitWaits', 'rate-limit wait', 'rate-limit waits'],
  ['retries', 'retry', 'retries'],
];

const quotaText = (q: Quota) =>
  !q
    ? '—'
    : q.used !== undefined && q.limit !== undefined
      ? `${q.used} / ${q.limit} used`
      : q.remaining !== undefined
        ? `${q.remaining}${q.limit !== undefined ? ` / ${q.limit}` : ''} left`
        : '—';

export function RunCard({ run }: { run: SyncRun }) {
  const final = isFinal(run);
  const pct = Math.round(run.progress * 100);
  const end = run.finishedAt ?? (final ? run.updatedAt : null);
  const took = Date.parse(end ?? new Date().toISOString()) - Date.parse(run.startedAt);
  return html`<li class="card run" data-run-id=${run.runId} data-status=${run.status}>
    <header>
      <h3>${run.full ? 'Full sync' : 'Sync'}, started <${Time} iso=${run.startedAt} /></h3>
      <${Badge} value=${run.status} />
      <span class="muted">${run.trigger === 'schedule' ? 'by the schedule' : `by ${run.requestedBy}`}</span>
    </header>
    ${
      final
        ? null
        : html`<div class="progress run-progress">
          <progress value=${run.progress} max="1" aria-label=${`Progress of the sync ${run.runId}`}></progress>
          <span>${pct} %</span>
          ${run.status === 'waiting' ? html`<span class="notice">waiting out a rate limit or an open circuit</span>` : null}
        </div>`
    }
    <p class="run-counts">${COUNTS.map(
      ([k, one, many]) =>
        html`<span class=${k === 'failed' && run.counts.failed > 0 ? 'count bad' : 'count'}><strong>${run.counts[k]}</strong> ${run.counts[k] === 1 ? one : many}</span> `,
    )}</p>
    <dl class="facts">
      <dt>Run</dt><dd><code>${run.runId}</code></dd>
      <dt>${final ? 'Took' : 'Running for'}</dt><dd>${formatDuration(took)}${run.finishedAt ? html`, finished <${Time} iso=${run.finishedAt} />` : null}</dd>
    </dl>
    ${
      run.objects.length
        ? html`<div class="table-wrap"><table class="run-objects">
          <caption class="sr-only">Per object</caption>
          <thead><tr>
            <th scope="col">Object</th><th scope="col">Mode</th><th scope="col">Status</th><th scope="col" class="num">Read</th>
            <th scope="col" class="num">Created</th><th scope="col" class="num">Changed</th><th scope="col" class="num">Unchanged</th>
            <th scope="col" class="num">Deleted</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Rate-limit waits</th>
            <th scope="col" class="num">Retries</th><th scope="col">Quota</th>
          </tr></thead>
          <tbody>${run.objects.map(
            (o) => html`<tr data-object=${o.object}>
              <th scope="row">${o.object}</th>
              <td>${o.mode}${o.since ? html`<div class="hint">since <${Time} iso=${o.since} /></div>` : null}</td>
              <td><${Badge} value=${o.status} /></td>
              <td class="num">${o.read}${o.total !== null ? ` / ${o.total}` : ''}</td>
              <td class="num">${o.created}</td><td class="num">${o.changed}</td><td class="num">${o.unchanged}</td>
              <td class="num">${o.deleted}</td><td class="num">${o.failed}</td><td class="num">${o.rateLimitWaits}</td>
              <td class="num">${o.retries}</td><td>${quotaText(o.quota)}</td>
            </tr>`,
          )}</tbody>
        </table></div>`
        : null
    }
    ${
      run.gaps.length
        ? html`<div class="notice"><strong>Gaps</strong><ul>${run.gaps.map((g) => html`<li>${g}</li>`)}</ul></div>`
        : null
    }
    ${
      run.error
        ? html`<div class="error" role="note"><strong>${run.error.code} (${run.error.name}):</strong> ${run.error.message}</div>`
        : null
    }
  </li>`;
}
