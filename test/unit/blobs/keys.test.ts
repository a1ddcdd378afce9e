import { describe, expect, it } from 'vitest';
import { blobKeys } from '../../../functions/adapters/s3/keys.js';
import { BLOB_AREAS, iamPatterns, type BlobArea } from '../../../functions/platform/blob-areas.js';
import { ValidationError } from '../../../functions/domain/errors.js';

/** IAM's StringLike / ARN matching: `*` is any run of characters (slashes included), `?` one character. */
const iamMatches = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  ).test(value);

const otherAreas = (area: BlobArea) => BLOB_AREAS.filter((a) => a !== area);

describe('object keys of the platform bucket', () => {
  it('puts every object under t/<tenantId>/<area>', () => {
    expect(blobKeys.object('acme', 'sync-pages/', 'salesforce/Account/run-1/page-0001.json')).toBe(
      't/acme/sync-pages/salesforce/Account/run-1/page-0001.json',
    );
    expect(blobKeys.listPrefix('acme', 'agent-outputs/', '')).toBe('t/acme/agent-outputs/');
    expect(blobKeys.listPrefix('acme', 'agent-outputs/', 'agent-1/')).toBe('t/acme/agent-outputs/agent-1/');
  });

  it('gives back the relative key of an object key, and refuses one of another tenant', () => {
    expect(blobKeys.relative('acme', 'sync-pages/', 't/acme/sync-pages/a/b.json')).toBe('a/b.json');
    expect(() => blobKeys.relative('acme', 'sync-pages/', 't/beta/sync-pages/a/b.json')).toThrow();
  });

  it('refuses an area it does not know', () => {
    expect(() => blobKeys.object('acme', 'audit/' as BlobArea, 'a.json')).toThrow(ValidationError);
  });

  it.each([
    'salesforce/Account/page-0001.json',
    'sync-pages-old/x.json',
    'x/agent-outputs.json',
    'a',
    'date_2026-01-01/part-0.ndjson',
  ])("matches the key %j with its own area's IAM patterns only", (key) => {
    for (const area of BLOB_AREAS) {
      const objectKey = blobKeys.object('acme', area, key);
      expect(iamMatches(iamPatterns(area).objects, objectKey), `${area} ${objectKey}`).toBe(true);
      for (const other of otherAreas(area))
        expect(iamMatches(iamPatterns(other).objects, objectKey), `${other} grants ${objectKey}`).toBe(false);
    }
  });

  it('builds every listing prefix inside the ListBucket condition of its area', () => {
    for (const area of BLOB_AREAS) {
      for (const prefix of ['', 'salesforce/', 'salesforce/Acc']) {
        expect(iamMatches(iamPatterns(area).listPrefix, blobKeys.listPrefix('acme', area, prefix))).toBe(true);
        for (const other of otherAreas(area))
          expect(iamMatches(iamPatterns(other).listPrefix, blobKeys.listPrefix('acme', area, prefix))).toBe(false);
      }
    }
  });

  it("refuses a segment named like an area, which IAM's * would let another area's grant reach", () => {
    const sneaky = 'x/sync-pages/y.json';
    expect(iamMatches(iamPatterns('sync-pages/').objects, `t/acme/agent-outputs/${sneaky}`)).toBe(true);
    expect(() => blobKeys.object('acme', 'agent-outputs/', sneaky)).toThrow(
      /segment named like the area "sync-pages\/"/,
    );
    expect(() => blobKeys.listPrefix('acme', 'agent-outputs/', 'x/sync-pages/')).toThrow(ValidationError);
  });

  it.each([
    ['', /non-empty/],
    ['/a.json', /empty segment/],
    ['a/', /empty segment/],
    ['a//b', /empty segment/],
    ['..', /".." segment/],
    ['a/.', /"." segment/],
    ['a b', /characters other than/],
    ['x'.repeat(513), /longer than 512/],
  ])('explains why it refuses the key %j', (key, message) => {
    const error = (() => {
      try {
        blobKeys.object('acme', 'sync-pages/', key);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(message);
    expect((error as ValidationError).details).toEqual([{ field: 'key', message: expect.stringMatching(message) }]);
  });
});
