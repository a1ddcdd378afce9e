/**
 * npm run bench:resolve-latency — latency of incremental identity resolution on the local platform.
 *
 * Starts the platform in this process (API, bus, DynamoDB Local, the ResolveEntity bundle in its sandbox),
 * creates N persons one after another through the API (every fourth a near-duplicate of an earlier one, so the
 * link and the no-link paths both run), then updates each once: a third change the e-mail, a third the phone
 * (identifying: re-resolved), a third a non-identifying attribute (the no-op path). Each figure is one
 * delivery of rule ResolveCreatedEntity / ResolveUpdatedEntity, from the event's acceptance by the bus to the
 * end of the ResolveEntity attempt, as the bus's delivery observer (LocalEventBus.onDelivery) reports it on
 * its monotonic clock; the client's own timing plays no part. Options: --persons <n> (default 300),
 * --warmup <n> (creates not counted, default 10: the first invocations load the bundle).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPlatform } from '../local/platform.js';
import { api, until } from './lib/api.js';

const { values } = parseArgs({
  options: { persons: { type: 'string', default: '300' }, warmup: { type: 'string', default: '10' } },
});
const PERSONS = Number(values.persons);
const WARMUP = Number(values.warmup);
const TENANT = 'bench-er';

const dataDir = mkdtempSync(join(tmpdir(), 'modos-bench-er-latency-'));
const platform = await startPlatform({
  dataDir,
  port: 0,
  inMemory: true,
  logLevel: 'ERROR',
  tenantLimits: { ratePerSecond: 1_000_000, burst: 1_000_000, quotaPerDay: 1_000_000_000 },
});
console.log(
  `modos bench:resolve-latency — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);

/** Delivery latency (ms) per entity id and event, as the bus observed it. */
const observed = new Map<string, number>();
const resolutionEvents = { merged: 0, split: 0 };
platform.bus.onEvent((e) => {
  if (e['detail-type'] === 'entity.merged') resolutionEvents.merged++;
  if (e['detail-type'] === 'entity.split') resolutionEvents.split++;
});
platform.bus.onDelivery(({ rule, event }, timing) => {
  if (rule !== 'ResolveCreatedEntity' && rule !== 'ResolveUpdatedEntity') return;
  if (timing.acceptedMs === undefined) return;
  const entity = (event.detail as { payload: { entity: { id: string; version: number } } }).payload.entity;
  observed.set(`${rule}:${entity.id}:${entity.version}`, timing.deliveredMs - timing.acceptedMs);
});
const delivered = (rule: string, id: string, version: number) =>
  until(`${rule} of ${id} v${version}`, async () => observed.get(`${rule}:${id}:${version}`), 30_000, 1);

const admin = api(platform.url, await platform.token({ tenantId: TENANT, roles: ['admin'], userId: 'bench' }));

const FIRST = ['Anna', 'Ben', 'Clara', 'David', 'Elena', 'Felix', 'Greta', 'Hugo', 'Ida', 'Jonas', 'Karla', 'Leon'];
const LAST = ['Berg', 'Costa', 'Dahl', 'Engel', 'Fischer', 'Garcia', 'Horvat', 'Ivanov', 'Jensen', 'Keller', 'Lind'];
const NICK: Record<string, string> = { David: 'Dave', Elena: 'Lena', Jonas: 'Jon', Clara: 'Klara', Felix: 'Phil' };
/** A person that shares no identifying value with the others (numbered e-mail, phone and birth date). */
const person = (i: number) => ({
  firstName: FIRST[i % FIRST.length]!,
  lastName: `${LAST[(i * 7) % LAST.length]}${i % 5 === 0 ? 'son' : ''}`,
  email: `p${i}.${LAST[(i * 7) % LAST.length]!.toLowerCase()}@example.com`,
  phone: `+44 20 7946 ${String(1000 + i).slice(-4)}`,
  birthDate: `19${String(50 + (i % 45)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
  city: ['Leeds', 'York', 'Bath'][i % 3],
});
/** A near-duplicate of `p`: the same e-mail in other case, a nickname, the same birth date. */
const nearDuplicate = (p: ReturnType<typeof person>) => ({
  firstName: NICK[p.firstName] ?? p.firstName,
  lastName: p.lastName,
  email: p.email.toUpperCase(),
  birthDate: p.birthDate,
  city: p.city,
});

const people: { id: string; version: number; attributes: Record<string, unknown> }[] = [];
const createMs: number[] = [];
const t0 = performance.now();
for (let i = 0; i < PERSONS + WARMUP; i++) {
  const base = i % 4 === 3 ? nearDuplicate(person(i - 1 - 4 * (i % 3))) : person(i);
  const res = await admin.post('/api/v1/entities', { type: 'person', attributes: base });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
  const ms = await delivered('ResolveCreatedEntity', res.body.id, res.body.version);
  if (i >= WARMUP) createMs.push(ms);
  people.push({ id: res.body.id, version: res.body.version, attributes: base });
}
const createWall = performance.now() - t0;
const afterCreates = { ...resolutionEvents };

const updateMs = { identifying: [] as number[], other: [] as number[] };
for (const [k, p] of people.slice(WARMUP).entries()) {
  const kind = k % 3;
  const attributes =
    kind === 0
      ? { email: `moved${k}@elsewhere.example` }
      : kind === 1
        ? { phone: `+44 161 496 ${String(1000 + k).slice(-4)}` }
        : { tier: 'gold' };
  const res = await admin.patch(`/api/v1/entities/${p.id}`, { version: p.version, attributes });
  if (res.status !== 200) throw new Error(`update answered ${res.status}: ${JSON.stringify(res.body)}`);
  const ms = await delivered('ResolveUpdatedEntity', p.id, res.body.version);
  (kind === 2 ? updateMs.other : updateMs.identifying).push(ms);
}
await platform.bus.drain();
await new Promise((r) => setTimeout(r, 500));

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const row = (name: string, xs: number[]) =>
  `| ${name.padEnd(44)} | ${String(xs.length).padStart(5)} | ${[0.5, 0.9, 0.99, 1]
    .map((q) => pct(xs, q).toFixed(1).padStart(6))
    .join(' | ')} |`;
console.log(
  `\n${PERSONS} persons (+${WARMUP} warm-up), one request at a time; ms from bus acceptance to end of delivery`,
);
console.log(`| ${'ResolveEntity delivery'.padEnd(44)} |     n |    p50 |    p90 |    p99 |    max |`);
console.log(`| ${'-'.repeat(44)} | ----: | -----: | -----: | -----: | -----: |`);
console.log(row('entity.created (link and no-link)', createMs));
console.log(row('entity.updated, identifying (e-mail, phone)', updateMs.identifying));
console.log(row('entity.updated, other attribute (no-op)', updateMs.other));
console.log(
  `\ncreates: ${afterCreates.merged} entity.merged; updates: ${resolutionEvents.merged - afterCreates.merged} entity.merged, ${resolutionEvents.split - afterCreates.split} entity.split; creates took ${(createWall / 1000).toFixed(1)} s wall`,
);

await platform.stop();
rmSync(dataDir, { recursive: true, force: true });
