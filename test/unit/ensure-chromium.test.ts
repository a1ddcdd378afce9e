import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChromiumMissingError, ensureChromium } from '../../scripts/ensure-chromium.js';

const dir = mkdtempSync(join(tmpdir(), 'modos-chromium-'));
const file = (name: string, mode: number) => {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\necho "Chromium 1.0"\n');
  chmodSync(path, mode);
  return path;
};

describe('ensureChromium', () => {
  it('takes the first executable of the known paths', () => {
    const notExecutable = file('plain', 0o644);
    const browser = file('chromium', 0o755);
    expect(ensureChromium({ override: '', paths: [join(dir, 'missing'), notExecutable, browser] })).toEqual({
      executablePath: browser,
      how: 'found',
    });
  });

  it('takes MODOS_CHROMIUM before the known paths, and refuses one that is not an executable', () => {
    const browser = file('chrome', 0o755);
    expect(ensureChromium({ override: browser, paths: [] }).executablePath).toBe(browser);
    expect(() => ensureChromium({ override: join(dir, 'nothing'), paths: [browser] })).toThrow(
      /MODOS_CHROMIUM is .*nothing, which is not an executable file/,
    );
  });

  it('says what to install when there is none and installing is not allowed', () => {
    const logged: string[] = [];
    let error: unknown;
    try {
      ensureChromium({ override: '', paths: [join(dir, 'missing')], install: false, log: (l) => logged.push(l) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChromiumMissingError);
    expect((error as Error).message).toContain("install Debian's Chromium");
    expect((error as Error).message).toContain('apt-get install -y chromium');
    expect(logged).toEqual([]);
  });
});
