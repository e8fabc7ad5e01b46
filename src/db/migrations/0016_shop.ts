import type { Kysely } from 'kysely';

/**
 * Ticket shops and customer accounts (the secutix email-validation rules).
 * - sales_channels and points_of_sale: a shop is a running point of sale of an internet channel,
 *   with its own path (/shop/<org slug>/<pos slug>) and branding.
 * - contacts become customer accounts: a password hash (scrypt, parameters in the value), how the
 *   address was validated (link, sso, merge, operator), the structure a relay or B2B individual
 *   belongs to, the parent a merged contact went into.
 * - customer_sessions: only the SHA-256 of the cookie value; deleting a contact's rows signs them
 *   out everywhere at once (email change).
 * - contact_connections: friends & family, one row per direction asked for.
 * - sso_providers / sso_identities: OpenID Connect per organisation; the client secret sealed.
 * Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sales_channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sales_channels_org_idx').on('sales_channels').columns(['org_id', 'name']).execute();

  await db.schema
    .createTable('points_of_sale')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('sales_channels.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('heading', 'text', (c) => c.notNull())
    .addColumn('accent', 'text', (c) => c.notNull())
    .addColumn('welcome', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('points_of_sale_org_slug_uq', ['org_id', 'slug'])
    .execute();

  await db.schema.alterTable('contacts').addColumn('password_hash', 'text').execute();
  await db.schema.alterTable('contacts').addColumn('email_verified_via', 'text').execute();
  await db.schema.alterTable('contacts').addColumn('structure_id', 'text').execute();
  await db.schema.alterTable('contacts').addColumn('merged_into', 'text').execute();

  await db.schema
    .createTable('customer_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('pos_id', 'text', (c) => c.notNull().references('points_of_sale.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_sessions_contact_idx').on('customer_sessions').column('contact_id').execute();

  await db.schema
    .createTable('contact_connections')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('connected_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('relation', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_connections_pk', ['contact_id', 'connected_id'])
    .execute();
  await db.schema.createIndex('contact_connections_connected_idx').on('contact_connections').column('connected_id').execute();

  await db.schema
    .createTable('sso_providers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sso_identities')
    .addColumn('provider_id', 'text', (c) => c.notNull().references('sso_providers.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sso_identities_pk', ['provider_id', 'subject'])
    .execute();
  await db.schema.createIndex('sso_identities_contact_idx').on('sso_identities').column('contact_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['sso_identities', 'sso_providers', 'contact_connections', 'customer_sessions', 'points_of_sale', 'sales_channels']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  for (const column of ['merged_into', 'structure_id', 'email_verified_via', 'password_hash']) {
    await db.schema.alterTable('contacts').dropColumn(column).execute();
  }
}
