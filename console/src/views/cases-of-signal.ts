/**
 * From a signal to the case that holds it: `GET /cases?signal=<id>` (the case manager links each signal to its case
 * in the change that records it). A signal just detected may have no case for a moment, so the lookup is tried
 * again a few times before the page says so.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Case } from '../../../schemas/cases.js';
import type { Signal } from '../../../schemas/detected-signals.js';
import { api, type Page } from '../api.js';
import { html } from '../html.js';
import { href } from '../router.js';
import { ErrorBanner, Spinner, View } from '../ui.js';

const ATTEMPTS = 8;
const PAUSE_MS = 750;

/** The id of the case that holds the signal, or null when none does (yet). */
export async function findCaseOfSignal(signalId: string, abort: AbortSignal): Promise<string | null> {
  const page = await api.get<Page<Case>>('/cases', { signal: signalId, limit: 1 }, abort);
  return page.items[0]?.id ?? null;
}

export function CaseOfSignal({ signalId }: { signalId: string }) {
  const [state, setState] = useState<{ error?: unknown; missing?: Signal; attempt: number }>({ attempt: 0 });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    (async () => {
      for (let attempt = 1; attempt <= ATTEMPTS && !ac.signal.aborted; attempt++) {
        setState({ attempt });
        const caseId = await findCaseOfSignal(signalId, ac.signal);
        if (caseId) {
          location.replace(href('cases', caseId));
          return;
        }
        if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, PAUSE_MS));
        else {
          // None yet: the signal (a 404 if there is no such signal) says which key's case will hold it.
          const signal = await api.get<Signal>(`/signals/${encodeURIComponent(signalId)}`, undefined, ac.signal);
          setState({ missing: signal, attempt });
        }
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
