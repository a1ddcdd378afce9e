import type { RefusalReason } from '../domain/errors.js';
import { logger } from './logger.js';

/** A request refused as unauthenticated (401) or unauthorised (403). */
export interface Refusal {
  status: 401 | 403;
  reason: RefusalReason;
  /** The refusal's message: names the rule, never the credential. */
  detail: string;
  method: string;
  /** The route (resource path template where known, else the path). */
  route: string;
  /** Only from a verified principal, never read from a refused token. */
  userId?: string;
  tenantId?: string;
}

/** CloudWatch metric of refusals, one count per refused request, by `reason` (a small closed set). */
export const REFUSAL_METRIC = { namespace: 'modos', name: 'RequestsRefused', dimensions: [['reason']] } as const;

/**
 * Leaves the trace of a refused request: one WARN line "request refused" with status, reason, route,
 * method, and user and tenant where a verified principal is known. The same line is a CloudWatch
 * Embedded Metric Format document (`_aws` + `RequestsRefused: 1`), so CloudWatch Logs extracts the
 * RequestsRefused metric from it with no metrics client and no extra line. No part of any token or
 * credential is logged: callers pass the refusal's reason and message only.
 */
export function recordRefusal(r: Refusal): void {
  logger.warn('request refused', {
    status: r.status,
    reason: r.reason,
    detail: r.detail,
    method: r.method,
    route: r.route,
    ...(r.userId ? { userId: r.userId } : {}),
    ...(r.tenantId ? { tenantId: r.tenantId } : {}),
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: REFUSAL_METRIC.namespace,
          Dimensions: REFUSAL_METRIC.dimensions,
          Metrics: [{ Name: REFUSAL_METRIC.name, Unit: 'Count' }],
        },
      ],
    },
    [REFUSAL_METRIC.name]: 1,
  });
}
