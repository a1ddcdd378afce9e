/**
 * Every set the engine is evaluated on: the shared published sets and the seeded adversarial sets generated here
 * (local/synthetic: families, namesakes, Jr/Sr, twins, sites sharing a phone, subsidiaries, campuses; dedup and
 * two-snapshot links with a small overlap). Generated sets are written once per generator version into
 * node_modules/.cache/modos-er-generated and read back like the shared ones.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SUGGESTED_MAPPINGS,
  type SyntheticKind,
  type SyntheticMode,
  generateOrganizations,
  generatePeople,
  writeDataset,
} from '../../local/synthetic/index.js';
import { type Dataset, SHARED_DATASETS, sharedDataRoot } from './er-datasets.js';

const projectRoot = resolvePath(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface GeneratedSpec {
  name: string;
  kind: SyntheticKind;
  mode: SyntheticMode;
  records: number;
  seed: number;
  overlap?: number;
}

/** Seeds and sizes of the generated evaluation sets (fixed: the sets are part of the benchmark). */
export const GENERATED_SETS: readonly GeneratedSpec[] = [
  { name: 'gen-people-dedup', kind: 'person', mode: 'dedup', records: 3000, seed: 9101 },
  { name: 'gen-people-link', kind: 'person', mode: 'link', records: 4000, seed: 9102, overlap: 0.1 },
  { name: 'gen-orgs-dedup', kind: 'organization', mode: 'dedup', records: 2000, seed: 9103 },
  { name: 'gen-orgs-link', kind: 'organization', mode: 'link', records: 3000, seed: 9104, overlap: 0.1 },
];

/** Writes a generated set (if not cached yet) and returns its folder. */
export function generatedSet(spec: GeneratedSpec, cacheRoot = join(projectRoot, 'node_modules', '.cache')): string {
  const dir = join(cacheRoot, 'modos-er-generated', `${spec.name}-${spec.records}-${spec.seed}-${spec.overlap ?? ''}`);
  const marker = join(dir, spec.mode === 'link' ? 'truth_pairs.csv' : 'truth_clusters.csv');
  if (existsSync(marker)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const options = {
    mode: spec.mode,
    records: spec.records,
    seed: spec.seed,
    ...(spec.overlap !== undefined ? { overlap: spec.overlap } : {}),
  };
  writeDataset(spec.kind === 'person' ? generatePeople(options) : generateOrganizations(options), dir);
  return dir;
}

export function generatedDataset(spec: GeneratedSpec): Dataset {
  return {
    name: spec.name,
    dir: '.',
    mode: spec.mode,
    parts: [{ kind: spec.kind, map: SUGGESTED_MAPPINGS[spec.kind] }],
    origin: 'generated',
  };
}

/** Shared sets (root = shared/datasets/er) and generated sets (root = their folder). */
export async function evaluationSets(
  options: { generated?: boolean } = {},
): Promise<{ dataset: Dataset; root: string }[]> {
  const shared = SHARED_DATASETS.map((dataset) => ({ dataset, root: sharedDataRoot() }));
  if (options.generated === false) return shared;
  return [...shared, ...GENERATED_SETS.map((spec) => ({ dataset: generatedDataset(spec), root: generatedSet(spec) }))];
}
