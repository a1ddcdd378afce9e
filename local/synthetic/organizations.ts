/**
 * Synthetic organisations with the traps that break company matching: different organisations that share
 * identifiers (sites of one institution on the head-office phone, subsidiaries on one domain or address, one
 * generic mailbox, one campus address) and true duplicates written differently (legal forms, abbreviations,
 * typos, another contact mailbox, missing fields, each source's formats).
 */
import { BrandNames } from './brands.js';
import {
  type CommonOptions,
  type EntityGenerator,
  type SyntheticDataset,
  type SyntheticRecord,
  TrapLog,
  assemble,
  mergeRates,
  planGroups,
  validateCommonOptions,
} from './dataset.js';
import { type SourceFormat, applyCase, formatPhone, formatWebsite, typo } from './formats.js';
import {
  CAMPUS_STREETS,
  FREE_MAIL,
  INSTITUTIONS,
  LEGAL_FORMS,
  MAILBOXES,
  SECTORS,
  SHARED_SERVICE_WORDS,
  SITE_LABELS,
  SUBSIDIARY_SUFFIXES,
} from './pools.js';
import { Rng } from './random.js';
import { type Address, World, mailPart, streetLine } from './world.js';

export const ORGANIZATION_COLUMNS = ['name', 'street', 'city', 'postcode', 'phone', 'email', 'website'] as const;

/** Traps that build groups of different organisations sharing identifiers; rate = share of organisations in them. */
export const ORGANIZATION_GROUP_TRAPS = ['multiSite', 'subsidiary', 'genericMailbox', 'campus'] as const;
/** Traps on a later record of an organisation; `missing` on any record. */
export const ORGANIZATION_RECORD_TRAPS = ['legalForm', 'abbreviation', 'typo', 'contactChange', 'missing'] as const;

export type OrganizationTrap = (typeof ORGANIZATION_GROUP_TRAPS)[number] | (typeof ORGANIZATION_RECORD_TRAPS)[number];
export type OrganizationTrapRates = Record<OrganizationTrap, number>;

export const DEFAULT_ORGANIZATION_TRAP_RATES: Readonly<OrganizationTrapRates> = {
  multiSite: 0.06,
  subsidiary: 0.05,
  genericMailbox: 0.03,
  campus: 0.04,
  legalForm: 0.3,
  abbreviation: 0.3,
  typo: 0.25,
  contactChange: 0.15,
  missing: 0.08,
};

export interface OrganizationOptions extends CommonOptions {
  traps?: Partial<OrganizationTrapRates>;
}

/**
 * A word of a name with its equivalent spellings, the registered one first: a legal form ("Inc" / "Incorporated"),
 * a sector ("Laboratories" / "Labs"), a connector ("&" / "and"), the site dash, or a plain word.
 */
interface NamePart {
  kind: 'word' | 'sector' | 'and' | 'legal' | 'dash';
  forms: readonly string[];
}

interface Organization {
  id: string;
  name: NamePart[];
  address: Address;
  phone: string;
  email: string;
  domain: string | null;
}

const word = (w: string): NamePart => ({ kind: 'word', forms: [w] });

function nameText(parts: readonly NamePart[], dash = '–'): string {
  return parts.map((p) => (p.kind === 'dash' ? dash : p.forms[0]!)).join(' ');
}

const OPTIONAL = ['street', 'postcode', 'phone', 'email', 'website'] as const;

class OrganizationGenerator implements EntityGenerator<Organization> {
  readonly columns = ORGANIZATION_COLUMNS;
  private readonly world: World;
  private readonly brands: BrandNames;
  private readonly domains = new Set<string>();
  private next = 0;

  constructor(
    private readonly rng: Rng,
    private readonly log: TrapLog,
    private readonly rates: OrganizationTrapRates,
  ) {
    this.world = new World(rng.fork());
    this.brands = new BrandNames(rng.fork());
  }

