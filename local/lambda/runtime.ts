import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

const WORKER_FILE = resolve(import.meta.dirname, 'worker.mjs');

/** Lambda's synchronous invocation payload limit (request and response), in bytes. */
export const MAX_PAYLOAD_BYTES = 6_291_556;

export interface LocalFunctionConfig {
  name: string;
  /** Absolute path of the module that exports `handler`: the function's bundle, or its source in source mode. */
  module: string;
  /** The function's whole environment (process.env inside the sandbox is exactly this). */
  env: Record<string, string>;
  memoryMb: number;
  timeoutSeconds: number;
  /** Load TypeScript sources through tsx instead of a bundle (debugging only). */
  source?: boolean;
}

export interface LocalLambdaOptions {
  functions: Record<string, LocalFunctionConfig>;
  /** Sandboxes per function at most (Lambda scales out one environment per concurrent invocation). */
  maxConcurrency?: number;
  /**
   * Invocations one sandbox serves at once (default 1, as a Lambda environment). Above 1 a sandbox
   * serves concurrent invocations on one event loop: a local economy for a machine with few cores;
   * module state is then shared between them, and a timeout ends the others too.
   */
  invocationsPerSandbox?: number;
  /** An idle sandbox is shut down after this long (Lambda recycles idle environments too). */
  idleMs?: number;
  region?: string;
  accountId?: string;
}

/**
 * An invocation that failed outside the handler's control: timeout, out of memory, crash, init failure.
 * Lambda reports these as unhandled function errors; Step Functions sees them as `Lambda.Unknown`.
 */
