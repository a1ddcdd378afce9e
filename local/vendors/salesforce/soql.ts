/**
 * The SOQL the fake understands: `SELECT f1, f2 FROM Object [WHERE …] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …]
 * [LIMIT n] [OFFSET n]`, where a condition compares a field with a literal (`= != <> < <= > >=`, `IN (…)`,
 * `NOT IN (…)`), joined by AND / OR / NOT and parentheses. Literals are typed as Salesforce types them: datetimes
 * unquoted (`2026-11-30T10:15:00Z`, `…+01:00`, fractional seconds allowed), dates unquoted (`2026-11-30`), strings
 * in single quotes, numbers, TRUE / FALSE / NULL. What it cannot parse is MALFORMED_QUERY; an unknown object is
 * INVALID_TYPE and an unknown field or a literal of the wrong type INVALID_FIELD, with Salesforce's messages.
 */
import type { SalesforceObject } from '../seed/types.js';

export type FieldType = 'id' | 'string' | 'number' | 'date' | 'datetime' | 'boolean';

const COMMON: Record<string, FieldType> = {
  Id: 'id',
  CreatedDate: 'datetime',
  SystemModstamp: 'datetime',
  IsDeleted: 'boolean',
};

/** The fields of each object (docs/connectors.md), in Salesforce's own spelling. */
export const SALESFORCE_FIELDS: Record<SalesforceObject, Record<string, FieldType>> = {
  Account: {
    Id: 'id',
    Name: 'string',
    Website: 'string',
    Phone: 'string',
    BillingStreet: 'string',
    BillingCity: 'string',
    BillingPostalCode: 'string',
    BillingCountry: 'string',
    Industry: 'string',
    ...COMMON,
  },
  Contact: {
    Id: 'id',
    FirstName: 'string',
    LastName: 'string',
    Email: 'string',
    Phone: 'string',
    MobilePhone: 'string',
    Title: 'string',
    Birthdate: 'date',
    MailingStreet: 'string',
    MailingCity: 'string',
    MailingPostalCode: 'string',
    MailingCountry: 'string',
    AccountId: 'id',
    ...COMMON,
  },
  Opportunity: {
    Id: 'id',
    Name: 'string',
    Amount: 'number',
    CurrencyIsoCode: 'string',
    StageName: 'string',
    CloseDate: 'date',
    AccountId: 'id',
    ContactId: 'id',
    ...COMMON,
  },
};

export const SALESFORCE_OBJECTS = Object.keys(SALESFORCE_FIELDS) as SalesforceObject[];

export type Literal =
  | { type: 'datetime'; value: number; text: string }
  | { type: 'date'; value: string; text: string }
  | { type: 'string'; value: string; text: string }
  | { type: 'number'; value: number; text: string }
  | { type: 'boolean'; value: boolean; text: string }
  | { type: 'null'; value: null; text: string };

export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; terms: Condition[] }
  | { kind: 'not'; term: Condition }
  | { kind: 'compare'; field: string; op: Operator; value: Literal }
  | { kind: 'in'; field: string; values: Literal[]; negate: boolean };

export interface SoqlQuery {
  object: SalesforceObject;
  /** Selected fields, canonical spelling, in the order asked (duplicates removed). */
  fields: string[];
  where: Condition | null;
  orderBy: { field: string; descending: boolean; nullsLast: boolean }[];
  limit: number | null;
  offset: number | null;
}

export type SoqlErrorCode = 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE';

export class SoqlError extends Error {
  override readonly name = 'SoqlError';
  constructor(
    readonly code: SoqlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Token {
  kind: 'word' | 'string' | 'number' | 'datetime' | 'date' | 'op' | 'punct' | 'bad' | 'eof';
  text: string;
  at: number;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})(?![\w:.+-])/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\w:.+-])/;
const NUMBER = /^-?\d+(\.\d+)?(?![\w:.+-])/;

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], text: string, length: number) => {
    tokens.push({ kind, text, at: i });
    i += length;
  };
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = q.slice(i);
    let m: RegExpExecArray | null;
    if ((m = DATETIME.exec(rest))) push('datetime', m[0], m[0].length);
    else if ((m = DATE.exec(rest))) push('date', m[0], m[0].length);
    else if ((m = NUMBER.exec(rest))) push('number', m[0], m[0].length);
    else if ((m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest))) push('word', m[0], m[0].length);
    else if ((m = /^(<=|>=|!=|<>|=|<|>)/.exec(rest))) push('op', m[0], m[0].length);
    else if (c === ',' || c === '(' || c === ')') push('punct', c, 1);
    else if (c === "'") {
      let j = i + 1;
      let value = '';
      for (; j < q.length && q[j] !== "'"; j++) {
        if (q[j] === '\\' && j + 1 < q.length) {
          const e = q[++j]!;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
        } else value += q[j];
      }
      if (j >= q.length) throw malformed(q, i, `line 1:${i} mismatched character '<EOF>' expecting '''`);
      push('string', value, j + 1 - i);
    } else {
      // A run of literal-looking characters the grammar has no token for (e.g. `…000+0000`).
      const run = /^[^\s,()']+/.exec(rest)![0];
      push('bad', run, run.length);
    }
  }
  tokens.push({ kind: 'eof', text: '<EOF>', at: q.length });
  return tokens;
}

