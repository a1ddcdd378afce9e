/** Vendor id shapes: Salesforce 18-character ids, HubSpot numeric ids, Workday WIDs. */
import type { Rng } from '../../synthetic/index.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CHECKSUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

function base62(n: number, width: number): string {
  let s = '';
  for (let v = n; v > 0; v = Math.floor(v / 62)) s = BASE62[v % 62] + s;
  return s.padStart(width, '0');
}

/** The 3-character suffix that makes a 15-character Salesforce id case-insensitive (Salesforce's own rule). */
export function salesforceChecksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15[chunk * 5 + i]!;
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += CHECKSUM[bits];
  }
  return suffix;
}

/**
 * Salesforce ids of one key prefix (`001` accounts, `003` contacts, `006` opportunities, `01g` query locators):
 * prefix + pod + a base-62 record number + checksum. Numbers grow, so ids sort in creation order, as Salesforce's do.
 */
export class SalesforceIds {
  private next: number;

  constructor(
    private readonly prefix: string,
    start: number,
  ) {
    this.next = start;
  }

  take(rng?: Rng): string {
    this.next += rng ? rng.int(1, 37) : 1;
    const id15 = `${this.prefix}5g0${base62(this.next, 9)}`;
    return id15 + salesforceChecksum(id15);
  }
}

/** HubSpot ids: increasing integers (as strings on the wire), with gaps. */
export class HubSpotIds {
  constructor(private next: number) {}

  take(rng?: Rng): string {
    this.next += rng ? rng.int(1, 60) : 1;
    return String(this.next);
  }
}

/** A Workday WID: 32 lower-case hex digits. */
export function workdayId(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 4; i++)
    s += Math.floor(rng.next() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  return s;
}