export class LambdaUnhandledError extends Error {
  readonly unhandled = true;
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/** A function's own error, rebuilt from the sandbox with its name, message and stack. */
function rebuildError(e: { name: string; message: string; stack?: string }): Error {
  const error = new Error(e.message);
  error.name = e.name;
  if (e.stack) error.stack = e.stack;
  return error;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

interface Sandbox {
  worker: Worker;
  ready: Promise<void>;
  /** Invocations it serves now. */
  active: number;
  lastUsed: number;
  pending: Map<string, Pending>;
  dead: boolean;
}

interface Pool {
  config: LocalFunctionConfig;
  sandboxes: Set<Sandbox>;
  waiting: Array<(s: Sandbox) => void>;
  coldStarts: number;
  invocations: number;
}

/**
 * The local Lambda service: each function of the manifest runs in its own sandboxes (worker threads)
 * with only the environment its bindings give it, its memory as the heap limit and its timeout enforced
 * by ending the sandbox, one invocation per sandbox at a time, a new sandbox (a cold start) when all are
 * busy. What crosses the boundary is JSON, as with Lambda, so a handler cannot rely on sharing objects
 * or module state with the caller.
 */
export class LocalLambdaRuntime {
  private readonly pools = new Map<string, Pool>();
  private readonly reaper: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: LocalLambdaOptions) {
    for (const [name, config] of Object.entries(options.functions)) {
      this.pools.set(name, { config, sandboxes: new Set(), waiting: [], coldStarts: 0, invocations: 0 });
    }
    this.reaper = setInterval(() => this.reapIdle(), Math.min(30_000, this.idleMs)).unref();
  }

  private get idleMs(): number {
    return this.options.idleMs ?? 300_000;
  }

  has(name: string): boolean {
    return this.pools.has(name);
  }

  /** The module a function's sandboxes load (its bundle, or its source in source mode). */
  moduleOf(name: string): string {
    return this.poolOf(name).config.module;
  }

  /** Per function: sandboxes alive, cold starts and invocations so far. */
  stats(): Record<string, { sandboxes: number; coldStarts: number; invocations: number }> {
    return Object.fromEntries(
      [...this.pools].map(([n, p]) => [
        n,
        { sandboxes: p.sandboxes.size, coldStarts: p.coldStarts, invocations: p.invocations },
      ]),
    );
  }

  /** Starts one sandbox of each named function ahead of its first invocation. */
  async warm(names: readonly string[]): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const pool = this.poolOf(name);
        if (pool.sandboxes.size) return;
        const sandbox = this.spawn(pool);
        await sandbox.ready;
        this.release(pool, sandbox, '');
      }),
    );
  }

  /**
   * Invokes a function synchronously (RequestResponse), as API Gateway, the event source mapping, the
   * bus targets and Step Functions do. Resolves with the handler's JSON result; rejects with the
   * function's error (its name and message), or a LambdaUnhandledError.
   */
  async invoke(name: string, event: unknown, requestId: string = randomUUID()): Promise<unknown> {
    if (this.stopped) throw new LambdaUnhandledError('ServiceException', 'the local Lambda runtime is stopped');
    const pool = this.poolOf(name);
    const payload = JSON.stringify(event ?? null);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      throw Object.assign(
        new Error(`Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`),
        { name: 'RequestTooLargeException' },
      );
    }
    pool.invocations += 1;
    const sandbox = await this.acquire(pool);
    try {
      await sandbox.ready;
    } catch (error) {
      this.discard(pool, sandbox);
      throw error;
    }
    const { timeoutSeconds } = pool.config;
    const deadline = Date.now() + timeoutSeconds * 1000;
    const id = randomUUID();
    const result = await new Promise<{ ok: true; payload: string } | { ok: false; error: Error }>(
      (resolveResult, rejectResult) => {
        const timer = setTimeout(() => {
          // Lambda stops the environment at the timeout; whatever the handler was doing ends with it.
          sandbox.pending.delete(id);
          rejectResult(
            new LambdaUnhandledError('Sandbox.Timedout', `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`),
          );
          this.discard(
            pool,
            sandbox,
            new LambdaUnhandledError(
              'Runtime.ExitError',
              'the sandbox was stopped: another invocation in it timed out',
            ),
          );
        }, timeoutSeconds * 1000);
        sandbox.pending.set(id, { timer, resolve: resolveResult as (v: unknown) => void, reject: rejectResult });
        sandbox.worker.postMessage({ type: 'invoke', id, payload, requestId, deadline });
      },
    );
    this.release(pool, sandbox, id);
    if (!result.ok) throw result.error;
    if (Buffer.byteLength(result.payload) > MAX_PAYLOAD_BYTES) {
      throw new LambdaUnhandledError(
        'Function.ResponseSizeTooLarge',
        `Response payload size exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`,
      );
    }
    return JSON.parse(result.payload);
  }

  /** Ends every sandbox. Invocations still running fail, as they would if their environment were shut down. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reaper);
    const all = [...this.pools.values()].flatMap((p) => [...p.sandboxes].map((s) => ({ p, s })));
    for (const { p, s } of all) this.discard(p, s);
  }

  private poolOf(name: string): Pool {
    const pool = this.pools.get(name);
    if (!pool) throw Object.assign(new Error(`Function not found: ${name}`), { name: 'ResourceNotFoundException' });
    return pool;
  }

  private get perSandbox(): number {
    return this.options.invocationsPerSandbox ?? 1;
  }

  private acquire(pool: Pool): Promise<Sandbox> {
    // The least busy live sandbox with room, else a new one, else wait.
    let best: Sandbox | undefined;
    for (const s of pool.sandboxes)
      if (!s.dead && s.active < this.perSandbox && (!best || s.active < best.active)) best = s;
    if (best && (best.active === 0 || pool.sandboxes.size >= (this.options.maxConcurrency ?? 64))) {
      best.active += 1;
      return Promise.resolve(best);
    }
    if (pool.sandboxes.size < (this.options.maxConcurrency ?? 64)) return Promise.resolve(this.spawn(pool));
    return new Promise((r) => pool.waiting.push(r));
  }

  private release(pool: Pool, sandbox: Sandbox, id: string): void {
    sandbox.pending.delete(id);
    sandbox.lastUsed = Date.now();
    if (sandbox.dead) return;
    const next = pool.waiting.shift();
    if (next) next(sandbox);
    else sandbox.active -= 1;
  }

  private spawn(pool: Pool): Sandbox {
    const { config } = pool;
    pool.coldStarts += 1;
    const worker = new Worker(WORKER_FILE, {
      env: config.env,
      // The bundle runs as Lambda runs it: no loader, source maps on (NODE_OPTIONS in the stack).
      execArgv: config.source ? ['--enable-source-maps', '--import', 'tsx'] : ['--enable-source-maps'],
      resourceLimits: { maxOldGenerationSizeMb: config.memoryMb },
      workerData: {
        module: config.module,
        functionName: config.name,
        memoryMb: config.memoryMb,
        functionArn: `arn:aws:lambda:${this.options.region ?? 'us-east-1'}:${this.options.accountId ?? '000000000000'}:function:${config.name}`,
      },
    });
    let markReady!: () => void;
    let failInit!: (e: unknown) => void;
    const ready = new Promise<void>((r, j) => ((markReady = r), (failInit = j)));
    ready.catch(() => undefined);
    const sandbox: Sandbox = { worker, ready, active: 1, lastUsed: Date.now(), dead: false, pending: new Map() };
    pool.sandboxes.add(sandbox);
    worker.on(
      'message',
      (m: {
        type: string;
        id?: string;
        ok?: boolean;
        payload?: string;
        error?: { name: string; message: string; stack?: string };
      }) => {
        if (m.type === 'ready') markReady();
        else if (m.type === 'init-error') {
          // Lambda reports an init failure on the invocation that needed the environment.
          failInit(new LambdaUnhandledError('Runtime.InitError', `${m.error!.name}: ${m.error!.message}`));
        } else if (m.type === 'result' && m.id && sandbox.pending.has(m.id)) {
          const p = sandbox.pending.get(m.id)!;
          clearTimeout(p.timer);
          p.resolve(m.ok ? { ok: true, payload: m.payload! } : { ok: false, error: rebuildError(m.error!) });
        }
      },
    );
    const died = (error: LambdaUnhandledError) => {
      if (sandbox.dead) return;
      sandbox.dead = true;
      pool.sandboxes.delete(sandbox);
      failInit(error);
      for (const p of sandbox.pending.values()) {
        clearTimeout(p.timer);
        p.reject(error);
      }
      sandbox.pending.clear();
      this.refill(pool);
    };
    worker.on('error', (error: Error & { code?: string }) => {
      died(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new LambdaUnhandledError(
              'Runtime.OutOfMemory',
              `Runtime exited with error: out of memory (${config.memoryMb} MB)`,
            )
          : new LambdaUnhandledError('Runtime.ExitError', `Runtime exited with error: ${error.name}: ${error.message}`),
      );
    });
    worker.on('exit', (code) =>
      died(new LambdaUnhandledError('Runtime.ExitError', `Runtime exited with code ${code}`)),
    );
    return sandbox;
  }

  /** A sandbox that died or timed out frees its place: a waiting invocation gets a fresh one. */
  private refill(pool: Pool): void {
    if (this.stopped) return;
    const next = pool.waiting.shift();
    if (next) next(this.spawn(pool));
  }

  /** Ends a sandbox; invocations still in it fail with `reason` (a timed-out one has failed already). */
  private discard(
    pool: Pool,
    sandbox: Sandbox,
    reason = new LambdaUnhandledError('Runtime.ExitError', 'the sandbox was shut down'),
  ): void {
    if (!sandbox.dead) {
      sandbox.dead = true;
      pool.sandboxes.delete(sandbox);
      for (const p of sandbox.pending.values()) {
        clearTimeout(p.timer);
        p.reject(reason);
      }
      sandbox.pending.clear();
      void sandbox.worker.terminate();
      this.refill(pool);
    }
  }

  private reapIdle(): void {
    const now = Date.now();
    for (const pool of this.pools.values()) {
      for (const s of pool.sandboxes) if (s.active === 0 && now - s.lastUsed > this.idleMs) this.discard(pool, s);
    }
  }
}