/** Salesforce's message shape: the query, a caret under the column, then the reason. */
function pointer(q: string, at: number, reason: string): string {
  return `\n${q}\n${' '.repeat(at)}^\nERROR at Row:1:Column:${at + 1}\n${reason}`;
}

const malformed = (q: string, at: number, reason: string) => new SoqlError('MALFORMED_QUERY', pointer(q, at, reason));

function parseInstant(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${text}`);
  return ms;
}

/** Parses `soql` against the fake's objects; throws SoqlError. */
export function parseSoql(soql: string): SoqlQuery {
  const q = soql.trim();
  const tokens = tokenize(q);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const isWord = (t: Token, w: string) => t.kind === 'word' && t.text.toUpperCase() === w;
  const unexpected = (t: Token) => malformed(q, t.at, `unexpected token: '${t.text}'`);
  const expectWord = (w: string) => {
    const t = next();
    if (!isWord(t, w)) throw unexpected(t);
  };

  expectWord('SELECT');
  const selected: Token[] = [];
  for (;;) {
    const t = next();
    if (t.kind !== 'word' || isWord(t, 'FROM')) throw unexpected(t);
    selected.push(t);
    if (peek().kind === 'punct' && peek().text === ',') {
      next();
      continue;
    }
    break;
  }
  expectWord('FROM');
  const objectToken = next();
  if (objectToken.kind !== 'word') throw unexpected(objectToken);
  const object = (Object.keys(SALESFORCE_FIELDS) as SalesforceObject[]).find(
    (o) => o.toLowerCase() === objectToken.text.toLowerCase(),
  );
  if (!object) {
    throw new SoqlError(
      'INVALID_TYPE',
      pointer(
        q,
        objectToken.at,
        `sObject type '${objectToken.text}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      ),
    );
  }
  const types = SALESFORCE_FIELDS[object];
  const field = (t: Token): string => {
    const name = Object.keys(types).find((f) => f.toLowerCase() === t.text.toLowerCase());
    if (!name) {
      throw new SoqlError(
        'INVALID_FIELD',
        pointer(
          q,
          t.at,
          `No such column '${t.text}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
        ),
      );
    }
    return name;
  };
  const fields = [...new Set(selected.map(field))];

  const literal = (fieldName: string): Literal => {
    const t = next();
    const type = types[fieldName]!;
    const wrong = () =>
      new SoqlError(
        'INVALID_FIELD',
        pointer(
          q,
          t.at,
          type === 'datetime' || type === 'date'
            ? `value of filter criterion for field '${fieldName}' must be of type ${type === 'date' ? 'date' : 'dateTime'} and should not be enclosed in quotes`
            : `value of filter criterion for field '${fieldName}' must be of type ${type} and should be enclosed in quotes`,
        ),
      );
    if (isWord(t, 'NULL')) return { type: 'null', value: null, text: t.text };
    if (t.kind === 'bad') throw malformed(q, t.at, `line 1:${t.at} no viable alternative at character '${t.text}'`);
    if (t.kind === 'word' && !isWord(t, 'TRUE') && !isWord(t, 'FALSE')) throw unexpected(t);
    switch (type) {
      case 'datetime':
        if (t.kind !== 'datetime') throw t.kind === 'eof' ? unexpected(t) : wrong();
        return { type: 'datetime', value: parseInstant(t.text), text: t.text };
      case 'date':
        if (t.kind !== 'date') throw t.kind === 'eof' ? unexpected(t) : wrong();
        return { type: 'date', value: t.text, text: t.text };
      case 'number':
        if (t.kind !== 'number') throw t.kind === 'eof' ? unexpected(t) : wrong();
        return { type: 'number', value: Number(t.text), text: t.text };
      case 'boolean':
        if (!isWord(t, 'TRUE') && !isWord(t, 'FALSE')) throw t.kind === 'eof' ? unexpected(t) : wrong();
        return { type: 'boolean', value: isWord(t, 'TRUE'), text: t.text };
      default:
        if (t.kind !== 'string') throw t.kind === 'eof' ? unexpected(t) : wrong();
        return { type: 'string', value: t.text, text: t.text };
    }
  };

  const primary = (): Condition => {
    const t = peek();
    if (t.kind === 'punct' && t.text === '(') {
      next();
      const c = disjunction();
      const close = next();
      if (close.kind !== 'punct' || close.text !== ')') throw unexpected(close);
      return c;
    }
    if (isWord(t, 'NOT')) {
      next();
      return { kind: 'not', term: primary() };
    }
    const ft = next();
    if (ft.kind !== 'word') throw unexpected(ft);
    const name = field(ft);
    const op = next();
    if (isWord(op, 'IN') || (isWord(op, 'NOT') && isWord(peek(), 'IN'))) {
      const negate = isWord(op, 'NOT');
      if (negate) next();
      const open = next();
      if (open.kind !== 'punct' || open.text !== '(') throw unexpected(open);
      const values: Literal[] = [];
      for (;;) {
        values.push(literal(name));
        const sep = next();
        if (sep.kind === 'punct' && sep.text === ',') continue;
        if (sep.kind === 'punct' && sep.text === ')') break;
        throw unexpected(sep);
      }
      return { kind: 'in', field: name, values, negate };
    }
    if (op.kind !== 'op') throw unexpected(op);
    return { kind: 'compare', field: name, op: op.text === '<>' ? '!=' : (op.text as Operator), value: literal(name) };
  };
  const conjunction = (): Condition => {
    const terms = [primary()];
    while (isWord(peek(), 'AND')) {
      next();
      terms.push(primary());
    }
    return terms.length === 1 ? terms[0]! : { kind: 'and', terms };
  };
  function disjunction(): Condition {
    const terms = [conjunction()];
    while (isWord(peek(), 'OR')) {
      next();
      terms.push(conjunction());
    }
    return terms.length === 1 ? terms[0]! : { kind: 'or', terms };
  }

  let where: Condition | null = null;
  if (isWord(peek(), 'WHERE')) {
    next();
    where = disjunction();
  }
  const orderBy: SoqlQuery['orderBy'] = [];
  if (isWord(peek(), 'ORDER')) {
    next();
    expectWord('BY');
    for (;;) {
      const t = next();
      if (t.kind !== 'word') throw unexpected(t);
      const name = field(t);
      let descending = false;
      if (isWord(peek(), 'ASC')) next();
      else if (isWord(peek(), 'DESC')) {
        next();
        descending = true;
      }
      let nullsLast = descending;
      if (isWord(peek(), 'NULLS')) {
        next();
        const w = next();
        if (isWord(w, 'FIRST')) nullsLast = false;
        else if (isWord(w, 'LAST')) nullsLast = true;
        else throw unexpected(w);
      }
      orderBy.push({ field: name, descending, nullsLast });
      if (peek().kind === 'punct' && peek().text === ',') {
        next();
        continue;
      }
      break;
    }
  }
  const count = (): number => {
    const t = next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw unexpected(t);
    return Number(t.text);
  };
  let limit: number | null = null;
  let offset: number | null = null;
  if (isWord(peek(), 'LIMIT')) {
    next();
    limit = count();
  }
  if (isWord(peek(), 'OFFSET')) {
    next();
    offset = count();
    if (offset > 2000) {
      throw new SoqlError('MALFORMED_QUERY', pointer(q, tokens[pos - 1]!.at, 'Maximum SOQL offset allowed is 2000'));
    }
  }
  const end = next();
  if (end.kind !== 'eof') throw unexpected(end);
  return { object, fields, where, orderBy, limit, offset };
}

/** A record's value of a field for comparison: datetimes as epoch ms, the rest as stored. */
export type FieldReader = (field: string) => string | number | boolean | null;

function compare(a: string | number | boolean, b: string | number | boolean): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether a record satisfies the condition (SOQL string comparisons ignore case). */
export function matches(c: Condition, read: FieldReader): boolean {
  switch (c.kind) {
    case 'and':
      return c.terms.every((t) => matches(t, read));
    case 'or':
      return c.terms.some((t) => matches(t, read));
    case 'not':
      return !matches(c.term, read);
    case 'in': {
      const v = read(c.field);
      const found = v !== null && c.values.some((l) => l.value !== null && compare(v, l.value) === 0);
      return c.negate ? !found : found;
    }
    default: {
      const v = read(c.field);
      if (c.value.value === null) return c.op === '=' ? v === null : c.op === '!=' ? v !== null : false;
      if (v === null) return c.op === '!=';
      const d = compare(v, c.value.value);
      switch (c.op) {
        case '=':
          return d === 0;
        case '!=':
          return d !== 0;
        case '<':
          return d < 0;
        case '<=':
          return d <= 0;
        case '>':
          return d > 0;
        default:
          return d >= 0;
      }
    }
  }
}

/** Orders records as ORDER BY asks; without ORDER BY, by Id (the order Salesforce returns them in practice). */
export function sorter(orderBy: SoqlQuery['orderBy']): (a: FieldReader, b: FieldReader) => number {
  const keys = orderBy.length > 0 ? orderBy : [{ field: 'Id', descending: false, nullsLast: false }];
  return (a, b) => {
    for (const k of keys) {
      const x = a(k.field);
      const y = b(k.field);
      if (x === y) continue;
      if (x === null || y === null) return (x === null) === k.nullsLast ? 1 : -1;
      // Ids compare case-sensitively (they are case-sensitive keys); other strings as SOQL sorts them.
      const d = k.field === 'Id' ? (x < y ? -1 : x > y ? 1 : 0) : compare(x, y);
      if (d !== 0) return k.descending ? -d : d;
    }
    return 0;
  };
}
