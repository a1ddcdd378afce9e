import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Bundles are minified without keepNames (functions/platform/bundling.ts), so a class's own name does not survive:
 * every error's `name` — API for Step Functions Retry/Catch, SendTaskFailure and the error responses — must be set
 * as a literal on the instance, by the class or by the error class it extends.
 */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'node_modules' ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

interface ErrorClass {
  name: string;
  base: string;
  abstract: boolean;
  ownName: boolean;
  file: string;
}

function errorClasses(): ErrorClass[] {
  const out: ErrorClass[] = [];
  for (const file of [...sources('functions'), ...sources('schemas')]) {
    const text = readFileSync(file, 'utf8');
    const re = /(abstract\s+)?class\s+(\w+)\s+extends\s+(\w+)[^{]*\{/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      // the class body up to its closing brace at the start of a line
      const end = text.indexOf('\n}', m.index);
      const body = text.slice(m.index, end < 0 ? undefined : end);
      out.push({
        name: m[2]!,
        base: m[3]!,
        abstract: Boolean(m[1]),
        // a literal or a constant of literals (WORKFLOW_ERROR_NAMES.X), never a class's own name
        ownName: /(readonly\s+name\s*=|this\.name\s*=)(?![^;\n]*(constructor|new\.target))/.test(body),
        file,
      });
    }
  }
  return out;
}

describe('error names without keepNames', () => {
  it('gives every concrete error class a literal instance name, its own or its base class', () => {
    const classes = errorClasses();
    const byName = new Map(classes.map((c) => [c.name, c]));
    const isError = (c: ErrorClass | undefined, depth = 0): boolean =>
      !!c && depth < 10 && (c.base === 'Error' || isError(byName.get(c.base), depth + 1));
    const named = (c: ErrorClass | undefined, depth = 0): boolean =>
      !!c && depth < 10 && (c.ownName || named(byName.get(c.base), depth + 1));
    const errors = classes.filter((c) => isError(c));
    expect(errors.length).toBeGreaterThan(20);
    const unnamed = errors.filter((c) => !c.abstract && !named(c)).map((c) => `${c.file}: ${c.name}`);
    expect(unnamed).toEqual([]);
  });
});
