/**
 * Names unique per tenant (seed 004: `(tenant_id, name)`): compared in a normalised form, so names that read the same
 * to a person cannot both exist: Unicode compatibility forms folded (NFKC), case folded, runs of white space as one.
 */
export function nameKeyOf(name: string): string {
  return name.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}
