/**
 * An entity's matches (`GET /entities/{id}/matches`): the other members of its cluster, each scored against it with
 * the tenant's current model, and why. A score is a sum of weights in bits: the prior (how likely two records
 * match before anything is compared) plus, per compared field, log₂(m/u) of the level reached and its
 * term-frequency adjustment; the model's calibration and its deterministic rules (a shared strong identifier, a
 * Jr/Sr veto) account for any rest. The table shows each part and the sum equal to the score; the probability is
 * 1 / (1 + 2^−score). Explanations name fields and levels only, never values.
 *
 * Admins confirm (must-link) or reject (cannot-link, splits the cluster) a pair:
 * `POST /entities/{id}/matches/{otherId}/confirm|reject` (`resolution:manage`). The result is announced and the
 * matches and the golden record are read again.
 */
import { useState } from 'preact/hooks';
import type { MatchDecisionResult, MatchExplanation, MatchList } from '../../../schemas/resolution.js';
import { api } from '../api.js';
import { html } from '../html.js';
import { href } from '../router.js';
import { Act, Badge, ErrorBanner, type Loaded, Loading, Time, useAction } from '../ui.js';

type Decision = 'confirm' | 'reject';
type Member = MatchList['items'][number];

/** Rests smaller than this (bits) are rounding, not a calibration or a rule. */
const REST_EPSILON = 0.005;

export interface ExplanationRow {
  label: string;
  level: string;
  /** log₂(m/u) of the level, and the term-frequency adjustment; null for the prior and the rest. */
  weight: number | null;
  tf: number | null;
  contribution: number;
}

/** The parts of a score, in order (prior, fields, rest), whose contributions sum to `total`, the score. */
export function explanationRows(x: MatchExplanation): { rows: ExplanationRow[]; total: number } {
  const rows: ExplanationRow[] = [
    {
      label: 'prior',
      level: 'how likely two records match before any field is compared',
      weight: null,
      tf: null,
      contribution: x.priorWeight,
    },
    ...x.fields.map((f) => ({
      label: f.field,
      level: f.level ?? 'not compared',
      weight: f.weight,
      tf: f.tfAdjustment,
      contribution: f.weight + f.tfAdjustment,
    })),
  ];
  const rest = x.weight - rows.reduce((s, r) => s + r.contribution, 0);
  if (Math.abs(rest) >= REST_EPSILON)
    rows.push({
      label: 'calibration and rules',
      level: x.rules.length ? x.rules.join('; ') : 'the model’s calibration by decided pairs',
      weight: null,
      tf: null,
      contribution: rest,
    });
  return { rows, total: x.weight };
}

export const bits = (n: number) => `${n < 0 ? '−' : n > 0 ? '+' : ''}${Math.abs(n).toFixed(2)}`;
/** A probability in per cent; one that rounds to 0 or 100 says so (`> 99.99 %`) rather than claiming certainty. */
export const percent = (p: number) =>
  p > 0.9999 ? '> 99.99 %' : p < 0.0001 ? '< 0.01 %' : `${(p * 100).toFixed(p > 0.999 || p < 0.001 ? 2 : 1)} %`;

function WeightBar({ value, scale }: { value: number; scale: number }) {
  const w = scale > 0 ? Math.min(1, Math.abs(value) / scale) * 50 : 0;
  return html`<svg class="wbar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
    <rect x=${value >= 0 ? 50 : 50 - w} y="1" width=${w} height="8" class=${value >= 0 ? 'pos' : 'neg'} />
    <line x1="50" x2="50" y1="0" y2="10" />
  </svg>`;
}

