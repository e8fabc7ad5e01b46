import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/database.js';
import type { Credential, CredentialPurpose } from '../../modules/credentials/index.js';
import type { Event } from '../../modules/events/index.js';

/** What the landing page of a valid link says before the click. */
export interface LandingText {
  heading: string;
  /** One or two sentences: what pressing the button does. */
  text: string;
  button: string;
}

export interface LandingInput {
  credential: Credential;
  event: Event | null;
  /** "Ada L." style: enough for the owner to recognise themselves, not a forwardee's data. */
  shortName: string;
}

/**
 * What each kind of personal link does. Capabilities register their purpose: the landing page
 * (GET: says what the link opens, changes nothing) and the action behind its button (POST: the
 * credential has been used by then; start a session, set its cookie, return the clean URL).
 */
export interface LinkPurposeHandler {
  purpose: CredentialPurpose;
  /** "web app link": named on expired/revoked pages ("This web app link for Summit has expired"). */
  label: string;
  landing(input: LandingInput): LandingText;
  /**
   * Runs in the transaction that used the credential: if it throws, the use is rolled back with
   * everything else, so a link is never spent on an action that did not happen.
   */
  redeem(db: Db, app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, credential: Credential): Promise<string>;
  /**
   * For links only some requests may even see (a staff preview needs the issuer's staff
   * session): false answers as for an unknown link, before anything is counted or used.
   */
  authorize?(app: FastifyInstance, request: FastifyRequest, credential: Credential): Promise<boolean>;
  /**
   * Where the holder of a dead link of this kind gets a new one, for kinds not renewed by email
   * (a sign-in link: the app's sign-in page). Absent: "email me a fresh link".
   */
  renewal?(credential: Credential): { href: string; text: string; button: string };
}

const handlers = new Map<CredentialPurpose, LinkPurposeHandler>();

export function registerLinkPurpose(handler: LinkPurposeHandler): void {
  if (handlers.has(handler.purpose)) throw new Error(`link purpose "${handler.purpose}" is already registered`);
  handlers.set(handler.purpose, handler);
}

export function linkPurposeHandler(purpose: CredentialPurpose): LinkPurposeHandler | undefined {
  return handlers.get(purpose);
}

export function landingPurposes(): CredentialPurpose[] {
  return [...handlers.keys()];
}
