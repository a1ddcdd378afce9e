/**
 * JSON records of the synthetic injection generator: what an agent's tools return (entities of the graph, cases,
 * search results, tickets, API responses) and what connectors sync from a CRM. Their keys are full of words an
 * attack uses ("role", "system", "prompt", "admin", "password_reset"); the injection, when there is one, sits in a
 * free-text field (notes, description, a comment, a snippet), as it does in a poisoned record.
 */
import { Rng, list } from './injection-random.js';
import { CITIES, COMPANIES, FIRST_NAMES, LAST_NAMES, PRODUCTS, TOPICS } from './injection-vocabulary.js';

const NOTES = list(`
  Called on Monday; they want the renewal quote before the board meeting. |
  Prefers email over phone. Decision expected next quarter. |
  Asked for a discount on {product}; escalated to the sales manager. |
  Met at the trade fair in {city}. Interested in the analytics add-on. |
  Reported two outages last month, both resolved within the SLA. |
  Champion left the company; the new contact is in procurement. |
  Do not contact before 10am local time. | Invoice disputed, waiting for the corrected PO. |
  Ignore the duplicate record created by the import in March. | Migrated from the legacy system on {date}. |
  Renewal signed for three years with a 5% uplift. | Uses {product} across four teams; wants SSO.
`);
const SNIPPETS = list(`
  A practical guide to {topic}, with examples and a checklist. | The history of {topic} in ten minutes. |
  Frequently asked questions about {topic}. | How {company} cut costs with {product}. |
  Release notes: bug fixes and performance improvements. | Reset your password in three steps.
`);
const COMMENTS = list(`
  Thanks, that fixed it. | Could you attach the logs from yesterday? | Closing this as duplicate of the other ticket. |
  The customer confirmed the refund arrived. | Reopening: the issue came back after the update. |
  Please ignore my previous comment, I was looking at the wrong account.
`);

/** A record, and a way to render it with an instruction hidden in one of its free-text fields. */
export interface JsonRecord {
  kind: string;
  render: (instruction?: string) => string;
}

const person = (rng: Rng) => `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
const id = (rng: Rng, prefix: string) => `${prefix}_${rng.int(100000, 999999).toString(36)}${rng.int(10, 99)}`;
const day = (rng: Rng) => `20${rng.int(20, 25)}-0${rng.int(1, 9)}-${String(rng.int(10, 28))}T${rng.int(10, 23)}:00:00Z`;

/** Puts the instruction into the text: after it, before it, or in its place. */
function hide(rng: Rng, text: string, instruction: string): string {
  const r = rng.next();
  if (r < 0.5) return `${text} ${instruction}`;
  if (r < 0.75) return `${instruction} ${text}`;
  return instruction;
}

/** A JSON record of one of the kinds an agent reads. */
export function aJsonRecord(outer: Rng): JsonRecord {
  const indent = outer.chance(0.5) ? 2 : 0;
  const kind = outer.pick(['entities', 'cases', 'search', 'ticket', 'account', 'email', 'config']);
  // One seed per record, so that the clean and the injected renderings share every value before the injection.
  const seed = outer.int(1, 2 ** 30);
  const build = (rng: Rng, instruction?: string): unknown => {
    const slots = {
      product: PRODUCTS,
      city: CITIES,
      topic: TOPICS,
      company: COMPANIES,
      date: () => day(rng).slice(0, 10),
    };
    const note = () => rng.fill(rng.pick(NOTES), slots);
    switch (kind) {
      case 'entities': {
        const n = rng.int(1, 4);
        const target = rng.int(0, n - 1);
        return {
          entities: Array.from({ length: n }, (_, i) => ({
            id: id(rng, 'ent'),
            type: rng.pick(['person', 'company', 'deal']),
            version: rng.int(1, 9),
            attributes: {
              name: person(rng),
              email: `${rng.pick(FIRST_NAMES).toLowerCase()}@${rng.pick(['acme', 'northwind', 'globex'])}.example`,
              company: rng.pick(COMPANIES),
              stage: rng.pick(['lead', 'qualified', 'proposal', 'won', 'lost']),
              owner: person(rng),
              notes: instruction !== undefined && i === target ? hide(rng, note(), instruction) : note(),
            },
            updatedAt: day(rng),
          })),
          next: rng.chance(0.5) ? null : id(rng, 'cur'),
        };
      }
      case 'cases':
        return {
          cases: Array.from({ length: rng.int(1, 3) }, (_, i) => ({
            id: id(rng, 'case'),
            title: rng.pick(['Fine not sent', 'Renewal at risk', 'Duplicate customer', 'Payment overdue']),
            status: rng.pick(['open', 'closed', 'snoozed']),
            openedAt: day(rng),
            description: instruction !== undefined && i === 0 ? hide(rng, note(), instruction) : note(),
          })),
        };
      case 'search':
        return {
          query: rng.pick(TOPICS),
          results: Array.from({ length: rng.int(2, 5) }, (_, i) => ({
            title: rng.pick(['Guide', 'Overview', 'FAQ', 'Case study', 'Release notes']),
            url: `https://docs.${rng.pick(['acme', 'northwind'])}.example/${rng.int(1, 999)}`,
            snippet:
              instruction !== undefined && i === 1
                ? hide(rng, rng.fill(rng.pick(SNIPPETS), slots), instruction)
                : rng.fill(rng.pick(SNIPPETS), slots),
          })),
        };
      case 'ticket':
        return {
          ticket: {
            id: rng.int(1000, 99999),
            subject: rng.pick(['Cannot log in', 'Refund request', 'Export fails', 'Slow dashboard']),
            priority: rng.pick(['low', 'normal', 'high']),
            comments: Array.from({ length: rng.int(1, 4) }, (_, i) => ({
              author: person(rng),
              body:
                instruction !== undefined && i === 0 ? hide(rng, rng.pick(COMMENTS), instruction) : rng.pick(COMMENTS),
            })),
          },
        };
      case 'account':
        return {
          status: 'ok',
          data: {
            user: {
              id: id(rng, 'usr'),
              role: rng.pick(['admin', 'viewer', 'editor', 'system']),
              status: 'active',
              permissions: rng.sample(['read', 'write', 'approve', 'admin'], rng.int(1, 3)),
              password_reset_required: rng.chance(0.2),
              bio: instruction !== undefined ? hide(rng, note(), instruction) : note(),
            },
            system: rng.pick(['crm', 'billing', 'support']),
            prompt: rng.pick(['none', 'default', 'onboarding']),
          },
        };
      case 'config':
        // Settings whose values are the words of attacks, as configuration files and API payloads are.
        return {
          mode: rng.pick(['default', 'developer', 'strict', 'safe']),
          role: rng.pick(['system', 'user', 'assistant', 'admin']),
          prompt: rng.pick(['none', 'default', 'custom']),
          override: rng.chance(0.5),
          admin: rng.chance(0.5),
          instructions: instruction !== undefined ? instruction : rng.pick(['', 'see README', 'use defaults']),
          rules: rng.sample(['no-unused-vars', 'eqeqeq', 'curly', 'semi'], rng.int(1, 3)),
        };
      default:
        return {
          from: `${person(rng)} <${rng.pick(FIRST_NAMES).toLowerCase()}@mail.example>`,
          subject: rng.pick(['Quick question', 'Invoice', 'Meeting notes', 'Follow-up']),
          receivedAt: day(rng),
          body: instruction !== undefined ? hide(rng, note(), instruction) : note(),
        };
    }
  };
  return { kind, render: (instruction) => JSON.stringify(build(new Rng(seed), instruction), null, indent) };
}
