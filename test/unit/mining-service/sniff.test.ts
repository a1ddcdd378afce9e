import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/domain/errors.js';
import { sniffLog } from '../../../functions/domain/mining/service/sniff.js';

const DATA = '../shared/datasets/process-mining';
const runningXes = () => readFileSync(`${DATA}/running-example/running-example.xes`);
const roadCsv = () => readFileSync(`${DATA}/roadtraffic-100/roadtraffic100traces.csv`);

/** The field a refusal names (the first detail's). */
function refusedField(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details?.[0]?.field;
  }
  throw new Error('not refused');
}

describe('sniffing an upload', () => {
  it('tells XES from its XML and CSV from its header, gzipped or not', () => {
    expect(sniffLog(runningXes(), undefined, {})).toEqual({ compressed: false, format: 'xes' });
    expect(sniffLog(gzipSync(runningXes()), undefined, {})).toEqual({ compressed: true, format: 'xes' });
    const csv = sniffLog(gzipSync(roadCsv()), 'csv', {});
    expect(csv).toMatchObject({ compressed: true, format: 'csv' });
    expect(csv.columns).toContain('case:concept:name');
  });

  it('reads the header of a semicolon CSV with quoted names and a byte-order mark', () => {
    const text = '\uFEFF"Case ID";"Step";"When"\nc1;a;2020-01-01T00:00:00Z\n';
    const sniffed = sniffLog(Buffer.from(text), undefined, { caseColumn: 'Case ID', activityColumn: 'Step' });
    expect(sniffed.columns).toEqual(['Case ID', 'Step', 'When']);
  });

  it("finds the default columns under the importer's spellings (case, spaces, _ and - ignored)", () => {
    const sniffed = sniffLog(Buffer.from('Case ID,Activity,Time\nc1,a,x\n'), undefined, {});
    expect(sniffed.columns).toEqual(['Case ID', 'Activity', 'Time']);
  });

  it('refuses a CSV without the case or activity column, naming the option to set', () => {
    const text = 'id;what;when\n1;a;2020-01-01\n';
    expect(refusedField(() => sniffLog(Buffer.from(text), undefined, {}))).toBe('options.caseColumn');
    expect(refusedField(() => sniffLog(Buffer.from(text), undefined, { caseColumn: 'id' }))).toBe(
      'options.activityColumn',
    );
    expect(
      refusedField(() =>
        sniffLog(Buffer.from(text), undefined, { caseColumn: 'id', activityColumn: 'what', timestampColumn: 'time' }),
      ),
    ).toBe('options.timestampColumn');
  });

  it('refuses a declared format the content contradicts', () => {
    expect(refusedField(() => sniffLog(runningXes(), 'csv', {}))).toBe('format');
    expect(refusedField(() => sniffLog(roadCsv(), 'xes', {}))).toBe('format');
  });

  it('refuses XML that is not XES, binary data, broken gzip and an empty body', () => {
    expect(refusedField(() => sniffLog(Buffer.from('<?xml version="1.0"?><html></html>'), undefined, {}))).toBe(
      'content',
    );
    expect(refusedField(() => sniffLog(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0xff]), undefined, {}))).toBe(
      'content',
    );
    expect(refusedField(() => sniffLog(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x12, 0x34, 0x99]), undefined, {}))).toBe(
      'content',
    );
    expect(refusedField(() => sniffLog(new Uint8Array(0), undefined, {}))).toBe('content');
  });

  it('looks at the start only: a gzipped log far larger than the peek is sniffed from its first bytes', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `c${i % 997},a${i % 13},2020-01-01T00:00:00Z`);
    const big = gzipSync(Buffer.from(`case_id,activity,timestamp\n${rows.join('\n')}\n`));
    expect(sniffLog(big, undefined, {})).toMatchObject({ compressed: true, format: 'csv' });
  });

  it('answers any bytes with a result or a ValidationError, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, zip) => {
        const input = zip ? gzipSync(bytes) : bytes;
        try {
          sniffLog(input, undefined, {});
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
