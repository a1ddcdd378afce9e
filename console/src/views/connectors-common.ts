/**
 * What the connector screens share: a schedule in words, a connector's state, and the polling of what is running
 * (a connector holding a sync, a run not yet final) every `POLL_MS` while the tab is visible.
 */
import { useRef, useState } from 'preact/hooks';
import type { Connector, SyncRun } from '../../../schemas/connectors.js';
import { api } from '../api.js';
import { usePolling } from '../ui.js';

export const POLL_MS = 2000;

/** The statuses a run ends in (schemas/connectors.ts FINAL_SYNC_STATUSES, a value of a module that bundles zod). */
export const FINAL_RUN_STATUSES: ReadonlySet<SyncRun['status']> = new Set([
  'succeeded',
  'completed_with_gaps',
  'failed',
]);
export const isFinal = (run: Pick<SyncRun, 'status'>) => FINAL_RUN_STATUSES.has(run.status);

/** `rate(1 hour)` → "every hour", `rate(15 minutes)` → "every 15 minutes", `cron(…)` as the expression, UTC. */
export function scheduleText(schedule: string | null, enabled = true): string {
  if (!schedule) return 'on demand only';
  const rate = /^rate\((\d+)\s+([a-z]+)\)$/.exec(schedule);
  const text = rate
    ? rate[1] === '1'
      ? `every ${rate[2]!.replace(/s$/, '')}`
      : `every ${rate[1]} ${rate[2]}`
    : schedule.startsWith('cron(')
      ? `${schedule} (UTC)`
      : schedule;
  return enabled ? text : `${text}, paused (disabled)`;
}

/** One word for a connector: syncing (a run holds it), disabled, or active. */
export const connectorState = (c: Connector) => (c.activeRunId ? 'syncing' : c.enabled ? 'active' : 'disabled');

/**
 * Fresh copies of the items `isLive` picks, read with `read` every POLL_MS while any is live: `latest(x)` is the
 * freshest copy known of x. A copy stands for the very item it was read for, so items read again (a list reloaded)
 * win over older copies; a copy that is no longer live is kept and no longer read.
 */
export function useLiveCopies<T>(
  items: readonly T[],
  idOf: (x: T) => string,
  isLive: (x: T) => boolean,
  read: (id: string) => Promise<T>,
  onSettled?: (x: T) => void,
): (x: T) => T {
  const [copies, setCopies] = useState<ReadonlyMap<T, T>>(new Map());
  const inFlight = useRef(false);
  const latest = (x: T) => copies.get(x) ?? x;
  const live = items.filter((x) => isLive(latest(x)));
  usePolling(
    () => {
      if (inFlight.current || live.length === 0) return;
      inFlight.current = true;
      const asked = [...live];
      Promise.allSettled(asked.map((x) => read(idOf(x))))
        .then((results) => {
          const fresh = new Map<T, T>();
          results.forEach((r, i) => {
            if (r.status !== 'fulfilled') return;
            fresh.set(asked[i]!, r.value);
            if (!isLive(r.value)) onSettled?.(r.value);
          });
          setCopies((old) => {
            const next = new Map(old);
            for (const [k, v] of fresh) next.set(k, v);
            return next;
          });
        })
        .finally(() => {
          inFlight.current = false;
        });
    },
    POLL_MS,
    [live.map(idOf).join(',')],
  );
  return latest;
}

export const readConnector = (id: string) => api.get<Connector>(`/connectors/${encodeURIComponent(id)}`);
export const readRun = (runId: string) => api.get<SyncRun>(`/connectors/runs/${encodeURIComponent(runId)}`);
