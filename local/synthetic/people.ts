/**
 * Synthetic people with the traps that break person matching: look-alike different people (families at one
 * address, twins, Jr/Sr, namesakes in small towns) and true duplicates that look different (nicknames, typos,
 * swapped day/month, moves, new e-mail addresses, missing fields, each source's formats).
 */
import { BrandNames } from './brands.js';
import {
  type CommonOptions,
  type EntityGenerator,
  type SyntheticDataset,
  type SyntheticRecord,
  DEFAULT_REFERENCE_YEAR,
  TrapLog,
  assemble,
  checkRate,
  mergeRates,
  planGroups,
  validateCommonOptions,
} from './dataset.js';
import { type SourceFormat, applyCase, formatDate, formatPhone, typo } from './formats.js';
import { DIMINUTIVES, FEMALE_GIVEN, FREE_MAIL, MALE_GIVEN, SECTORS, SURNAMES, surnameTail } from './pools.js';
import { Rng, ZipfPool } from './random.js';
import { type Address, World, mailPart, streetLine } from './world.js';

export const PERSON_COLUMNS = [
  'first_name',
  'middle_name',
  'last_name',
  'full_name',
  'birth_date',
  'gender',
  'email',
  'phone',
  'street',
  'city',
  'postcode',
  'employer',
] as const;

/** Traps that build groups of different people who look alike; the rate is the share of people in such groups. */
export const PERSON_GROUP_TRAPS = ['family', 'commonFirstNameTown', 'juniorSenior', 'twins'] as const;
/** Traps on a later record of a person (dedup duplicates, the second snapshot's record); `missing` on any record. */
export const PERSON_RECORD_TRAPS = ['nickname', 'typo', 'dateSwap', 'emailChange', 'move', 'missing'] as const;

export type PersonTrap = (typeof PERSON_GROUP_TRAPS)[number] | (typeof PERSON_RECORD_TRAPS)[number];
export type PersonTrapRates = Record<PersonTrap, number>;

export const DEFAULT_PERSON_TRAP_RATES: Readonly<PersonTrapRates> = {
  family: 0.06,
  commonFirstNameTown: 0.04,
  juniorSenior: 0.02,
  twins: 0.01,
  nickname: 0.25,
  typo: 0.3,
  dateSwap: 0.1,
  emailChange: 0.15,
  move: 0.15,
  missing: 0.08,
};

export interface PersonOptions extends CommonOptions {
  traps?: Partial<PersonTrapRates>;
  /** Share of people with an employer. Default 0.5. */
  employerRate?: number;
  /** Share of households (family, twins, Jr/Sr) whose members give one home phone. Default 0.5. */
  householdPhoneRate?: number;
}

interface BirthDate {
  y: number;
  m: number;
  d: number;
}

interface Person {
  id: string;
  gender: 'M' | 'F';
  first: string;
  middle: string;
  last: string;
  suffix: '' | 'Jr' | 'Sr';
  birth: BirthDate;
  email: string;
  phone: string;
  address: Address;
  employer: { name: string; domain: string } | null;
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number): number =>
  m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
const iso = (b: BirthDate): string => formatDate(b.y, b.m, b.d, 'iso');

/** The optional columns `missing` may empty (names are kept: a record without a name is not a person record). */
const OPTIONAL = ['middle', 'birth', 'gender', 'email', 'phone', 'street', 'postcode', 'employer'] as const;
type Optional = (typeof OPTIONAL)[number];

class PersonGenerator implements EntityGenerator<Person> {
  readonly columns = PERSON_COLUMNS;
  private readonly world: World;
  // Zipf–Mandelbrot heads (see ZipfPool): the commonest given name ≈ 3.5 % of its gender, the commonest
  // surname ≈ 2 % of people; half of all surnames come from the long generated tail.
  private readonly male = new ZipfPool(MALE_GIVEN, 1, 8);
  private readonly female = new ZipfPool(FEMALE_GIVEN, 1, 8);
  private readonly surnameHead = new ZipfPool(SURNAMES, 1, 5);
  private readonly surnameTail = new ZipfPool(surnameTail(), 0.5);
  private readonly providers = new ZipfPool(FREE_MAIL, 1.2);
  private readonly employers: ZipfPool<{ name: string; domain: string }>;
  private readonly referenceYear: number;
  private next = 0;