  private id(): string {
    return `o${String(++this.next).padStart(7, '0')}`;
  }

  private sector(): NamePart {
    const s = this.rng.pick(SECTORS);
    if (!s.short) return { kind: 'sector', forms: [s.long] };
    // Most registers write the long form; some the abbreviation.
    return { kind: 'sector', forms: this.rng.chance(0.8) ? [s.long, s.short] : [s.short, s.long] };
  }

  private and(): NamePart {
    return { kind: 'and', forms: this.rng.chance(0.7) ? ['&', 'and'] : ['and', '&'] };
  }

  private legal(share = 0.75): NamePart[] {
    if (!this.rng.chance(share)) return [];
    const group = this.rng.pick(LEGAL_FORMS);
    const own = this.rng.pick(group);
    return [{ kind: 'legal', forms: [own, ...group.filter((f) => f !== own)] }];
  }

  /** A brand's own domain; a taken one gets another TLD or the city appended. */
  private domain(brand: string, city: string): string {
    const base = mailPart(brand);
    for (const candidate of [
      `${base}.com`,
      `${base}.net`,
      `${base}.co`,
      `${base}.io`,
      `${base}-${mailPart(city)}.com`,
    ]) {
      if (!this.domains.has(candidate)) {
        this.domains.add(candidate);
        return candidate;
      }
    }
    for (let i = 2; ; i++) {
      const candidate = `${base}${i}.com`;
      if (!this.domains.has(candidate)) {
        this.domains.add(candidate);
        return candidate;
      }
    }
  }

  private mailbox(domain: string | null, brand: string): string {
    if (domain) return this.world.email(this.rng.pick(MAILBOXES), domain);
    return this.world.email(mailPart(brand), this.rng.pick(FREE_MAIL));
  }

  private org(name: NamePart[], brand: string, o: Partial<Organization> = {}): Organization {
    const address = o.address ?? this.world.address();
    const domain =
      o.domain !== undefined ? o.domain : this.rng.chance(0.8) ? this.domain(brand, address.city.name) : null;
    return {
      id: this.id(),
      name,
      address,
      phone: o.phone ?? this.world.phone(address.city.areaCode),
      email: o.email ?? this.mailbox(domain, brand),
      domain,
    };
  }

  private plainName(): { parts: NamePart[]; brand: string } {
    const b = this.brands.next();
    if (b.partners) {
      const parts = [word(b.partners[0]), this.and(), word(b.partners[1])];
      if (this.rng.chance(0.5)) parts.push(this.sector());
      return { parts: [...parts, ...this.legal()], brand: b.brand };
    }
    const parts = [word(b.brand), this.sector()];
    if (this.rng.chance(0.15)) {
      let second = this.sector();
      while (second.forms[0] === parts[1]!.forms[0] || second.forms[1] === parts[1]!.forms[0]) second = this.sector();
      parts.push(this.and(), second);
    }
    return { parts: [...parts, ...this.legal()], brand: b.brand };
  }

  plain(): Organization {
    const { parts, brand } = this.plainName();
    return this.org(parts, brand);
  }

  planGroups(entities: number): Organization[] {
    const r = this.rates;
    return planGroups(
      entities,
      [
        { rate: r.multiSite, minSize: 2, maxSize: 5, build: (n) => this.sites(n) },
        { rate: r.subsidiary, minSize: 2, maxSize: 4, build: (n) => this.subsidiaries(n) },
        { rate: r.genericMailbox, minSize: 2, maxSize: 4, build: (n) => this.sharedMailbox(n) },
        { rate: r.campus, minSize: 3, maxSize: 6, build: (n) => this.campus(n) },
      ],
      this.rng,
    );
  }

