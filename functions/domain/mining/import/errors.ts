import { DomainError } from '../../errors.js';

/** Where in the input a problem was found: line (1-based), column and the field (XES attribute key or CSV column). */
export interface LogPosition {
  line?: number;
  /** CSV: the column's header name; XES: the 1-based character column of the element. */
  column?: string | number;
  /** The attribute key or column (or import option) at fault. */
  field?: string;
}

/**
 * An event log that cannot be read: malformed XML or CSV, a missing case id, activity or timestamp, a value that
 * does not parse as its type. A validation failure (code VALIDATION_ERROR, status 400, like InvalidEventPatternError),
 * so an upload endpoint answers 400 naming the line, column and field; the command-line tools print the message.
 */
export class LogFormatError extends DomainError {
  override readonly name = 'LogFormatError';
  readonly code = 'VALIDATION_ERROR' as const;
  readonly status = 400;
  readonly line: number | undefined;
  readonly column: string | number | undefined;
  readonly field: string | undefined;

  constructor(message: string, position: LogPosition = {}, options?: { cause?: unknown }) {
    // A CSV column is the field at fault unless another is named.
    const field = position.field ?? (typeof position.column === 'string' ? position.column : undefined);
    super(`${describePosition(position)}${message}`, {
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
      details: [{ ...(field === undefined ? {} : { field }), message }],
    });
    this.line = position.line;
    this.column = position.column;
    this.field = field;
  }
}

function describePosition(p: LogPosition): string {
  const parts: string[] = [];
  if (p.line !== undefined) parts.push(`line ${p.line}`);
  if (p.column !== undefined) parts.push(typeof p.column === 'number' ? `column ${p.column}` : `column "${p.column}"`);
  return parts.length ? `${parts.join(', ')}: ` : '';
}