  constructor(
    private readonly rng: Rng,
    private readonly log: TrapLog,
    private readonly rates: PersonTrapRates,
    private readonly options: PersonOptions,
    expectedEntities: number,
  ) {
    this.world = new World(rng.fork());
    this.referenceYear = options.referenceYear ?? DEFAULT_REFERENCE_YEAR;
    const brands = new BrandNames(rng.fork());
    const employerCount = Math.max(20, Math.min(20_000, Math.round(expectedEntities / 25)));
    this.employers = new ZipfPool(
      Array.from({ length: employerCount }, () => {
        const b = brands.next();
        const name = b.partners ? `${b.partners[0]} & ${b.partners[1]}` : `${b.brand} ${rng.pick(SECTORS).long}`;
        return { name, domain: `${mailPart(b.brand)}.com` };
      }),
      1,
    );
  }

  private surname(): string {
    return this.rng.chance(0.5) ? this.surnameHead.draw(this.rng) : this.surnameTail.draw(this.rng);
  }

  private id(): string {
    return `p${String(++this.next).padStart(7, '0')}`;
  }

  private given(gender: 'M' | 'F', avoid: readonly string[] = []): string {
    const pool = gender === 'M' ? this.male : this.female;
    for (;;) {
      const name = pool.draw(this.rng);
      if (!avoid.includes(name)) return name;
    }
  }

  private birthAtAge(age: number): BirthDate {
    const y = this.referenceYear - age;
    const m = this.rng.int(1, 12);
    return { y, m, d: this.rng.int(1, daysIn(y, m)) };
  }

  /** Adults of working and retired age, more in the middle than at the ends. */
  private age(): number {
    return 18 + Math.floor(((this.rng.next() + this.rng.next()) / 2) * 70);
  }

  private personalEmail(first: string, last: string, birth: BirthDate, avoidDomain?: string): string {
    const f = mailPart(first);
    const l = mailPart(last);
    const yy = String(birth.y % 100).padStart(2, '0');
    const local = this.rng.pick([`${f}.${l}`, `${f[0]}${l}`, `${f}${l}`, `${f}_${l}`, `${f}.${l}${yy}`, `${l}${f[0]}`]);
    let domain = this.providers.draw(this.rng);
    while (domain === avoidDomain) domain = this.providers.draw(this.rng);
    return this.world.email(local, domain);
  }

  private person(p: Partial<Person> & { gender?: 'M' | 'F' }): Person {
    const gender = p.gender ?? (this.rng.chance(0.5) ? 'M' : 'F');
    const first = p.first ?? this.given(gender);
    const middle = p.middle ?? (this.rng.chance(0.55) ? this.given(gender, [first]) : '');
    const last = p.last ?? this.surname();
    const birth = p.birth ?? this.birthAtAge(this.age());
    const employer =
      p.employer !== undefined
        ? p.employer
        : this.rng.chance(this.options.employerRate ?? 0.5)
          ? this.employers.draw(this.rng)
          : null;
    const address = p.address ?? this.world.address();
    const email =
      p.email ??
      (employer && this.rng.chance(0.25)
        ? this.world.email(`${mailPart(first)}.${mailPart(last)}`, employer.domain)
        : this.personalEmail(first, last, birth));
    const phone = p.phone ?? this.world.phone(this.rng.chance(0.5) ? address.city.areaCode : undefined);
    return {
      id: p.id ?? this.id(),
      gender,
      first,
      middle,
      last,
      suffix: p.suffix ?? '',
      birth,
      email,
      phone,
      address,
      employer,
    };
  }

  private householdPhone(address: Address): string | undefined {
    return this.rng.chance(this.options.householdPhoneRate ?? 0.5)
      ? this.world.phone(address.city.areaCode)
      : undefined;
  }

  planGroups(entities: number): Person[] {
    const r = this.rates;
    return planGroups(
      entities,
      [
        { rate: r.family, minSize: 3, maxSize: 5, build: (n) => this.family(n) },
        { rate: r.juniorSenior, minSize: 2, maxSize: 2, build: () => this.juniorSenior() },
        { rate: r.twins, minSize: 2, maxSize: 2, build: () => this.twins() },
        { rate: r.commonFirstNameTown, minSize: 3, maxSize: 6, build: (n) => this.namesakesInTown(n) },
      ],
      this.rng,
    );
  }

  plain(): Person {
    return this.person({});
  }

