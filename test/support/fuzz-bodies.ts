import fc from 'fast-check';

/**
 * Request bodies for fuzzing the API's edge, as text: JSON documents whose text can break every rule of
 * schemas/json-rules.ts (repeated keys, number text a double rounds, nesting to 10,000 levels, empty,
 * reserved or ill-formed keys, lone surrogates) around the shapes of the entity and workflow routes, plus
 * text that is not JSON at all, sent with a JSON or another Content-Type.
 */
export type Doc =
  | { t: 'num'; text: string }
  | { t: 'str'; s: string }
  | { t: 'lit'; text: 'true' | 'false' | 'null' }
  | { t: 'arr'; items: Doc[] }
  | { t: 'obj'; entries: Array<[string, Doc]> }
  /** `levels` nested objects (`{"a":…}`) or arrays around `leaf`, rendered without recursion. */
  | { t: 'deep'; levels: number; kind: 'obj' | 'arr'; leaf: Doc };

const CONTROL = /["\\\u0000-\u001f]/g;

/** The JSON text of a document. `rawStrings` leaves lone surrogates unescaped, as a JS string body may carry them. */
export function render(doc: Doc, rawStrings = false): string {
  const quote = (s: string) =>
    rawStrings
      ? `"${s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`
      : JSON.stringify(s);
  switch (doc.t) {
    case 'num':
    case 'lit':
      return doc.text;
    case 'str':
      return quote(doc.s);
    case 'arr':
      return `[${doc.items.map((d) => render(d, rawStrings)).join(',')}]`;
    case 'obj':
      return `{${doc.entries.map(([k, v]) => `${quote(k)}:${render(v, rawStrings)}`).join(',')}}`;
    case 'deep': {
      const [open, close] = doc.kind === 'obj' ? ['{"a":', '}'] : ['[', ']'];
      return open.repeat(doc.levels) + render(doc.leaf, rawStrings) + close.repeat(doc.levels);
    }
  }
}

const str = (s: string): Doc => ({ t: 'str', s });
const num = (text: string): Doc => ({ t: 'num', text });
const obj = (...entries: Array<[string, Doc]>): Doc => ({ t: 'obj', entries });

const surrogates = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff');
const text = (maxLength: number) =>
  fc.string({
    maxLength,
    unit: fc.oneof(
      { weight: 29, arbitrary: fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' }) },
      { weight: 1, arbitrary: surrogates },
    ),
  });

export const weirdKey = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,8}$/) },
  { weight: 2, arbitrary: text(8) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      '\ud800',
      'a\udfffb',
      'constructor',
      '__proto__',
      'toString',
      'valueOf',
      'hasOwnProperty',
      'prototype',
      'a.b',
      ' ',
      '😀',
      '\u0000',
      'type',
      '$.input',
    ),
  },
);

export const weirdString = fc.oneof(
  { weight: 4, arbitrary: text(12) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '\ud800',
      'x\udc00',
      '😀',
      '$.input.x',
      '$.input',
      '$$.literal',
      '$.steps.a.output',
      'x'.repeat(5000),
    ),
  },
);

/** Number text at and beyond every limit, and ordinary numbers in every JSON spelling. */
export const numberText = fc.oneof(
  fc.constantFrom(
    '12345678901234567',
    '9007199254740991',
    '-9007199254740991',
    '9007199254740992',
    '9007199254740993',
    '1e300',
    '-1e300',
    '1e400',
    '9.9999999999999999999999999999999999999E+125',
    '1e-130',
    '1e-131',
    '1e-200',
    '5e-324',
    '1e-400',
    '0.30000000000000001',
    '-0',
    '0.0',
    '1E2',
    '1.5e-7',
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: -400, max: 400 })).map(([m, e]) => `${m}e${e}`),
);

const deep = fc
  .record({
    levels: fc.constantFrom(17, 18, 19, 20, 21, 30, 31, 32, 10_000),
    kind: fc.constantFrom('obj' as const, 'arr' as const),
  })
  .map(({ levels, kind }): Doc => ({ t: 'deep', levels, kind, leaf: num('1') }));

/** Repeats one of an object's keys (with another value) at a random place, or leaves it. */
const maybeRepeatKey = (entries: Array<[string, Doc]>, value: fc.Arbitrary<Doc>) =>
  entries.length === 0
    ? fc.constant(entries)
    : fc.oneof(
        { weight: 4, arbitrary: fc.constant(entries) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.nat(entries.length - 1), fc.nat(entries.length), value)
            .map(([from, at, v]) => [
              ...entries.slice(0, at),
              [entries[from]![0], v] as [string, Doc],
              ...entries.slice(at),
            ]),
        },
      );

const { value: weirdValue } = fc.letrec<{ value: Doc; arr: Doc; obj: Doc }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: weirdString.map(str) },
    { weight: 3, arbitrary: numberText.map(num) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<Doc>(
        { t: 'lit', text: 'true' },
        { t: 'lit', text: 'false' },
        { t: 'lit', text: 'null' },
      ),
    },
    { weight: 3, arbitrary: tie('arr') },
    { weight: 3, arbitrary: tie('obj') },
    { weight: 1, arbitrary: deep },
  ),
  arr: fc.array(tie('value'), { maxLength: 4 }).map((items): Doc => ({ t: 'arr', items })),
  obj: fc
    .array(fc.tuple(weirdKey, tie('value')), { maxLength: 4 })
    .chain((entries) => maybeRepeatKey(entries, tie('value')))
    .map((entries): Doc => ({ t: 'obj', entries })),
}));

