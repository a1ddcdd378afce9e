/**
 * Signals: the tenant's signal rules and what they detected.
 * - `#/signals` (tab Rules): the rules, paged (`GET /signal-rules`); "New rule" for who holds `signals:write`.
 * - `#/signals/rules/new`, `#/signals/rules/<id>`: a rule's editor and preview (signals-rule.ts).
 * - `#/signals/detected?rule=&entity=` (tab Detected): detected signals, newest first (signals-detected.ts).
 */
import { html } from '../html.js';
import { href, navigate, type Route } from '../router.js';
import { Act, Badge, Pager, Tabs, Time, usePaged, View } from '../ui.js';
import { DetectedSignals } from './signals-detected.js';
import { RulePage } from './signals-rule.js';
import type { SignalRule } from './signals-shared.js';

const TABS = [
  { id: 'rules', title: 'Rules', to: href('signals') },
  { id: 'detected', title: 'Detected', to: href('signals', 'detected') },
];

export function Signals({ route }: { route: Route }) {
  const [, section, id] = route.path;
  if (section === 'rules' && id) return html`<${RulePage} key=${id} id=${id === 'new' ? null : id} />`;
  const tab = section === 'detected' ? 'detected' : 'rules';
  return tab === 'detected'
    ? html`<${DetectedSignals} route=${route} tabs=${html`<${Tabs} label="Signals" tabs=${TABS} current="detected" />`} />`
    : html`<${RuleList} tabs=${html`<${Tabs} label="Signals" tabs=${TABS} current="rules" />`} />`;
}

function RuleList({ tabs }: { tabs: unknown }) {
  const list = usePaged<SignalRule>('/signal-rules', { limit: 25 }, []);
  const ready = !list.loading || list.items.length > 0 || !!list.error;
  return html`<${View} title="Signals" ready=${ready}
    actions=${html`<${Act} permission="signals:write" kind="primary" onClick=${() => navigate(href('signals', 'rules', 'new'))}>New rule</${Act}>`}>
    ${tabs}
    <h2>Rules</h2>
    ${
      list.items.length === 0
        ? list.loading || list.error
          ? null
          : html`<p class="empty">No signal rules yet.</p>`
        : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">Rule</th><th scope="col">Kind</th><th scope="col">Key</th><th scope="col">State</th>
            <th scope="col">Case</th><th scope="col">Version</th><th scope="col">Updated</th></tr></thead>
          <tbody>
            ${list.items.map(
              (r) => html`<tr data-rule-id=${r.id}>
                <td><a href=${href('signals', 'rules', r.id)}>${r.name}</a> <code>${r.id}</code></td>
                <td>${r.kind}</td>
                <td><code>${r.key}</code></td>
                <td><${Badge} value=${r.enabled ? 'enabled' : 'disabled'} /></td>
                <td>${r.case?.title ?? html`<span class="muted">rule name</span>`}${r.case?.key ? html` by <code>${r.case.key}</code>` : null}</td>
                <td>${r.version}</td>
                <td><${Time} iso=${r.updatedAt} /> <span class="muted">by ${r.updatedBy}</span></td>
              </tr>`,
            )}
          </tbody>
        </table></div>`
    }
    <${Pager} list=${list} />
  </${View}>`;
}
