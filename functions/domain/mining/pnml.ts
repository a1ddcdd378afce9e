/**
 * PNML (ISO/IEC 15909-2) for place/transition nets, as ProM and pm4py read and write it: `<pnml><net>` with places,
 * transitions and arcs (directly in the net or in `<page>`s, nested or not), names in `<name><text>`, an initial
 * marking per place, arc weights in `<inscription>`, and the final marking ProM adds in
 * `<finalmarkings><marking><place idref><text>n`. A transition is silent when ProM's tool-specific element says
 * `activity="$invisible$"` or when it has no name or an empty one.
 *
 * The XML is read with saxes (a strict, non-validating SAX parser), so a malformed file is refused with its line and
 * column instead of being half read.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { DomainError } from '../errors.js';
import type { Arc, Marking, PetriNet, Place, Transition } from './petri-net.js';

/**
 * A PNML document that cannot be read as a Petri net: malformed XML, no net, an arc to an unknown node or between
 * two places, a marking or weight that is not a whole number, a kind of arc this model has no place for (inhibitor,
 * reset). A validation failure (code VALIDATION_ERROR, status 400), like the log import's LogFormatError, naming the
 * element or field at fault.
 */
export class PnmlFormatError extends DomainError {
  override readonly name = 'PnmlFormatError';
  readonly code = 'VALIDATION_ERROR' as const;
  readonly status = 400;
  readonly field: string | undefined;

  constructor(message: string, field?: string, options?: { cause?: unknown }) {
    super(message, {
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
      details: [{ ...(field === undefined ? {} : { field }), message }],
    });
    this.field = field;
  }
}

/** ProM's marker of a silent transition (in `<toolspecific tool="ProM" activity="...">`). */
const INVISIBLE = '$invisible$';

/** The document as text: a string as it is, bytes decoded by the encoding their XML declaration names (default UTF-8). */
function asText(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  const head = new TextDecoder('latin1').decode(input.subarray(0, 200));
  const declared = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  try {
    return new TextDecoder(declared ?? 'utf-8', { fatal: true }).decode(input);
  } catch (error) {
    throw new PnmlFormatError(`the document is not valid ${declared ?? 'UTF-8'} text`, 'encoding', { cause: error });
  }
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

function wholeNumber(text: string, what: string, field: string, min: number): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isInteger(value) || value < min) {
    throw new PnmlFormatError(`${what} must be a whole number of at least ${min}, got "${trimmed}"`, field);
  }
  return value;
}

interface RawArc {
  id: string;
  source: string;
  target: string;
  weight: number;
  type: string;
}

/**
 * The first net of a PNML document. A place without `<initialMarking>` starts empty, as the standard says. A file
 * without ProM's `<finalmarkings>` (plain PNML has none) ends with one token in each place no arc leaves, the sink
 * of a workflow net, which is what a replay needs; a file that names its final marking is taken as it is.
 * Throws PnmlFormatError.
 */
