/** Counters the benches and tests read through `GET /_control/stats`. */
import { VENDOR_SYSTEMS, type VendorSystem } from './options.js';

const perSystem = <T>(make: () => T): Record<VendorSystem, T> => ({
  salesforce: make(),
  hubspot: make(),
  workday: make(),
});

export class VendorStats {
  /** Requests per system and path kind (`query`, `queryMore`, `list`, `search`, `workers`, `token`…). */
  requests = perSystem<Record<string, number>>(() => ({}));
  /** Requests the vendor's own limiter refused (not injected faults). */
  rateLimited = perSystem(() => 0);
  /** 401 answers (no, unknown or expired token). */
  unauthorized = perSystem(() => 0);

  count(system: VendorSystem, kind: string): void {
    this.requests[system][kind] = (this.requests[system][kind] ?? 0) + 1;
  }

  reset(): void {
    this.requests = perSystem(() => ({}));
    this.rateLimited = perSystem(() => 0);
    this.unauthorized = perSystem(() => 0);
  }

  totals(): Record<VendorSystem, number> {
    const out = perSystem(() => 0);
    for (const s of VENDOR_SYSTEMS) out[s] = Object.values(this.requests[s]).reduce((a, b) => a + b, 0);
    return out;
  }
}
