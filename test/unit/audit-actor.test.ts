import { describe, expect, it } from 'vitest';
import { auditActorOf } from '../../functions/domain/audit/audit-actor.js';
import { aContext } from '../support/builders.js';

describe('who an audit record names', () => {
  it('names the principal alone when they acted directly', () => {
    expect(auditActorOf(aContext({ userId: 'ada' }))).toEqual({ actor: 'ada' });
  });

  it('names the principal, and the system and run that acted for them', () => {
    const ctx = { ...aContext({ userId: 'ada' }), via: { actor: 'system:workflow-engine', runId: 'run_abc123' } };
    expect(auditActorOf(ctx)).toEqual({ actor: 'ada', via: 'system:workflow-engine', runId: 'run_abc123' });
  });
});
