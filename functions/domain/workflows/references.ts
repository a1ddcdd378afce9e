/**
 * Step inputs may reference the run input and earlier steps' outputs. A string value that starts
 * with `$.` is a reference: `$.input.<path>` or `$.steps.<stepId>.output.<path>` (dot-separated keys,
 * numeric keys index arrays). `$$.` escapes a literal string starting with `$.`.
 */
export interface ReferenceScope {
  input: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface Reference {
  root: 'input' | 'steps';
  stepId?: string;
  path: string[];
}

export function parseReference(value: string): Reference | undefined {
  if (!value.startsWith('$.')) return undefined;
  const parts = value.slice(2).split('.');
  if (parts.some((p) => p === '')) throw new Error(`malformed reference ${value}`);
  if (parts[0] === 'input') return { root: 'input', path: parts.slice(1) };
  if (parts[0] === 'steps' && parts[1] && parts[2] === 'output')
    return { root: 'steps', stepId: parts[1], path: parts.slice(3) };
  throw new Error(`reference ${value} must start with $.input or $.steps.<stepId>.output`);
}

function walk(value: unknown, visit: (s: string) => unknown): unknown {
  if (typeof value === 'string') return visit(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, visit));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, visit)]));
  return value;
}

/** Every reference in a step input (for validating a definition before it is stored). */
export function referencesIn(input: unknown): Reference[] {
  const found: Reference[] = [];
  walk(input, (s) => {
    const ref = s.startsWith('$$.') ? undefined : parseReference(s);
    if (ref) found.push(ref);
    return s;
  });
  return found;
}

function at(value: unknown, path: string[], label: string): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !(key in (cur as object)))
      throw new Error(`${label} has no value at ${path.join('.')}`);
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** The step input with every reference replaced by its value; throws naming a missing one. */
export function resolveInput(input: Record<string, unknown>, scope: ReferenceScope): Record<string, unknown> {
  return walk(input, (s) => {
    if (s.startsWith('$$.')) return s.slice(1);
    const ref = parseReference(s);
    if (!ref) return s;
    if (ref.root === 'input') return at(scope.input, ref.path, 'the run input');
    if (!(ref.stepId! in scope.outputs)) throw new Error(`step ${ref.stepId} has no output yet`);
    return at(scope.outputs[ref.stepId!], ref.path, `the output of step ${ref.stepId}`);
  }) as Record<string, unknown>;
}
