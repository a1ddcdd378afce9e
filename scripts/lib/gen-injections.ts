/**
 * A seeded generator of labelled texts for training and testing the injection detector.
 *
 * Benign: ordinary requests, requests with trigger words used in their ordinary sense, role-play, a user's own
 * formatting instructions, security questions, other languages, and documents (e-mails, code answers, tables, CRM
 * notes, articles, reviews, chats, minutes). Injected: direct overrides, extraction of the prompt or a secret,
 * forced words, persona jailbreaks, fake role markers, token floods, obfuscated attacks, and the same documents
 * with an instruction hidden at the start, in the middle, at the end or inside a line (output manipulation, an
 * unrelated task, data exfiltration or tool use, instructions addressed to the model, malicious code).
 *
 * Each clean document and its injected variants share a `group`, so that a split keeps them on one side.
 */
import {
  aCodeIntroducer,
  aDirectInjection,
  aFlood,
  aForcedOutput,
  aJailbreak,
  aMaliciousSnippet,
  aMarkerWrap,
  anAction,
  anAddressedInstruction,
  anExtraction,
  anObfuscation,
  anOutputManipulation,
  anOverride,
  aRequest,
  FOREIGN_OVERRIDES,
} from './injection-attacks.js';
import {
  aFormattedRequest,
  aForeignRequest,
  anElaborateRequest,
  aRecapRequest,
  aRolePlay,
  aSecurityQuestion,
  aTriggerRequest,
} from './injection-benign.js';
import { type Doc, aDocument, renderDoc } from './injection-documents.js';
import { Rng } from './injection-random.js';
import { aJsonRecord } from './injection-records.js';

/** One generated text. `family` is `benign/<kind>` or `direct/<kind>` or `indirect/<doc kind>/<kind>`. */
export interface GeneratedText {
  text: string;
  label: 0 | 1;
  family: string;
  group: string;
}

export interface GeneratorOptions {
  seed: number;
  /** Approximate number of texts (default 8000). */
  size?: number;
}

/** A direct attack of one kind. */
function aDirect(rng: Rng): { text: string; kind: string } {
  const r = rng.next();
  if (r < 0.2) return { text: aDirectInjection(rng), kind: 'override' };
  if (r < 0.38) return { text: anExtraction(rng), kind: 'extraction' };
  if (r < 0.52) return { text: aForcedOutput(rng), kind: 'forced-output' };
  if (r < 0.64) return { text: aJailbreak(rng), kind: 'persona' };
  if (r < 0.74)
    return { text: aMarkerWrap(rng, rng.chance(0.5) ? aForcedOutput(rng) : aDirectInjection(rng)), kind: 'marker' };
  if (r < 0.84) {
    const attack = rng.pick([aForcedOutput, aDirectInjection, anExtraction, aJailbreak])(rng);
    return { text: `${aFlood(rng)}\n\n${rng.chance(0.5) ? aMarkerWrap(rng, attack) : attack}`, kind: 'flood' };
  }
  if (r < 0.95) {
    const attack = rng.pick([aForcedOutput, aDirectInjection, anExtraction])(rng);
    return { text: anObfuscation(rng, attack), kind: 'obfuscated' };
  }
  if (r < 0.98) return { text: rng.pick(FOREIGN_OVERRIDES), kind: 'foreign' };
  // An attack behind a harmless-looking request.
  return {
    text: `${aRequest(rng)} ${rng.pick([aDirectInjection, anExtraction, aForcedOutput])(rng)}`,
    kind: 'suffixed',
  };
}

/** An instruction to hide in a document, suited to the document's kind. */
function anIndirectInstruction(rng: Rng, doc: Doc): { lines: string[]; kind: string } {
  if (doc.kind === 'code' && rng.chance(0.55)) {
    return { lines: [aCodeIntroducer(rng), `\`\`\`\n${aMaliciousSnippet(rng)}\n\`\`\``], kind: 'code' };
  }
  const r = rng.next();
  let instruction: string;
  let kind: string;
  if (r < 0.3) {
    instruction = anOutputManipulation(rng);
    kind = 'output';
  } else if (r < 0.55) {
    // An unrelated task: harmless in itself, an injection because the data gives orders.
    instruction = aRequest(rng);
    kind = 'task';
  } else if (r < 0.75) {
    instruction = anAction(rng);
    kind = 'action';
  } else if (r < 0.87) {
    instruction = `${anOverride(rng)} ${rng.pick([anAction, anOutputManipulation, aRequest, anExtraction])(rng)}`;
    kind = 'override';
  } else if (r < 0.95) {
    instruction = aForcedOutput(rng);
    kind = 'forced-output';
  } else {
    instruction = anObfuscation(rng, rng.pick([anAction, anOutputManipulation])(rng));
    kind = 'obfuscated';
  }
  if (rng.chance(0.3)) {
    instruction = anAddressedInstruction(rng, instruction);
    kind = `${kind}-addressed`;
  }
  if (rng.chance(0.15)) instruction = aMarkerWrap(rng, instruction);
  return { lines: [instruction], kind };
}

