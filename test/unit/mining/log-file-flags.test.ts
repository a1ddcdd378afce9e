import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { formatOfPath, LogFileError, readEventLogFile } from '../../../scripts/lib/event-log-file.js';
import { parseLogFlags, UsageError } from '../../../scripts/lib/log-flags.js';
import { randomLog, toCsv, toXes } from '../../support/event-logs.js';

describe('shared log flags', () => {
  it('reads every shared flag, as --flag value or --flag=value, and hands back the rest', () => {
    const parsed = parseLogFlags([
      '--log',
      'x.csv',
      '--rules=r.json',
      '--case',
      'ref',
      '--activity=step',
      '--timestamp',
      'when',
      '--id',
      'eid',
      '--time-format',
      'dd-MM-yyyy:HH.mm',
      '--lifecycle=all',
      '--format',
      'csv',
      '--verbose',
    ]);
    expect(parsed).toEqual({
      log: 'x.csv',
      options: {
        caseColumn: 'ref',
        activityColumn: 'step',
        timestampColumn: 'when',
        idColumn: 'eid',
        timeFormat: 'dd-MM-yyyy:HH.mm',
        lifecycle: 'all',
        format: 'csv',
      },
      rest: ['--rules=r.json', '--verbose'],
    });
  });

  it('refuses a missing --log, a flag without value, a repeated flag and bad choices', () => {
    expect(() => parseLogFlags(['--case', 'x'])).toThrow(/--log .* is required/);
    expect(() => parseLogFlags(['--log'])).toThrow(/--log needs a value/);
    expect(() => parseLogFlags(['--log', '--case', 'x'])).toThrow(/--log needs a value/);
    expect(() => parseLogFlags(['--log=a', '--log=b'])).toThrow(/given twice/);
    expect(() => parseLogFlags(['--log=a', '--lifecycle', 'some'])).toThrow(UsageError);
    expect(() => parseLogFlags(['--log=a', '--format', 'json'])).toThrow(/--format must be xes or csv/);
    expect(() => parseLogFlags(['--log='])).toThrow(/needs a value/);
  });
});

describe('event-log files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modos-logs-'));
  const log = randomLog(5, { cases: 4 });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells the format from the extension', () => {
    expect(['a.xes', 'a.XES.GZ', 'a.csv', 'a.csv.gz', 'a.log'].map(formatOfPath)).toEqual([
      'xes',
      'xes',
      'csv',
      'csv',
      undefined,
    ]);
  });

  it('streams .xes, .xes.gz and .csv files into the importer, and sniffs other names', async () => {
    const files = {
      'l.xes': toXes(log),
      'l.xes.gz': gzipSync(toXes(log)),
      'l.csv': toCsv(log),
      'l.txt': toCsv(log),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const fromXes = await readEventLogFile(join(dir, 'l.xes'));
    expect(fromXes.traces.map((t) => t.events.length)).toEqual(log.traces.map((t) => t.events.length));
    expect(await readEventLogFile(join(dir, 'l.xes.gz'))).toEqual(fromXes);
    const fromCsv = await readEventLogFile(join(dir, 'l.csv'));
    expect(fromCsv.traces.map((t) => t.events.map((e) => e.time))).toEqual(
      log.traces.map((t) => t.events.map((e) => e.time)),
    );
    expect(await readEventLogFile(join(dir, 'l.txt'))).toEqual(fromCsv);
  });

  it('names the path of a missing file, a folder, or a file that is not a log (the format error as cause)', async () => {
    await expect(readEventLogFile(join(dir, 'none.xes'))).rejects.toThrow(/none\.xes: file not found/);
    await expect(readEventLogFile(dir)).rejects.toThrow(/not a file/);
    writeFileSync(join(dir, 'bad.csv'), 'case_id,activity\nc,\n');
    const err = await readEventLogFile(join(dir, 'bad.csv')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogFileError);
    expect((err as Error).message).toMatch(/bad\.csv: line 2, column "activity": missing activity/);
    expect(((err as Error).cause as { line: number }).line).toBe(2);
    // The extension decides over sniffing: CSV text in a .xes file is malformed XML.
    writeFileSync(join(dir, 'csv-inside.xes'), toCsv(log));
    await expect(readEventLogFile(join(dir, 'csv-inside.xes'))).rejects.toThrow(/not well-formed XML/);
  });

  it('makes a command exit with code 2 and one line on stderr for a bad log or flags', () => {
    const script = join(dir, 'cmd.ts');
    const lib = join(process.cwd(), 'scripts', 'lib');
    writeFileSync(
      script,
      `import { readEventLogFile } from ${JSON.stringify(join(lib, 'event-log-file.ts'))};
import { parseLogFlags, runCommand } from ${JSON.stringify(join(lib, 'log-flags.ts'))};
runCommand(async () => {
  const { log, options } = parseLogFlags(process.argv.slice(2));
  const read = await readEventLogFile(log, options);
  process.stdout.write(JSON.stringify({ cases: read.traces.length }));
});
`,
    );
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', cwd: process.cwd() });
    const ok = run('--log', join(dir, 'l.csv'));
    expect([ok.status, ok.stdout]).toEqual([0, '{"cases":4}']);
    const bad = run('--log', join(dir, 'bad.csv'));
    expect(bad.status).toBe(2);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^error: .*bad\.csv: line 2/);
    const usage = run('--case');
    expect([usage.status, usage.stderr]).toEqual([2, 'error: --case needs a value\n']);
  });
});
