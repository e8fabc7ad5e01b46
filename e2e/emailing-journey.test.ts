import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshotDir } from './helpers/browser.js';
import { OWNER, setUpOwner } from './helpers/owner.js';
import { freePort, startServer, type RunningServer } from './helpers/server.js';

// Emailing, in one ordered flow through the UI only: an event with a custom field, 50
// participants imported from a CSV, a template with merge tags (saved, previewed for one
// participant, sent as a test to two), a campaign to the 50 sent now and watched until every
// email is sent, then the emails read in the Mailbox page of the local SMTP sink that the server
// starts itself (as `npm start` does), with the outbox worker delivering to it.

const EVENT = { name: 'Harbour Summit 2026', starts: '2026-09-14T09:00', ends: '2026-09-15T18:00', zone: 'Europe/Paris' };
const EVENT_START_TEXT = 'Monday, 14 September 2026 at 09:00 CEST';
const COUNT = 50;

const FIRST_NAMES = ['Anna', 'Jonas', 'Chloé', 'Pedro', 'Fatima', 'Lukas', 'Inès', 'Tom', 'Sofia', 'Hugo', 'Mia', 'Noah', 'Zoé', 'Omar', 'Elena', 'Yusuf', 'Greta'];
const LAST_NAMES = ['Martin', 'Müller', 'García', 'Rossi', 'Dubois', 'Nowak', 'Smith', 'Janssen', 'Lefèvre', 'Costa', 'Berg', 'Moreau', 'Silva'];
const COMPANIES = ['Initech', 'Hooli', 'Umbrella GmbH', 'Soylent SA', 'Globex'];

interface Person {
  first: string;
  last: string;
  email: string;
  company: string;
}

/** The participant the preview and the Mailbox check are about; the company needs escaping in HTML. */
const TARGET_INDEX = 23;
const TARGET: Person = { first: 'Margot', last: 'Vandenbroucke', email: 'margot.vandenbroucke@example.org', company: 'Dupont & Fils <Lyon>' };
/** The two participants whose data the test email is sent with. */
const TEST_INDEXES = [2, 7] as const;