  /** Two parents and their adult children: one surname, one address, perhaps one phone; other names and ages. */
  private family(size: number): Person[] {
    const last = this.surname();
    const address = this.world.address();
    const phone = this.householdPhone(address);
    const parentAge = this.rng.int(42, 80);
    const names: string[] = [];
    const members: Person[] = [];
    for (let i = 0; i < size; i++) {
      const gender = i === 0 ? 'M' : i === 1 ? 'F' : this.rng.chance(0.5) ? 'M' : 'F';
      const age =
        i < 2 ? parentAge + (i === 1 ? this.rng.int(-6, 4) : 0) : Math.max(18, parentAge - this.rng.int(20, 38));
      const first = this.given(gender, names);
      names.push(first);
      members.push(
        this.person({ gender, first, last, address, birth: this.birthAtAge(age), ...(phone ? { phone } : {}) }),
      );
    }
    this.log.group(
      'family',
      members.map((m) => m.id),
      { lastName: last, postcode: address.street.postcode },
    );
    return members;
  }

  /** Father and son: same full name and address, births 25–35 years apart; "Jr"/"Sr" only sometimes written. */
  private juniorSenior(): Person[] {
    const address = this.world.address();
    const phone = this.householdPhone(address);
    const fatherAge = this.rng.int(52, 88);
    const father = this.person({
      gender: 'M',
      address,
      suffix: 'Sr',
      birth: this.birthAtAge(fatherAge),
      ...(phone ? { phone } : {}),
    });
    const son = this.person({
      gender: 'M',
      first: father.first,
      middle: this.rng.chance(0.7) ? father.middle : undefined,
      last: father.last,
      address,
      suffix: 'Jr',
      birth: this.birthAtAge(Math.max(18, fatherAge - this.rng.int(25, 35))),
      ...(phone ? { phone } : {}),
    });
    this.log.group('juniorSenior', [father.id, son.id], { firstName: father.first, lastName: father.last });
    return [father, son];
  }

  /** Twins: same surname, address and birth date; other first names (sometimes with the same initial). */
  private twins(): Person[] {
    const address = this.world.address();
    const phone = this.householdPhone(address);
    const last = this.surname();
    const birth = this.birthAtAge(this.rng.int(18, 70));
    const a = this.person({ last, address, birth, ...(phone ? { phone } : {}) });
    let bFirst = '';
    const bGender = this.rng.chance(0.5) ? 'M' : 'F';
    for (let tries = 0; tries < 30; tries++) {
      bFirst = this.given(bGender, [a.first]);
      if (tries > 10 || !this.rng.chance(0.3) || bFirst[0] === a.first[0]) break;
    }
    const b = this.person({ gender: bGender, first: bFirst, last, address, birth, ...(phone ? { phone } : {}) });
    this.log.group('twins', [a.id, b.id], { lastName: last, birthDate: iso(birth) });
    return [a, b];
  }

  /** Namesakes in a small town: one common first name, gender and postcode; other surnames, ages and streets. */
  private namesakesInTown(size: number): Person[] {
    const town = this.world.smallTown();
    const gender = this.rng.chance(0.5) ? 'M' : 'F';
    const first = (gender === 'M' ? this.male : this.female).drawHead(this.rng, 0.05);
    const surnames: string[] = [];
    const members: Person[] = [];
    for (let i = 0; i < size; i++) {
      let last = this.surname();
      while (surnames.includes(last)) last = this.surname();
      surnames.push(last);
      const previous = members[members.length - 1]?.address.street;
      members.push(this.person({ gender, first, last, address: this.world.address(town, previous) }));
    }
    this.log.group(
      'commonFirstNameTown',
      members.map((m) => m.id),
      { firstName: first, city: town.name },
    );
    return members;
  }

