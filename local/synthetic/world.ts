/**
 * The places people and organisations live in: cities of Zipf-like sizes (a few large ones, a long tail of small
 * towns with one postcode each), their streets, and unique phone numbers and e-mail addresses.
 */
import { CITY_PREFIXES, CITY_SUFFIXES, STREET_TYPES, STREET_WORDS } from './pools.js';
import { type Rng, ZipfPool } from './random.js';

export interface City {
  name: string;
  areaCode: string;
  postcodes: string[];
  /** Index in the size ranking: 0 is the largest. */
  rank: number;
  small: boolean;
  streets: Street[];
}

export interface Street {
  word: string;
  type: readonly [string, string];
  postcode: string;
}

export interface Address {
  houseNumber: number;
  street: Street;
  city: City;
}

const CITY_COUNT = 300;
/** Towns outside the largest fifth are "small": one postcode, a handful of streets. */
const LARGE_SHARE = 0.2;

export class World {
  readonly cities: City[];
  private readonly cityPool: ZipfPool<City>;
  private readonly smallTowns: City[];
  private readonly phones = new Set<string>();
  private readonly emails = new Set<string>();

  constructor(private readonly rng: Rng) {
    const names = new Set<string>();
    const prefixes = rng.shuffle(Array.from({ length: 900 }, (_, i) => i + 100));
    this.cities = [];
    for (let rank = 0; rank < CITY_COUNT; rank++) {
      let name = '';
      do name = `${rng.pick(CITY_PREFIXES)}${rng.pick(CITY_SUFFIXES)}`;
      while (names.has(name) && names.size < CITY_PREFIXES.length * CITY_SUFFIXES.length);
      if (names.has(name)) name = `${name} ${rank}`;
      names.add(name);
      const small = rank >= CITY_COUNT * LARGE_SHARE;
      const zipPrefix = String(prefixes[rank]!);
      const postcodeCount = small ? 1 : Math.max(2, Math.round(30 / (rank + 1) ** 0.5));
      const postcodes = [
        ...new Set(
          Array.from(
            { length: postcodeCount },
            (_, i) => `${zipPrefix}${String((i * 7 + rng.int(1, 6)) % 100).padStart(2, '0')}`,
          ),
        ),
      ];
      const streetCount = small ? rng.int(4, 10) : Math.round(30 + 400 / (rank + 1) ** 0.8);
      const streets: Street[] = [];
      const used = new Set<string>();
      for (let s = 0; s < streetCount; s++) {
        const word = rng.pick(STREET_WORDS);
        const type = rng.pick(STREET_TYPES);
        if (used.has(`${word} ${type[0]}`)) continue;
        used.add(`${word} ${type[0]}`);
        streets.push({ word, type, postcode: postcodes[s % postcodes.length]! });
      }
      this.cities.push({ name, areaCode: String(rng.int(201, 989)), postcodes, rank, small, streets });
    }
    this.cityPool = new ZipfPool(this.cities, 1);
    this.smallTowns = this.cities.filter((c) => c.small);
  }

  city(): City {
    return this.cityPool.draw(this.rng);
  }

  smallTown(): City {
    return this.rng.pick(this.smallTowns);
  }

  /** House numbers skew low (most streets are short), with a tail of long roads. */
  address(city = this.city(), avoidStreet?: Street): Address {
    let street = this.rng.pick(city.streets);
    if (avoidStreet && city.streets.length > 1) while (street === avoidStreet) street = this.rng.pick(city.streets);
    const houseNumber = this.rng.chance(0.85) ? this.rng.int(1, 250) : this.rng.int(251, 9800);
    return { houseNumber, street, city };
  }

  /** A 10-digit number no other entity has (unless a trap shares it on purpose). */
  phone(areaCode?: string): string {
    for (;;) {
      const area = areaCode ?? this.rng.pick(this.cities).areaCode;
      const n = `${area}${this.rng.int(2, 9)}${String(this.rng.int(0, 99)).padStart(2, '0')}${String(this.rng.int(0, 9999)).padStart(4, '0')}`;
      if (!this.phones.has(n)) {
        this.phones.add(n);
        return n;
      }
    }
  }

  /** Reserves an e-mail address: the first free one of `local@domain`, `local2@domain`… */
  email(local: string, domain: string): string {
    let candidate = `${local}@${domain}`;
    for (let i = 2; this.emails.has(candidate); i++) candidate = `${local}${i}@${domain}`;
    this.emails.add(candidate);
    return candidate;
  }
}

/** Letters and digits only, lower case: "O'Brien" → "obrien", "Van der Meer" → "vandermeer". */
export const mailPart = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

export function streetLine(address: Address, style: 'long' | 'short'): string {
  const type = style === 'long' ? address.street.type[0] : address.street.type[1];
  return `${address.houseNumber} ${address.street.word} ${type}`;
}
