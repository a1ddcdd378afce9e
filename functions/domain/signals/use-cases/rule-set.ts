/**
 * The tenant's compiled signal rules, cached per process and checked on every use with one read of the rule set's
 * version: a rule created, changed or deleted is what the very next event is evaluated against, and a process
 * compiles a tenant's rules once per change, not once per event.
 */
import type { SignalRuleBody } from '../../../../schemas/signals.js';
import { hashOf } from '../../shared/hash.js';
import { type CompiledSignalRule, compileSignalRule } from '../rules.js';
import type { SignalRuleStore } from './ports.js';

/** A stored rule ready for the engine. */
export interface LoadedRule {
  rule: CompiledSignalRule;
  version: number;
  /** The roles of the version's author (StoredSignalRule.authorRoles): the roles its action's runs act with. */
  authorRoles?: string[];
  /** What a key's state depends on (see `semanticFingerprint`). */
  fingerprint: string;
}

/**
 * A hash of what a key's state means under a rule: its kind, key, patterns and numbers. Name, description, enabled,
 * case options and action are left out: changing them keeps every key's state; changing anything else starts every
 * key afresh (the kept events were chosen, and their pattern bits set, by the old definition).
 */
export function semanticFingerprint(body: SignalRuleBody): string {
  const { name: _n, description: _d, enabled: _e, case: _c, action: _a, ...rest } = body;
  const semantic: Record<string, unknown> = { ...rest };
  // A sequence's `then` is its second pattern; on the other kinds it is the action.
  if (body.kind !== 'sequence') delete semantic.then;
  return hashOf(semantic).slice(0, 32);
}

export interface RuleSetSource {
  /** The tenant's live rules (enabled or not), current as of this call. */
  rulesOf(tenantId: string): Promise<readonly LoadedRule[]>;
}

/** Tenants whose rules one process keeps compiled (least recently used go first). */
const DEFAULT_MAX_TENANTS = 1000;

export class RuleSetCache implements RuleSetSource {
  private readonly cache = new Map<string, { version: number; rules: readonly LoadedRule[] }>();

  constructor(
    private readonly store: Pick<SignalRuleStore, 'ruleSetVersion' | 'allRules'>,
    private readonly options: {
      maxTenants?: number;
      /** A stored rule the compiler no longer accepts: it is left out (the others still run), and reported here. */
      onInvalidRule?: (tenantId: string, ruleId: string, error: unknown) => void;
    } = {},
  ) {}

  async rulesOf(tenantId: string): Promise<readonly LoadedRule[]> {
    // The version first: rules read after it are at least that new, so a cache entry is never older than its version.
    const version = await this.store.ruleSetVersion(tenantId);
    const hit = this.cache.get(tenantId);
    if (hit && hit.version === version) {
      this.cache.delete(tenantId);
      this.cache.set(tenantId, hit);
      return hit.rules;
    }
    const stored = version === 0 ? [] : await this.store.allRules(tenantId);
    const rules: LoadedRule[] = [];
    for (const r of stored) {
      try {
        rules.push({
          rule: compileSignalRule(r.body),
          version: r.version,
          fingerprint: semanticFingerprint(r.body),
          ...(r.authorRoles ? { authorRoles: r.authorRoles } : {}),
        });
      } catch (error) {
        this.options.onInvalidRule?.(tenantId, r.body.id, error);
      }
    }
    this.cache.delete(tenantId);
    this.cache.set(tenantId, { version, rules });
    const max = this.options.maxTenants ?? DEFAULT_MAX_TENANTS;
    while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value as string);
    return rules;
  }
}