/** A document of a parsed JSON value (numbers in their shortest round-trip spelling). */
function fromJson(value: unknown): Doc {
  if (value === null || typeof value === 'boolean')
    return { t: 'lit', text: String(value) as 'true' | 'false' | 'null' };
  if (typeof value === 'number') return num(JSON.stringify(value));
  if (typeof value === 'string') return str(value);
  if (Array.isArray(value)) return { t: 'arr', items: value.map(fromJson) };
  return { t: 'obj', entries: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromJson(v)]) };
}

/** Ordinary JSON: numbers within the stored range, non-empty keys, well-formed strings (it may still pick a reserved key). */
const { value: ordinaryValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 12, unit: 'grapheme' }),
    fc.integer(),
    fc.double({ min: -1e15, max: 1e15, noNaN: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 6, unit: 'grapheme' }), tie('value'), { maxKeys: 3 }),
  ),
}));

/**
 * A free JSON object (attributes, a step input, a run input): either fuzzed members, which mostly break
 * a rule, or ordinary JSON under attribute-like names, which mostly does not, so both outcomes are explored.
 */
const freeObject = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(fc.tuple(weirdKey, weirdValue), { maxLength: 5 })
      .chain((entries) => maybeRepeatKey(entries, weirdValue))
      .map((entries): Doc => ({ t: 'obj', entries })),
  },
  {
    weight: 2,
    arbitrary: fc
      .dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,10}$/), ordinaryValue, { maxKeys: 5 })
      .map(fromJson),
  },
);

export type FuzzRoute = 'createEntity' | 'patchEntity' | 'createWorkflow' | 'updateWorkflow' | 'execute';
export const FUZZ_ROUTES: readonly FuzzRoute[] = [
  'createEntity',
  'patchEntity',
  'createWorkflow',
  'updateWorkflow',
  'execute',
];

/** Where a route's body refers to stored things (the workflow to execute, the version to update). */
export interface FuzzTargets {
  workflowId: string;
  entityTypes: readonly string[];
}

/** A route's body shape with fuzzed members, sometimes a member repeated or one missing. */
function shaped(route: FuzzRoute, targets: FuzzTargets): fc.Arbitrary<Doc> {
  const name = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('w', 'a workflow') },
    { weight: 1, arbitrary: weirdString },
  );
  const version = fc.oneof(
    { weight: 3, arbitrary: fc.constant(num('1')) },
    { weight: 1, arbitrary: numberText.map(num) },
  );
  const step = fc
    .record({
      id: fc.constantFrom('a', 'b', 'c', 'A!'),
      tool: fc.constantFrom('entity.update', 'entity.update', 'nope'),
      input: freeObject,
    })
    .map(({ id, tool, input }) => obj(['id', str(id)], ['tool', str(tool)], ['input', input]));
  const steps = fc.array(step, { minLength: 1, maxLength: 2 }).map((items): Doc => ({ t: 'arr', items }));
  const members: fc.Arbitrary<Array<[string, Doc]>> = {
    createEntity: fc.tuple(fc.constantFrom(...targets.entityTypes, 'spaceship'), freeObject).map(
      ([type, a]): Array<[string, Doc]> => [
        ['type', str(type)],
        ['attributes', a],
      ],
    ),
    patchEntity: fc.tuple(version, freeObject).map(
      ([v, a]): Array<[string, Doc]> => [
        ['version', v],
        ['attributes', a],
      ],
    ),
    createWorkflow: fc.tuple(name, steps).map(
      ([name, s]): Array<[string, Doc]> => [
        ['name', str(name)],
        ['steps', s],
      ],
    ),
    updateWorkflow: fc.tuple(name, steps, version).map(
      ([name, s, v]): Array<[string, Doc]> => [
        ['name', str(name)],
        ['steps', s],
        ['version', v],
      ],
    ),
    execute: fc.tuple(fc.constantFrom(targets.workflowId, 'wf_missing'), freeObject).map(
      ([id, input]): Array<[string, Doc]> => [
        ['workflowId', str(id)],
        ['input', input],
      ],
    ),
  }[route];
  return members
    .chain((entries) =>
      fc.oneof(
        { weight: 5, arbitrary: fc.constant(entries) },
        { weight: 1, arbitrary: fc.nat(entries.length - 1).map((drop) => entries.filter((_, i) => i !== drop)) },
      ),
    )
    .chain((entries) => maybeRepeatKey(entries, weirdValue))
    .map((entries): Doc => ({ t: 'obj', entries }));
}

export const contentTypes = fc.oneof(
  { weight: 12, arbitrary: fc.constant<string | undefined>('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom<string | undefined>(
      'application/json; charset=utf-8',
      'application/merge-patch+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=iso-8859-1',
      'multipart/form-data; boundary=x',
      undefined,
    ),
  },
);

export interface FuzzRequest {
  route: FuzzRoute;
  body: string;
  contentType: string | undefined;
}

/** One fuzzed request: mostly a route's shape with fuzzed members, sometimes arbitrary text or truncated JSON. */
export function fuzzRequest(targets: FuzzTargets, options: { rawStrings?: boolean } = {}): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...FUZZ_ROUTES).chain((route) =>
    fc.record({
      route: fc.constant(route),
      contentType: contentTypes,
      body: fc.oneof(
        { weight: 8, arbitrary: shaped(route, targets).map((d) => render(d, options.rawStrings)) },
        { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
        {
          weight: 1,
          arbitrary: fc.tuple(shaped(route, targets), fc.nat()).map(([d, n]) => {
            const t = render(d);
            return t.slice(0, n % (t.length + 1));
          }),
        },
      ),
    }),
  );
}

/**
 * The seed of the property runs: `FUZZ_SEED` to explore (any integer; a failure prints the seed to
 * replay), else a fixed one, so that CI runs the same cases every time and a red run can be replayed.
 */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261201;
