/**
 * The roles a token's `roles` claim may carry and an approval gate may name (seed 000, "Roles"). What each
 * role may do is the domain's (functions/domain/auth/permissions.ts).
 */
export const ROLES = ['admin', 'operator', 'analyst', 'approver'] as const;
export type Role = (typeof ROLES)[number];
