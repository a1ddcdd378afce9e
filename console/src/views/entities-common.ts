/**
 * What the entity screens share: the entity types (the API's enum, checked against it at compile time), an
 * entity's display name from its canonical attributes, attribute values as short text, and the names of entities
 * a screen links to (read once per screen with `GET /entities/{id}`).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Entity, EntityType } from '../../../schemas/entity.js';
import { api } from '../api.js';

/** The values of schemas/entity.ts ENTITY_TYPES (importing it would bundle zod); the check below ties the two. */
export const ENTITY_TYPES = [
  'person',
  'organization',
  'deal',
  'employee',
  'account',
  'contact',
  'ticket',
] as const satisfies readonly EntityType[];
type Missing = Exclude<EntityType, (typeof ENTITY_TYPES)[number]>;
const _everyType: [Missing] extends [never] ? true : Missing = true;
void _everyType;

export const isEntityType = (v: string | undefined): v is EntityType =>
  v !== undefined && (ENTITY_TYPES as readonly string[]).includes(v);

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** How an entity is called on screen: its full name, first and last name, name, title or email, else its id. */
export function displayName(e: Pick<Entity, 'id' | 'attributes'>): string {
  const a = e.attributes;
  const parts = [text(a.firstName), text(a.lastName)].filter(Boolean).join(' ');
  return text(a.fullName) ?? (parts || undefined) ?? text(a.name) ?? text(a.title) ?? text(a.email) ?? e.id;
}

/** A value as one line of text: strings as they are, other JSON compactly. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

/** Whether any of the entity's id, type or attribute values contains `q` (case-insensitive). */
export function entityMatches(e: Entity, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  if (e.id.toLowerCase().includes(needle)) return true;
  return Object.values(e.attributes).some((v) => valueText(v).toLowerCase().includes(needle));
}

/** A few attributes worth a list column (identifiers people search by), as `name: value`. */
export function summaryOf(e: Entity): string {
  const keys = ['email', 'phone', 'domain', 'website', 'company', 'companyName', 'stage', 'amount', 'jobTitle'];
  return keys
    .filter((k) => e.attributes[k] !== undefined && e.attributes[k] !== null && e.attributes[k] !== '')
    .slice(0, 3)
    .map((k) => `${k}: ${valueText(e.attributes[k])}`)
    .join(' · ');
}

/**
 * The entities behind `ids`, read once each for as long as the screen lives: `undefined` while reading, `null` when
 * the read failed (a deleted entity, another type of failure: the link still works, the id stands for the name).
 */
export function useEntities(ids: readonly string[]): {
  get: (id: string) => Entity | null | undefined;
  forget: () => void;
} {
  const cache = useRef(new Map<string, Entity | null | 'loading'>());
  const mounted = useRef(true);
  const [generation, setGeneration] = useState(0);
  const [, setTick] = useState(0);
  const generationOf = useRef(generation);
  generationOf.current = generation;
  const key = [...new Set(ids)].sort().join(',');
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  useEffect(() => {
    const g = generation;
    const settle = (id: string, v: Entity | null) => {
      if (g !== generationOf.current) return;
      cache.current.set(id, v);
      if (mounted.current) setTick((t) => t + 1);
    };
    for (const id of new Set(ids)) {
      if (cache.current.has(id)) continue;
      cache.current.set(id, 'loading');
      api.get<Entity>(`/entities/${encodeURIComponent(id)}`).then(
        (e) => settle(id, e),
        () => settle(id, null),
      );
    }
  }, [key, generation]);
  return {
    get: (id) => {
      const v = cache.current.get(id);
      return v === 'loading' ? undefined : v;
    },
    forget: () => {
      cache.current = new Map();
      setGeneration((g) => g + 1);
    },
  };
}
