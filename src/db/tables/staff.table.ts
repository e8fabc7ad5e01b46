export interface StaffUsersTable {
  id: string;
  email: string;
  email_key: string;
  name: string;
  password_hash: string;
  failed_logins: number;
  locked_until: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface StaffSessionsTable {
  /** SHA-256 of the cookie value: a database dump cannot be replayed as a session. */
  id_hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface SetupTokensTable {
  token_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}
