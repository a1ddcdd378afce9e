/** Building the normalisers' output: entities with only the attributes the source gave, relations between refs. */
import type { EntityType } from '../../../../schemas/entity.js';
import type { EntityRef, NormalisedEntity, NormalisedRelation, RelationKind } from '../ports.js';
import type { ConnectorSystem } from '../registry.js';

export function ref(namespace: string, sourceId: string, role: EntityType): EntityRef {
  return { namespace, sourceId, role };
}

/** An entity of `ref.role`; attributes the source left empty (undefined) are left out, and `source` is added. */
export function entity(
  entityRef: EntityRef,
  source: ConnectorSystem,
  attributes: Readonly<Record<string, string | number | undefined>>,
): NormalisedEntity {
  const kept: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) kept[name] = value;
  kept.source = source;
  return { ref: entityRef, type: entityRef.role, attributes: kept };
}

export function relation(kind: RelationKind, from: EntityRef, to: EntityRef): NormalisedRelation {
  return { kind, from, to };
}

/** Ids in a stable order without repeats (an association listed once per label, in the vendor's order of the day). */
export function distinctSorted(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort();
}
