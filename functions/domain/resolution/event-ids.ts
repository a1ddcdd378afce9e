import {
  MAX_EVENT_CLUSTER_IDS,
  MAX_EVENT_CLUSTERS,
  MAX_EVENT_IDS,
  type EntityMergedPayload,
  type EntitySplitPayload,
} from '../../../schemas/resolution.js';
import type * as z from 'zod';

type Merged = z.infer<typeof EntityMergedPayload>;
type Split = z.infer<typeof EntitySplitPayload>;
type ResolutionEvent = { name: 'entity.merged'; payload: Merged } | { name: 'entity.split'; payload: Split };

/**
 * An `entity.merged` / `entity.split` event whose id lists are bounded (schemas/resolution.ts MAX_EVENT_*): a
 * cluster may have any number of members, a bus event may not exceed 256 KB. Lists within the bounds are left
 * as they are; a longer one keeps its first ids and gains a count. The cluster itself is read with GET matches.
 */
export function boundEventIds<E extends { name: string; payload: unknown }>(event: E): E {
  const e = event as unknown as ResolutionEvent;
  if (e.name === 'entity.merged') {
    const p = e.payload;
    return {
      ...event,
      payload: {
        ...p,
        ...listed('entityIds', 'entityCount', p.entityIds, MAX_EVENT_IDS),
        ...listed('memberIds', 'memberCount', p.memberIds, MAX_EVENT_IDS),
      },
    };
  }
  if (e.name === 'entity.split') {
    const p = e.payload;
    return {
      ...event,
      payload: {
        ...p,
        ...listed('entityIds', 'entityCount', p.entityIds, MAX_EVENT_IDS),
        resultingClusters: p.resultingClusters.slice(0, MAX_EVENT_CLUSTERS).map((c) => ({
          ...c,
          ...listed('memberIds', 'memberCount', c.memberIds, MAX_EVENT_CLUSTER_IDS),
        })),
        ...(p.resultingClusters.length > MAX_EVENT_CLUSTERS
          ? { resultingClusterCount: p.resultingClusters.length }
          : {}),
      },
    };
  }
  return event;
}

function listed<L extends string, C extends string>(list: L, count: C, ids: readonly string[], max: number) {
  return (ids.length <= max ? { [list]: ids } : { [list]: ids.slice(0, max), [count]: ids.length }) as Record<
    L,
    string[]
  > &
    Partial<Record<C, number>>;
}
