import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { hashToken, mintToken, tokenKind } from '../../lib/tokens.js';
import { countOrganisations, createOrganisation, type Organisation } from '../organisations/index.js';
import { createStaffUser, type StaffUser } from '../staff/index.js';

const SETUP_TTL_MS = 60 * 60 * 1000;

/**
 * On a fresh install (no organisation yet) mints a one-time setup token valid for an hour and
 * returns it; earlier unused tokens are dropped. Returns null once an organisation exists.
 */
export async function issueSetupToken(db: Kysely<Database>, ctx: Ctx): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    if ((await countOrganisations(trx)) > 0) return null;
    await trx.deleteFrom('setup_tokens').execute();
    const token = mintToken('setup', ctx.random);
    const now = ctx.clock.now();
    await trx
      .insertInto('setup_tokens')
      .values({
        token_hash: hashToken(token),
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + SETUP_TTL_MS).toISOString(),
        used_at: null,
      })
      .execute();
    return token;
  });
}

/** True when the token could still complete setup. Changes nothing (a GET may call it). */
export async function setupTokenUsable(db: Kysely<Database>, ctx: Ctx, token: string): Promise<boolean> {
  if (tokenKind(token) !== 'setup') return false;
  const row = await db
    .selectFrom('setup_tokens')
    .select('token_hash')
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', ctx.clock.now().toISOString())
    .executeTakeFirst();
  return row !== undefined;
}

export interface OwnerInput {
  organisationName: string;
  name: string;
  email: string;
  password: string;
}

export async function createOrganisationWithOwner(
  trx: Kysely<Database>,
  ctx: Ctx,
  actor: Actor,
  input: OwnerInput,
): Promise<{ organisation: Organisation; owner: StaffUser }> {
  const owner = await createStaffUser(trx, ctx, { email: input.email, name: input.name, password: input.password });
  const organisation = await createOrganisation(trx, ctx, { ...actor, id: actor.id ?? owner.id, label: actor.label ?? owner.email }, {
    name: input.organisationName,
    ownerUserId: owner.id,
  });
  return { organisation, owner };
}

/** Consumes the setup token (one statement, so two submits cannot both pass) and creates the owner. */
export async function completeSetup(
  db: Kysely<Database>,
  ctx: Ctx,
  token: string,
  input: OwnerInput,
  ip: string | null,
): Promise<{ organisation: Organisation; owner: StaffUser }> {
  if (tokenKind(token) !== 'setup') throw new DomainError('setup_link_invalid', 'This setup link is not valid');
  return db.transaction().execute(async (trx) => {
    const consumed = await trx
      .updateTable('setup_tokens')
      .set({ used_at: ctx.clock.now().toISOString() })
      .where('token_hash', '=', hashToken(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', ctx.clock.now().toISOString())
      .returning('token_hash')
      .executeTakeFirst();
    if (!consumed || (await countOrganisations(trx)) > 0) {
      throw new DomainError('setup_link_invalid', 'This setup link has been used or has expired');
    }
    return createOrganisationWithOwner(trx, ctx, { type: 'staff', id: null, label: null, ip }, input);
  });
}
