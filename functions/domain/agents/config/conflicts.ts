import { ConflictError } from '../../errors.js';
import { NameTakenError } from './errors.js';

/**
 * A store write refused for a failed condition says only that one failed (ConflictError): `diagnose` reads again and
 * throws the error that says which (a name taken, a resource gone or in use, a stale version). If it finds nothing, the
 * state changed back in between, and the caller gets the plain ConflictError: trying again can succeed. Any other
 * error passes unchanged.
 */
export async function explainConflict(error: unknown, diagnose: () => Promise<void>): Promise<never> {
  if (!(error instanceof ConflictError)) throw error;
  await diagnose();
  throw new ConflictError('the configuration changed while this request was served: read it again and retry', {
    cause: error,
  });
}

/** The 409 of a stale `version`. */
export function staleVersion(what: string, stored: number, given: number): ConflictError {
  return new ConflictError(`${what} is at version ${stored}, not ${given}`, {
    details: [{ field: 'version', message: `the stored version is ${stored}` }],
  });
}

/** The 409 of a name another resource of the kind holds. */
export function nameTaken(kind: string, name: string): NameTakenError {
  return new NameTakenError(`a ${kind} named ${JSON.stringify(name)} exists`, {
    details: [{ field: 'name', message: `another ${kind} of the tenant has this name` }],
  });
}
