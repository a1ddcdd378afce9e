/**
 * A rule's preview (`POST /signal-rules/preview` `{ rule, days }`): how often it would have fired on the last days of
 * entity changes, as a sentence, a per-day bar chart (SVG, with the same figures as a table for who cannot see it)
 * and the first matches.
 */
import type { z } from 'zod';
import type { SignalRulePreview } from '../../../schemas/signals-api.js';
import { html } from '../html.js';
import { href } from '../router.js';
import { Time } from '../ui.js';

export type Preview = z.output<typeof SignalRulePreview>;

/** Days previewed: the API's most (schemas/signals-api.ts PREVIEW_DAYS_MAX). */
export const PREVIEW_DAYS = 30;

const times = (n: number) => `${n} time${n === 1 ? '' : 's'}`;

export function PreviewResult({ preview: p, keyIsEntity }: { preview: Preview; keyIsEntity: boolean }) {
  return html`<div class="preview" data-preview-fired=${p.fired}>
    <p class="preview-figure"><strong>Would have fired ${times(p.fired)}</strong> ${`on the last ${p.days} days${p.fired ? `, for ${p.keys} key${p.keys === 1 ? '' : 's'}` : ''}.`}</p>
    <p class="muted">${p.events} entity change${p.events === 1 ? '' : 's'} replayed, from <${Time} iso=${p.from} /> to <${Time} iso=${p.to} />.
      A sequence or absence whose first event came before that is not seen; deadlines after now do not count.</p>
    ${p.truncated ? html`<p class="notice">The history was longer than a preview reads: the oldest changes were left out (the replay starts at <${Time} iso=${p.from} />).</p>` : null}
    ${p.trimmed ? html`<p class="muted">${p.trimmed} change${p.trimmed === 1 ? ' was' : 's were'} stored without their largest values; a pattern on those values may miss them.</p>` : null}
    <${DayBars} days=${p.byDay} />
    ${
      p.samples.length
        ? html`<h3>First matches</h3>
        <div class="table-wrap"><table>
          <thead><tr><th scope="col">When</th><th scope="col">Key</th><th scope="col">Events</th></tr></thead>
          <tbody>${p.samples.map(
            (s) => html`<tr>
              <td><${Time} iso=${s.at} /></td>
              <td>${keyIsEntity ? html`<a href=${href('entities', s.key)}>${s.key}</a>` : html`<code>${s.key}</code>`}</td>
              <td>${s.eventIds.length}</td>
            </tr>`,
          )}</tbody>
        </table></div>`
        : null
    }
  </div>`;
}

const BAR_W = 10;
const GAP = 2;
const CHART_H = 80;
const LABEL_H = 16;

/** Matches per day as bars; the bars' figures are also a table (a text alternative), behind a disclosure. */
export function DayBars({ days }: { days: { day: string; count: number }[] }) {
  if (!days.length) return null;
  const max = Math.max(1, ...days.map((d) => d.count));
  const width = days.length * (BAR_W + GAP);
  const busiest = days.reduce((a, b) => (b.count > a.count ? b : a), days[0]!);
  const summary = `Matches per day from ${days[0]!.day} to ${days[days.length - 1]!.day}: ${days.reduce((n, d) => n + d.count, 0)} in all, at most ${busiest.count} on one day${busiest.count ? ` (${busiest.day})` : ''}.`;
  return html`<figure class="day-bars">
    <svg viewBox=${`0 0 ${width} ${CHART_H + LABEL_H}`} width="100%" role="img" aria-label=${summary}>
      <line class="axis" x1="0" x2=${width} y1=${CHART_H} y2=${CHART_H} />
      ${days.map((d, i) => {
        const h = d.count ? Math.max(2, Math.round((d.count / max) * (CHART_H - 4))) : 0;
        return html`<rect class=${d.count ? 'bar-on' : 'bar-off'} x=${i * (BAR_W + GAP)} y=${CHART_H - (h || 1)} width=${BAR_W} height=${h || 1}>
          <title>${d.day}: ${d.count}</title>
        </rect>`;
      })}
      <text x="0" y=${CHART_H + LABEL_H - 3} font-size="10">${days[0]!.day}</text>
      <text x=${width} y=${CHART_H + LABEL_H - 3} font-size="10" text-anchor="end">${days[days.length - 1]!.day}</text>
    </svg>
    <figcaption class="muted">${summary}</figcaption>
    <details>
      <summary>Matches per day, as a table</summary>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Day (UTC)</th><th scope="col">Matches</th></tr></thead>
        <tbody>${days.map((d) => html`<tr><td>${d.day}</td><td>${d.count}</td></tr>`)}</tbody>
      </table></div>
    </details>
  </figure>`;
}