export function readPnml(input: string | Uint8Array): PetriNet {
  const xml = asText(input);
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: string[] = [];
  const places: Place[] = [];
  const transitions: Transition[] = [];
  const arcs: RawArc[] = [];
  const initialMarking: Marking = {};
  const finalMarking: Marking = {};
  let netId: string | undefined;
  let netDepth = -1;
  let netsSeen = 0;
  let finalMarkingsSeen = 0;
  let place: Place | undefined;
  let transition: (Transition & { invisible: boolean; named: string }) | undefined;
  let arc: RawArc | undefined;
  let finalPlace: string | undefined;
  let text: string | undefined;

  const at = (): string => `line ${parser.line}, column ${parser.column}`;
  const required = (tag: SaxesTagPlain, attribute: string): string => {
    const value = tag.attributes[attribute];
    if (value === undefined || value === '') {
      throw new PnmlFormatError(`<${localName(tag.name)}> without ${attribute} (${at()})`, attribute);
    }
    return value;
  };
  /** Whether the open elements end with these names (innermost last). */
  const within = (...names: string[]): boolean =>
    stack.length >= names.length && names.every((n, i) => stack[stack.length - names.length + i] === n);

  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (stack.length === 0 && name !== 'pnml') {
      throw new PnmlFormatError(`the document is <${name}>, not <pnml>`, 'pnml');
    }
    stack.push(name);
    if (name === 'net') {
      netsSeen++;
      if (netsSeen === 1) {
        netId = tag.attributes.id;
        netDepth = stack.length;
      }
      return;
    }
    // only the first net is read; a second one in the same file is another model
    if (netsSeen !== 1 || netDepth < 0) return;
    if (name === 'text') text = '';
    else if (name === 'place' && within('finalmarkings', 'marking', 'place')) {
      finalPlace = finalMarkingsSeen === 1 ? required(tag, 'idref') : undefined;
    } else if (name === 'place') place = { id: required(tag, 'id') };
    else if (name === 'transition') {
      transition = { id: required(tag, 'id'), label: null, invisible: false, named: '' };
    } else if (name === 'arc') {
      arc = {
        id: tag.attributes.id ?? `arc${arcs.length + 1}`,
        source: required(tag, 'source'),
        target: required(tag, 'target'),
        weight: 1,
        type: tag.attributes.type ?? 'normal',
      };
    } else if (name === 'toolspecific' && transition && within('transition', 'toolspecific')) {
      if (tag.attributes.activity === INVISIBLE) transition.invisible = true;
    } else if (name === 'marking' && within('finalmarkings', 'marking')) finalMarkingsSeen++;
  });

  const onText = (chunk: string): void => {
    if (text !== undefined) text += chunk;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  parser.on('closetag', (tag) => {
    const name = localName(tag.name);
    if (name === 'text' && text !== undefined) {
      if (place && within('place', 'name', 'text')) place.name = text.trim();
      else if (place && within('place', 'initialMarking', 'text')) {
        const tokens = wholeNumber(text, `initial marking of place ${place.id}`, 'initialMarking', 0);
        if (tokens > 0) initialMarking[place.id] = tokens;
      } else if (transition && within('transition', 'name', 'text')) transition.named = text.trim();
      else if (arc && within('arc', 'inscription', 'text')) {
        arc.weight = wholeNumber(text, `weight of arc ${arc.id}`, 'inscription', 1);
      } else if (arc && within('arc', 'arctype', 'text')) arc.type = text.trim();
      else if (finalPlace !== undefined && within('finalmarkings', 'marking', 'place', 'text')) {
        const tokens = wholeNumber(text, `final marking of place ${finalPlace}`, 'finalmarkings', 0);
        if (tokens > 0) finalMarking[finalPlace] = tokens;
      }
      text = undefined;
    } else if (name === 'place' && place && !within('finalmarkings', 'marking', 'place')) {
      places.push(place);
      place = undefined;
    } else if (name === 'transition' && transition) {
      const { id, invisible, named } = transition;
      transitions.push({ id, label: invisible || named === '' ? null : named });
      transition = undefined;
    } else if (name === 'arc' && arc) {
      arcs.push(arc);
      arc = undefined;
    } else if (name === 'net' && stack.length === netDepth) netDepth = -1;
    stack.pop();
  });

  try {
    parser.write(xml).close();
  } catch (error) {
    if (error instanceof PnmlFormatError) throw error;
    // saxes words its errors "line:column: reason"
    const message = (error as Error).message.replace(/^(\d+):(\d+): /, 'line $1, column $2: ');
    throw new PnmlFormatError(`malformed XML at ${message}`, 'xml', { cause: error });
  }
  if (netsSeen === 0) throw new PnmlFormatError('the document has no <net>', 'net');
  return assemble(netId, places, transitions, arcs, {
    initial: initialMarking,
    final: finalMarkingsSeen > 0 ? finalMarking : undefined,
  });
}

