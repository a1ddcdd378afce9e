/**
 * The local bus's dead-letter file and redrive requests. The bus is the only writer of the dead-letter
 * file; anyone else (the `bus:dead-letters` command) reads it and asks for a redrive by dropping a
 * request file into `redrive/`, which the running bus takes within a poll interval, or the next start
 * does. So one mechanism serves a running and a stopped platform, and no two processes write one file.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { appendFileDurably, fsyncDir, readJsonLines, replaceFileDurably } from './durable-files.js';
import { busStateFiles, type DeadLetter } from './event-bus-state.js';

export function readDeadLetters(stateDir: string): DeadLetter[] {
  return readJsonLines<DeadLetter>(busStateFiles(stateDir).deadLetters);
}

/** Appends one dead letter, fsynced (the bus records the delivery as dead-lettered only after this). */
export function appendDeadLetter(stateDir: string, letter: DeadLetter): void {
  appendFileDurably(busStateFiles(stateDir).deadLetters, `${JSON.stringify(letter)}\n`);
}

/** Rewrites the dead-letter file without these ids (bus only). */
export function removeDeadLetters(stateDir: string, ids: ReadonlySet<string>): void {
  const kept = readDeadLetters(stateDir).filter((l) => !ids.has(l.id));
  replaceFileDurably(busStateFiles(stateDir).deadLetters, kept.map((l) => `${JSON.stringify(l)}\n`).join(''));
}

export interface DeadLetterFilter {
  rule?: string;
  ids?: readonly string[];
  eventId?: string;
}

export function selectDeadLetters(letters: readonly DeadLetter[], filter: DeadLetterFilter): DeadLetter[] {
  return letters.filter(
    (l) =>
      (!filter.rule || l.rule === filter.rule) &&
      (!filter.ids?.length || filter.ids.includes(l.id)) &&
      (!filter.eventId || l.event.id === filter.eventId),
  );
}

export interface RedriveRequest {
  file: string;
  ids: string[];
}

/** Asks for these dead letters to be delivered again: a request file, written whole (rename) so the bus never reads half of it. */
export function requestRedrive(stateDir: string, ids: readonly string[]): string {
  const dir = busStateFiles(stateDir).redrive;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${Date.now()}-${randomUUID()}.json`);
  replaceFileDurably(`${file}.part`, JSON.stringify({ ids, requestedAt: new Date().toISOString() }));
  renameSync(`${file}.part`, file);
  fsyncDir(dir);
  return file;
}

/** Pending redrive requests, oldest first; a file that is not a request is renamed `.invalid` and reported. */
export function readRedriveRequests(stateDir: string, onInvalid?: (file: string) => void): RedriveRequest[] {
  const dir = busStateFiles(stateDir).redrive;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .flatMap((name) => {
      const file = join(dir, name);
      try {
        const body = JSON.parse(readFileSync(file, 'utf8')) as { ids?: unknown };
        if (Array.isArray(body.ids) && body.ids.every((id) => typeof id === 'string'))
          return [{ file, ids: body.ids as string[] }];
      } catch {
        // reported below
      }
      renameSync(file, `${file}.invalid`);
      onInvalid?.(file);
      return [];
    });
}

/** Whether a bus process owns this state folder now (its pid file names a live process). */
export function busIsRunning(stateDir: string): boolean {
  const file = busStateFiles(stateDir).pid;
  if (!existsSync(file)) return false;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
