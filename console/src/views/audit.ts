/**
 * Audit: the trail of every change, newest first (`GET /audit?actor=&action=&resourceType=&resourceId=`, paged), and
 * the state of its hash chain (`GET /audit/verification`): verified, broken (at which lane and sequence number, and
 * why) or partial (a check reads a bounded number of records; "Continue" goes on from where it stopped).
 */
import { useEffect, useState } from 'preact/hooks';
import type { AuditRecord, AuditVerification } from '../../../schemas/audit.js';
import { api } from '../api.js';
import { html } from '../html.js';
import { href, navigate, type Route } from '../router.js';
import { ErrorBanner, Pager, Spinner, Time, useAction, usePaged, View } from '../ui.js';
import { Short } from './signals-shared.js';

const FILTERS = [
  { name: 'actor', label: 'Actor' },
  { name: 'action', label: 'Action' },
  { name: 'resourceType', label: 'Resource type' },
  { name: 'resourceId', label: 'Resource id' },
] as const;
type FilterName = (typeof FILTERS)[number]['name'];
type Filters = Record<FilterName, string>;

export function Audit({ route }: { route: Route }) {
  const filters: Filters = {
    actor: route.query.actor ?? '',
    action: route.query.action ?? '',
    resourceType: route.query.resourceType ?? '',
    resourceId: route.query.resourceId ?? '',
  };
  const deps = FILTERS.map((f) => filters[f.name]);
  const list = usePaged<AuditRecord>('/audit', { ...filters, limit: 50 }, deps);
  const [form, setForm] = useState(filters);
  useEffect(() => setForm(filters), deps);
  const filtered = deps.some(Boolean);
  const apply = (e: Event) => {
    e.preventDefault();
    navigate(href('audit', Object.fromEntries(FILTERS.map((f) => [f.name, form[f.name].trim()]))));
  };
  const ready = !list.loading || list.items.length > 0 || !!list.error;
  const filterLink = (name: FilterName, value: string) => href('audit', { ...filters, [name]: value });
  return html`<${View} title="Audit" ready=${ready}>
    <${ChainState} />
    <h2>Trail</h2>
    <form class="filters" onSubmit=${apply} role="search" aria-label="Filter the trail">
      ${FILTERS.map(
        (f) => html`<label class="field">${f.label}
          <input name=${f.name} value=${form[f.name]} onInput=${(e: Event) => setForm({ ...form, [f.name]: (e.target as HTMLInputElement).value })} />
        </label>`,
      )}
      <button type="submit">Filter</button>
      ${filtered ? html`<a href=${href('audit')}>Clear filters</a>` : null}
    </form>
    ${
      list.items.length === 0
        ? list.loading || list.error
          ? null
          : html`<p class="empty">${
              list.hasMore
                ? 'None of the records read so far match; load more to look further back.'
                : filtered
                  ? 'No records match these filters.'
                  : 'No records yet.'
            }</p>`
        : html`<div class="table-wrap"><table class="audit-trail">
          <thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Resource</th>
            <th scope="col">Request</th><th scope="col">Chain</th></tr></thead>
          <tbody>${list.items.map(
            (r) => html`<tr data-audit-id=${r.id}>
              <td><${Time} iso=${r.at} /></td>
              <td><a href=${filterLink('actor', r.actor)}>${r.actor}</a>${r.via ? html`<div class="muted">via <code>${r.via}</code>${r.runId ? html`, run <code>${r.runId}</code>` : null}</div>` : null}</td>
              <td><a href=${filterLink('action', r.action)}>${r.action}</a></td>
              <td><a href=${filterLink('resourceType', r.resourceType)}>${r.resourceType}</a> <${ResourceLink} type=${r.resourceType} id=${r.resourceId} /></td>
              <td><${Short} value=${r.requestId} /></td>
              <td>lane ${r.lane}, seq ${r.seq}<div class="muted">hash <${Short} value=${r.hash} n=${10} /></div></td>
            </tr>`,
          )}</tbody>
        </table></div>`
    }
    <${Pager} list=${list} />
  </${View}>`;
}