  render(p: Person, source: SourceFormat, duplicate: boolean, record: SyntheticRecord): void {
    const rng = this.rng;
    const rates = this.rates;
    const log = this.log;
    let first = p.first;
    let last = p.last;
    let birth: BirthDate | null = p.birth;
    let email = p.email;
    let phone = p.phone;
    let address = p.address;
    let streetWord = address.street.word;
    let city = address.city.name;
    const touched = new Set<string>();
    if (duplicate) {
      log.eligible('move');
      if (rng.chance(rates.move)) {
        const city2 = rng.chance(0.5) ? this.world.city() : address.city;
        const moved = this.world.address(city2, address.street);
        const from = `${streetLine(address, 'long')}, ${address.street.postcode}`;
        address = moved;
        streetWord = moved.street.word;
        city = moved.city.name;
        if (rng.chance(0.3)) {
          phone = this.world.phone(moved.city.areaCode);
          touched.add('phone');
        }
        for (const f of ['street', 'city', 'postcode']) touched.add(f);
        log.record('move', record, { from, to: `${streetLine(moved, 'long')}, ${moved.street.postcode}` });
      }
      log.eligible('emailChange');
      if (rng.chance(rates.emailChange)) {
        email = this.personalEmail(first, last, p.birth, p.email.slice(p.email.indexOf('@') + 1));
        touched.add('email');
        log.record('emailChange', record, { from: p.email, to: email });
      }
      const diminutives = DIMINUTIVES[first];
      if (diminutives) {
        log.eligible('nickname');
        if (rng.chance(rates.nickname)) {
          first = rng.pick(diminutives);
          touched.add('first');
          log.record('nickname', record, { from: p.first, to: first });
        }
      }
      if (birth.d <= 12 && birth.d !== birth.m) {
        log.eligible('dateSwap');
        if (rng.chance(rates.dateSwap)) {
          birth = { y: birth.y, m: birth.d, d: birth.m };
          touched.add('birth');
          log.record('dateSwap', record, { from: iso(p.birth), to: iso(birth) });
        }
      }
      log.eligible('typo');
      if (rng.chance(rates.typo)) {
        // The first field long enough to mistype, in random order ("Li" has no typo worth the name).
        const fields = rng.shuffle(
          (['first', 'last', 'street', 'city', 'email'] as const).filter((f) => !touched.has(f)),
        );
        for (const field of fields) {
          const before = { first, last, street: streetWord, city, email }[field];
          const at = field === 'email' ? before.indexOf('@') : before.length;
          const t = typo(rng, before.slice(0, at));
          if (!t) continue;
          const after = t.value + before.slice(at);
          if (field === 'first') first = after;
          else if (field === 'last') last = after;
          else if (field === 'street') streetWord = after;
          else if (field === 'city') city = after;
          else email = after;
          touched.add(field);
          log.record('typo', record, { field, kind: t.kind, from: before, to: after });
          break;
        }
      }
    }
    const present: Record<Optional, boolean> = {
      middle: p.middle !== '',
      birth: true,
      gender: true,
      email: true,
      phone: true,
      street: true,
      postcode: true,
      employer: p.employer !== null,
    };
    log.dropFields(record, OPTIONAL, present, touched, rng, rates.missing);
    if (!present.birth) birth = null;

    const c = source.nameCase;
    const middle = present.middle ? (source.middleName === 'initial' ? p.middle[0]! : p.middle) : '';
    // Jr/Sr is written by some clerks only; engines must not rely on it.
    const suffix = p.suffix !== '' && rng.chance(0.4) ? ` ${p.suffix}` : '';
    const a = record.attributes;
    if (source.nameLayout === 'last-first') {
      a.first_name = '';
      a.middle_name = '';
      a.last_name = '';
      a.full_name = applyCase(`${last}, ${first}${middle ? ` ${middle}` : ''}${suffix}`, c);
    } else {
      a.first_name = applyCase(first, c);
      a.middle_name = applyCase(middle, c);
      a.last_name = applyCase(`${last}${suffix}`, c);
      a.full_name = '';
    }
    a.birth_date = birth ? formatDate(birth.y, birth.m, birth.d, source.dateFormat) : '';
    a.gender = present.gender
      ? source.gender === 'letter'
        ? p.gender
        : applyCase(p.gender === 'M' ? 'Male' : 'Female', c === 'upper' ? 'upper' : 'title')
      : '';
    a.email = present.email ? email : '';
    a.phone = present.phone ? formatPhone(phone, source.phoneFormat) : '';
    a.street = present.street
      ? applyCase(streetLine({ ...address, street: { ...address.street, word: streetWord } }, source.streetTypes), c)
      : '';
    a.city = applyCase(city, c);
    a.postcode = present.postcode ? address.street.postcode : '';
    a.employer = present.employer && p.employer ? applyCase(p.employer.name, c) : '';
  }
}

/**
 * People for `mode: 'dedup'` (one table, several records per person) or `mode: 'link'` (two snapshots,
 * each free of duplicates, overlapping in `overlap` of the smaller one). Deterministic from `seed`.
 */
export function generatePeople(options: PersonOptions): SyntheticDataset {
  validateCommonOptions(options);
  checkRate('employerRate', options.employerRate ?? 0.5);
  checkRate('householdPhoneRate', options.householdPhoneRate ?? 0.5);
  const rates = mergeRates(DEFAULT_PERSON_TRAP_RATES, options.traps, PERSON_GROUP_TRAPS);
  const rng = new Rng(options.seed);
  const log = new TrapLog(PERSON_GROUP_TRAPS, PERSON_RECORD_TRAPS);
  const generator = new PersonGenerator(rng.fork(), log, rates, options, options.records);
  return assemble({ kind: 'person', options, rng: rng.fork(), log, generator, rates });
}
