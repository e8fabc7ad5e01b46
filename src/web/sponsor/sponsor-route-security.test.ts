import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedApiKey } from '../../../test/helpers/api.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, signedIn } from '../../../test/helpers/fixtures.js';
import { seedMailing } from '../../../test/helpers/outbox.js';
import { mailKit, type MailKit } from '../../../test/helpers/secure-links.js';
import { addSponsor, addSponsorContact, sendPermalink, sponsorBrowser } from '../../../test/helpers/sponsors.js';
import { newId } from '../../lib/ids.js';
import { cryptoRandom } from '../../lib/random.js';

/**
 * The claim: a sponsor session gets nothing from any route of the app that an anonymous visitor
 * would not get, except its own sponsor's profile; another sponsor's profile is 404/403; the
 * back-office and the API refuse it. Every registered route and method is called (the router's
 * own list, not a hand-picked one), with the sponsor's ids, another sponsor's, another event's
 * and another organisation's.
 */

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

interface Route {
  method: Method;
  url: string;
}

/**
 * Every route the router holds, read from its own tree (printRoutes per method, without the
 * common-prefix compression). Each line is one node; a node with methods is a route.
 */
function enumerateRoutes(app: FastifyInstance): Route[] {
  const routes: Route[] = [];
  for (const method of METHODS) {
    const tree = app.printRoutes({ method, commonPrefix: false });
    const stack: string[] = [];
    for (const line of tree.split('\n')) {
      const match = /^((?:[│ ] {3})*)(?:├── |└── )(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
      if (!match) continue;
      const depth = match[1]!.length / 4;
      stack.length = depth;
      const path = (stack[depth - 1] ?? '') + match[2]!;
      stack[depth] = path;
      if (match[3]?.split(', ').includes(method)) routes.push({ method, url: path.startsWith('/') ? path : `/${path}` });
    }
  }
  return routes;
}

interface Ids {
  orgId: string;
  eventId: string;
  sponsorId: string;
  contactId: string;
}

type Variant = 'own' | 'other sponsor' | 'other event' | 'other organisation';

let t: TestApp;
let mail: MailKit;
let sponsor: Session;
/** A scan-only session of the same sponsor's booth staff. */
let scanner: Session;
let anonymous: Session;
let sponsorCsrf: string;
let scannerCsrf: string;
let anonymousCsrf: string;
const ids = {} as Record<Variant, Ids>;
/** Real objects of the sponsor's event for the other parameters, so a route reaches its guard. */
const known: Record<string, string> = {};
let permalink = '';

before(async () => {
  t = await createTestApp();
  mail = await mailKit(t);
  const orgA = await seedOrganisation(t, 'Org A');
  const orgB = await seedOrganisation(t, 'Org B');
  const ownerA = await signedIn(t, orgA.ownerEmail);
  const ownerB = await signedIn(t, orgB.ownerEmail);
  const seeded = await seedMailing(t, orgA.orgId, [{ email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' }]);
  const event = seeded.event;
  const event2 = (await seedMailing(t, orgA.orgId, [])).event;
  const eventB = (await seedMailing(t, orgB.orgId, [])).event;

  const own = await addSponsor(ownerA, orgA.orgId, event.id, 'Acme', 'A1');
  const other = await addSponsor(ownerA, orgA.orgId, event.id, 'Globex', 'A2');
  const otherEvent = await addSponsor(ownerA, orgA.orgId, event2.id, 'Initech', 'B1');
  const otherOrg = await addSponsor(ownerB, orgB.orgId, eventB.id, 'Umbrella', 'C1');
  const ownContact = await addSponsorContact(t, ownerA, orgA.orgId, event.id, own, 'Wile Coyote', 'wile@acme.test');
  ids['own'] = { orgId: orgA.orgId, eventId: event.id, sponsorId: own, contactId: ownContact };
  ids['other sponsor'] = { ...ids['own'], sponsorId: other, contactId: await addSponsorContact(t, ownerA, orgA.orgId, event.id, other, 'Hank', 'hank@globex.test') };
  ids['other event'] = { ...ids['own'], eventId: event2.id, sponsorId: otherEvent, contactId: await addSponsorContact(t, ownerA, orgA.orgId, event2.id, otherEvent, 'Bill', 'bill@initech.test') };
  ids['other organisation'] = { orgId: orgB.orgId, eventId: eventB.id, sponsorId: otherOrg, contactId: await addSponsorContact(t, ownerB, orgB.orgId, eventB.id, otherOrg, 'Albert', 'albert@umbrella.test') };

  permalink = await sendPermalink(mail, ownerA, orgA.orgId, event.id, own, ownContact, 'wile@acme.test');
  sponsor = (await sponsorBrowser(t, permalink, '203.0.113.7')).browser;
  anonymous = new Session(t.app, { ip: '203.0.113.7' });
  sponsorCsrf = await sponsor.csrf();
  anonymousCsrf = await anonymous.csrf();
  const boothContact = await addSponsorContact(t, ownerA, orgA.orgId, event.id, own, 'Booth Staff', 'booth@acme.test', 'scanner');
  scanner = (await sponsorBrowser(t, await sendPermalink(mail, ownerA, orgA.orgId, event.id, own, boothContact, 'booth@acme.test'), '203.0.113.7')).browser;
  scannerCsrf = await scanner.csrf();

  const credential = await t.db.selectFrom('credentials').select('id').where('subject_id', '=', ownContact).executeTakeFirstOrThrow();
  Object.assign(known, {
    participantId: seeded.participants[0]!.id,
    templateId: seeded.template.id,
    keyId: (await seedApiKey(t, orgA.orgId)).id,
    userId: orgA.ownerId,
    linkId: credential.id,
    email: 'ada@example.org',
  });
});

after(async () => {
  await mail.close();
  await t.close();
});

function fill(url: string, v: Ids): string {
  return url
    .replace(/\*$/, 'x')
    .replace(/:([A-Za-z]+)/g, (_, name: string) => {
      if (name === 'orgId') return v.orgId;
      if (name === 'eventId') return v.eventId;
      if (name === 'sponsorId') return v.sponsorId;
      if (name === 'contactId') return v.contactId;
      if (name === 'token') return permalink;
      return known[name] ?? newId({ now: () => new Date() }, cryptoRandom);
    });
}

/** Plausible fields for any form or JSON body: enough to get past validation where it would. */
const FIELDS: Record<string, string> = {
  name: 'Pwned by a sponsor',
  first_name: 'Eve',
  last_name: 'Sponsor',
  email: 'eve@sponsor.test',
  description: 'changed',
  booth: 'Z9',
  title: 'x',
  subject: 'x',
  html: '<p>x</p>',
  type: 'custom',
  role: 'owner',
  status: 'registered',
  purpose: 'webapp',
  password: 'correct horse battery staple',
};

async function call(session: Session, csrf: string, method: Method, url: string): Promise<LightMyRequestResponse> {
  const api = url.startsWith('/api/');
  const headers: Record<string, string> = { accept: api ? 'application/json' : 'text/html', cookie: session.cookieHeader(), 'x-forwarded-for': '203.0.113.7' };
  if (method === 'GET' || method === 'HEAD') return t.app.inject({ method, url, headers, remoteAddress: '203.0.113.7' });
  if (api) return t.app.inject({ method, url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(FIELDS), remoteAddress: '203.0.113.7' });
  const body = new URLSearchParams({ _csrf: csrf, ...FIELDS });
  return t.app.inject({ method, url, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString(), remoteAddress: '203.0.113.7' });
}

/** A success is a 2xx, or a redirect anywhere but a sign-in page. */
function succeeded(response: LightMyRequestResponse): boolean {
  if (response.statusCode >= 200 && response.statusCode < 300) return true;
  if (response.statusCode < 300 || response.statusCode >= 400) return false;
  const location = String(response.headers.location ?? '');
  return !/^\/admin\/login|^\/app\/[^/]+\/sign-in/.test(location);
}

/**
 * What the back-office and the API may answer a sponsor: not signed in, not allowed, not found,
 * or the staff sign-in; or a refusal of the request's shape (400 schema, 413, 415) that Fastify
 * gives before any handler runs, or a rate limit (429: the sweep calls sensitive routes from one
 * address many times), so nothing was read or changed.
 */
function refusedAsStaffOnly(response: LightMyRequestResponse): boolean {
  if ([400, 401, 403, 404, 405, 413, 415, 429].includes(response.statusCode)) return true;
  return response.statusCode === 303 && String(response.headers.location ?? '').startsWith('/admin/login');
}

interface Sweep {
  session: Session;
  csrf: string;
  variants: readonly Variant[];
  /** The sponsor's own routes this session may succeed on; the others must answer 403. */
  ownAllowed: (url: string) => boolean;
}

/** Calls every route with every method and every variant's ids; returns the claims broken. */
async function sweep(routes: Route[], { session, csrf, variants, ownAllowed }: Sweep, tc: TestContext): Promise<{ problems: string[]; ownSuccesses: number }> {
  // Signing out ends the session under test: those routes go last.
  const ordered = [...routes.filter((r) => !r.url.endsWith('/sign-out')), ...routes.filter((r) => r.url.endsWith('/sign-out'))];
  const problems: string[] = [];
  const publicSuccesses = new Set<string>();
  let ownSuccesses = 0;
  let calls = 0;
  let signOutReached = false;
  for (const route of ordered) {
    if (route.url.endsWith('/sign-out') && !signOutReached) {
      signOutReached = true;
      // The session must still be alive, or every refusal above proved nothing.
      assert.equal((await session.get(`/sponsor/${ids.own.sponsorId}/leads`)).statusCode, 200, 'the sponsor session is still open');
    }
    // The sponsor's own ids last: its sign-out must not end the session before the others are tried.
    for (const variant of variants) {
      const url = fill(route.url, ids[variant]);
      const baseline = await call(anonymous, anonymousCsrf, route.method, url);
      const response = await call(session, csrf, route.method, url);
      calls += 2;
      const label = `${route.method} ${route.url} [${variant}] -> ${response.statusCode}`;
      if (route.url.startsWith('/sponsor/')) {
        if (variant !== 'own') {
          if (![403, 404].includes(response.statusCode)) problems.push(`${label}: another sponsor's page must be 404/403`);
        } else if (ownAllowed(route.url)) ownSuccesses += succeeded(response) ? 1 : 0;
        else if (response.statusCode !== 403) problems.push(`${label}: not this session's page, must be 403`);
        continue;
      }
      if (succeeded(response) && !succeeded(baseline)) problems.push(`${label}: the sponsor got what an anonymous visitor does not (${baseline.statusCode})`);
      if (succeeded(response)) publicSuccesses.add(`${route.method} ${route.url}`);
      // The back-office (but its sign-in page) and the API refuse a sponsor, public or not to others.
      const staffOnly = (/^\/admin(?:\/|$)/.test(route.url) && route.url !== '/admin/login') || route.url.startsWith('/api/v1/');
      if (staffOnly && !refusedAsStaffOnly(response)) problems.push(`${label}: back-office and API must answer 401/403/404 or the staff sign-in`);
    }
  }
  tc.diagnostic(`${routes.length} routes, ${calls} requests; public successes: ${[...publicSuccesses].join(', ')}`);
  // Whatever succeeded for the sponsor outside its pages is public: it needs no session at all.
  for (const route of publicSuccesses) assert.doesNotMatch(route, /^(?:POST|PUT|PATCH|DELETE) \/(?:admin\/o|api\/v1)\//, route);
  assert.ok(calls > routes.length * variants.length, `${calls} requests`);
  return { problems, ownSuccesses };
}

let routes: Route[] = [];

test('every route of the app is enumerated from the router', () => {
  routes = enumerateRoutes(t.app);
  for (const route of routes) {
    if (!route.url.includes('*')) assert.ok(t.app.hasRoute({ method: route.method, url: route.url }), `${route.method} ${route.url} read from the router`);
  }
  // The router's wildcard for malformed links prints without its prefix: call it by hand too.
  routes.push({ method: 'GET', url: '/l/*' }, { method: 'POST', url: '/l/*' });
  assert.ok(routes.length >= 150, `every route enumerated (${routes.length})`);
  assert.ok(routes.filter((r) => r.url.startsWith('/sponsor/')).length >= 8, 'the sponsor pages are among them');
  assert.ok(routes.some((r) => r.url === '/admin/o/:orgId/events/:eventId/sponsors/:sponsorId/contacts/:contactId/send'));
});

test('a sponsor session succeeds only on its own profile, across every route of the app', async (tc) => {
  const { problems, ownSuccesses } = await sweep(routes, { session: sponsor, csrf: sponsorCsrf, variants: ['other sponsor', 'other event', 'other organisation', 'own'], ownAllowed: () => true }, tc);
  assert.deepEqual(problems, []);
  assert.ok(ownSuccesses >= 4, `the own profile works (${ownSuccesses} successes)`);
  const row = await t.db.selectFrom('sponsors').select(['name', 'booth']).where('id', '=', ids['other sponsor'].sponsorId).executeTakeFirstOrThrow();
  assert.deepEqual(row, { name: 'Globex', booth: 'A2' }, 'no other sponsor was changed');
  const booths = await t.db.selectFrom('sponsors').select('booth').where('id', '=', ids.own.sponsorId).executeTakeFirstOrThrow();
  assert.equal(booths.booth, 'A1', "the sponsor's own booth is the organiser's");
});

test("a scan-only booth session succeeds only on its own sponsor's booth scanning, across every route of the app", async (tc) => {
  const booth = (url: string) => url.startsWith('/sponsor/:sponsorId/leads') || url.endsWith('/sign-out');
  const before = await t.db.selectFrom('sponsors').select(['name', 'description']).where('id', '=', ids.own.sponsorId).executeTakeFirstOrThrow();
  const { problems, ownSuccesses } = await sweep(routes, { session: scanner, csrf: scannerCsrf, variants: ['other sponsor', 'own'], ownAllowed: booth }, tc);
  assert.deepEqual(problems, []);
  assert.ok(ownSuccesses >= 2, `booth scanning works (${ownSuccesses} successes)`);
  const after = await t.db.selectFrom('sponsors').select(['name', 'description']).where('id', '=', ids.own.sponsorId).executeTakeFirstOrThrow();
  assert.deepEqual(after, before, 'booth staff changed nothing of the profile');
});