export function ExplanationTable({ explanation, probability }: { explanation: MatchExplanation; probability: number }) {
  const { rows, total } = explanationRows(explanation);
  const scale = Math.max(...rows.map((r) => Math.abs(r.contribution)), 1e-9);
  return html`<div class="table-wrap"><table class="explanation">
    <caption>Why: weights in bits (log₂ m/u), added up to the score</caption>
    <thead><tr><th scope="col">Field</th><th scope="col">Level</th><th scope="col" class="num">Weight</th><th scope="col"><span class="sr-only">Bar</span></th></tr></thead>
    <tbody>
      ${rows.map(
        (r) => html`<tr data-field=${r.label}>
          <th scope="row">${r.label}</th>
          <td>${r.level}${
            r.weight !== null && r.tf !== null && Math.abs(r.tf) >= REST_EPSILON
              ? html`<span class="hint"> (m/u ${bits(r.weight)}, term frequency ${bits(r.tf)})</span>`
              : null
          }</td>
          <td class="num">${bits(r.contribution)}</td>
          <td><${WeightBar} value=${r.contribution} scale=${scale} /></td>
        </tr>`,
      )}
    </tbody>
    <tfoot><tr>
      <th scope="row">sum = score</th>
      <td class="probability">probability 1 / (1 + 2<sup>−score</sup>) = <span data-probability>${percent(probability)}</span></td>
      <td class="num" data-score>${bits(total)}</td>
      <td></td>
    </tr></tfoot>
  </table></div>`;
}

/** A decision on the pair (entityId, otherId) and what it did. */
function useDecide(entityId: string, otherId: string, onDecided: (r: MatchDecisionResult) => void) {
  const action = useAction();
  const decide = (d: Decision) =>
    action.run(async () => {
      const r = await api.post<MatchDecisionResult>(
        `/entities/${encodeURIComponent(entityId)}/matches/${encodeURIComponent(otherId)}/${d}`,
      );
      onDecided(r);
    });
  return { ...action, decide };
}

const decisionBadge = (d: Decision | null) =>
  d === 'confirm' ? html`<${Badge} value="confirmed" />` : d === 'reject' ? html`<${Badge} value="rejected" />` : null;

function MatchCard({
  entityId,
  item,
  recorded,
  name,
  onDecided,
}: {
  entityId: string;
  item: Member;
  recorded: MatchList['decisions'][number] | undefined;
  name: string;
  onDecided: (r: MatchDecisionResult) => void;
}) {
  const d = useDecide(entityId, item.entityId, onDecided);
  return html`<li class="card match" data-match-id=${item.entityId} data-decision=${item.decision ?? 'none'}>
    <header>
      <h3><a href=${href('entities', item.entityId)}>${name}</a></h3>
      <span class="score">score <strong>${bits(item.weight)}</strong> bits · ${percent(item.probability)}</span>
      ${decisionBadge(item.decision)}
      ${recorded ? html`<span class="muted">by ${recorded.decidedBy} <${Time} iso=${recorded.decidedAt} /></span>` : null}
    </header>
    <${ExplanationTable} explanation=${item.explanation} probability=${item.probability} />
    ${
      item.explanation.rules.length
        ? html`<p class="hint">Rules that fired: ${item.explanation.rules.join('; ')}</p>`
        : null
    }
    <div class="buttons">
      ${
        item.decision !== 'confirm'
          ? html`<${Act} permission="resolution:manage" kind="primary" busy=${d.busy} onClick=${() => d.decide('confirm')}
              label=${`Confirm: ${name} is the same as this entity`}>Confirm</${Act}>`
          : null
      }
      ${
        item.decision !== 'reject'
          ? html`<${Act} permission="resolution:manage" kind="danger" busy=${d.busy} onClick=${() => d.decide('reject')}
              label=${`Reject: ${name} is not the same as this entity`}>Reject</${Act}>`
          : null
      }
    </div>
    <${ErrorBanner} error=${d.error} />
  </li>`;
}

