import { describe, expect, it } from 'vitest';
import {
  areNicknameVariants,
  canonicalFirstName,
  normaliseText,
  parseFullName,
  standardiseAddress,
  standardiseCompanyName,
  standardiseDate,
  standardiseDomain,
  standardiseEmail,
  standardiseNamePart,
  standardisePhone,
  standardisePostcode,
} from '../../../functions/domain/resolution/engine/index.js';

describe('names', () => {
  it('transliterates to ASCII, lower-cases and drops punctuation', () => {
    expect(normaliseText('José  Müller-Ørsted')).toBe('jose muller orsted');
    expect(standardiseNamePart("O'Brien")).toBe('obrien');
  });

  it('removes titles and generational suffixes from name parts', () => {
    expect(standardiseNamePart('Dr. John Smith Jr.')).toBe('john smith');
  });

  it('maps English nicknames to one canonical given name', () => {
    expect(canonicalFirstName('Bob')).toBe('robert');
    expect(canonicalFirstName('Bill')).toBe('william');
    expect(canonicalFirstName('Zebedee')).toBe('zebedee');
    expect(areNicknameVariants('sam', 'samantha')).toBe(true);
    expect(areNicknameVariants('peggy', 'robert')).toBe(false);
  });

  it('splits full names written surname-first with a comma or given-name-first', () => {
    expect(parseFullName('Smith, John Adam')).toEqual({ first: 'john', middle: 'adam', last: 'smith' });
    expect(parseFullName('Mary Ann Jones')).toEqual({ first: 'mary', middle: 'ann', last: 'jones' });
    expect(parseFullName('Madonna')).toEqual({ first: '', middle: '', last: 'madonna' });
  });
});

describe('contact points', () => {
  it('lower-cases e-mails, strips +tags and Gmail dots', () => {
    expect(standardiseEmail(' John.Smith+crm@GoogleMail.com ')).toEqual({
      email: 'johnsmith@gmail.com',
      local: 'johnsmith',
      domain: 'gmail.com',
    });
    expect(standardiseEmail('j.smith@acme.co.uk')?.email).toBe('j.smith@acme.co.uk');
    expect(standardiseEmail('not an email')).toBeNull();
  });

  it('formats phones as E.164 whatever the punctuation', () => {
    expect(standardisePhone('310/246-1501')).toBe('+13102461501');
    expect(standardisePhone('(310) 246 1501')).toBe('+13102461501');
    expect(standardisePhone('+44 20 7946 0958')).toBe('+442079460958');
    expect(standardisePhone('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(standardisePhone('12')).toBeNull();
  });

  it('abbreviates street types and directions to one form', () => {
    expect(standardiseAddress('435 S. La Cienega Boulevard')).toBe(standardiseAddress('435 south la cienega blv.'));
    expect(standardiseAddress('12 Main Street')).toBe('12 main st');
  });

  it('normalises postcodes and cuts ZIP+4', () => {
    expect(standardisePostcode('sw1a 1aa')).toBe('SW1A1AA');
    expect(standardisePostcode('48801-1234')).toBe('48801');
  });

  it('reads birth dates in ISO, compact and day-first forms', () => {
    expect(standardiseDate('1984-05-26')).toBe('19840526');
    expect(standardiseDate('19840526')).toBe('19840526');
    expect(standardiseDate('26/05/1984')).toBe('19840526');
    expect(standardiseDate('05/26/1984')).toBe('19840526');
    expect(standardiseDate('unknown')).toBe('');
  });
});

describe('organisations', () => {
  it('drops legal forms wherever they appear', () => {
    expect(standardiseCompanyName('The ACME Corp.')).toBe('acme');
    expect(standardiseCompanyName('Philips N.V.')).toBe('philips');
    expect(standardiseCompanyName('Siemens Aktiengesellschaft')).toBe('siemens');
    expect(standardiseCompanyName('AKZO NOBEL NV')).toBe(standardiseCompanyName('Akzo Nobel B.V.'));
    expect(standardiseCompanyName('Bosch GmbH')).toBe('bosch');
    expect(standardiseCompanyName('Acme Holdings LLC')).toBe('acme holdings');
  });

  it('keeps group and holding words, which name members of a group rather than a legal form', () => {
    expect(standardiseCompanyName('Acme Holdings Europe')).toBe('acme holdings europe');
    expect(standardiseCompanyName('Acme Group')).toBe('acme group');
  });

  it('keeps the name when it consists only of legal-form words', () => {
    expect(standardiseCompanyName('The Company')).toBe('the company');
  });

  it('reduces websites and e-mail addresses to the host', () => {
    expect(standardiseDomain('https://www.Example.com/about?x=1')).toBe('example.com');
    expect(standardiseDomain('sales@acme.io')).toBe('acme.io');
    expect(standardiseDomain('not a domain')).toBe('');
  });
});
