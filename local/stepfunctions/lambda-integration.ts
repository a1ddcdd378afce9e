import { randomUUID } from 'node:crypto';
import type { TaskSpec } from './definition.js';

/**
 * The Lambda task integrations the runtime supports: `lambda:invoke`, `lambda:invoke.waitForTaskToken`
 * and a plain function ARN. What AWS calls them in the history, which function they call and the
 * result shape of `lambda:invoke`.
 */
export type ResourceKind = 'invoke' | 'token' | 'function';

export function resourceKind(resource: string): ResourceKind | undefined {
  if (/^arn:aws[\w-]*:states:::lambda:invoke$/.test(resource)) return 'invoke';
  if (/^arn:aws[\w-]*:states:::lambda:invoke\.waitForTaskToken$/.test(resource)) return 'token';
  if (/^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(resource)) return 'function';
  return undefined;
}

/** The function name of a FunctionName as Lambda accepts it (name, name:qualifier, partial or full ARN). */
export function functionNameOf(ref: string): string {
  const arn = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(ref);
  if (arn) return arn[1]!;
  const partial = /^\d{12}:function:([^:]+)/.exec(ref);
  if (partial) return partial[1]!;
  return ref.split(':')[0]!;
}

/** `resourceType` and `resource` as the history names a Task's integration. */
export function taskResource(spec: TaskSpec): { resourceType: string; resource: string } {
  const kind = resourceKind(spec.resource);
  return {
    resourceType: 'lambda',
    resource: kind === 'token' ? 'invoke.waitForTaskToken' : kind === 'invoke' ? 'invoke' : spec.resource,
  };
}

/** The result of `arn:aws:states:::lambda:invoke` as AWS shapes it around the function's return value. */
export function lambdaInvokeResult(payload: unknown): Record<string, unknown> {
  const requestId = randomUUID();
  const body = JSON.stringify(payload ?? null);
  const date = new Date().toUTCString();
  const headers: Record<string, string> = {
    Connection: 'keep-alive',
    'Content-Length': String(Buffer.byteLength(body)),
    'Content-Type': 'application/json',
    Date: date,
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
    'X-Amzn-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`,
  };
  return {
    ExecutedVersion: '$LATEST',
    Payload: JSON.parse(body),
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}