  /** Sites of one institution: "X Medical Centre – Site A" / "– North"; head-office phone and website shared. */
  private sites(size: number): Organization[] {
    const { brand } = this.brands.next();
    const institution = this.rng.pick(INSTITUTIONS).split(' ');
    const city = this.world.city();
    const domain = this.domain(brand, city.name);
    const phone = this.world.phone(city.areaCode);
    const labels = this.rng.shuffle([...SITE_LABELS]).slice(0, size);
    const used = new Set<string>();
    const members = labels.map((label) => {
      let address = this.world.address(this.rng.chance(0.7) ? city : this.world.city());
      for (let i = 0; i < 10 && used.has(`${address.street.word}${address.street.type[0]}`); i++)
        address = this.world.address(address.city);
      used.add(`${address.street.word}${address.street.type[0]}`);
      const name: NamePart[] = [
        word(brand),
        ...institution.map(word),
        { kind: 'dash', forms: ['–'] },
        ...label.split(' ').map(word),
      ];
      return this.org(name, brand, { address, phone, domain, email: this.world.email(mailPart(label), domain) });
    });
    this.log.group(
      'multiSite',
      members.map((m) => m.id),
      { phone, domain },
    );
    return members;
  }

  /** Subsidiaries: "Acme Holdings Europe", "Acme Group", "Acme Logistics" on one domain and/or one address. */
  private subsidiaries(size: number): Organization[] {
    const { brand } = this.brands.next();
    const address = this.world.address();
    let shareDomain = this.rng.chance(0.7);
    const shareAddress = this.rng.chance(0.6);
    if (!shareDomain && !shareAddress) shareDomain = true;
    const domain = shareDomain ? this.domain(brand, address.city.name) : null;
    const suffixes = this.rng.shuffle([...SUBSIDIARY_SUFFIXES]).slice(0, size);
    const members = suffixes.map((suffix) => {
      const name = [word(brand), ...suffix.split(' ').map(word), ...this.legal(0.6)];
      const own: Partial<Organization> = shareAddress ? { address } : {};
      if (domain) {
        own.domain = domain;
        own.email = this.world.email(this.rng.pick(MAILBOXES), domain);
      }
      return this.org(name, `${brand}${suffix}`, own);
    });
    this.log.group(
      'subsidiary',
      members.map((m) => m.id),
      {
        brand,
        shared: [shareDomain ? 'domain' : '', shareAddress ? 'address' : ''].filter(Boolean).join('+'),
      },
    );
    return members;
  }

  /** Unrelated organisations that give one outsourced mailbox (a bookkeeper's or an office service's info@). */
  private sharedMailbox(size: number): Organization[] {
    const service = `${mailPart(this.brands.next().brand)}${this.rng.pick(SHARED_SERVICE_WORDS).toLowerCase()}.com`;
    const email = this.world.email('info', service);
    const members = Array.from({ length: size }, () => {
      const { parts, brand } = this.plainName();
      return this.org(parts, brand, { email, ...(this.rng.chance(0.5) ? { domain: null } : {}) });
    });
    this.log.group(
      'genericMailbox',
      members.map((m) => m.id),
      { email },
    );
    return members;
  }

  /** One campus address for several organisations (a science park, a business centre). */
  private campus(size: number): Organization[] {
    const city = this.world.city();
    const street = { ...this.rng.pick(CAMPUS_STREETS), postcode: this.rng.pick(city.postcodes) };
    const address: Address = { houseNumber: this.rng.int(1, 40), street, city };
    const members = Array.from({ length: size }, () => {
      const { parts, brand } = this.plainName();
      return this.org(parts, brand, { address });
    });
    this.log.group(
      'campus',
      members.map((m) => m.id),
      { street: streetLine(address, 'long') },
    );
    return members;
  }

