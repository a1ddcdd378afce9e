import { describe, expect, it } from 'vitest';
import { normaliseEmail, normalisePhone } from '../../../../functions/domain/connectors/normalise/values/contact.js';
import { countryCode, isoCountryCodes } from '../../../../functions/domain/connectors/normalise/values/countries.js';
import { isoDate, utcInstant } from '../../../../functions/domain/connectors/normalise/values/dates.js';
import { amount, currencyCode } from '../../../../functions/domain/connectors/normalise/values/money.js';
import {
  caseFamilyName,
  caseGivenName,
  composeName,
  splitFullName,
} from '../../../../functions/domain/connectors/normalise/values/names.js';
import { cleanText } from '../../../../functions/domain/connectors/normalise/values/text.js';
import { domainOf, normaliseWebsite } from '../../../../functions/domain/connectors/normalise/values/web.js';

describe('name casing', () => {
  it('cases names written all in capitals or all in lower case', () => {
    expect(caseGivenName('LOGAN')).toBe('Logan');
    expect(caseGivenName('mary-jane')).toBe('Mary-Jane');
    expect(caseGivenName('JOSÉ')).toBe('José');
    expect(caseFamilyName('ØRSTED')).toBe('Ørsted');
  });

  it('gives Gaelic patronymics their second capital', () => {
    expect(caseFamilyName('mcneil')).toBe('McNeil');
    expect(caseFamilyName('MACDONALD')).toBe('MacDonald');
    expect(caseFamilyName('mcdonald-smith')).toBe('McDonald-Smith');
  });

  it('does not take names that only begin with "mac" for patronymics', () => {
    for (const name of ['MACK', 'macy', 'MACHADO', 'macias', 'MACKIE', 'maciel', 'macchi', 'MACON', 'MACEY'])
      expect(caseFamilyName(name)).toBe(name.charAt(0).toUpperCase() + name.slice(1).toLowerCase());
  });

  it("capitalises after O' and D' and across hyphens", () => {
    expect(caseFamilyName("O'BRIEN")).toBe("O'Brien");
    expect(caseFamilyName('d’angelo')).toBe('D’Angelo');
    expect(caseFamilyName('SMITH-JONES')).toBe('Smith-Jones');
  });

  it('writes particles inside a family name in lower case, but not a particle that is the whole name', () => {
    expect(caseFamilyName('VAN DER BERG')).toBe('van der Berg');
    expect(caseFamilyName('de la cruz')).toBe('de la Cruz');
    expect(caseFamilyName('DOS SANTOS')).toBe('dos Santos');
    expect(caseFamilyName('VAN')).toBe('Van');
    expect(caseFamilyName('le')).toBe('Le');
    expect(caseFamilyName('LE BLANC')).toBe('Le Blanc');
    expect(caseFamilyName('garcía y lópez')).toBe('García y López');
  });

  it('leaves names written in mixed case as the person spells them', () => {
    expect(caseFamilyName('Macdonald')).toBe('Macdonald');
    expect(caseFamilyName('deVries')).toBe('deVries');
    expect(caseFamilyName('Van Dyke')).toBe('Van Dyke');
    expect(caseFamilyName('McNEIL')).toBe('McNEIL');
    expect(caseGivenName('DeShawn')).toBe('DeShawn');
  });

  it('collapses white space and gives nothing for an empty name', () => {
    expect(caseGivenName('  anna   lena ')).toBe('Anna Lena');
    expect(caseGivenName('   ')).toBeUndefined();
    expect(caseFamilyName(null)).toBeUndefined();
  });

  it('composes the full name from the parts there are', () => {
    expect(composeName('LOGAN', 'MCNEIL')).toEqual({
      firstName: 'Logan',
      lastName: 'McNeil',
      fullName: 'Logan McNeil',
    });
    expect(composeName(null, 'mcneil')).toEqual({ lastName: 'McNeil', fullName: 'McNeil' });
    expect(composeName('', undefined)).toEqual({});
  });
});

