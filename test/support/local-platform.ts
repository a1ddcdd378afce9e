import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startPlatform, type LocalPlatform, type PlatformOptions } from '../../local/platform.js';
import { spawnPlatform } from '../../scripts/lib/spawn-platform.js';

/** Starts the real local platform (DynamoDB Local, S3 emulator, bus, API) on free ports. */
export async function startTestPlatform(options: PlatformOptions = {}): Promise<LocalPlatform> {
  return startPlatform({
    dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), 'modos-test-')),
    port: 0,
    inMemory: options.dataDir ? false : true,
    logLevel: 'ERROR',
    // Tests drive many requests per tenant in a burst; test/integration/rate-limits.test.ts sets its own.
    tenantLimits: { ratePerSecond: 100_000, burst: 100_000, quotaPerDay: 1_000_000_000 },
    ...options,
  });
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small client for the platform's HTTP API. */
export function apiClient(baseUrl: string, token?: string) {
  const call = async <T = any>(method: string, path: string, body?: unknown, raw?: string): Promise<ApiResponse<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined || raw ? { 'content-type': 'application/json' } : {}),
      },
      body: raw || (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return {
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown) => call<T>('POST', path, body),
    patch: <T = any>(path: string, body?: unknown) => call<T>('PATCH', path, body),
    raw: <T = any>(method: string, path: string, raw: string) => call<T>(method, path, undefined, raw),
  };
}

export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Platforms run as `npm start` runs them (own process); `killAll` ends those still alive. */
export function platformProcesses() {
  const children: ChildProcess[] = [];
  return {
    async start(dataDir: string, env: Record<string, string> = {}) {
      const started = await spawnPlatform(dataDir, env);
      children.push(started.child);
      return started;
    },
    killAll() {
      for (const c of children.splice(0)) if (c.exitCode === null && !c.signalCode) c.kill('SIGKILL');
    },
  };
}
