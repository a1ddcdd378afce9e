import { describe, expect, it } from 'vitest';
import { SoqlError, matches, parseSoql, sorter } from '../../../local/vendors/salesforce/soql.js';

const codeOf = (q: string): string => {
  try {
    parseSoql(q);
    return 'parsed';
  } catch (e) {
    return e instanceof SoqlError ? e.code : 'other';
  }
};

describe('parseSoql', () => {
  it('reads the connector query with field names in canonical spelling', () => {
    const q = parseSoql(
      'select id, lastname, SYSTEMMODSTAMP from contact where SystemModstamp >= 2026-11-30T10:15:00Z order by SystemModstamp, Id limit 10',
    );
    expect(q).toMatchObject({
      object: 'Contact',
      fields: ['Id', 'LastName', 'SystemModstamp'],
      where: {
        kind: 'compare',
        field: 'SystemModstamp',
        op: '>=',
        value: { type: 'datetime', value: Date.parse('2026-11-30T10:15:00Z') },
      },
      orderBy: [
        { field: 'SystemModstamp', descending: false, nullsLast: false },
        { field: 'Id', descending: false, nullsLast: false },
      ],
      limit: 10,
      offset: null,
    });
  });

  it('takes offsets and fractional seconds in datetime literals', () => {
    const a = parseSoql('SELECT Id FROM Account WHERE SystemModstamp > 2026-11-30T10:15:00.250+01:00');
    expect(a.where).toMatchObject({ value: { value: Date.parse('2026-11-30T09:15:00.250Z') } });
  });

  it('reads AND, OR, NOT, IN and parentheses', () => {
    const q = parseSoql(
      "SELECT Id FROM Contact WHERE (LastName = 'Smith' OR LastName IN ('Jones', 'O\\'Brien')) AND NOT Email = null",
    );
    const read = (v: Record<string, string | null>) => (f: string) => v[f] ?? null;
    expect(matches(q.where!, read({ LastName: 'smith', Email: 'a@b.c' }))).toBe(true);
    expect(matches(q.where!, read({ LastName: "O'Brien", Email: 'a@b.c' }))).toBe(true);
    expect(matches(q.where!, read({ LastName: 'Jones', Email: null }))).toBe(false);
    expect(matches(q.where!, read({ LastName: 'Brown', Email: 'a@b.c' }))).toBe(false);
  });

  it('refuses what Salesforce refuses, with its error codes', () => {
    expect(codeOf('SELECT Id FROM Contact WHERE SystemModstamp >= 2026-11-30T10:15:00.000+0000')).toBe(
      'MALFORMED_QUERY',
    );
    expect(codeOf('SELECT Id FROM Contact WHERE SystemModstamp >= 2026-11-30')).toBe('INVALID_FIELD');
    expect(codeOf("SELECT Id FROM Contact WHERE Birthdate = '1980-01-01'")).toBe('INVALID_FIELD');
    expect(codeOf('SELECT Id FROM Contact WHERE LastName = Smith')).toBe('MALFORMED_QUERY');
    expect(codeOf('SELECT Id FROM Contact LIMIT')).toBe('MALFORMED_QUERY');
    expect(codeOf('SELECT Id FROM Contact OFFSET 2001')).toBe('MALFORMED_QUERY');
    expect(codeOf("SELECT Id FROM Contact WHERE LastName = 'open")).toBe('MALFORMED_QUERY');
    expect(codeOf('SELECT Id FROM Contact trailing')).toBe('MALFORMED_QUERY');
    expect(codeOf('SELECT Account.Name FROM Contact')).toBe('INVALID_FIELD');
    expect(codeOf('SELECT Id FROM Contacts')).toBe('INVALID_TYPE');
    expect(codeOf('DELETE FROM Contact')).toBe('MALFORMED_QUERY');
  });

  it('points at the column in its message, as Salesforce does', () => {
    try {
      parseSoql('SELECT Id FROM Contact WHERE');
      expect.unreachable();
    } catch (e) {
      expect((e as SoqlError).message).toContain('ERROR at Row:1:Column:29');
      expect((e as SoqlError).message).toContain("unexpected token: '<EOF>'");
    }
  });
});

describe('sorter', () => {
  it('orders by the keys given, nulls first ascending and last descending, ids case-sensitively', () => {
    const rows = [
      { Id: 'b', T: 2 },
      { Id: 'A', T: 2 },
      { Id: 'c', T: null },
      { Id: 'd', T: 1 },
    ];
    const reader = (r: (typeof rows)[number]) => (f: string) =>
      (r as Record<string, string | number | null>)[f] ?? null;
    const order = (o: Parameters<typeof sorter>[0]) =>
      [...rows].sort((a, b) => sorter(o)(reader(a), reader(b))).map((r) => r.Id);
    expect(
      order([
        { field: 'T', descending: false, nullsLast: false },
        { field: 'Id', descending: false, nullsLast: false },
      ]),
    ).toEqual(['c', 'd', 'A', 'b']);
    expect(order([{ field: 'T', descending: true, nullsLast: true }])).toEqual(['b', 'A', 'd', 'c']);
    expect(order([])).toEqual(['A', 'b', 'c', 'd']);
  });
});
