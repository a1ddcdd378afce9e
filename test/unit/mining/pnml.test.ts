import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discoverPetriNet } from '../../../functions/domain/mining/inductive.js';
import type { PetriNet } from '../../../functions/domain/mining/petri-net.js';
import { PnmlFormatError, readPnml, writePnml } from '../../../functions/domain/mining/pnml.js';
import { arbitraryTraces, logOf } from './support/random-logs.js';
import { acceptsTrace, soundnessProblems, workflowNetProblems } from './support/workflow-net.js';

const DATA = '../shared/datasets/process-mining';
const file = (path: string) => readFileSync(`${DATA}/${path}`);

const refusal = (input: string | Uint8Array): PnmlFormatError => {
  try {
    readPnml(input);
  } catch (error) {
    return error as PnmlFormatError;
  }
  throw new Error('expected a refusal');
};

const wrap = (body: string, extra = '') => `<?xml version="1.0"?><pnml><net id="n">${body}</net>${extra}</pnml>`;

describe('reading PNML written by ProM and pm4py', () => {
  it('reads the running example net with its silent transitions and markings', () => {
    const net = readPnml(file('running-example/running-example.pnml'));
    expect(net.places).toHaveLength(9);
    expect(net.transitions).toHaveLength(10);
    expect(net.arcs).toHaveLength(22);
    expect(net.transitions.filter((t) => t.label === null).map((t) => t.id)).toEqual(['n11', 'n17']);
    expect(
      net.transitions
        .map((t) => t.label)
        .filter((l) => l !== null)
        .sort(),
    ).toEqual([
      'check ticket',
      'decide',
      'examine casually',
      'examine thoroughly',
      'pay compensation',
      'register request',
      'reinitiate request',
      'reject request',
    ]);
    expect(net.initialMarking).toEqual({ n1: 1 });
    expect(net.finalMarking).toEqual({ n2: 1 });
    expect(net.places.find((p) => p.id === 'n1')?.name).toBe('source 45');
    expect(workflowNetProblems(net)).toEqual([]);
    expect(soundnessProblems(net)).toEqual([]);
    // the book's trace 1 and a trace with the loop
    expect(
      acceptsTrace(net, ['register request', 'examine thoroughly', 'check ticket', 'decide', 'reject request']),
    ).toBe(true);
    expect(acceptsTrace(net, ['register request', 'decide', 'reject request'])).toBe(false);
  });

  it.each([
    ['synthetic-a12-a22/a12/a12.pnml', 14, 14, 30, 2],
    ['synthetic-a12-a22/a22/a22.pnml', 28, 30, 66, 8],
  ])('reads %s as a sound workflow net', (path, places, transitions, arcs, silent) => {
    const net = readPnml(file(path));
    expect([net.places.length, net.transitions.length, net.arcs.length]).toEqual([places, transitions, arcs]);
    expect(net.transitions.filter((t) => t.label === null)).toHaveLength(silent);
    expect(workflowNetProblems(net)).toEqual([]);
    expect(soundnessProblems(net)).toEqual([]);
  });

  it('reads the file as a string as well as bytes', () => {
    const bytes = file('synthetic-a12-a22/a12/a12.pnml');
    expect(readPnml(bytes.toString('latin1'))).toEqual(readPnml(bytes));
  });

  it('decodes bytes by the encoding their declaration names', () => {
    const xml = wrap('<transition id="t"><name><text>caf\u00e9</text></name></transition>');
    const latin1 = Buffer.from(
      xml.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>'),
      'latin1',
    );
    expect(readPnml(latin1).transitions[0]?.label).toBe('caf\u00e9');
    expect(readPnml(Buffer.from(xml, 'utf8')).transitions[0]?.label).toBe('caf\u00e9');
  });

  it('reads nodes in nested pages and prefixed elements, and treats a nameless transition as silent', () => {
    const net = readPnml(
      `<pnml:pnml xmlns:pnml="http://www.pnml.org/version-2009/grammar/pnml"><pnml:net id="x"><pnml:page id="a">
        <pnml:page id="b"><pnml:place id="p"><pnml:initialMarking><pnml:text>2</pnml:text></pnml:initialMarking></pnml:place></pnml:page>
        <pnml:transition id="t"/><pnml:transition id="u"><pnml:name><pnml:text> </pnml:text></pnml:name></pnml:transition>
        <pnml:place id="q"/>
        <pnml:arc id="a1" source="p" target="t"><pnml:inscription><pnml:text>2</pnml:text></pnml:inscription></pnml:arc>
        <pnml:arc id="a2" source="t" target="q"/><pnml:arc id="a3" source="q" target="u"/><pnml:arc id="a4" source="u" target="q"/>
      </pnml:page></pnml:net></pnml:pnml>`,
    );
    expect(net.id).toBe('x');
    expect(net.transitions).toEqual([
      { id: 't', label: null },
      { id: 'u', label: null },
    ]);
    expect(net.arcs[0]).toEqual({ source: 'p', target: 't', weight: 2 });
    expect(net.initialMarking).toEqual({ p: 2 });
  });

  it('ends a net without final markings in its places that no arc leaves', () => {
    const net = readPnml(
      wrap(
        '<place id="i"><initialMarking><text>1</text></initialMarking></place><place id="o"/>' +
          '<transition id="t"><name><text>a</text></name></transition><arc id="1" source="i" target="t"/><arc id="2" source="t" target="o"/>',
      ),
    );
    expect(net.finalMarking).toEqual({ o: 1 });
  });

  it('reads only the first net of a file with two', () => {
    const net = readPnml(
      `<pnml><net id="one"><place id="p1"/></net><net id="two"><place id="p2"/><transition id="t2"/></net></pnml>`,
    );
    expect(net.id).toBe('one');
    expect(net.places.map((p) => p.id)).toEqual(['p1']);
    expect(net.transitions).toEqual([]);
  });
});

