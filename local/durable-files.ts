/**
 * Small file primitives of the local runtime's crash-safe state: a write that is fsynced before it
 * counts, a replacement that is either the old or the new file (never half of one), and JSON-lines
 * reading that tolerates the torn last line a `kill -9` in the middle of an append can leave.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Makes a rename or a new file in `dir` survive a machine crash (POSIX: the entry lives in the directory). */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with `data`: written and fsynced under a temporary name, then renamed over it. */
export function replaceFileDurably(path: string, data: string, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

/** Appends `data` to `path` (created with `mode`) and fsyncs it before returning. */
export function appendFileDurably(path: string, data: string, mode = 0o600): void {
  const created = !existsSync(path);
  const fd = openSync(path, 'a', mode);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (created) fsyncDir(dirname(path));
}

export class CorruptJsonLinesError extends Error {
  override readonly name = 'CorruptJsonLinesError';
  readonly code = 'CORRUPT_JSON_LINES';
  constructor(
    readonly file: string,
    readonly line: number,
    options?: { cause?: unknown },
  ) {
    super(
      `${file}:${line} is not a JSON line; the file was changed by something other than the local runtime`,
      options,
    );
  }
}

/**
 * The values of a JSON-lines file ([] if it does not exist). A last line without its newline is a write
 * cut short by a crash, before it was acknowledged, and is dropped; any other line that does not parse
 * throws, since dropping it could lose what was acknowledged.
 */
export function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop(); // '' after the final newline, or the torn line
  return lines.flatMap((line, i) => {
    if (!line.trim()) return [];
    try {
      return [JSON.parse(line) as T];
    } catch (cause) {
      throw new CorruptJsonLinesError(path, i + 1, { cause });
    }
  });
}
