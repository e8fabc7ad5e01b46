import assert from 'node:assert/strict';
import type { TestApp } from './app.js';
import { Session } from './browser-session.js';
import { openLink, tokenIn, type MailKit } from './secure-links.js';

export const SPONSOR_COOKIE = 'tessera_sponsor';

export function sponsorsPath(orgId: string, eventId: string): string {
  return `/admin/o/${orgId}/events/${eventId}/sponsors`;
}

/** An organiser adds a sponsor through the back-office form; returns its id. */
export async function addSponsor(owner: Session, orgId: string, eventId: string, name: string, booth = ''): Promise<string> {
  const response = await owner.post(sponsorsPath(orgId, eventId), { name, booth });
  assert.equal(response.statusCode, 303, response.body.slice(0, 400));
  const id = /\/sponsors\/([0-9a-z]{26})/.exec(response.headers.location as string)?.[1];
  assert.ok(id, 'the new sponsor page');
  return id;
}

/** An organiser adds a contact to a sponsor; returns the sponsor contact's id. */
export async function addSponsorContact(t: TestApp, owner: Session, orgId: string, eventId: string, sponsorId: string, name: string, email: string, role: 'editor' | 'scanner' = 'editor'): Promise<string> {
  const response = await owner.post(`${sponsorsPath(orgId, eventId)}/${sponsorId}/contacts`, { name, email, role });
  assert.equal(response.statusCode, 303, response.body.slice(0, 400));
  const row = await t.db
    .selectFrom('sponsor_contacts')
    .innerJoin('contacts', 'contacts.id', 'sponsor_contacts.contact_id')
    .select('sponsor_contacts.id')
    .where('sponsor_contacts.sponsor_id', '=', sponsorId)
    .where('contacts.email', '=', email)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The organiser presses "Send permalink"; the worker sends it; returns the token the contact got. */
export async function sendPermalink(mail: MailKit, owner: Session, orgId: string, eventId: string, sponsorId: string, contactId: string, email: string): Promise<string> {
  const response = await owner.post(`${sponsorsPath(orgId, eventId)}/${sponsorId}/contacts/${contactId}/send`, {});
  assert.equal(response.statusCode, 303, response.body.slice(0, 400));
  assert.match(response.headers.location as string, /done=permalink_sent/);
  await mail.drain();
  for (let i = 0; i < 50 && mail.mailsTo(email).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return tokenIn(mail.lastMailTo(email));
}

/** A fresh browser that opens the permalink (landing page, then its button). */
export async function sponsorBrowser(t: TestApp, token: string, ip?: string): Promise<{ browser: Session; location: string }> {
  const browser = new Session(t.app, ip ? { ip } : {});
  const location = await openLink(browser, token);
  assert.ok(browser.cookies.has(SPONSOR_COOKIE), 'the sponsor cookie');
  return { browser, location };
}
