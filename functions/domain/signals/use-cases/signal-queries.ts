/** Reading detected signals (analyst and up: `signals:read`). */
import type { ListSignalsQuery, Signal } from '../../../../schemas/detected-signals.js';
import { requirePermission } from '../../auth/authorize.js';
import { NotFoundError } from '../../errors.js';
import type { Page, RequestContext } from '../../ports.js';
import type { SignalStore } from './ports.js';

export interface SignalQueryDeps {
  store: Pick<SignalStore, 'getSignal' | 'listSignals'>;
}

/** The tenant's signal, or NotFoundError (also for another tenant's id). */
export async function getSignal(id: string, ctx: RequestContext, deps: SignalQueryDeps): Promise<Signal> {
  requirePermission(ctx.principal, 'signals:read');
  const signal = await deps.store.getSignal(ctx.principal.tenantId, id);
  if (!signal) throw new NotFoundError(`signal ${id} not found`);
  return signal;
}

/** The tenant's signals, newest first: of a rule, of an entity (its id or the rule's key), detected since. */
export async function listSignals(
  query: ListSignalsQuery,
  ctx: RequestContext,
  deps: SignalQueryDeps,
): Promise<Page<Signal>> {
  requirePermission(ctx.principal, 'signals:read');
  return deps.store.listSignals(ctx.principal.tenantId, query);
}
