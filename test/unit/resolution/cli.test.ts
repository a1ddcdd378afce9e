import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ResolutionInputError, UnknownAttributeError } from '../../../functions/domain/resolution/engine/index.js';
import { runCli } from '../../../scripts/resolve.js';
import { parse } from 'csv-parse/sync';

let dir: string;
const silent = (): void => undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'resolve-cli-'));
});

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const ORGS = `rec_id,company,tel,town
1,Acme Ltd,310/246-1501,Leeds
2,ACME Limited,310-246-1501,Leeds
3,Globex Corporation,212 555 0100,York
4,Initech LLC,415 555 0199,Bath
5,Umbrella Corp,617 555 0142,Hull
6,Hooli Inc,650 555 0123,Ely
`;

describe('scripts/resolve runCli', () => {
  it('writes matched pairs and clusters for a dedup run, and says how the model check went', () => {
    const logged: string[] = [];
    const input = write('orgs.csv', ORGS);
    const output = join(dir, 'pairs.csv');
    const clusters = join(dir, 'clusters.csv');
    runCli(
      [
        '--kind',
        'organization',
        '--input',
        input,
        '--map',
        'company=name,tel=phone,town=city',
        '--output',
        output,
        '--clusters',
        clusters,
      ],
      (line) => logged.push(line),
    );
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id_1,id_2,score');
    expect(logged.some((l) => l.startsWith('[resolve] model check: '))).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['1,2']);
    expect(readFileSync(clusters, 'utf8').split('\n')[0]).toBe('cluster_id,rec_id');
  });

  it('fails clearly on a missing input file', () => {
    expect(() =>
      runCli(
        [
          '--kind',
          'organization',
          '--input',
          join(dir, 'nope.csv'),
          '--map',
          'company=name',
          '--output',
          join(dir, 'o.csv'),
        ],
        silent,
      ),
    ).toThrow(/file not found/);
  });

  it('fails on an unknown attribute in --map', () => {
    const input = write('orgs.csv', ORGS);
    expect(() =>
      runCli(
        ['--kind', 'organization', '--input', input, '--map', 'company=surname', '--output', join(dir, 'o.csv')],
        silent,
      ),
    ).toThrow(UnknownAttributeError);
  });

  it('fails when a mapped column is not in the header', () => {
    const input = write('orgs.csv', ORGS);
    expect(() =>
      runCli(
        ['--kind', 'organization', '--input', input, '--map', 'company=name,fax=phone', '--output', join(dir, 'o.csv')],
        silent,
      ),
    ).toThrow(/"fax"/);
  });

  it('fails on malformed CSV', () => {
    const input = write('bad.csv', 'rec_id,company\n1,"unterminated\n');
    expect(() =>
      runCli(
        ['--kind', 'organization', '--input', input, '--map', 'company=name', '--output', join(dir, 'o.csv')],
        silent,
      ),
    ).toThrow(ResolutionInputError);
  });

  it('requires either --input or both --left and --right', () => {
    const input = write('orgs.csv', ORGS);
    expect(() =>
      runCli(
        ['--kind', 'organization', '--left', input, '--map', 'company=name', '--output', join(dir, 'o.csv')],
        silent,
      ),
    ).toThrow(/--left and --right/);
  });
});

const PEOPLE = `rec_id,given,family,born,town
a1,Anna,Meyer,1960-03-10,Bonn
a2,Anna,Meyex,1960-03-10,Ulm
b1,Bruno,Schulz,1961-03-11,Bonn
b2,Bruno,Schulx,1962-03-11,Bonn
c1,Carla,Wagner,1962-03-12,Koeln
c2,Carla,Wagnex,1962-03-12,Ulm
d1,Dieter,Becker,1963-03-13,Bonn
d2,Dieter,Beckex,1964-03-13,Bonn
e1,Elke,Hoffmann,1964-03-14,Koeln
e2,Elke,Hoffmanx,1964-03-14,Ulm
f1,Fritz,Koch,1965-03-15,Bonn
f2,Fritz,Kocx,1966-03-15,Bonn
`;
const PEOPLE_MAP = 'given=firstName,family=lastName,born=birthDate,town=city';

