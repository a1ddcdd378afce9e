/**
 * npm run bench:llm — the language-model layer on its own: the latency of one `complete()` (p50/p95) with the
 * offline model and with the routed client over the real SDK against the local fake of the Messages API (JSON
 * and streamed), on a request of agent size (system prompt, the system skills as tools, a few turns of
 * history); and the weight of the layer in a Lambda bundle (esbuild with the stack's settings: size, and the
 * module init time in a fresh Node process, median of 5). Flags: --runs N (default 300).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import * as z from 'zod';
import type { LlmClient, LlmMessage, LlmRequest } from '../functions/domain/agents/llm.js';
import { SYSTEM_SKILLS } from '../functions/domain/agents/skills/catalogue.js';
import { LAMBDA_BUNDLING } from '../functions/platform/bundling.js';
import { makeLlmClient } from '../functions/platform/llm-composition.js';
import { startFakeMessagesApi } from '../local/anthropic-fake.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('--runs', 300);

const tools = SYSTEM_SKILLS.map((s) => ({
  name: s.name,
  description: s.description,
  inputSchema: z.toJSONSchema(s.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
}));
const history: LlmMessage[] = Array.from({ length: 6 }, (_, i) => ({
  role: i % 2 === 0 ? 'user' : 'assistant',
  content: [{ type: 'text', text: `Turn ${i}: ${'Account notes about renewal timing and contacts. '.repeat(6)}` }],
}));
const request = (i: number, stream: boolean): LlmRequest => ({
  task: { type: 'chat', complexity: 'medium' },
  system: `You write for the account team in a clear, warm style. ${'Follow the platform rules. '.repeat(50)}`,
  messages: [
    ...history,
    {
      role: 'user',
      content: [{ type: 'text', text: `Summarise what changed for account ent_${1000 + i}x this week.` }],
    },
  ],
  tools,
  maxTokens: 1024,
  trace: { tenantId: 'bench' },
  ...(stream ? { onText: () => {} } : {}),
});

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function latency(label: string, client: LlmClient, stream: boolean) {
  for (let i = 0; i < 20; i++) await client.complete(request(i, stream)); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await client.complete(request(i, stream));
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(44)} p50 ${pct(ms, 50).toFixed(2).padStart(7)} ms   p95 ${pct(ms, 95).toFixed(2).padStart(7)} ms   (${RUNS} runs)`,
  );
}

console.log(`modos bench:llm — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
const clock = { now: () => new Date() };
const log = () => {};
await latency('offline model', makeLlmClient({ timeoutMs: 10_000, clock, log }), false);
await latency('offline model, streamed', makeLlmClient({ timeoutMs: 10_000, clock, log }), true);
const api = await startFakeMessagesApi();
try {
  const routed = makeLlmClient({ apiKey: 'bench', baseUrl: api.url, timeoutMs: 10_000, clock, log });
  await latency('SDK -> fake Messages API (loopback), JSON', routed, false);
  await latency('SDK -> fake Messages API (loopback), SSE', routed, true);
} finally {
  await api.close();
}

// The layer's weight: an entry that builds the routed client (SDK, routing table, policy, offline model).
const dir = mkdtempSync(join(tmpdir(), 'modos-bench-llm-'));
try {
  const entry = join(dir, 'entry.ts');
  const composition = resolve('functions/platform/llm-composition.ts');
  writeFileSync(
    entry,
    `import { makeLlmClient } from ${JSON.stringify(composition)};\n` +
      `export const client = makeLlmClient({ apiKey: 'x', timeoutMs: 1000, clock: { now: () => new Date() }, log: () => {} });\n`,
  );
  const outfile = join(dir, 'entry.mjs');
  const result = await build({ ...LAMBDA_BUNDLING, entryPoints: [entry], outfile, metafile: true, logLevel: 'error' });
  const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
  const sdkBytes = Object.entries(inputs)
    .filter(([k]) => k.includes('node_modules/@anthropic-ai/sdk/'))
    .reduce((n, [, v]) => n + v.bytesInOutput, 0);
  const probe = join(dir, 'probe.mjs');
  writeFileSync(
    probe,
    `const t = performance.now(); await import(${JSON.stringify(outfile)}); process.stdout.write(String(performance.now() - t));`,
  );
  const runs = Array.from({ length: 5 }, () =>
    Number(execFileSync(process.execPath, [probe], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } })),
  ).sort((a, b) => a - b);
  console.log(
    `bundle of the LLM layer: ${(statSync(outfile).size / 1024).toFixed(0)} KB (SDK ${(sdkBytes / 1024).toFixed(0)} KB), init median ${runs[2]!.toFixed(1)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
