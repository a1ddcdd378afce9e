import { DomainError, type ErrorDetail } from '../../errors.js';

/** Another resource of the same kind in the tenant has this name (compared normalised). 409 CONFLICT naming `name`. */
export class NameTakenError extends DomainError {
  override readonly name = 'NameTakenError';
  readonly code = 'CONFLICT' as const;
  readonly status = 409;
}

/**
 * The resource is still referred to by agents, which the message and `agentIds` name: change or delete them first.
 * 409 CONFLICT.
 */
export class ResourceInUseError extends DomainError {
  override readonly name = 'ResourceInUseError';
  readonly code = 'CONFLICT' as const;
  readonly status = 409;
  readonly agentIds: readonly string[];
  constructor(what: string, agentIds: readonly string[]) {
    const shown = agentIds.slice(0, 20);
    const more = agentIds.length > shown.length ? ` and ${agentIds.length - shown.length} more` : '';
    const details: ErrorDetail[] = shown.map((id) => ({ field: 'agents', message: id }));
    super(`${what} is used by agent(s) ${shown.join(', ')}${more}`, { details });
    this.agentIds = agentIds;
  }
}

/** System skills are part of the platform, the same in every tenant: they cannot be deleted. 409 CONFLICT. */
export class SystemSkillImmutableError extends DomainError {
  override readonly name = 'SystemSkillImmutableError';
  readonly code = 'CONFLICT' as const;
  readonly status = 409;
}