function ascii(text: string): string {
  return text.normalize('NFKD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

function people(): Person[] {
  const list: Person[] = [];
  for (let i = 1; i <= COUNT; i++) {
    if (i === TARGET_INDEX) {
      list.push(TARGET);
      continue;
    }
    const first = FIRST_NAMES[(i - 1) % FIRST_NAMES.length]!;
    const last = LAST_NAMES[(i * 5) % LAST_NAMES.length]!;
    list.push({ first, last, email: `${ascii(first)}.${ascii(last)}.${i}@example.org`, company: COMPANIES[i % COMPANIES.length]! });
  }
  return list;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function toCsv(list: Person[]): string {
  const lines = [['email', 'first_name', 'last_name', 'company'].join(',')];
  for (const p of list) lines.push([p.email, p.first, p.last, p.company].map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

const TEMPLATE = {
  name: 'Welcome email',
  subject: 'Welcome {{ first_name }}',
  html: [
    '<h1>Welcome to {{ event_name }}, {{ first_name }}!</h1>',
    '<p>Dear {{ first_name }} {{ last_name }},</p>',
    '<p>You are registered for <strong>{{ event_name }}</strong> on behalf of <em>{{ fields.company }}</em>.</p>',
    '<p>Doors open {{ event_start }}.</p>',
    '<p>See you there,<br>{{ organisation_name }}</p>',
  ].join('\n'),
};

const subjectFor = (p: Person) => `Welcome ${p.first}`;
const labelFor = (p: Person) => `${p.first} ${p.last} <${p.email}>`;
const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

/** Whitespace-normalised texts of the cells of each body row of a table. */
async function tableRows(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('td'), (td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );
}

/** The campaign page's progress counters, by label: `{ queued: 0, sent: 50, ... }`. */
async function progressOf(page: Page): Promise<Record<string, number>> {
  const stats = await page.locator('[aria-label="Progress"] .stat').evaluateAll((cards) =>
    cards.map((card) => {
      const number = card.querySelector('b')?.textContent ?? '';
      const label = (card.textContent ?? '').slice(number.length).replace(/\s+/g, ' ').trim();
      return [label, Number(number)] as const;
    }),
  );
  return Object.fromEntries(stats);
}

/** The value shown for a term of a `dl.fields` list (`<dt>term</dt><dd>value</dd>`). */
async function definition(page: Page, term: string): Promise<string> {
  return squash(await page.locator('dl.fields dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]').first().textContent());
}

describe('the emailing journey in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let workDir: string;
  before(async () => {
    // A sink port of our own, so no other process on this machine can receive this server's mail.
    server = await startServer({ env: { TESSERA_SMTP_SINK_PORT: String(await freePort()) } });
    browser = await launchBrowser();
    workDir = mkdtempSync(join(tmpdir(), 'tessera-e2e-emailing-'));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('template with merge tags, preview, send test, campaign to 50 watched to the end, emails read in the Mailbox', async (t: TestContext) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const shots = screenshotDir();
    const shot = (name: string) => page.screenshot({ path: join(shots, `emailing-${name}.png`), fullPage: true });
    const eventNav = () => page.getByRole('navigation', { name: 'Event' });
    let step = 'start';
    let mark = Date.now();
    const timings: string[] = [];
    const done = (name: string) => {
      timings.push(`${name} ${Date.now() - mark} ms`);
      mark = Date.now();
    };
    const list = people();
    const testPeople = TEST_INDEXES.map((i) => list[i - 1]!);
    try {
      step = 'setup';
      await setUpOwner(page, server);
      done('setup');

      step = 'create the event';
      await page.getByRole('link', { name: 'New event' }).click();
      await page.getByLabel('Name', { exact: true }).fill(EVENT.name);
      await page.getByLabel('Starts').fill(EVENT.starts);
      await page.getByLabel('Ends').fill(EVENT.ends);
      await page.getByLabel(/^Time zone/).selectOption(EVENT.zone);
      await page.getByLabel('Venue').fill('Quai des Docks');
      await page.getByRole('button', { name: 'Create event' }).click();
      await page.waitForURL(/\/events\/[0-9a-z]{26}\?done=created$/);
      const eventPath = new URL(page.url()).pathname;
      await page.getByRole('heading', { name: EVENT.name }).waitFor();
      done('event');

      step = 'add the company field';
      await eventNav().getByRole('link', { name: 'Fields' }).click();
      await page.waitForURL((url) => url.pathname === `${eventPath}/fields`);
      await page.getByLabel('Key').fill('company');
      await page.getByLabel('Label').fill('Company');
      await page.getByLabel('Type').selectOption('text');
      await page.getByRole('button', { name: 'Add field' }).click();
      await page.getByRole('cell', { name: 'company', exact: true }).waitFor();
      done('field');

      step = 'import 50 participants';
      const csvPath = join(workDir, 'participants.csv');
      writeFileSync(csvPath, toCsv(list));
      await eventNav().getByRole('link', { name: 'Import' }).click();
      await page.waitForURL((url) => url.pathname === `${eventPath}/import`);
      await page.getByLabel('CSV file').setInputFiles(csvPath);
      await page.getByRole('button', { name: 'Upload' }).click();
      await page.waitForURL(/\/import\/[0-9a-z]{26}$/);
      for (const [index, label] of ['Email', 'First name', 'Last name', 'Company'].entries()) {
        await page.getByLabel(`Column ${index + 1} is`).selectOption({ label });
      }
      await page.getByLabel('Leave them as they are').check();
      await page.getByRole('button', { name: 'Check the file' }).click();
      await page.getByRole('heading', { name: 'Check result' }).waitFor();
      await page.getByRole('button', { name: `Import ${COUNT} rows` }).click();
      await page.getByRole('heading', { name: 'Import finished' }).waitFor();
      await page.getByRole('link', { name: 'See the participants' }).click();
      await page.waitForURL((url) => url.pathname === `${eventPath}/participants`);
      assert.equal(squash(await page.locator('p.count').textContent()), `${COUNT} participants`);
      await shot('participants');
      done('import');

      step = 'write the template';
      await eventNav().getByRole('link', { name: 'Emails' }).click();
      await page.waitForURL((url) => url.pathname === `${eventPath}/emails`);
      await page.getByRole('link', { name: 'New template' }).click();
      await page.waitForURL((url) => url.pathname === `${eventPath}/emails/templates/new`);
      await page.getByLabel('Name', { exact: true }).fill(TEMPLATE.name);
      await page.getByLabel('Type').selectOption({ label: 'Custom' });
      await page.getByLabel('this event only').check();
      await page.getByLabel('Subject', { exact: true }).fill(TEMPLATE.subject);
      await page.getByLabel('HTML body').fill(TEMPLATE.html);
      // The tag reference lists the event's custom field next to the built-in tags.
      await page.locator('details.card summary', { hasText: 'Merge tags' }).click();
      assert.ok(await page.getByRole('cell', { name: '{{ fields.company }}' }).isVisible(), 'the custom field is listed as a merge tag');
      await page.getByRole('button', { name: 'Create template' }).click();
      await page.waitForURL(/\/emails\/templates\/[0-9a-z]{26}\?done=created$/);
      const templatePath = new URL(page.url()).pathname;
      assert.equal(squash(await page.locator('p.flash').textContent()), 'Created.');
      assert.equal(await page.getByLabel('Subject', { exact: true }).inputValue(), TEMPLATE.subject, 'the saved subject');
      assert.equal(await page.getByLabel('HTML body').inputValue(), TEMPLATE.html, 'the saved body, exactly as typed');
      done('template');

      step = 'preview for one participant';
      await page.getByLabel('Find a participant').fill(TARGET.last.slice(0, 6));
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await page.waitForURL((url) => url.pathname === templatePath && url.searchParams.get('q') === TARGET.last.slice(0, 6));
      await page.getByLabel(/^Participant/).selectOption({ label: labelFor(TARGET) });
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await page.waitForURL((url) => url.pathname === templatePath && url.searchParams.has('participant'));
      assert.equal(await definition(page, 'Subject'), subjectFor(TARGET), 'the preview subject is personalised');
      const preview = page.frameLocator('#preview iframe.mail-html');
      await preview.getByRole('heading', { name: `Welcome to ${EVENT.name}, ${TARGET.first}!` }).waitFor();
      const previewText = squash(await preview.locator('body').textContent());
      assert.ok(previewText.includes(`Dear ${TARGET.first} ${TARGET.last},`), previewText);
      // The company holds & and <...>: HTML-escaped, it reads as typed and adds no element.
      assert.ok(previewText.includes(`on behalf of ${TARGET.company}.`), previewText);
      assert.equal(await preview.locator('em').textContent(), TARGET.company);
      assert.ok(previewText.includes(`Doors open ${EVENT_START_TEXT}.`), previewText);
      assert.ok(previewText.includes(OWNER.organisation), previewText);
      await page.locator('#preview details summary', { hasText: 'Text part' }).click();
      const previewPlain = squash(await page.locator('#preview pre.mail-text').textContent());
      assert.ok(previewPlain.includes(`Dear ${TARGET.first} ${TARGET.last},`), `the generated text part: ${previewPlain}`);
      await page.locator('#preview').scrollIntoViewIfNeeded();
      await shot('preview');
      done('preview');

      step = 'send a test to two participants';
      // The preview's search also narrows the send-test choices (to one here): clear it first,
      // keeping the previewed participant.
      await page.getByLabel('Find a participant').fill('');
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await page.waitForURL((url) => url.pathname === templatePath && url.searchParams.get('q') === '');
      assert.equal(await definition(page, 'Subject'), subjectFor(TARGET), 'still previewing the same participant');
      const sendTest = page.locator('#send-test');
      await sendTest.getByLabel('First participant').selectOption({ label: labelFor(testPeople[0]!) });
      await sendTest.getByLabel('Second participant').selectOption({ label: labelFor(testPeople[1]!) });
      await sendTest.getByRole('button', { name: 'Send test to me' }).click();
      await page.waitForURL((url) => url.pathname === templatePath && url.searchParams.get('done') === 'test_sent');
      assert.equal(squash(await page.locator('p.flash').textContent()), 'Test emails queued to your address: read them in your inbox (or the Mailbox).');
      assert.equal(await page.locator('#send-test [role="alert"]').count(), 0, 'no refusal');
      await shot('test-sent');
      done('send test');

      step = 'the two test emails in the Mailbox';
      await page.getByRole('link', { name: 'Mailbox' }).click();
      await page.waitForURL((url) => url.pathname === '/admin/mailbox');
      let testRows: string[][] = [];
      for (const until = Date.now() + 20_000; ; ) {
        testRows = (await tableRows(page, 'table.mailbox')).filter((cells) => cells[0] === OWNER.email);
        if (testRows.length >= 2 || Date.now() > until) break;
        await page.waitForTimeout(500);
        await page.reload();
      }
      assert.deepEqual(
        testRows.map((cells) => cells[1]).sort(),
        testPeople.map(subjectFor).sort(),
        `one test email per chosen participant, both to the owner: ${JSON.stringify(testRows)}`,
      );
      await page.getByRole('row', { name: new RegExp(`${subjectFor(testPeople[0]!)}`) }).getByRole('link').click();
      await page.waitForURL(/\/admin\/mailbox\/[0-9a-z]{26}$/);
      assert.equal(await definition(page, 'Envelope to'), OWNER.email);
      const testFrame = page.frameLocator('iframe.mail-html');
      await testFrame.getByRole('heading', { name: `Welcome to ${EVENT.name}, ${testPeople[0]!.first}!` }).waitFor();
      assert.ok(squash(await testFrame.locator('body').textContent()).includes(`on behalf of ${testPeople[0]!.company}.`));
      done('test emails read');

      step = 'create the campaign';
      await page.goto(`${server.url}${eventPath}`);
      await eventNav().getByRole('link', { name: 'Campaigns' }).click();
      await page.waitForURL((url) => url.pathname === `${eventPath}/campaigns`);
      await page.getByRole('link', { name: 'New campaign' }).click();
      await page.waitForURL((url) => url.pathname === `${eventPath}/campaigns/new`);
      await page.getByLabel(/^Name/).fill('Welcome everyone');
      await page.getByLabel(/^Template/).selectOption({ label: `${TEMPLATE.name} (Custom)` });
      // Imported participants have the status "imported"; the form suggests "registered".
      await page.getByLabel('registered', { exact: true }).uncheck();
      await page.getByLabel('imported', { exact: true }).check();
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.waitForURL(/\/campaigns\/[0-9a-z]{26}\?done=created$/);
      const campaignPath = new URL(page.url()).pathname;
      assert.equal(squash(await page.locator('p.count').textContent()), `${COUNT} participants match this audience now. The list is read again when the campaign starts.`);
      assert.equal(await definition(page, 'Audience'), 'participants with status imported');
      await shot('campaign-draft');
      done('campaign draft');

      step = 'send the campaign now';
      await page.getByRole('button', { name: `Send now to ${COUNT} participants` }).click();
      await page.waitForURL((url) => url.pathname === campaignPath && url.searchParams.get('done') === 'sending');
      assert.equal(squash(await page.locator('p.flash').textContent()), 'The campaign is sending.');
      await shot('campaign-sending');

      step = 'watch the campaign finish';
      let progress: Record<string, number> = {};
      let status = '';
      const sendStarted = Date.now();
      for (const until = Date.now() + 60_000; ; ) {
        progress = await progressOf(page);
        status = squash(await page.locator('h1 .badge').textContent());
        if ((progress['sent'] === COUNT && status === 'finished') || Date.now() > until) break;
        await page.waitForTimeout(500);
        await page.goto(`${server.url}${campaignPath}`);
      }
      t.diagnostic(`campaign: ${JSON.stringify(progress)} ${status} after ${Date.now() - sendStarted} ms`);
      assert.equal(progress['sent'], COUNT, `progress shows every email sent: ${JSON.stringify(progress)}`);
      for (const [label, n] of Object.entries(progress)) if (label !== 'sent') assert.equal(n, 0, `no email ${label}`);
      assert.equal(status, 'finished');
      assert.equal(await definition(page, 'Messages'), String(COUNT));
      const recipients = await tableRows(page, 'table.campaign-messages');
      assert.equal(recipients.length, COUNT, 'one recipient row per participant');
      assert.ok(recipients.every((cells) => cells[1] === 'sent'), JSON.stringify(recipients.filter((cells) => cells[1] !== 'sent')));
      assert.ok(recipients.some((cells) => cells[0] === `${TARGET.first} ${TARGET.last} ${TARGET.email}`), 'the target is among the recipients');
      await shot('campaign-finished');
      done('campaign sent');

      step = 'read one campaign email in the Mailbox';
      await page.getByRole('link', { name: 'Mailbox' }).click();
      await page.waitForURL((url) => url.pathname === '/admin/mailbox');
      const mailbox = await tableRows(page, 'table.mailbox');
      const campaignRows = mailbox.filter((cells) => cells[0] !== OWNER.email);
      assert.equal(campaignRows.length, COUNT, `the newest page holds the ${COUNT} campaign emails`);
      assert.deepEqual(new Set(campaignRows.map((cells) => cells[0])), new Set(list.map((p) => p.email)), 'one email to each participant');
      const targetRows = mailbox.filter((cells) => cells[0] === TARGET.email);
      assert.deepEqual(targetRows.map((cells) => cells[1]), [subjectFor(TARGET)], 'exactly one email to the target, personalised');
      await shot('mailbox');
      await page.getByRole('row').filter({ has: page.getByRole('cell', { name: TARGET.email, exact: true }) }).getByRole('link', { name: subjectFor(TARGET) }).click();
      await page.waitForURL(/\/admin\/mailbox\/[0-9a-z]{26}$/);
      await page.getByRole('heading', { level: 1, name: subjectFor(TARGET) }).waitFor();
      assert.equal(await definition(page, 'Envelope to'), TARGET.email);
      assert.match(await definition(page, 'Message-ID'), /^<[0-9a-z]{26}@127\.0\.0\.1>$/, 'the outbox row id at the public host');
      const mail = page.frameLocator('iframe.mail-html');
      await mail.getByRole('heading', { name: `Welcome to ${EVENT.name}, ${TARGET.first}!` }).waitFor();
      const mailText = squash(await mail.locator('body').textContent());
      assert.ok(mailText.includes(`Dear ${TARGET.first} ${TARGET.last},`), mailText);
      assert.ok(mailText.includes(`on behalf of ${TARGET.company}.`), mailText);
      assert.equal(await mail.locator('em').textContent(), TARGET.company, 'the company is escaped, not markup');
      assert.ok(mailText.includes(`Doors open ${EVENT_START_TEXT}.`), mailText);
      const plain = squash(await page.locator('pre.mail-text').textContent());
      assert.ok(plain.includes(`Dear ${TARGET.first} ${TARGET.last},`), `the text part: ${plain}`);
      assert.ok(plain.includes(TARGET.company), `the text part: ${plain}`);
      await shot('mailbox-message');
      done('campaign email read');

      step = 'the test emails are still there, one page older';
      await page.getByRole('link', { name: '← Mailbox' }).click();
      await page.getByRole('link', { name: 'Older →' }).click();
      const older = await tableRows(page, 'table.mailbox');
      assert.deepEqual(
        older.map((cells) => `${cells[0]} ${cells[1]}`).sort(),
        testPeople.map((p) => `${OWNER.email} ${subjectFor(p)}`).sort(),
        'the two test emails, to the owner',
      );
      done('older page');

      t.diagnostic(`timings: ${timings.join(', ')}`);
      t.diagnostic(`screenshots in ${shots}`);
    } catch (err) {
      const failure = join(shots, 'emailing-failure.png');
      await page.screenshot({ path: failure, fullPage: true }).catch(() => {});
      t.diagnostic(`failed at step "${step}"; screenshot: ${failure} at ${page.url()}\n${server.output()}`);
      throw err;
    } finally {
      await context.close();
    }
  });
});