describe('refusing PNML that is not a readable net', () => {
  it.each([
    ['malformed XML', '<pnml><net id="n"><place id="p"></net></pnml>', 'xml'],
    ['another document', '<ptml><processTree/></ptml>', 'pnml'],
    ['no net', '<pnml></pnml>', 'net'],
    ['a place without id', wrap('<place/>'), 'id'],
    ['an arc to an unknown node', wrap('<place id="p"/><arc id="a" source="p" target="t"/>'), 'arc'],
    ['an arc between places', wrap('<place id="p"/><place id="q"/><arc id="a" source="p" target="q"/>'), 'arc'],
    ['duplicate ids', wrap('<place id="p"/><transition id="p"/>'), 'id'],
    [
      'a weight that is not a whole number',
      wrap(
        '<place id="p"/><transition id="t"/><arc id="a" source="p" target="t"><inscription><text>1.5</text></inscription></arc>',
      ),
      'inscription',
    ],
    [
      'a negative marking',
      wrap('<place id="p"><initialMarking><text>-1</text></initialMarking></place>'),
      'initialMarking',
    ],
    [
      'an inhibitor arc',
      wrap(
        '<place id="p"/><transition id="t"/><arc id="a" source="p" target="t"><arctype><text>inhibitor</text></arctype></arc>',
      ),
      'arctype',
    ],
    [
      'a final marking of an unknown place',
      wrap('<place id="p"/><finalmarkings><marking><place idref="z"><text>1</text></place></marking></finalmarkings>'),
      'finalmarkings',
    ],
  ])('refuses %s, naming the field', (_what, xml, field) => {
    const error = refusal(xml);
    expect(error).toBeInstanceOf(PnmlFormatError);
    expect(error.name).toBe('PnmlFormatError');
    expect(error.status).toBe(400);
    expect(error.field).toBe(field);
  });

  it('says where malformed XML breaks', () => {
    expect(refusal('<pnml>\n<net id="n">\n<place id="p">\n</net></pnml>').message).toBe(
      'malformed XML at line 4, column 6: unexpected close tag.',
    );
  });

  it('refuses bytes that are not text in their encoding', () => {
    expect(refusal(Uint8Array.from([0x3c, 0x70, 0xff, 0xfe, 0x3e])).field).toBe('encoding');
  });
});

const arbitraryNet: fc.Arbitrary<PetriNet> = fc
  .record({
    places: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
    transitions: fc.array(fc.option(fc.string({ maxLength: 8 }).filter((s) => s.trim() === s && s !== '')), {
      maxLength: 6,
    }),
    names: fc.array(fc.option(fc.string({ maxLength: 5 }).map((s) => s.trim())), { maxLength: 6 }),
    arcs: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean(), fc.integer({ min: 1, max: 3 })), { maxLength: 12 }),
    tokens: fc.array(fc.nat({ max: 3 }), { maxLength: 6 }),
  })
  .map(({ places, transitions, names, arcs, tokens }) => {
    const placeIds = places.map((p) => `p:${p}`);
    const ts = transitions.map((label, i) => ({ id: `t${i}&<"'>`, label }));
    const marking = (offset: number) =>
      Object.fromEntries(
        placeIds
          .map((p, i) => [p, tokens[(i + offset) % Math.max(tokens.length, 1)] ?? 0])
          .filter(([, n]) => (n as number) > 0),
      );
    return {
      id: 'net',
      places: placeIds.map((id, i) => (names[i] ? { id, name: names[i]! } : { id })),
      transitions: ts,
      arcs:
        ts.length === 0
          ? []
          : arcs.map(([p, t, out, w]) => {
              const place = placeIds[p % placeIds.length]!;
              const transition = ts[t % ts.length]!.id;
              const ends = out ? { source: transition, target: place } : { source: place, target: transition };
              return w === 1 ? ends : { ...ends, weight: w };
            }),
      initialMarking: marking(0),
      finalMarking: marking(1),
    };
  });

describe('writing PNML', () => {
  it('writes what it reads back unchanged (random nets, names with markup characters)', () => {
    fc.assert(
      fc.property(arbitraryNet, (net) => {
        expect(readPnml(writePnml(net))).toEqual(net);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('round-trips the nets of ProM and of the miner', () => {
    for (const path of ['running-example/running-example.pnml', 'synthetic-a12-a22/a22/a22.pnml']) {
      const net = readPnml(file(path));
      expect(readPnml(writePnml(net))).toEqual(net);
    }
    const [traces] = fc.sample(arbitraryTraces(), { seed: 3, numRuns: 1 });
    const mined = discoverPetriNet(logOf(traces!));
    expect(readPnml(writePnml(mined))).toEqual(mined);
  });

  it('marks silent transitions as ProM does', () => {
    const xml = writePnml({
      places: [{ id: 'p' }],
      transitions: [{ id: 't', label: null }],
      arcs: [],
      initialMarking: {},
      finalMarking: {},
    });
    expect(xml).toContain('<toolspecific tool="ProM" version="6.4" activity="$invisible$"/>');
  });

  it('replaces characters XML cannot hold instead of writing an unreadable file', () => {
    const net: PetriNet = {
      places: [],
      transitions: [{ id: 't', label: 'a\u0001b' }],
      arcs: [],
      initialMarking: {},
      finalMarking: {},
    };
    expect(readPnml(writePnml(net)).transitions[0]?.label).toBe('a\uFFFDb');
  });
});
