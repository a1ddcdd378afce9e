import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { MalformedPageError } from '../../../../functions/domain/connectors/errors.js';
import { checkRecordIds, parseEnvelope } from '../../../../functions/adapters/connectors/shared/page-envelope.js';
import { extendTrail, fingerprint } from '../../../../functions/adapters/connectors/shared/positions.js';
import { salesforceErrorBody } from '../../../../functions/adapters/connectors/salesforce/classify.js';

const Page = z.object({ done: z.boolean(), records: z.array(z.unknown()) });
const spec = { vendor: 'Salesforce', what: 'Contact query page', schema: Page, errorBody: salesforceErrorBody };
const answer = (body: string, contentType = 'application/json') => ({
  status: 200,
  headers: { 'content-type': contentType },
  body,
});
const reason = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedPageError);
    return (error as Error).message;
  }
  throw new Error('did not throw');
};

describe('the page envelope check', () => {
  it('accepts the documented envelope', () => {
    expect(parseEnvelope(answer('{"done":true,"records":[]}'), spec)).toEqual({ done: true, records: [] });
  });

  it.each([
    ['an empty body', '', 'empty body'],
    ['an HTML page', '<!doctype html><p>maintenance</p>', 'HTML page'],
    ['truncated JSON', '{"done":true,"records":[{"Id":"003', 'truncated or invalid JSON'],
    ['an error body', '[{"message":"boom","errorCode":"UNKNOWN_EXCEPTION"}]', 'error body (UNKNOWN_EXCEPTION)'],
    ['a missing field', '{"done":true}', 'records: '],
    ['a mistyped field', '{"done":"yes","records":[]}', 'done: '],
  ])('names %s', (_name, body, expected) => {
    expect(reason(() => parseEnvelope(answer(body), spec))).toContain(expected);
  });

  it('calls a page served as text/html an HTML page even when it looks like JSON', () => {
    expect(reason(() => parseEnvelope(answer('{"done":true,"records":[]}', 'text/html'), spec))).toContain('HTML');
  });

  it('says where the page came from but quotes no value', () => {
    const message = reason(() => parseEnvelope(answer('{"done":"secret-value","records":[]}'), spec));
    expect(message).toContain('Salesforce Contact query page (status 200');
    expect(message).not.toContain('secret-value');
  });

  it('refuses records that are not objects or lack their id', () => {
    expect(checkRecordIds([{ Id: 'a' }, { Id: 'b' }], 'Id', 'Salesforce', 'p')).toEqual(['a', 'b']);
    expect(reason(() => checkRecordIds([{ Id: 'a' }, 'b'], 'Id', 'Salesforce', 'p'))).toContain(
      'records[1] is not an object',
    );
    expect(reason(() => checkRecordIds([{ Name: 'x' }], 'Id', 'Salesforce', 'p'))).toContain('records[0] has no Id');
    expect(reason(() => checkRecordIds([{ Id: '' }], 'Id', 'Salesforce', 'p'))).toContain('has no Id');
  });
});

describe('the paging trail', () => {
  it('refuses a next link equal to the request position', () => {
    expect(reason(() => extendTrail([], 'x', 'x', 'HubSpot', 'p'))).toContain("repeats the request's own position");
  });

  it('refuses a next link back to an earlier page', () => {
    let trail = extendTrail([], null, 'a', 'HubSpot', 'p');
    trail = extendTrail(trail, 'a', 'b', 'HubSpot', 'p');
    trail = extendTrail(trail, 'b', 'c', 'HubSpot', 'p');
    expect(trail).toEqual([fingerprint('a'), fingerprint('b')]);
    expect(reason(() => extendTrail(trail, 'c', 'a', 'HubSpot', 'p'))).toContain('cycle');
  });
});
