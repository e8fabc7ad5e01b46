export type Role = 'owner' | 'admin' | 'staff' | 'scanner';
export const ROLES: readonly Role[] = ['owner', 'admin', 'staff', 'scanner'];

// Each role can do everything the roles below it can.
const RANK: Record<Role, number> = { scanner: 1, staff: 2, admin: 3, owner: 4 };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export interface OrganisationSettings {
  /** Shop accounts must validate their address before entering the shop (secutix rule). */
  emailValidationRequired: boolean;
}

export const DEFAULT_SETTINGS: OrganisationSettings = { emailValidationRequired: true };

export interface Organisation {
  id: string;
  name: string;
  slug: string;
  settings: OrganisationSettings;
  createdAt: string;
}

export interface Membership {
  orgId: string;
  userId: string;
  role: Role;
}
