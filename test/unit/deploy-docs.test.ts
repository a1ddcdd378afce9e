/**
 * docs/deploy.md names the functions an operator must refresh after rotating the platform key: the list is the
 * manifest's functions with `callbackKey`, no more and no fewer.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/platform/manifest.js';

describe('the deploy guide', () => {
  it('lists every function that reads the platform key in its rotation steps, as the manifest binds them', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/deploy.md'), 'utf8');
    const listed = /<!-- callback-key-functions -->([\s\S]*?)<!-- \/callback-key-functions -->/.exec(doc)?.[1];
    expect(listed, 'the marked list in docs/deploy.md').toBeDefined();
    const names = [...listed!.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]);
    const bound = Object.values(FUNCTIONS)
      .filter((f) => 'callbackKey' in f && f.callbackKey === true)
      .map((f) => f.name);
    expect([...names].sort()).toEqual([...bound].sort());
  });
});
