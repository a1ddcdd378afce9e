/**
 * bench:agents: the latency of a message round trip (POST /sessions/{id}/messages → the agent's answer) on the local
 * platform, twice: with the offline model, and with the Anthropic SDK calling the local fake of the Messages API
 * (local/anthropic-fake.ts) through the same routed client the deployment uses. Each run alternates a plain question,
 * a question answered from the knowledge base, and a question that makes the model call a read-only skill (two model
 * calls and a table read). Prints p50/p95/max per kind and overall, then one JSON line.
 *   npm run -s bench:agents [-- --messages 60]
 * Bundle sizes and init times of the agent functions: npm run bench:bundles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeMessagesApi } from '../local/anthropic-fake.js';
import { startPlatform } from '../local/platform.js';

interface Args {
  messages: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { messages: 60 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--messages') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 3 || n > 10_000) throw new Error('--messages takes an integer from 3 to 10000');
      args.messages = n;
    } else throw new Error(`unknown option ${argv[i]} (usage: bench:agents [-- --messages 60])`);
  }
  return args;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : Number.NaN;
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return {
    samples: s.length,
    p50Ms: round(percentile(s, 50)),
    p95Ms: round(percentile(s, 95)),
    maxMs: round(s.at(-1) ?? 0),
  };
};
const round = (n: number) => Math.round(n * 10) / 10;

type Kind = 'plain' | 'knowledge' | 'skill';

async function measure(label: string, options: { modelApiKey: string; modelBaseUrl?: string }, args: Args) {
  const dataDir = mkdtempSync(join(tmpdir(), 'modos-bench-agents-'));
  const platform = await startPlatform({
    dataDir,
    port: 0,
    inMemory: true,
    logLevel: 'ERROR',
    tenantLimits: { ratePerSecond: 100_000, burst: 100_000, quotaPerDay: 1_000_000_000 },
    ...options,
  });
  try {
    const token = await platform.token({ tenantId: 'bench-agents', roles: ['admin'], userId: 'bench' });
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${platform.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json()) as any;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const persona = await call('POST', '/api/v1/personas', {
      name: 'Bench rep',
      role: 'Account Executive',
      communication_style: 'concise',
      tone: 'friendly',
      target_audience: 'operations leads',
    });
    const skills = (await call('GET', '/api/v1/skills?limit=100')).items as Array<{ id: string; name: string }>;
    const kb = await call('POST', '/api/v1/knowledge-bases', { name: 'Bench handbook' });
    for (let d = 0; d < 5; d++)
      await call('POST', `/api/v1/knowledge-bases/${kb.id}/documents`, {
        title: `Handbook part ${d + 1}`,
        content: Array.from(
          { length: 12 },
          (_, p) =>
            `Section ${d}.${p}: renewal terms for tier ${p % 4} accounts run ${12 + p} months; discounts above ${5 + d} percent need the regional director.`,
        ).join('\n\n'),
      });
    const entity = await call('POST', '/api/v1/entities', {
      type: 'organization',
      attributes: { name: 'Bench Industries', domain: 'bench.example' },
    });
    const agent = await call('POST', '/api/v1/agents', {
      name: 'Bench agent',
      persona_id: persona.id,
      system_prompt: 'You answer account questions briefly.',
      skill_ids: skills.filter((s) => s.name === 'get_entity').map((s) => s.id),
      knowledge_base_id: kb.id,
      memory_config: { provider: 'in-memory', scope: 'session' },
    });
    const session = await call('POST', `/api/v1/agents/${agent.id}/sessions`, {});
    const prompts: Record<Kind, string> = {
      plain: 'Hello, how are you today?',
      knowledge: 'What discount needs the regional director for renewal terms?',
      skill: `Please read the entity ${entity.id} with the get_entity skill and tell me its domain entity attributes.`,
    };
    const kinds: Kind[] = ['plain', 'knowledge', 'skill'];
    const times: Record<Kind, number[]> = { plain: [], knowledge: [], skill: [] };
    // Warm-up: the first call of each function loads its bundle.
    for (const kind of kinds) await call('POST', `/api/v1/sessions/${session.id}/messages`, { content: prompts[kind] });
    for (let i = 0; i < args.messages; i++) {
      const kind = kinds[i % kinds.length]!;
      const started = performance.now();
      const answer = await call('POST', `/api/v1/sessions/${session.id}/messages`, { content: prompts[kind] });
      times[kind].push(performance.now() - started);
      if (kind === 'skill' && !answer.skill_calls?.some((c: { skill: string }) => c.skill === 'get_entity'))
        throw new Error(
          `${label}: the skill question did not call get_entity: ${JSON.stringify(answer).slice(0, 300)}`,
        );
    }
    return {
      label,
      overall: summary([...times.plain, ...times.knowledge, ...times.skill]),
      plain: summary(times.plain),
      knowledge: summary(times.knowledge),
      skill: summary(times.skill),
    };
  } finally {
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const offline = await measure('offline model', { modelApiKey: 'offline' }, args);
  const fake = await startFakeMessagesApi({ apiKey: 'bench-key' });
  let viaSdk: Awaited<ReturnType<typeof measure>>;
  try {
    viaSdk = await measure(
      'Anthropic SDK → fake Messages API',
      { modelApiKey: 'bench-key', modelBaseUrl: fake.url },
      args,
    );
  } finally {
    await fake.close();
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  console.log(`bench:agents: ${args.messages} messages per run on the local platform (${machine})`);
  console.log('run                                 kind       p50 ms   p95 ms   max ms');
  for (const r of [offline, viaSdk])
    for (const kind of ['overall', 'plain', 'knowledge', 'skill'] as const) {
      const s = r[kind];
      console.log(
        `${r.label.padEnd(36)}${kind.padEnd(10)}${String(s.p50Ms).padStart(7)}${String(s.p95Ms).padStart(9)}${String(s.maxMs).padStart(9)}`,
      );
    }
  console.log(JSON.stringify({ machine, messages: args.messages, runs: [offline, viaSdk] }));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
