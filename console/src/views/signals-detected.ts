/**
 * Detected signals (`GET /signals?rule=&entity=`, newest first, paged): each links to its rule, its entity and, for
 * who may read cases, to the case that holds it (`#/cases/signal/<id>` finds it: cases.ts).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Signal } from '../../../schemas/detected-signals.js';
import { html } from '../html.js';
import { href, navigate, type Route } from '../router.js';
import { Pager, Time, useCan, usePaged, View } from '../ui.js';
import { Short } from './signals-shared.js';

export function DetectedSignals({ route, tabs }: { route: Route; tabs: ComponentChildren }) {
  const rule = route.query.rule ?? '';
  const entity = route.query.entity ?? '';
  const list = usePaged<Signal>('/signals', { rule, entity, limit: 25 }, [rule, entity]);
  const mayCases = useCan()('cases:read');
  const [form, setForm] = useState({ rule, entity });
  useEffect(() => setForm({ rule, entity }), [rule, entity]);
  const apply = (e: Event) => {
    e.preventDefault();
    navigate(href('signals', 'detected', { rule: form.rule.trim(), entity: form.entity.trim() }));
  };
  const ready = !list.loading || list.items.length > 0 || !!list.error;
  return html`<${View} title="Signals" ready=${ready}
    actions=${html`<button type="button" onClick=${list.reload} disabled=${list.loading}>Refresh</button>`}>
    ${tabs}
    <h2>Detected signals</h2>
    <form class="filters" onSubmit=${apply} role="search" aria-label="Filter signals">
      <label class="field">Rule id
        <input name="rule" value=${form.rule} onInput=${(e: Event) => setForm({ ...form, rule: (e.target as HTMLInputElement).value })} />
      </label>
      <label class="field">Entity id or key
        <input name="entity" value=${form.entity} onInput=${(e: Event) => setForm({ ...form, entity: (e.target as HTMLInputElement).value })} />
      </label>
      <button type="submit">Filter</button>
      ${rule || entity ? html`<a href=${href('signals', 'detected')}>Clear filters</a>` : null}
    </form>
    ${
      list.items.length === 0
        ? list.loading || list.error
          ? null
          : html`<p class="empty">No signals detected${rule || entity ? ' with these filters' : ''}.</p>`
        : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">Detected</th><th scope="col">Rule</th><th scope="col">Entity or key</th>
            <th scope="col">Events</th><th scope="col">Case</th><th scope="col">Workflow</th></tr></thead>
          <tbody>${list.items.map(
            (s) => html`<tr data-signal-id=${s.id}>
              <td><${Time} iso=${s.detectedAt} /><div class="muted">held <${Time} iso=${s.at} /></div></td>
              <td><a href=${href('signals', 'rules', s.ruleId)}>${s.ruleName}</a> <span class="muted">v${s.ruleVersion}, ${s.kind}</span></td>
              <td>${
                s.entityId
                  ? html`<a href=${href('entities', s.entityId)}>${s.entityId}</a>`
                  : html`<span class="muted">key</span> <code>${s.key}</code>`
              }${s.entityId && s.key !== s.entityId ? html`<div class="muted">key <code>${s.key}</code></div>` : null}</td>
              <td>${s.eventIds.length}</td>
              <td>${
                mayCases
                  ? html`<a href=${href('cases', 'signal', s.id)}>${s.caseTitle ?? 'Open the case'}</a>`
                  : (s.caseTitle ?? html`<span class="muted">—</span>`)
              }<div class="muted"><${Short} value=${s.caseKey} n=${24} /></div></td>
              <td>${s.action ? html`<code>${s.action.startWorkflow}</code>` : html`<span class="muted">—</span>`}</td>
            </tr>`,
          )}</tbody>
        </table></div>`
    }
    <${Pager} list=${list} />
  </${View}>`;
}