describe('splitting a whole name', () => {
  it('splits the Workday descriptor into first and last name', () => {
    expect(splitFullName('logan mcneil')).toEqual({ firstName: 'Logan', lastName: 'McNeil', fullName: 'Logan McNeil' });
  });

  it('reads "Family, Given" and keeps middle names in the full name only', () => {
    expect(splitFullName('MCNEIL, LOGAN JAMES')).toEqual({
      firstName: 'Logan',
      lastName: 'McNeil',
      fullName: 'Logan James McNeil',
    });
    expect(splitFullName('Mary Ann Smith')).toEqual({
      firstName: 'Mary',
      lastName: 'Smith',
      fullName: 'Mary Ann Smith',
    });
  });

  it('starts the family name at a particle or at the first of two joined family names', () => {
    expect(splitFullName('ludwig van beethoven')).toMatchObject({ firstName: 'Ludwig', lastName: 'van Beethoven' });
    expect(splitFullName('MARIA DE LA CRUZ GARCIA')).toMatchObject({
      firstName: 'Maria',
      lastName: 'de la Cruz Garcia',
    });
    expect(splitFullName('juan carlos garcía y lópez')).toEqual({
      firstName: 'Juan',
      lastName: 'García y López',
      fullName: 'Juan Carlos García y López',
    });
  });

  it('takes a one-letter word after the given name for an initial, not a conjunction', () => {
    expect(splitFullName('JOHN Y SMITH')).toEqual({ firstName: 'John', lastName: 'Smith', fullName: 'John Y Smith' });
  });

  it('drops titles and keeps generational suffixes out of the family name', () => {
    expect(splitFullName('DR. JOHN SMITH JR.')).toEqual({
      firstName: 'John',
      lastName: 'Smith',
      fullName: 'John Smith Jr.',
    });
    expect(splitFullName('Smith, John III')).toEqual({
      firstName: 'John',
      lastName: 'Smith',
      fullName: 'John Smith III',
    });
    expect(splitFullName('john smith, jr')).toEqual({
      firstName: 'John',
      lastName: 'Smith',
      fullName: 'John Smith Jr',
    });
  });

  it('reads one word as the family name and nothing as no name', () => {
    expect(splitFullName('MADONNA')).toEqual({ lastName: 'Madonna', fullName: 'Madonna' });
    expect(splitFullName('  ')).toEqual({});
  });
});

describe('e-mail addresses', () => {
  it('trims and lower-cases, keeping sub-address tags and dots', () => {
    expect(normaliseEmail('  Logan.McNeil+CRM@Example.COM ')).toBe('logan.mcneil+crm@example.com');
    expect(normaliseEmail('MAILTO:info@acme.de')).toBe('info@acme.de');
  });

  it('omits what is not an address', () => {
    for (const value of [
      'logan',
      'logan@',
      '@example.com',
      'logan@example',
      'lo gan@example.com',
      'a..b@example.com',
      'a@b@c.com',
      'x@-acme.com',
      '',
    ])
      expect(normaliseEmail(value), value).toBeUndefined();
  });
});

describe('phone numbers', () => {
  it('writes numbers in E.164, national numbers read in the record country', () => {
    expect(normalisePhone('(212) 555-0142', 'US')).toBe('+12125550142');
    expect(normalisePhone('030 1234567', 'DE')).toBe('+49301234567');
    expect(normalisePhone('020 7946 0958', 'GB')).toBe('+442079460958');
  });

  it('reads international numbers whatever the record country, or without one', () => {
    expect(normalisePhone('+44 20 7946 0958', 'US')).toBe('+442079460958');
    expect(normalisePhone('+1 415 555 0132')).toBe('+14155550132');
    expect(normalisePhone('tel:+1-415-555-0132;ext=12')).toBe('+14155550132');
  });

  it('does not give a national number a country when the record names none (or one it does not know)', () => {
    expect(normalisePhone('(212) 555-0142')).toBeUndefined();
    expect(normalisePhone('(212) 555-0142', 'ZZ')).toBeUndefined();
  });

  it('omits what cannot be a phone number', () => {
    for (const value of ['555', 'n/a', '+1 555', '12345678901234567890', '+999 1234 5678', ''])
      expect(normalisePhone(value, 'US'), value).toBeUndefined();
  });

  it('reads a phone-context URI the same way every time', () => {
    const runs = [1, 2, 3].map(() => normalisePhone('tel:5550132;phone-context=+1-415', 'US'));

    expect(new Set(runs).size).toBe(1);
  });
});

describe('domains and websites', () => {
  it('takes the lower-case host without www. as the domain', () => {
    expect(domainOf('https://www.GlobalMedia.com/about?utm=x')).toBe('globalmedia.com');
    expect(domainOf('WWW.ACME.CO.UK')).toBe('acme.co.uk');
    expect(domainOf('acme.com/en/')).toBe('acme.com');
    expect(domainOf('http://shop.acme.com:8080')).toBe('shop.acme.com');
    expect(domainOf('www2.acme.com')).toBe('acme.com');
    expect(domainOf('bücher.de')).toBe('xn--bcher-kva.de');
  });

  it('omits what names no company host', () => {
    for (const value of ['localhost', 'http://10.0.0.1', 'info@acme.com', 'not a url', 'ftp://acme.com', 'acme', ''])
      expect(domainOf(value), value).toBeUndefined();
  });

  it('writes the website as an https URL without query, fragment or trailing slash', () => {
    expect(normaliseWebsite('HTTP://WWW.Acme.com/En/#top')).toBe('https://www.acme.com/En');
    expect(normaliseWebsite('acme.com')).toBe('https://acme.com');
    expect(normaliseWebsite('https://acme.com:8443/shop/')).toBe('https://acme.com:8443/shop');
    expect(normaliseWebsite('javascript:alert(1)')).toBeUndefined();
  });
});

