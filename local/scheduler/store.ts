import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFileDurably } from '../durable-files.js';

/** The target of a schedule as the API takes it (only the fields the local scheduler acts on are typed). */
export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
  DeadLetterConfig?: { Arn?: string };
  [other: string]: unknown;
}

/** One schedule as the local scheduler keeps it (times in ms since the epoch). */
export interface StoredSchedule {
  name: string;
  groupName: string;
  arn: string;
  expression: string;
  timezone: string;
  startDate?: number;
  endDate?: number;
  description?: string;
  state: 'ENABLED' | 'DISABLED';
  flexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  target: ScheduleTarget;
  kmsKeyArn?: string;
  actionAfterCompletion?: 'NONE' | 'DELETE';
  createdAt: number;
  modifiedAt: number;
  /** The ClientToken of the CreateSchedule that made it: a retried create with the same token succeeds. */
  clientToken?: string;
  /** Where a rate schedule's periods start: its StartDate, else when it was created or last updated. */
  anchorAt: number;
  /** The scheduled time of the last fire (catch-up after a restart starts from here). */
  lastFireAt?: number;
}

interface StateFile {
  version: 1;
  schedules: StoredSchedule[];
}

const keyOf = (groupName: string, name: string) => `${groupName}/${name}`;

/**
 * The local scheduler's schedules, in memory and in one JSON file of the data folder, replaced durably (written,
 * fsynced, renamed) on every change, so an acknowledged CreateSchedule survives a crash and a restart.
 */
export class ScheduleStore {
  private readonly file: string;
  private readonly schedules = new Map<string, StoredSchedule>();

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, 'schedules.json');
    if (existsSync(this.file)) {
      const state = JSON.parse(readFileSync(this.file, 'utf8')) as StateFile;
      if (state.version !== 1) throw new Error(`${this.file}: unknown version ${String(state.version)}`);
      for (const s of state.schedules) this.schedules.set(keyOf(s.groupName, s.name), s);
    }
  }

  get(groupName: string, name: string): StoredSchedule | undefined {
    return this.schedules.get(keyOf(groupName, name));
  }

  /** Every schedule, ordered by group then name (ListSchedules' order). */
  list(): StoredSchedule[] {
    return [...this.schedules.values()].sort((a, b) =>
      a.groupName === b.groupName ? a.name.localeCompare(b.name) : a.groupName.localeCompare(b.groupName),
    );
  }

  put(schedule: StoredSchedule): void {
    this.schedules.set(keyOf(schedule.groupName, schedule.name), schedule);
    this.save();
  }

  delete(groupName: string, name: string): boolean {
    const deleted = this.schedules.delete(keyOf(groupName, name));
    if (deleted) this.save();
    return deleted;
  }

  private save(): void {
    const state: StateFile = { version: 1, schedules: this.list() };
    replaceFileDurably(this.file, `${JSON.stringify(state, null, 1)}\n`);
  }
}
