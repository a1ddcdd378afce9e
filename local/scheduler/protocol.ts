import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isTimeZone, nextFireTime, parseScheduleExpression } from '../../functions/domain/connectors/schedule.js';
import { functionNameOfArn } from './fires.js';
import type { ScheduleStore, ScheduleTarget, StoredSchedule } from './store.js';

/** An error as Scheduler answers it: its name (the SDK's exception class) and HTTP status. */
export class SchedulerApiError extends Error {
  override readonly name = 'SchedulerApiError';
  constructor(
    readonly type:
      | 'ValidationException'
      | 'ConflictException'
      | 'ResourceNotFoundException'
      | 'InternalServerException',
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new SchedulerApiError('ValidationException', message, 400);

export interface SchedulerProtocolOptions {
  store: ScheduleStore;
  /** The schedule groups that exist (`default` always does). */
  groups: readonly string[];
  region: string;
  accountId: string;
  now: () => number;
  /** Called after a schedule was created, updated or deleted. */
  onChange: (groupName: string, name: string) => void;
  onError: (e: unknown) => void;
}

type Body = Record<string, unknown>;

const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;

function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME.test(value))
    throw invalid(
      `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$ and have length between 1 and 64`,
    );
  return value;
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** A timestamp of the request body (epoch seconds, as the SDK sends them), in ms. */
function timestamp(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`${field} must be a timestamp`);
  return Math.round(value * 1000);
}

/**
 * The HTTP server speaking EventBridge Scheduler's REST-JSON protocol (the paths, query parameters and bodies of
 * `@aws-sdk/client-scheduler`'s service model), so the unmodified SDK client works with only its endpoint changed.
 * Schedules: Create (POST /schedules/{Name}), Update (PUT), Delete (DELETE), Get (GET), List (GET /schedules);
 * groups: Get (GET /schedule-groups/{Name}) and List (GET /schedule-groups). Errors are answered as Scheduler
 * answers them (`x-amzn-ErrorType` and `{ Message }`, ValidationException 400, ResourceNotFoundException 404,
 * ConflictException 409), so the SDK throws its own classes.
 */
export class SchedulerProtocol {
  private server: Server | undefined;
  private readonly groups: Set<string>;

  constructor(private readonly opts: SchedulerProtocolOptions) {
    this.groups = new Set(['default', ...opts.groups]);
  }

  scheduleArn(groupName: string, name: string): string {
    return `arn:aws:scheduler:${this.opts.region}:${this.opts.accountId}:schedule/${groupName}/${name}`;
  }

  groupArn(groupName: string): string {
    return `arn:aws:scheduler:${this.opts.region}:${this.opts.accountId}:schedule-group/${groupName}`;
  }

