import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { javaMajorOf, JavaMissingError, requireJava } from '../../local/java.js';

describe('the Java check before DynamoDB Local starts', () => {
  it('reads the major version of old and new java -version formats', () => {
    expect(javaMajorOf('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorOf('java version "1.8.0_392"')).toBe(8);
    expect(javaMajorOf('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajorOf('nothing here')).toBeUndefined();
  });

  it('names the fix within a second when no java is on PATH', () => {
    const empty = mkdtempSync(join(tmpdir(), 'modos-nojava-'));
    const t0 = Date.now();
    expect(() => requireJava({ PATH: empty })).toThrow(JavaMissingError);
    expect(() => requireJava({ PATH: empty })).toThrow(/needs Java 17\+.*apt-get install -y openjdk-17-jre-headless/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('refuses a java older than 17', () => {
    const bin = mkdtempSync(join(tmpdir(), 'modos-oldjava-'));
    const fake = join(bin, 'java');
    writeFileSync(fake, '#!/bin/sh\necho \'java version "1.8.0_392"\' >&2\n', { mode: 0o755 });
    expect(() => requireJava({ PATH: `${bin}:/usr/bin:/bin` })).toThrow(/is Java 8/);
  });
});
