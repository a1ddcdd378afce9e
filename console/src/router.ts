/**
 * Hash routing: `#/entities/ent_1?type=person` → `{ path: ['entities', 'ent_1'], query: { type: 'person' } }`.
 * The hash keeps every view a static file away (CloudFront and the local server serve only index.html at `/`),
 * and the OIDC redirect (`/?code=…&state=…`) never collides with a view's address.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';

export interface Route {
  path: string[];
  query: Record<string, string>;
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const path = pathPart
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { path, query: Object.fromEntries(new URLSearchParams(queryPart)) };
}

/** The address of a view: `href('entities', id, { tab: 'sources' })` → `#/entities/<id>?tab=sources`. */
export function href(...parts: (string | Record<string, string | undefined>)[]): string {
  const segments = parts.filter((p): p is string => typeof p === 'string').map(encodeURIComponent);
  const query = parts.find((p): p is Record<string, string | undefined> => typeof p === 'object');
  const qs = query
    ? new URLSearchParams(
        Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
      ).toString()
    : '';
  return `#/${segments.join('/')}${qs ? `?${qs}` : ''}`;
}

export const navigate = (to: string) => {
  if (location.hash !== to) location.hash = to;
};

export function useRoute(): Route {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    // The hash may have changed between the first render and this subscription (a link followed as the app mounts).
    onChange();
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return useMemo(() => parseRoute(hash), [hash]);
}
