/**
 * From a signal to the case that holds it. The API lists cases by rule and entity, not by signal, so the signal
 * (`GET /signals/{id}`) gives its rule, entity and case key, and the cases of its rule and entity (then of its rule
 * alone: a case key the rule names may gather several entities) are read for the one that lists the signal. A case
 * lists only its newest signals, so failing that, the case of the signal's key that was still unresolved when the
 * signal was detected holds it (a key's cases follow one another). The case manager records a signal shortly after
 * it is detected: a signal just detected may have no case for a moment, so the search is tried again a few times.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Case } from '../../../schemas/cases.js';
import type { Signal } from '../../../schemas/detected-signals.js';
import { api, type Page } from '../api.js';
import { html } from '../html.js';
import { href } from '../router.js';
import { ErrorBanner, Spinner, View } from '../ui.js';

const PAGES_PER_QUERY = 10;
const ATTEMPTS = 8;
const PAUSE_MS = 750;

/** The id of the case that holds the signal, or null when none does (yet). */
export async function findCaseOfSignal(
  signalId: string,
  abort: AbortSignal,
): Promise<{ signal: Signal; caseId: string | null }> {
  const signal = await api.get<Signal>(`/signals/${encodeURIComponent(signalId)}`, undefined, abort);
  const queries = signal.entityId
    ? [{ rule: signal.ruleId, entity: signal.entityId }, { rule: signal.ruleId }]
    : [{ rule: signal.ruleId }];
  for (const query of queries) {
    const ofKey: Case[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < PAGES_PER_QUERY; i++) {
      const page: Page<Case> = await api.get<Page<Case>>('/cases', { ...query, limit: 100, cursor }, abort);
      for (const c of page.items) {
        if (c.signals.some((s) => s.signalId === signalId)) return { signal, caseId: c.id };
        if (c.caseKey === signal.caseKey) ofKey.push(c);
      }
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    const holder = ofKey
      .filter((c) => c.resolvedAt === null || c.resolvedAt >= signal.detectedAt)
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt))[0];
    if (holder) return { signal, caseId: holder.id };
  }
  return { signal, caseId: null };
}

export function CaseOfSignal({ signalId }: { signalId: string }) {
  const [state, setState] = useState<{ error?: unknown; missing?: Signal; attempt: number }>({ attempt: 0 });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    (async () => {
      for (let attempt = 1; attempt <= ATTEMPTS && !ac.signal.aborted; attempt++) {
        setState({ attempt });
        const found = await findCaseOfSignal(signalId, ac.signal);
        if (found.caseId) {
          location.replace(href('cases', found.caseId));
          return;
        }
        if (attempt === ATTEMPTS) setState({ missing: found.signal, attempt });
        else await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    })().catch((error) => !ac.signal.aborted && setState({ error, attempt: 0 }));
    return () => ac.abort();
  }, [signalId, tick]);
  const retry = () => setTick((t) => t + 1);
  return html`<${View} title="Case of a signal" ready=${!!state.error || !!state.missing}
    actions=${html`<a href=${href('signals', 'detected')}>Detected signals</a>`}>
    <p>Signal <code>${signalId}</code></p>
    ${state.error ? html`<${ErrorBanner} error=${state.error} onRetry=${retry} />` : null}
    ${
      state.missing
        ? html`<div class="notice">
          <p>No case holds this signal yet: the case manager records a signal moments after it is detected.
            Its case key is <code>${state.missing.caseKey}</code>.</p>
          <div class="buttons"><button type="button" onClick=${retry}>Look again</button>
            <a href=${href('cases', { rule: state.missing.ruleId })}>Cases of the rule ${state.missing.ruleId}</a></div>
        </div>`
        : null
    }
    ${!state.error && !state.missing ? html`<${Spinner} label="Finding the case of this signal…" />` : null}
  </${View}>`;
}