  render(o: Organization, source: SourceFormat, duplicate: boolean, record: SyntheticRecord): void {
    const rng = this.rng;
    const rates = this.rates;
    const log = this.log;
    const parts = o.name.map((p) => ({ ...p, forms: [...p.forms] }));
    let streetWord = o.address.street.word;
    let city = o.address.city.name;
    let email = o.email;
    const touched = new Set<string>();
    if (duplicate) {
      const legal = parts.findIndex((p) => p.kind === 'legal');
      if (legal >= 0) {
        log.eligible('legalForm');
        if (rng.chance(rates.legalForm)) {
          const from = parts[legal]!.forms[0]!;
          const alternatives = parts[legal]!.forms.slice(1);
          const to = alternatives.length === 0 || rng.chance(0.3) ? '' : rng.pick(alternatives);
          if (to === '') parts.splice(legal, 1);
          else parts[legal]!.forms = [to];
          log.record('legalForm', record, { from, to });
        }
      }
      const variable = parts.filter((p) => (p.kind === 'sector' || p.kind === 'and') && p.forms.length > 1);
      if (variable.length > 0) {
        log.eligible('abbreviation');
        if (rng.chance(rates.abbreviation)) {
          const part = rng.pick(variable);
          const from = part.forms[0]!;
          part.forms = [part.forms[1]!];
          log.record('abbreviation', record, { from, to: part.forms[0]! });
        }
      }
      log.eligible('contactChange');
      if (rng.chance(rates.contactChange)) {
        const brand = o.name[0]!.forms[0]!;
        email = this.mailbox(o.domain, brand);
        touched.add('email');
        log.record('contactChange', record, { from: o.email, to: email });
      }
      log.eligible('typo');
      if (rng.chance(rates.typo)) {
        const words = parts.filter((p) => p.kind === 'word');
        const fields = rng.shuffle(['name', 'street', 'city', 'email'].filter((f) => !touched.has(f)));
        for (const field of fields) {
          const target = field === 'name' ? rng.pick(words) : null;
          const before = target ? target.forms[0]! : field === 'street' ? streetWord : field === 'city' ? city : email;
          const at = field === 'email' ? before.indexOf('@') : before.length;
          const t = typo(rng, before.slice(0, at));
          if (!t) continue;
          const after = t.value + before.slice(at);
          if (target) target.forms = [after];
          else if (field === 'street') streetWord = after;
          else if (field === 'city') city = after;
          else email = after;
          touched.add(field);
          log.record('typo', record, { field, kind: t.kind, from: before, to: after });
          break;
        }
      }
    }
    const present: Record<(typeof OPTIONAL)[number], boolean> = {
      street: true,
      postcode: true,
      phone: true,
      email: true,
      website: o.domain !== null,
    };
    log.dropFields(record, OPTIONAL, present, touched, rng, rates.missing);

    const c = source.nameCase;
    const a = record.attributes;
    a.name = applyCase(nameText(parts, rng.chance(0.5) ? '–' : '-'), c);
    a.street = present.street
      ? applyCase(
          streetLine({ ...o.address, street: { ...o.address.street, word: streetWord } }, source.streetTypes),
          c,
        )
      : '';
    a.city = applyCase(city, c);
    a.postcode = present.postcode ? o.address.street.postcode : '';
    a.phone = present.phone ? formatPhone(o.phone, source.phoneFormat) : '';
    a.email = present.email ? email : '';
    a.website = present.website && o.domain ? formatWebsite(o.domain, source.website) : '';
  }
}

/**
 * Organisations for `mode: 'dedup'` (one table, several records per organisation) or `mode: 'link'` (two
 * snapshots, each free of duplicates, overlapping in `overlap` of the smaller one). Deterministic from `seed`.
 */
export function generateOrganizations(options: OrganizationOptions): SyntheticDataset {
  validateCommonOptions(options);
  const rates = mergeRates(DEFAULT_ORGANIZATION_TRAP_RATES, options.traps, ORGANIZATION_GROUP_TRAPS);
  const rng = new Rng(options.seed);
  const log = new TrapLog(ORGANIZATION_GROUP_TRAPS, ORGANIZATION_RECORD_TRAPS);
  const generator = new OrganizationGenerator(rng.fork(), log, rates);
  return assemble({ kind: 'organization', options, rng: rng.fork(), log, generator, rates });
}
