import { describe, expect, it } from 'vitest';
import { hasPermission, PERMISSIONS, permissionsOf } from '../../functions/domain/auth/permissions.js';

describe('role permissions (seed 000)', () => {
  it('gives admin every permission', () => {
    expect([...permissionsOf(['admin'])].sort()).toEqual([...PERMISSIONS].sort());
  });

  it('lets an operator execute workflows and read everything but write nothing else', () => {
    const p = permissionsOf(['operator']);
    expect(p.has('workflows:execute')).toBe(true);
    expect(p.has('audit:read')).toBe(true);
    expect(p.has('entities:write')).toBe(false);
    expect(p.has('approvals:decide')).toBe(false);
  });

  it('keeps analysts to reading entities and signals', () => {
    expect([...permissionsOf(['analyst'])].sort()).toEqual(['entities:read', 'signals:read']);
  });

  it('lets approvers decide approvals and nothing on entities', () => {
    expect(hasPermission(['approver'], 'approvals:decide')).toBe(true);
    expect(hasPermission(['approver'], 'entities:read')).toBe(false);
  });

  it('ignores unknown roles and unions several roles', () => {
    expect(permissionsOf(['superuser']).size).toBe(0);
    const p = permissionsOf(['analyst', 'approver']);
    expect(p.has('entities:read') && p.has('approvals:decide')).toBe(true);
  });
});