function DecisionRow({
  entityId,
  decision,
  name,
  onDecided,
}: {
  entityId: string;
  decision: MatchList['decisions'][number];
  name: string;
  onDecided: (r: MatchDecisionResult) => void;
}) {
  const d = useDecide(entityId, decision.otherId, onDecided);
  const other: Decision = decision.decision === 'confirm' ? 'reject' : 'confirm';
  return html`<tr data-decision-other=${decision.otherId}>
    <td><a href=${href('entities', decision.otherId)}>${name}</a></td>
    <td>${decisionBadge(decision.decision)}</td>
    <td>${decision.decidedBy}</td>
    <td><${Time} iso=${decision.decidedAt} /></td>
    <td>
      <${Act} permission="resolution:manage" kind=${other === 'reject' ? 'danger' : undefined} busy=${d.busy}
        onClick=${() => d.decide(other)} label=${`${other === 'confirm' ? 'Confirm' : 'Reject'} the pair with ${name} instead`}>
        ${other === 'confirm' ? 'Confirm instead' : 'Reject instead'}
      </${Act}>
      <${ErrorBanner} error=${d.error} />
    </td>
  </tr>`;
}

/** What a decision did, in words. */
export function decisionMessage(r: MatchDecisionResult, name: string): string {
  if (!r.changed) return `Already ${r.decision === 'confirm' ? 'confirmed' : 'rejected'}: nothing changed.`;
  if (r.decision === 'confirm')
    return `Confirmed: ${name} and this entity are one (cluster ${r.clusterId ?? 'none'}). Later resolution keeps them together.`;
  return `Rejected: ${name} is kept apart from this entity${r.clusterId === null ? ', which now stands alone' : ` (now in cluster ${r.clusterId})`}. Later resolution keeps them apart.`;
}

export function EntityMatches({
  entityId,
  state,
  nameOf,
  onDecided,
}: {
  entityId: string;
  state: Loaded<MatchList>;
  nameOf: (id: string) => string;
  onDecided: () => void;
}) {
  const [said, setSaid] = useState('');
  const decided = (r: MatchDecisionResult) => {
    setSaid(decisionMessage(r, nameOf(r.otherId)));
    onDecided();
  };
  return html`<section class="card entity-matches" aria-labelledby="matches-h">
    <header>
      <h2 id="matches-h">Matches</h2>
      <button type="button" onClick=${state.reload} disabled=${state.loading} aria-busy=${state.loading ? 'true' : undefined}>Refresh</button>
    </header>
    <div role="status" aria-live="polite" class="live decision-result">${said}</div>
    <${Loading} state=${state} label="Loading matches…">${(m: MatchList) => {
      const outside = m.decisions.filter((d) => !m.items.some((i) => i.entityId === d.otherId));
      return html`
        <p class="muted">${
          m.clusterId
            ? html`Cluster <code>${m.clusterId}</code>: ${m.items.length} other ${m.items.length === 1 ? 'member' : 'members'}, strongest first, scored with the ${m.modelSource} model.`
            : 'Identity resolution has linked this entity to no other.'
        }</p>
        ${
          m.items.length
            ? html`<ul class="cards">${m.items.map(
                (i) =>
                  html`<${MatchCard} key=${i.entityId} entityId=${entityId} item=${i} recorded=${m.decisions.find((d) => d.otherId === i.entityId)} name=${nameOf(i.entityId)} onDecided=${decided} />`,
              )}</ul>`
            : null
        }
        ${
          outside.length
            ? html`<h3>Decisions on pairs outside the cluster</h3>
              <div class="table-wrap"><table>
                <thead><tr><th scope="col">Entity</th><th scope="col">Decision</th><th scope="col">By</th><th scope="col">When</th><th scope="col"><span class="sr-only">Change</span></th></tr></thead>
                <tbody>${outside.map(
                  (d) =>
                    html`<${DecisionRow} key=${d.otherId} entityId=${entityId} decision=${d} name=${nameOf(d.otherId)} onDecided=${decided} />`,
                )}</tbody>
              </table></div>`
            : null
        }`;
    }}</${Loading}>
  </section>`;
}