  /** Listens on 127.0.0.1 and returns the endpoint URL. */
  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (!address || typeof address !== 'object') throw new Error('scheduler server did not bind');
    return `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body: unknown, errorType?: string) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomUUID(),
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(text);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://scheduler');
      const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      let body: Body = {};
      if (chunks.length) {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body;
        } catch {
          throw invalid('malformed JSON body');
        }
      }
      const q = url.searchParams;
      const [collection, name, ...rest] = segments;
      if (rest.length) throw new SchedulerApiError('ResourceNotFoundException', `no route ${url.pathname}`, 404);
      const method = req.method ?? 'GET';
      if (collection === 'schedules' && name !== undefined) {
        if (method === 'POST') return reply(200, this.create(name, body));
        if (method === 'PUT') return reply(200, this.update(name, body));
        if (method === 'GET') return reply(200, this.get(name, q.get('groupName') ?? undefined));
        if (method === 'DELETE') return reply(200, this.delete(name, q.get('groupName') ?? undefined));
      }
      if (collection === 'schedules' && name === undefined && method === 'GET') return reply(200, this.list(q));
      if (collection === 'schedule-groups' && method === 'GET') {
        if (name === undefined) return reply(200, this.listGroups());
        if (!this.groups.has(name))
          throw new SchedulerApiError('ResourceNotFoundException', `Schedule group ${name} does not exist.`, 404);
        return reply(200, this.groupSummary(name));
      }
      throw invalid(`${method} ${url.pathname} is not an operation the local scheduler supports`);
    } catch (error) {
      if (error instanceof SchedulerApiError)
        return reply(error.status, { Message: error.message, message: error.message }, error.type);
      this.opts.onError(error);
      reply(500, { Message: (error as Error)?.message ?? String(error) }, 'InternalServerException');
    }
  }

  private groupOf(value: unknown): string {
    const group = value === undefined || value === null ? 'default' : checkName(value, 'groupName');
    if (!this.groups.has(group))
      throw new SchedulerApiError('ResourceNotFoundException', `Schedule group ${group} does not exist.`, 404);
    return group;
  }

  private existing(name: string, groupValue: unknown): StoredSchedule {
    checkName(name, 'name');
    const group = this.groupOf(groupValue);
    const s = this.opts.store.get(group, name);
    if (!s) throw new SchedulerApiError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    return s;
  }

  /** The schedule a Create or Update body describes, validated as Scheduler validates it. */
  private scheduleOf(name: string, groupName: string, body: Body, now: number): Omit<StoredSchedule, 'createdAt'> {
    const expression = body.ScheduleExpression;
    if (typeof expression !== 'string' || expression.length < 1 || expression.length > 256)
      throw invalid('ScheduleExpression is required (1-256 characters)');
    const parsed = parseScheduleExpression(expression);
    if (typeof parsed === 'string') throw invalid(`Invalid Schedule Expression ${expression}: ${parsed}`);
    const timezone = body.ScheduleExpressionTimezone ?? 'UTC';
    if (typeof timezone !== 'string' || !isTimeZone(timezone))
      throw invalid(`Invalid ScheduleExpressionTimezone ${String(timezone)}`);
    // Scheduler does not document an at(...) that is not in the future; it is reported to refuse one, and refusing
    // it here keeps code that works locally from failing in AWS (docs/local-scheduler.md, Differences).
    if (parsed.kind === 'at' && nextFireTime(expression, new Date(now), timezone) === null)
      throw invalid(`Invalid Schedule Expression ${expression}: the time is not in the future`);
    const window = body.FlexibleTimeWindow as StoredSchedule['flexibleTimeWindow'] | undefined;
    if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE'))
      throw invalid('FlexibleTimeWindow is required, with Mode OFF or FLEXIBLE');
    if (
      window.Mode === 'FLEXIBLE' &&
      !(
        Number.isInteger(window.MaximumWindowInMinutes) &&
        window.MaximumWindowInMinutes! >= 1 &&
        window.MaximumWindowInMinutes! <= 1440
      )
    )
      throw invalid('MaximumWindowInMinutes must be 1-1440 when Mode is FLEXIBLE');
    const target = this.targetOf(body.Target);
    const state = body.State ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw invalid('State must be ENABLED or DISABLED');
    const startDate = timestamp(body.StartDate, 'StartDate');
    const endDate = timestamp(body.EndDate, 'EndDate');
    if (startDate !== undefined && endDate !== undefined && endDate <= startDate)
      throw invalid('The EndDate must be after the StartDate.');
    if (endDate !== undefined && endDate <= now) throw invalid('The EndDate must be in the future.');
    const description = body.Description;
    if (description !== undefined && (typeof description !== 'string' || description.length > 512))
      throw invalid('Description must be at most 512 characters');
    const after = body.ActionAfterCompletion ?? 'NONE';
    if (after !== 'NONE' && after !== 'DELETE') throw invalid('ActionAfterCompletion must be NONE or DELETE');
    return {
      name,
      groupName,
      arn: this.scheduleArn(groupName, name),
      expression,
      timezone,
      ...(startDate !== undefined ? { startDate } : {}),
      ...(endDate !== undefined ? { endDate } : {}),
      ...(description !== undefined ? { description } : {}),
      state,
      flexibleTimeWindow: window,
      target,
      ...(typeof body.KmsKeyArn === 'string' ? { kmsKeyArn: body.KmsKeyArn } : {}),
      actionAfterCompletion: after,
      modifiedAt: now,
      anchorAt: startDate ?? now,
    };
  }

  private targetOf(value: unknown): ScheduleTarget {
    const t = value as ScheduleTarget | undefined;
    if (!t || typeof t !== 'object') throw invalid('Target is required');
    if (typeof t.Arn !== 'string' || t.Arn.length < 1) throw invalid('Target.Arn is required');
    if (typeof t.RoleArn !== 'string' || !/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(t.RoleArn))
      throw invalid('Target.RoleArn must be an IAM role ARN');
    if (!functionNameOfArn(t.Arn))
      throw invalid(
        `Target.Arn ${t.Arn}: the local scheduler invokes Lambda functions only (arn:aws:lambda:…:function:<name>)`,
      );
    const retry = t.RetryPolicy;
    if (retry) {
      const age = retry.MaximumEventAgeInSeconds;
      const attempts = retry.MaximumRetryAttempts;
      if (age !== undefined && !(Number.isInteger(age) && age >= 60 && age <= 86_400))
        throw invalid('RetryPolicy.MaximumEventAgeInSeconds must be 60-86400');
      if (attempts !== undefined && !(Number.isInteger(attempts) && attempts >= 0 && attempts <= 185))
        throw invalid('RetryPolicy.MaximumRetryAttempts must be 0-185');
    }
    if (t.DeadLetterConfig?.Arn !== undefined && !/^arn:aws[\w-]*:sqs:[^:]+:\d{12}:.+$/.test(t.DeadLetterConfig.Arn))
      throw invalid('DeadLetterConfig.Arn must be an SQS queue ARN');
    return t;
  }

  private create(name: string, body: Body): unknown {
    checkName(name, 'name');
    const group = this.groupOf(body.GroupName);
    const existing = this.opts.store.get(group, name);
    const token = typeof body.ClientToken === 'string' ? body.ClientToken : undefined;
    // The SDK sends an idempotency token: a retried create (its answer lost) succeeds with the same ARN.
    if (existing && token !== undefined && existing.clientToken === token) return { ScheduleArn: existing.arn };
    if (existing) throw new SchedulerApiError('ConflictException', `Schedule ${name} already exists.`, 409);
    const now = this.opts.now();
    const s: StoredSchedule = {
      ...this.scheduleOf(name, group, body, now),
      createdAt: now,
      ...(token ? { clientToken: token } : {}),
    };
    this.opts.store.put(s);
    this.opts.onChange(group, name);
    return { ScheduleArn: s.arn };
  }

  private update(name: string, body: Body): unknown {
    const current = this.existing(name, body.GroupName);
    const now = this.opts.now();
    // UpdateSchedule replaces every field; what the request leaves out goes back to its default.
    const s: StoredSchedule = {
      ...this.scheduleOf(name, current.groupName, body, now),
      createdAt: current.createdAt,
      ...(current.clientToken ? { clientToken: current.clientToken } : {}),
      ...(current.lastFireAt !== undefined ? { lastFireAt: current.lastFireAt } : {}),
    };
    this.opts.store.put(s);
    this.opts.onChange(s.groupName, name);
    return { ScheduleArn: s.arn };
  }

  private delete(name: string, groupName: string | undefined): unknown {
    const s = this.existing(name, groupName);
    this.opts.store.delete(s.groupName, s.name);
    this.opts.onChange(s.groupName, s.name);
    return {};
  }

  private get(name: string, groupName: string | undefined): unknown {
    const s = this.existing(name, groupName);
    return {
      Arn: s.arn,
      GroupName: s.groupName,
      Name: s.name,
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timezone,
      StartDate: seconds(s.startDate),
      EndDate: seconds(s.endDate),
      Description: s.description,
      State: s.state,
      CreationDate: seconds(s.createdAt),
      LastModificationDate: seconds(s.modifiedAt),
      KmsKeyArn: s.kmsKeyArn,
      Target: s.target,
      FlexibleTimeWindow: s.flexibleTimeWindow,
      ActionAfterCompletion: s.actionAfterCompletion,
    };
  }

  private list(q: URLSearchParams): unknown {
    const group = q.get('ScheduleGroup');
    if (group !== null) this.groupOf(group);
    const prefix = q.get('NamePrefix');
    const state = q.get('State');
    if (state !== null && state !== 'ENABLED' && state !== 'DISABLED')
      throw invalid('State must be ENABLED or DISABLED');
    const max = q.get('MaxResults') === null ? 100 : Number(q.get('MaxResults'));
    if (!Number.isInteger(max) || max < 1 || max > 100) throw invalid('MaxResults must be 1-100');
    const all = this.opts.store
      .list()
      .filter((s) => (group === null || s.groupName === group) && (prefix === null || s.name.startsWith(prefix)))
      .filter((s) => state === null || s.state === state);
    let offset = 0;
    const token = q.get('NextToken');
    if (token !== null) {
      offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
      if (!Number.isInteger(offset) || offset < 0) throw invalid('Invalid NextToken');
    }
    const page = all.slice(offset, offset + max).map((s) => ({
      Arn: s.arn,
      Name: s.name,
      GroupName: s.groupName,
      State: s.state,
      CreationDate: seconds(s.createdAt),
      LastModificationDate: seconds(s.modifiedAt),
      Target: { Arn: s.target.Arn },
    }));
    const next = offset + max < all.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
    return { Schedules: page, ...(next ? { NextToken: next } : {}) };
  }

  private groupSummary(name: string) {
    return { Arn: this.groupArn(name), Name: name, State: 'ACTIVE', CreationDate: 0, LastModificationDate: 0 };
  }

  private listGroups(): unknown {
    return { ScheduleGroups: [...this.groups].sort().map((g) => this.groupSummary(g)) };
  }
}