/** Inserts the instruction's lines at a position: before everything, start or end of the body, middle, inline. */
function inject(rng: Rng, doc: Doc, lines: string[]): { text: string; where: string } {
  const d: Doc = { ...doc, head: [...doc.head], body: [...doc.body], tail: [...doc.tail] };
  const r = rng.next();
  let where: string;
  if (r < 0.15) {
    where = 'before';
    d.head.unshift(...lines);
  } else if (r < 0.3) {
    where = 'start';
    d.body.unshift(...lines);
  } else if (r < 0.6) {
    where = 'middle';
    d.body.splice(rng.int(1, Math.max(1, d.body.length - 1)), 0, ...lines);
  } else if (r < 0.8) {
    where = 'end';
    d.body.push(...lines);
  } else if (r < 0.9 || lines.length > 1) {
    where = 'after';
    d.tail.push(...lines);
  } else {
    where = 'inline';
    const k = rng.int(0, d.body.length - 1);
    d.body[k] = doc.kind === 'table' ? d.body[k]!.replace(/\|\s*$/, `| ${lines[0]} |`) : `${d.body[k]} ${lines[0]}`;
  }
  return { text: renderDoc(d), where };
}

/** The generated texts of one seed, about half of them injected, in a seeded order. */
export function generateInjections(options: GeneratorOptions): GeneratedText[] {
  const rng = new Rng(options.seed);
  const size = options.size ?? 8000;
  const out: GeneratedText[] = [];
  let n = 0;
  const add = (text: string, label: 0 | 1, family: string, group = `syn${options.seed}-${n}`) => {
    out.push({ text, label, family, group });
    n++;
  };
  while (out.length < size) {
    const r = rng.next();
    // The requests that injected documents hide are, on their own, what users ask: as many stand alone as benign.
    if (r < 0.1) add(rng.chance(0.3) ? `${aRequest(rng)} ${aRequest(rng)}` : aRequest(rng), 0, 'benign/request');
    else if (r < 0.2) add(aTriggerRequest(rng), 0, 'benign/trigger');
    else if (r < 0.24) add(aRolePlay(rng), 0, 'benign/roleplay');
    else if (r < 0.28) add(anElaborateRequest(rng), 0, 'benign/elaborate');
    else if (r < 0.31) add(aFormattedRequest(rng), 0, 'benign/format');
    else if (r < 0.32) add(aSecurityQuestion(rng), 0, 'benign/security');
    else if (r < 0.33) add(aRecapRequest(rng), 0, 'benign/recap');
    else if (r < 0.345) add(aForeignRequest(rng), 0, 'benign/foreign');
    else if (r < 0.57) {
      const direct = aDirect(rng);
      add(direct.text, 1, `direct/${direct.kind}`);
    } else if (r < 0.65) {
      // A tool result or a synced record: JSON whose free-text field may carry the injection.
      const record = aJsonRecord(rng);
      const group = `syn${options.seed}-${n}`;
      add(record.render(), 0, `benign/json/${record.kind}`, group);
      if (rng.chance(0.6)) {
        const { lines, kind } = anIndirectInstruction(rng, {
          kind: 'note',
          head: [],
          body: [],
          tail: [],
          joiner: '\n',
        });
        add(record.render(lines.join(' ')), 1, `indirect/json/${kind}`, group);
      }
    } else {
      // A document, clean, and one or two injected variants of it in the same group.
      const doc = aDocument(rng);
      const group = `syn${options.seed}-${n}`;
      add(renderDoc(doc), 0, `benign/doc/${doc.kind}`, group);
      // Most documents an agent reads are clean: a third of them have no injected variant.
      const variants = rng.chance(0.33) ? 0 : rng.chance(0.25) ? 2 : 1;
      for (let v = 0; v < variants; v++) {
        const { lines, kind } = anIndirectInstruction(rng, doc);
        const { text, where } = inject(rng, doc, lines);
        add(text, 1, `indirect/${doc.kind}/${kind}/${where}`, group);
      }
    }
  }
  return out;
}