describe('countries', () => {
  it('reads codes, names, native names and aliases as ISO 3166-1 alpha-2', () => {
    const cases: [string, string][] = [
      ['United States', 'US'],
      ['USA', 'US'],
      ['U.S.', 'US'],
      ['u.s.a.', 'US'],
      ['United States of America', 'US'],
      ['Deutschland', 'DE'],
      ['DE', 'DE'],
      ['de', 'DE'],
      ['DEU', 'DE'],
      ['Germany', 'DE'],
      ['Allemagne', 'DE'],
      ['UK', 'GB'],
      ['England', 'GB'],
      ['United Kingdom', 'GB'],
      ['The Netherlands', 'NL'],
      ['Holland', 'NL'],
      ['España', 'ES'],
      ['espana', 'ES'],
      ['Österreich', 'AT'],
      ['Schweiz', 'CH'],
      ['Korea, Republic of', 'KR'],
      ['South Korea', 'KR'],
      ['Turkey', 'TR'],
      ['Türkiye', 'TR'],
      ['Czech Republic', 'CZ'],
      ["Côte d'Ivoire", 'CI'],
      ['Bosnia & Herzegovina', 'BA'],
      ['  brasil ', 'BR'],
      ['日本', 'JP'],
    ];
    for (const [value, code] of cases) expect(countryCode(value), value).toBe(code);
  });

  it('omits what names no country (unions, user-assigned codes, inventions)', () => {
    for (const value of ['EU', 'XK', 'ZZ', 'Narnia', 'North', '', '  '])
      expect(countryCode(value), value).toBeUndefined();
  });

  it('knows every assigned code once, each one the CLDR has a name for', () => {
    const codes = isoCountryCodes();
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

    expect(codes).toHaveLength(249);
    expect(new Set(codes).size).toBe(249);
    for (const code of codes) {
      expect(code).toMatch(/^[A-Z]{2}$/);
      expect(names.of(code), code).toBeDefined();
      expect(countryCode(names.of(code)!), code).toBe(code);
    }
  });
});

describe('dates and instants', () => {
  it('writes instants in UTC with milliseconds, from every offset form', () => {
    expect(utcInstant('2026-11-30T10:15:00.000+0000')).toBe('2026-11-30T10:15:00.000Z');
    expect(utcInstant('2026-11-30T10:15:00.000+0100')).toBe('2026-11-30T09:15:00.000Z');
    expect(utcInstant('2026-11-30T23:30:00-05:00')).toBe('2026-12-01T04:30:00.000Z');
    expect(utcInstant('2026-11-30T10:15:00Z')).toBe('2026-11-30T10:15:00.000Z');
    expect(utcInstant('2026-11-30T10:15:00.123456Z')).toBe('2026-11-30T10:15:00.123Z');
    expect(utcInstant('2026-11-30T10:15')).toBe('2026-11-30T10:15:00.000Z');
    expect(utcInstant('1764497700000')).toBe('2025-11-30T10:15:00.000Z');
  });

  it('refuses instants that are not on the calendar or the clock', () => {
    for (const value of [
      '2026-02-30T10:00:00Z',
      '2026-11-30T24:00:00Z',
      '2026-11-30T10:60:00Z',
      '30/11/2026',
      'soon',
      '',
    ])
      expect(utcInstant(value), value).toBeUndefined();
  });

  it('writes dates as YYYY-MM-DD, from dates with an offset and from instants', () => {
    expect(isoDate('1981-04-17')).toBe('1981-04-17');
    expect(isoDate('2019-03-04-08:00')).toBe('2019-03-04');
    expect(isoDate('2026-12-31T00:00:00.000Z')).toBe('2026-12-31');
    expect(isoDate('2024-02-29')).toBe('2024-02-29');
  });

  it('omits dates that do not exist and placeholders', () => {
    for (const value of ['2023-02-29', '2026-13-01', '0001-01-01', '17/04/1981', '1981-4-17', ''])
      expect(isoDate(value), value).toBeUndefined();
  });
});

describe('amounts and currencies', () => {
  it('reads amounts as numbers, from numbers and decimal strings', () => {
    expect(amount(1250.5)).toBe(1250.5);
    expect(amount('48000.00')).toBe(48000);
    expect(amount(' -12.5 ')).toBe(-12.5);
    expect(amount('1,234,567.89')).toBe(1234567.89);
    expect(amount('0')).toBe(0);
  });

  it('omits what is not a finite decimal', () => {
    for (const value of ['', 'TBD', '0x10', 'Infinity', '1,23', '12abc', Number.NaN])
      expect(amount(value), String(value)).toBeUndefined();
  });

  it('writes ISO 4217 codes in upper case and omits others', () => {
    expect(currencyCode('eur')).toBe('EUR');
    expect(currencyCode(' USD ')).toBe('USD');
    expect(currencyCode('EURO')).toBeUndefined();
    expect(currencyCode('ABC')).toBeUndefined();
    expect(currencyCode(null)).toBeUndefined();
  });
});

describe('text', () => {
  it('trims, collapses white space and drops invisible characters', () => {
    expect(cleanText('\u00a0 1 Main\t\tStreet\u200b ')).toBe('1 Main Street');
    expect(cleanText('\u200b')).toBeUndefined();
  });
});
