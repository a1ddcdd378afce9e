import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ResolutionInputError, UnknownAttributeError } from '../../../functions/domain/resolution/engine/index.js';
import { runCli } from '../../../scripts/resolve.js';

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
  it('writes matched pairs and clusters for a dedup run', () => {
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
      silent,
    );
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id_1,id_2,score');
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