describe('scripts/resolve review and labels', () => {
  const base = (...extra: string[]) => [
    '--kind',
    'person',
    '--input',
    write('people.csv', PEOPLE),
    '--map',
    PEOPLE_MAP,
    '--output',
    join(dir, 'pairs.csv'),
    ...extra,
  ];
  const sheet = (text: string) => parse(text, { columns: true }) as Record<string, string>[];

  it('writes the most informative undecided pairs with both records side by side, to stdout by default', () => {
    let stdout = '';
    const result = runCli(base('--review', '3'), silent, (t) => {
      stdout += t;
    });
    const header = stdout.split('\n')[0];
    expect(header).toBe(
      'id_1,id_2,probability,uncertainty,firstName_1,firstName_2,lastName_1,lastName_2,birthDate_1,birthDate_2,city_1,city_2,match',
    );
    const rows = sheet(stdout);
    expect(rows.length).toBe(Math.min(3, result.review.length));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => [r.id_1, r.id_2])).toEqual(result.review.slice(0, 3).map((p) => [p.id1, p.id2]));
    const byId = new Map(sheet(PEOPLE).map((r) => [r.rec_id!, r]));
    for (const r of rows) {
      expect(r.lastName_1).toBe(byId.get(r.id_1!)!.family);
      expect(r.lastName_2).toBe(byId.get(r.id_2!)!.family);
      expect(Number(r.uncertainty)).toBeGreaterThan(0);
      expect(r.match).toBe('');
    }
  });

  it('writes the review sheet to --review-output instead of stdout', () => {
    let stdout = '';
    runCli(base('--review', '2', '--review-output', join(dir, 'review.csv')), silent, (t) => {
      stdout += t;
    });
    expect(stdout).toBe('');
    expect(readFileSync(join(dir, 'review.csv'), 'utf8').split('\n')[0]).toMatch(/^id_1,id_2,probability,uncertainty,/);
  });

  it('passes answers as constraints: a yes joins a pair, a no keeps one apart, and answered pairs leave the sheet', () => {
    const before = runCli(base(), silent);
    const together = (r: typeof before, x: string, y: string) =>
      r.clusters.some((c) => c.recordIds.includes(x) && c.recordIds.includes(y));
    const joined = before.pairs[0]!;
    expect(together(before, 'a1', 'f2')).toBe(false);
    const labels = write(
      'labels.csv',
      `id_1,id_2,match,note\n${joined.id1},${joined.id2},No,checked\na1,f2,yes,\nb1,c1,,unanswered\n`,
    );
    let stdout = '';
    const after = runCli(base('--labels', labels, '--review', '50'), silent, (t) => {
      stdout += t;
    });
    expect(together(after, joined.id1, joined.id2)).toBe(false);
    expect(together(after, 'a1', 'f2')).toBe(true);
    const proposed = sheet(stdout).map((r) => `${r.id_1}|${r.id_2}`);
    expect(proposed).not.toContain(`${joined.id1}|${joined.id2}`);
    expect(proposed).not.toContain('a1|f2');
  });

  it.each([
    ['id_1,id_2,match\na1,a2,yes\nb1,b2,maybe\n', /labels\.csv line 3: match "maybe"/],
    ['id_1,id_2,match\na1,zz,no\n', /labels\.csv line 2: id "zz" is not in the input/],
    ['id_1,id_2,match\na1,a1,yes\n', /line 2: id_1 and id_2 are the same record/],
    ['id_1,id_2,match\na1,a2,yes\na2,a1,0\n', /line 3: contradicts an earlier answer/],
    ['left,right,match\na1,a2,yes\n', /needs id_1, id_2 and match/],
  ])('fails (exit 1) on a bad labels file, naming the line: %j', (content, message) => {
    const labels = write('labels.csv', content);
    expect(() => runCli(base('--labels', labels), silent)).toThrow(ResolutionInputError);
    expect(() => runCli(base('--labels', labels), silent)).toThrow(message);
  });

  it('reads the answers of several files, and refuses one contradicting another file', () => {
    const round1 = write('round1.csv', 'id_1,id_2,match\na1,f2,yes\n');
    const round2 = write('round2.csv', 'id_1,id_2,match\nb1,e2,1\n');
    const result = runCli(base('--labels', `${round1},${round2}`), silent);
    const together = (x: string, y: string) =>
      result.clusters.some((c) => c.recordIds.includes(x) && c.recordIds.includes(y));
    expect(together('a1', 'f2') && together('b1', 'e2')).toBe(true);
    const contra = write('round3.csv', 'id_1,id_2,match\nf2,a1,no\n');
    expect(() => runCli(base('--labels', `${round1},${contra}`), silent)).toThrow(/round3\.csv line 2: contradicts/);
  });

  it('reads answers in link mode with the left id first, and turns a reversed pair round', () => {
    const left = write('left.csv', 'rec_id,given,family\nL1,Anna,Meyer\nL2,Bruno,Schulz\n');
    const right = write('right.csv', 'rec_id,given,family\nR1,Carla,Wagner\nR2,Bruno,Schulz\n');
    const labels = write('labels.csv', 'id_1,id_2,match\nL1,R1,true\nR2,L2,false\n');
    const result = runCli(
      [
        '--kind',
        'person',
        '--left',
        left,
        '--right',
        right,
        '--map',
        'given=firstName,family=lastName',
        '--output',
        join(dir, 'pairs.csv'),
        '--labels',
        labels,
      ],
      silent,
    );
    expect(result.pairs.map((p) => [p.id1, p.id2])).toEqual([['L1', 'R1']]);
  });

  it.each([
    [['--review', '0'], /--review must be a whole number/],
    [['--review', 'ten'], /--review must be a whole number/],
    [['--review-output', 'x.csv'], /--review-output needs --review/],
  ])('refuses bad usage %j (exit 2)', (extra, message) => {
    expect(() => runCli(base(...extra), silent)).toThrow(message);
  });
});
