/**
 * Every `expected*.json` under ../shared/datasets/process-mining, entry by entry: the statistics, directly-follows
 * graph, start/end activities, variants, alpha places and heuristics dependencies that import and discovery
 * compute, on every log file of the entry (an entry named `x.xes` is checked on `x.xes` and on a sibling `x.csv`;
 * a book entry `L1` on `L1.csv` and on the book's own notation `L1.txt`). A new entry or a new expected file is
 * picked up by itself; an expectation this suite does not check must be owned by another suite (OWNED_ELSEWHERE),
 * and a log file an entry names must exist.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alphaMiner, summariseLog, variants } from '../../../functions/domain/mining/discovery.js';
import { readEventLog } from '../../../functions/domain/mining/import/index.js';
import type { EventLog } from '../../../functions/domain/mining/log.js';
import { logFromMultiset } from '../../support/event-logs.js';

const ROOT = join(process.cwd(), '..', 'shared', 'datasets', 'process-mining');

/** Expectations this suite checks, and those another suite checks (conformance: replay and alignment figures). */
const CHECKED = new Set(['stats', 'dfg', 'alpha', 'heuristics_dependency', 'variants']);
const OWNED_ELSEWHERE = new Set(['published_pm4py_notebook_results']);
const STATS_KEYS = new Set(['cases', 'events', 'activities', 'variants', 'dfg_edges', 'start', 'end']);

interface Stats {
  cases: number;
  events: number;
  activities: number;
  variants: number;
  dfg_edges: number;
  start: Record<string, number>;
  end: Record<string, number>;
}

interface Entry {
  stats?: Stats;
  dfg?: Record<string, number>;
  alpha?: { start_transitions: string[]; end_transitions: string[]; places_Y: string[] };
  heuristics_dependency?: Record<string, number>;
  variants?: Array<[string, number]>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const LOG_EXTENSIONS = ['.xes.gz', '.xes', '.csv', '.txt'];
const stem = (name: string): string => {
  const ext = LOG_EXTENSIONS.find((e) => name.endsWith(e));
  return ext ? name.slice(0, -ext.length) : name;
};

/** The log files of an entry: the file it names (anywhere under the expected file's folder) and its siblings. */
function logFilesOf(expectedFile: string, name: string): { named: string | undefined; files: string[] } {
  const all = filesUnder(dirname(expectedFile));
  const s = stem(name);
  const files = all.filter((f) => LOG_EXTENSIONS.some((e) => basename(f) === s + e));
  const named = LOG_EXTENSIONS.some((e) => name.endsWith(e)) ? all.find((f) => basename(f) === name) : files[0];
  return { named, files };
}

async function load(file: string): Promise<EventLog> {
  if (file.endsWith('.txt')) return logFromMultiset(readFileSync(file, 'utf8'));
  return readEventLog(readFileSync(file));
}

const expectedFiles = existsSync(ROOT) ? filesUnder(ROOT).filter((f) => /^expected.*\.json$/.test(basename(f))) : [];

describe('the process-mining datasets', () => {
  it('are there, with expected values', () => {
    expect(existsSync(ROOT), `${ROOT} is missing`).toBe(true);
    expect(expectedFiles.length).toBeGreaterThanOrEqual(4);
  });
});

for (const expectedFile of expectedFiles) {
  const entries = JSON.parse(readFileSync(expectedFile, 'utf8')) as Record<string, Record<string, unknown>>;
  describe(expectedFile.slice(ROOT.length + 1), () => {
    for (const [name, raw] of Object.entries(entries)) {
      // Entries are either { stats, dfg, ... } or the statistics themselves.
      const entry: Entry = 'cases' in raw ? { stats: raw as unknown as Stats } : (raw as Entry);
      const { named, files } = logFilesOf(expectedFile, name);

      it(`${name}: names a log file that exists`, () => {
        expect(named, `no log file for ${name} under ${dirname(expectedFile)}`).toBeDefined();
        expect(files.length).toBeGreaterThan(0);
      });

      it(`${name}: holds only expectations that a suite checks`, () => {
        const keys = 'cases' in raw ? ['stats'] : Object.keys(raw);
        expect(keys.filter((k) => !CHECKED.has(k) && !OWNED_ELSEWHERE.has(k))).toEqual([]);
        if (entry.stats) expect(Object.keys(entry.stats).filter((k) => !STATS_KEYS.has(k))).toEqual([]);
      });

      for (const file of files) {
        const label = `${name} from ${basename(file)}`;

        if (entry.stats) {
          it(`${label}: statistics, start and end activities`, async () => {
            const s = summariseLog(await load(file));
            const stats = entry.stats!;
            expect({
              cases: s.cases,
              events: s.events,
              activities: s.activities,
              variants: s.variants,
              dfg_edges: s.dfg.length,
              start: s.startActivities,
              end: s.endActivities,
            }).toEqual(stats);
          });
        }

        if (entry.dfg) {
          it(`${label}: directly-follows counts`, async () => {
            const s = summariseLog(await load(file));
            expect(Object.fromEntries(s.dfg.map((e) => [`${e.from} -> ${e.to}`, e.count]))).toEqual(entry.dfg);
            // Most frequent first.
            const counts = s.dfg.map((e) => e.count);
            expect(counts).toEqual([...counts].sort((a, b) => b - a));
          });
        }

        if (entry.variants) {
          it(`${label}: the most frequent variants, in order`, async () => {
            const got = variants(await load(file)).map((v) => [v.activities.join(' , '), v.count]);
            expect(got.slice(0, entry.variants!.length)).toEqual(entry.variants);
          });
        }

        if (entry.alpha) {
          it(`${label}: alpha places, start and end transitions`, async () => {
            const a = alphaMiner(await load(file));
            expect(a.startActivities).toEqual([...entry.alpha!.start_transitions].sort());
            expect(a.endActivities).toEqual([...entry.alpha!.end_transitions].sort());
            expect(a.places.map((p) => p.name)).toEqual([...entry.alpha!.places_Y].sort());
          });
        }

        if (entry.heuristics_dependency) {
          it(`${label}: heuristics dependencies (every observed pair and self-loop)`, async () => {
            const s = summariseLog(await load(file));
            const got = Object.fromEntries(s.dependencies.map((d) => [`${d.from}=>${d.to}`, d.value]));
            expect(got).toEqual(entry.heuristics_dependency);
          });
        }
      }
    }
  });
}