/** A resource's id, linked to its view where the console has one. */
function ResourceLink({ type, id }: { type: string; id: string }) {
  const to =
    type === 'entity'
      ? href('entities', id)
      : type === 'case'
        ? href('cases', id)
        : type === 'signal-rule'
          ? href('signals', 'rules', id)
          : null;
  return to ? html`<a href=${to}><${Short} value=${id} n=${24} /></a>` : html`<${Short} value=${id} n=${24} />`;
}

export interface ChainCheck {
  last: AuditVerification;
  /** Records hashed over this check's calls. */
  records: number;
  /** Lanes read in any call of this check (a continued call reads only the lanes left). */
  lanes: number[];
  /** Lanes found broken in any call of this check. */
  breaks: NonNullable<AuditVerification['lanes'][number]['break'] & { lane: number }>[];
}

/**
 * The check after a call: a first call starts it; a continued call (`prev`) adds its records, its lanes and the breaks
 * of lanes not found broken before, and the check stays verified only if every call was.
 */
export function nextCheck(prev: ChainCheck | null, result: AuditVerification): ChainCheck {
  const found = result.lanes.flatMap((l) => (l.break ? [{ ...l.break, lane: l.lane }] : []));
  if (!prev) return { last: result, records: result.records, lanes: result.lanes.map((l) => l.lane), breaks: found };
  return {
    last: { ...result, verified: prev.last.verified && result.verified },
    records: prev.records + result.records,
    lanes: [...new Set([...prev.lanes, ...result.lanes.map((l) => l.lane)])],
    breaks: [...prev.breaks, ...found.filter((b) => !prev.breaks.some((p) => p.lane === b.lane))],
  };
}

/** The chain's verification: a banner, "Verify again", and "Continue" while a check is partial. */
function ChainState() {
  const [check, setCheck] = useState<ChainCheck | null>(null);
  const action = useAction();
  const verify = async (cursor?: string) => {
    const result = await action.run(() => api.get<AuditVerification>('/audit/verification', cursor ? { cursor } : {}));
    if (!result) return;
    setCheck((prev) => nextCheck(cursor && prev ? prev : null, result));
  };
  useEffect(() => {
    void verify();
  }, []);
  const v = check?.last;
  const state = !v ? null : !v.verified || check.breaks.length ? 'broken' : v.complete ? 'verified' : 'partial';
  const lanes = check ? check.lanes.length : 0;
  return html`<section class=${`chain-state${state ? ` chain-${state}` : ''}`} aria-labelledby="chain-title" data-verification=${state ?? undefined}>
    <h2 id="chain-title">Hash chain</h2>
    <div role="status" aria-live="polite">
      ${
        !v
          ? action.busy
            ? html`<${Spinner} label="Verifying the hash chain…" />`
            : null
          : state === 'verified'
            ? html`<p><strong>Verified</strong>: the hash chain holds, ${check.records} record${check.records === 1 ? '' : 's'} in ${lanes} lane${lanes === 1 ? '' : 's'}, checked <${Time} iso=${v.checkedAt} />.</p>`
            : state === 'broken'
              ? html`<p><strong>Broken</strong>: the hash chain does not verify, checked <${Time} iso=${v.checkedAt} />.</p>
                <ul>${check.breaks.map(
                  (b) =>
                    html`<li>Broken at lane ${b.lane} seq ${b.seq} (${b.reason.replace(/-/g, ' ')})${b.recordId ? html`, record <code>${b.recordId}</code>` : ', the record is missing'}</li>`,
                )}</ul>`
              : html`<p><strong>Partial</strong>: ${check.records} record${check.records === 1 ? '' : 's'} verified so far, no break; the trail is longer than one check reads.</p>`
      }
    </div>
    <${ErrorBanner} error=${action.error} />
    <div class="buttons">
      <button type="button" onClick=${() => verify()} disabled=${action.busy} aria-busy=${action.busy ? 'true' : undefined}>Verify again</button>
      ${state === 'partial' && v?.nextCursor ? html`<button type="button" onClick=${() => verify(v.nextCursor!)} disabled=${action.busy}>Continue</button>` : null}
      ${v && action.busy ? html`<${Spinner} label="Verifying…" />` : null}
    </div>
  </section>`;
}
