import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type DedupDataset,
  type LinkDataset,
  SUGGESTED_MAPPINGS,
  csvField,
  dedupTruthPairs,
  generateOrganizations,
  generatePeople,
  writeDataset,
} from '../../../local/synthetic/index.js';
import { GenUsageError, parseGenArgs, runGenCli } from '../../../scripts/gen-er.js';
import { readCsv } from '../../../scripts/resolve.js';
import { parseColumnMapping } from '../../../functions/domain/resolution/mapping.js';

let dir: string;
const silent = (): void => undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gen-er-'));
});

describe('writeDataset', () => {
  it('writes a dedup set that reads back row for row, with truth clusters and pairs', () => {
    const ds = generatePeople({ mode: 'dedup', records: 800, seed: 5 }) as DedupDataset;
    expect(writeDataset(ds, dir)).toEqual(['records.csv', 'truth_clusters.csv', 'truth_pairs.csv']);
    const records = readCsv(join(dir, 'records.csv'));
    expect(records.header).toEqual(['rec_id', 'source', ...ds.columns]);
    const byId = new Map(ds.records.map((r) => [r.id, r]));
    expect(records.rows).toHaveLength(800);
    for (const row of records.rows) {
      const r = byId.get(row.rec_id!)!;
      expect(row.source).toBe(r.source);
      for (const c of ds.columns) expect(row[c]).toBe(r.attributes[c]);
    }
    const clusters = readCsv(join(dir, 'truth_clusters.csv'));
    expect(clusters.header).toEqual(['rec_id', 'entity_id', 'orig_id']);
    expect(clusters.rows.map((r) => [r.rec_id, r.entity_id])).toEqual(
      [...ds.records].sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => [r.id, r.entityId]),
    );
    const pairs = readCsv(join(dir, 'truth_pairs.csv'));
    expect(pairs.header).toEqual(['rec_id_1', 'rec_id_2']);
    expect(pairs.rows.map((p) => [p.rec_id_1, p.rec_id_2])).toEqual(dedupTruthPairs(ds));
    expect(pairs.rows.every((p) => p.rec_id_1! < p.rec_id_2!)).toBe(true);
  });

  it('quotes fields with commas and quotes (RFC 4180)', () => {
    expect(csvField('Smith, John')).toBe('"Smith, John"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('plain')).toBe('plain');
    const ds = generatePeople({ mode: 'dedup', records: 300, seed: 5 }) as DedupDataset;
    writeDataset(ds, dir);
    expect(readFileSync(join(dir, 'records.csv'), 'utf8')).toMatch(/,"[A-Z' -]+, [A-Z]/);
  });

  it('leaves truth_pairs.csv out above the pair limit', () => {
    const ds = generatePeople({ mode: 'dedup', records: 300, seed: 5 }) as DedupDataset;
    expect(writeDataset(ds, dir, { maxTruthPairs: 10 })).toEqual(['records.csv', 'truth_clusters.csv']);
    expect(existsSync(join(dir, 'truth_pairs.csv'))).toBe(false);
  });

  it('writes a link set as two sources, 1:1 truth pairs and provenance ids', () => {
    const ds = generateOrganizations({ mode: 'link', records: 1000, seed: 6, overlap: 0.2 }) as LinkDataset;
    expect(writeDataset(ds, dir)).toEqual(['source_a.csv', 'source_b.csv', 'truth_pairs.csv', 'truth_ids.csv']);
    const a = readCsv(join(dir, 'source_a.csv'));
    const b = readCsv(join(dir, 'source_b.csv'));
    expect(a.rows.map((r) => r.rec_id)).toEqual(ds.left.map((r) => r.id).sort());
    expect(b.rows).toHaveLength(ds.right.length);
    const pairs = readCsv(join(dir, 'truth_pairs.csv'));
    expect(pairs.header).toEqual(['a_rec_id', 'b_rec_id']);
    expect(pairs.rows.map((p) => [p.a_rec_id, p.b_rec_id])).toEqual(ds.truthPairs);
    expect(pairs.rows).toHaveLength(100);
    const ids = readCsv(join(dir, 'truth_ids.csv'));
    expect(ids.header).toEqual(['rec_id', 'orig_id']);
    expect(ids.rows).toHaveLength(1000);
  });
});

describe('SUGGESTED_MAPPINGS', () => {
  it('maps every generated column to an engine attribute', () => {
    for (const [kind, columns] of [
      ['person', generatePeople({ mode: 'dedup', records: 10, seed: 1 }).columns],
      ['organization', generateOrganizations({ mode: 'dedup', records: 10, seed: 1 }).columns],
    ] as const) {
      const mapping = parseColumnMapping(SUGGESTED_MAPPINGS[kind], kind);
      expect(mapping.map((m) => m.column)).toEqual([...columns]);
    }
  });
});

describe('scripts/gen-er', () => {
  it('writes the files and reports each trap rate', () => {
    const lines: string[] = [];
    runGenCli(
      ['--kind', 'organization', '--mode', 'link', '--records', '400', '--seed', '4', '--out', dir, '--overlap=0.5'],
      (l) => lines.push(l),
    );
    expect(readCsv(join(dir, 'truth_pairs.csv')).rows).toHaveLength(100);
    expect(lines.some((l) => l.includes('multiSite:'))).toBe(true);
  });

  it('passes trap rates and the duplicate rate through', () => {
    const ds = runGenCli(
      [...'--kind person --mode dedup --records 500 --seed 4'.split(' '), '--out', dir, '--traps', 'typo=0,twins=0'],
      silent,
    );
    expect(ds.rates.typo).toBe(0);
    expect(ds.trapCounts.typo!.instances).toBe(0);
    expect(
      parseGenArgs([...'--kind person --mode dedup --records 5 --seed 1 --out x'.split(' '), '--duplicate-rate', '0.9'])
        .duplicateRate,
    ).toBe(0.9);
  });

  it.each([
    [[], /--kind/],
    [['--kind', 'robot'], /--kind/],
    [['--kind', 'person', '--mode', 'merge'], /--mode/],
    [['--kind', 'person', '--mode', 'dedup', '--records', 'ten'], /--records/],
    [['--kind', 'person', '--mode', 'dedup', '--records', '10', '--seed', '-3'], /--seed/],
    [['--kind', 'person', '--mode', 'dedup', '--records', '10', '--seed', '1'], /--out/],
    [
      ['--kind', 'person', '--mode', 'dedup', '--records', '10', '--seed', '1', '--out', 'x', '--overlap', '0.2'],
      /--overlap/,
    ],
    [
      ['--kind', 'person', '--mode', 'link', '--records', '10', '--seed', '1', '--out', 'x', '--overlap', '2'],
      /--overlap/,
    ],
    [['--kind', 'person', '--colour', 'red'], /unknown option --colour/],
    [['--kind'], /needs a value/],
    [['stray'], /unexpected argument/],
    [
      ['--kind', 'person', '--mode', 'dedup', '--records', '10', '--seed', '1', '--out', 'x', '--traps', 'typo'],
      /name=rate/,
    ],
    [['--help'], /usage/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => runGenCli(argv, silent)).toThrow(GenUsageError);
    expect(() => runGenCli(argv, silent)).toThrow(message);
  });

  it('turns an unknown trap into a usage error', () => {
    const argv = [...'--kind organization --mode dedup --records 50 --seed 1'.split(' '), '--out', dir];
    expect(() => runGenCli([...argv, '--traps', 'family=0.1'], silent)).toThrow(/unknown trap "family"/);
    expect(() => runGenCli([...argv, '--traps', 'family=0.1'], silent)).toThrow(GenUsageError);
  });
});
