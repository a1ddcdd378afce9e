/**
 * Writes a generated data set in the shared data sets' common format, so the benchmark and the CLI read it
 * exactly like the published ones:
 *   dedup: records.csv (rec_id, source, columns…), truth_clusters.csv (rec_id,entity_id,orig_id),
 *          truth_pairs.csv (rec_id_1 < rec_id_2; left out above `maxTruthPairs`)
 *   link:  source_a.csv, source_b.csv, truth_pairs.csv (a_rec_id,b_rec_id), truth_ids.csv (rec_id,orig_id)
 * UTF-8, a header row, RFC 4180 quoting, "\n" line ends.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DedupDataset, SyntheticDataset, SyntheticRecord } from './dataset.js';

/** The shared format's limit: above it `truth_pairs.csv` is left out and pairs come from the clusters. */
export const MAX_TRUTH_PAIRS = 20_000;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export const csvLine = (fields: readonly string[]): string => `${fields.map(csvField).join(',')}\n`;

/** Writes rows in chunks, so a million-row table never becomes one string. */
function writeCsv(path: string, header: readonly string[], rows: Iterable<readonly string[]>): void {
  const fd = openSync(path, 'w');
  try {
    let buffer = csvLine(header);
    for (const row of rows) {
      buffer += csvLine(row);
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    if (buffer !== '') writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
}

const byId = (a: SyntheticRecord, b: SyntheticRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** True pairs of a dedup set (`id1 < id2`), or null when there are more than `limit`. */
export function dedupTruthPairs(dataset: DedupDataset, limit = Number.POSITIVE_INFINITY): [string, string][] | null {
  const byEntity = new Map<string, string[]>();
  for (const r of dataset.records) {
    const ids = byEntity.get(r.entityId);
    if (ids) ids.push(r.id);
    else byEntity.set(r.entityId, [r.id]);
  }
  let count = 0;
  for (const ids of byEntity.values()) count += (ids.length * (ids.length - 1)) / 2;
  if (count > limit) return null;
  const pairs: [string, string][] = [];
  for (const ids of byEntity.values()) {
    ids.sort();
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.push([ids[i]!, ids[j]!]);
  }
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
}

export interface WriteOptions {
  maxTruthPairs?: number;
}

/** Writes the data set's files into `dir` (created if missing) and returns their names. */
export function writeDataset(dataset: SyntheticDataset, dir: string, options: WriteOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const header = ['rec_id', 'source', ...dataset.columns];
  const row = (r: SyntheticRecord): string[] => [r.id, r.source, ...dataset.columns.map((c) => r.attributes[c] ?? '')];
  if (dataset.mode === 'dedup') {
    const records = [...dataset.records].sort(byId);
    writeCsv(join(dir, 'records.csv'), header, records.map(row));
    writeCsv(
      join(dir, 'truth_clusters.csv'),
      ['rec_id', 'entity_id', 'orig_id'],
      records.map((r) => [r.id, r.entityId, r.origId]),
    );
    const files = ['records.csv', 'truth_clusters.csv'];
    const pairs = dedupTruthPairs(dataset, options.maxTruthPairs ?? MAX_TRUTH_PAIRS);
    if (pairs) {
      writeCsv(join(dir, 'truth_pairs.csv'), ['rec_id_1', 'rec_id_2'], pairs);
      files.push('truth_pairs.csv');
    }
    return files;
  }
  const left = [...dataset.left].sort(byId);
  const right = [...dataset.right].sort(byId);
  writeCsv(join(dir, 'source_a.csv'), header, left.map(row));
  writeCsv(join(dir, 'source_b.csv'), header, right.map(row));
  writeCsv(join(dir, 'truth_pairs.csv'), ['a_rec_id', 'b_rec_id'], dataset.truthPairs);
  writeCsv(
    join(dir, 'truth_ids.csv'),
    ['rec_id', 'orig_id'],
    [...left, ...right].map((r) => [r.id, r.origId]),
  );
  return ['source_a.csv', 'source_b.csv', 'truth_pairs.csv', 'truth_ids.csv'];
}
