export interface OrganisationsTable {
  id: string;
  name: string;
  slug: string;
  /** JSON text: OrganisationSettings. */
  settings: string;
  created_at: string;
  updated_at: string;
}

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'staff' | 'scanner';
  created_at: string;
}
