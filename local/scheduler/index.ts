import { join } from 'node:path';
import { type SchedulerClock, systemClock } from './clock.js';
import { type FireRecord, ScheduleFires, type SchedulerLogEntry } from './fires.js';
import { SchedulerProtocol } from './protocol.js';
import { ScheduleStore } from './store.js';

export type { FireRecord } from './fires.js';
export type { SchedulerClock } from './clock.js';

export interface LocalSchedulerOptions {
  /** Where schedules (`schedules.json`) and dead letters (`dead-letters.jsonl`) persist. */
  stateDir: string;
  /** Schedule groups that exist besides `default` (the stack creates the stage's group). */
  groups: readonly string[];
  /** Invokes a function by name (the local Lambda service). */
  invoke: (functionName: string, event: unknown) => Promise<unknown>;
  region?: string;
  accountId?: string;
  /** Default: the system clock (tests pass one they advance). */
  clock?: SchedulerClock;
  /** Delays before the retries of a failed invocation; default 60 s and 120 s (Lambda's asynchronous retries). */
  retryDelaysMs?: readonly number[];
  /** Default: one JSON line on stderr, honouring LOG_LEVEL. */
  log?: (entry: SchedulerLogEntry) => void;
}

/**
 * A local EventBridge Scheduler: the REST-JSON API of the SDK client (protocol.ts), schedules kept durably in the
 * data folder (store.ts), and their fires into the local Lambda service (fires.ts). Differences from AWS:
 * docs/local-scheduler.md.
 */
export class LocalScheduler {
  private readonly store: ScheduleStore;
  private readonly fires: ScheduleFires;
  private readonly protocol: SchedulerProtocol;
  readonly region: string;
  readonly accountId: string;
  readonly deadLetterFile: string;
  endpoint = '';

  constructor(opts: LocalSchedulerOptions) {
    const clock = opts.clock ?? systemClock;
    const log = opts.log ?? logToStderr;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.deadLetterFile = join(opts.stateDir, 'dead-letters.jsonl');
    this.store = new ScheduleStore(opts.stateDir);
    this.fires = new ScheduleFires({
      store: this.store,
      clock,
      invoke: opts.invoke,
      deadLetterFile: this.deadLetterFile,
      retryDelaysMs: opts.retryDelaysMs ?? [60_000, 120_000],
      log,
    });
    this.protocol = new SchedulerProtocol({
      store: this.store,
      groups: opts.groups,
      region: this.region,
      accountId: this.accountId,
      now: () => clock.now(),
      onChange: (group, name) => this.fires.changed(group, name),
      onError: (e) => log({ level: 'ERROR', message: 'local scheduler', error: (e as Error)?.message ?? String(e) }),
    });
  }

  /** Listens, then arms every stored schedule (catch-up fires happen now). Returns the endpoint URL. */
  async start(port = 0): Promise<string> {
    this.endpoint = await this.protocol.listen(port);
    this.fires.start();
    return this.endpoint;
  }

  /** Stops listening and firing, and waits for the invocations in flight; schedules stay in the data folder. */
  async stop(): Promise<void> {
    await this.protocol.close();
    await this.fires.stop();
  }

  /** The ARN a Lambda target of this account and region has (what the CDK stack's function ARNs look like). */
  functionArn(functionName: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${functionName}`;
  }

  /** Observes every attempt of every fire (tests, tools); returns the unsubscribe function. */
  onFire(observer: (fire: FireRecord) => void): () => void {
    return this.fires.onFire(observer);
  }

  /** Waits until no target invocation is in flight. */
  settled(): Promise<void> {
    return this.fires.settled();
  }
}

const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

function logToStderr(entry: SchedulerLogEntry): void {
  if (LEVELS.indexOf(entry.level) < LEVELS.indexOf(process.env.LOG_LEVEL ?? 'INFO')) return;
  process.stderr.write(
    `${JSON.stringify({ ...entry, service: 'local-scheduler', timestamp: new Date().toISOString() })}\n`,
  );
}