function assemble(
  id: string | undefined,
  places: Place[],
  transitions: Transition[],
  rawArcs: RawArc[],
  markings: { initial: Marking; final: Marking | undefined },
): PetriNet {
  const placeIds = new Set<string>();
  const transitionIds = new Set<string>();
  for (const node of [...places, ...transitions]) {
    if (placeIds.has(node.id) || transitionIds.has(node.id)) {
      throw new PnmlFormatError(`two nodes have the id ${node.id}`, 'id');
    }
    ('label' in node ? transitionIds : placeIds).add(node.id);
  }
  const arcs: Arc[] = rawArcs.map((a) => {
    if (a.type !== 'normal') throw new PnmlFormatError(`arc ${a.id} is a ${a.type} arc; only normal arcs`, 'arctype');
    const known = (n: string) => placeIds.has(n) || transitionIds.has(n);
    if (!known(a.source) || !known(a.target)) {
      throw new PnmlFormatError(`arc ${a.id} joins an unknown node (${known(a.source) ? a.target : a.source})`, 'arc');
    }
    if (placeIds.has(a.source) === placeIds.has(a.target)) {
      throw new PnmlFormatError(`arc ${a.id} joins two ${placeIds.has(a.source) ? 'places' : 'transitions'}`, 'arc');
    }
    return a.weight === 1
      ? { source: a.source, target: a.target }
      : { source: a.source, target: a.target, weight: a.weight };
  });
  for (const p of Object.keys(markings.final ?? {})) {
    if (!placeIds.has(p)) throw new PnmlFormatError(`the final marking names an unknown place ${p}`, 'finalmarkings');
  }
  const left = new Set(arcs.map((a) => a.source));
  return {
    ...(id === undefined ? {} : { id }),
    places,
    transitions,
    arcs,
    initialMarking: markings.initial,
    finalMarking: markings.final ?? Object.fromEntries(places.filter((p) => !left.has(p.id)).map((p) => [p.id, 1])),
  };
}

/** XML 1.0 has no way to write most control characters; they become U+FFFD rather than an unreadable file. */
function escapeXml(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

const textElement = (tag: string, value: string | number): string =>
  `<${tag}><text>${escapeXml(String(value))}</text></${tag}>`;

/**
 * The net as PNML that ProM and pm4py read: one page, names, initial marking, arc weights other than 1 as
 * inscriptions, silent transitions named "tau" and marked `$invisible$` for ProM, and the final marking in
 * `<finalmarkings>`. `readPnml(writePnml(net))` gives the same net.
 */
export function writePnml(net: PetriNet): string {
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<pnml>',
    `  <net id="${escapeXml(net.id ?? 'net1')}" type="http://www.pnml.org/version-2009/grammar/pnmlcoremodel">`,
    `    ${textElement('name', net.id ?? 'Petri net')}`,
    '    <page id="page1">',
  ];
  for (const p of net.places) {
    const tokens = net.initialMarking[p.id] ?? 0;
    lines.push(
      `      <place id="${escapeXml(p.id)}">${p.name === undefined ? '' : textElement('name', p.name)}${
        tokens > 0 ? textElement('initialMarking', tokens) : ''
      }</place>`,
    );
  }
  for (const t of net.transitions) {
    const body =
      t.label === null
        ? `${textElement('name', 'tau')}<toolspecific tool="ProM" version="6.4" activity="${INVISIBLE}"/>`
        : textElement('name', t.label);
    lines.push(`      <transition id="${escapeXml(t.id)}">${body}</transition>`);
  }
  net.arcs.forEach((a, i) => {
    const weight = a.weight ?? 1;
    lines.push(
      `      <arc id="arc${i + 1}" source="${escapeXml(a.source)}" target="${escapeXml(a.target)}">${
        weight === 1 ? '' : textElement('inscription', weight)
      }</arc>`,
    );
  });
  lines.push('    </page>', '    <finalmarkings>', '      <marking>');
  for (const [p, tokens] of Object.entries(net.finalMarking)) {
    if (tokens > 0) lines.push(`        <place idref="${escapeXml(p)}"><text>${tokens}</text></place>`);
  }
  lines.push('      </marking>', '    </finalmarkings>', '  </net>', '</pnml>', '');
  return lines.join('\n');
}
