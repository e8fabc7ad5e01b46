import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { screenshotDir } from './helpers/browser.js';
import { mailLinkHref, openMailboxMessage } from './helpers/mailbox.js';
import { setUpOwner, useServerAndBrowser } from './helpers/owner.js';

// The back-office contact book in Chromium. The organiser runs a B2C shop and an agency shop;
// creating a relay of an agency, the operator chooses the document type and the point of sale:
// only running points of sale of the channels a relay may use are offered, and the verification
// email read in the Mailbox opens the chosen shop. A friends & family connection to a contact
// whose email is not validated shows a warning with a button that sends them a validation email;
// an operator can also mark it validated. Merging a duplicate that holds a validated address into
// a contact that has none carries the validation over (green circle) with the child's connections.

const VERIFY_SUBJECT = 'Confirm your email address for Acme Events';
const RITA = { first: 'Rita', last: 'Relay', email: 'rita.relay@example.org' };
const FAY = { first: 'Fay', last: 'Family', email: 'fay.family@example.org' };
const IVAN = { first: 'Ivan', last: 'Individual', email: 'ivan.one@example.org' };
const DUP = { first: 'Ivan', last: 'Individual', email: 'ivan.two@example.org' };

describe('contacts in Chromium', () => {
  const running = useServerAndBrowser({ mailbox: true });

  test('relay created with a document type and point of sale, mail opens that shop; friends & family warning and validation; merge carries the validation over', async (t: TestContext) => {
    const [server, browser] = [running.server(), running.browser()];
    const staff = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const visitor = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await staff.newPage();
    const relay = await visitor.newPage();
    page.setDefaultTimeout(15_000);
    relay.setDefaultTimeout(15_000);
    const shots = screenshotDir();
    const shot = (p: Page, name: string) => p.screenshot({ path: join(shots, `contacts-${name}.png`), fullPage: true });
    let step = 'start';
    let orgBase = '';

    const circle = (scope: Locator) => scope.locator('.vdot').first().getAttribute('data-validated');
    const heading = () => page.getByRole('heading', { level: 1 });

    async function addChannel(name: string, kind: string): Promise<void> {
      await page.goto(`${orgBase}/shops`);
      const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Add channel' }) });
      await form.getByLabel('Name').fill(name);
      await form.getByLabel('Kind').selectOption(kind);
      await form.getByRole('button', { name: 'Add channel' }).click();
      await page.waitForURL(/shops\?done=created$/);
    }

    async function addPointOfSale(channel: string, name: string, slug: string, state: 'running' | 'closed', heading: string): Promise<void> {
      const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create point of sale' }) });
      await form.getByLabel('Sales channel').selectOption({ label: channel });
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByLabel(/^Address/).fill(slug);
      await form.getByLabel('State').selectOption(state);
      await form.getByLabel('Shop heading').fill(heading);
      await form.getByRole('button', { name: 'Create point of sale' }).click();
      await page.waitForURL(/shops\?done=created$/);
    }

    const pointsOffered = async () => (await page.getByLabel(/^Point of sale/).locator('option').allTextContents()).filter((o) => o !== 'Choose…');

    /** The new-contact form of this kind, filled and sent; returns the contact page's URL. */
    async function createContact(kind: 'individual' | 'structure' | 'relay', person: { first?: string; last: string; email: string }, pos: string, structure?: string): Promise<string> {
      await page.goto(`${orgBase}/contacts/new?kind=${kind}`);
      if (person.first) await page.getByLabel('First name').fill(person.first);
      await page.getByLabel(kind === 'structure' ? 'Name of the structure' : 'Last name').fill(person.last);
      await page.getByLabel('Email', { exact: true }).fill(person.email);
      if (structure) await page.getByLabel(/^Structure/).selectOption({ label: structure });
      const documents = await page.getByLabel(/^Document type/).locator('option').allTextContents();
      await page.getByLabel(/^Document type/).selectOption({ label: documents.find((d) => d !== 'Choose…')! });
      await page.getByLabel(/^Point of sale/).selectOption({ label: pos });
      await page.getByRole('button', { name: 'Create and send the validation email' }).click();
      await page.waitForURL(/\/contacts\/[0-9a-z]{26}\?done=created$/);
      return page.url().replace(/\?.*$/, '');
    }

    try {
      step = 'organiser: a B2C shop, an agency shop and a closed one';
      orgBase = (await setUpOwner(page, server)).replace(/\/events$/, '');
      await addChannel('Web', 'internet_b2c');
      await addChannel('Agencies', 'internet_agency');
      await addChannel('Desk', 'box_office');
      await addPointOfSale('Web (Internet B2C)', 'Family tickets', 'family', 'running', 'Family tickets');
      await addPointOfSale('Agencies (Internet agency)', 'Agency desk', 'agency', 'running', 'Agency corner');
      await addPointOfSale('Agencies (Internet agency)', 'Old agency desk', 'old-agency', 'closed', 'Closed corner');
      await addPointOfSale('Desk (Box office)', 'Box office', 'box', 'running', 'Box office');
      await shot(page, 'shops');

      step = 'a structure, then a relay: document type and point of sale';
      await createContact('structure', { last: 'Harbour Agency', email: 'desk@harbour-agency.example.org' }, 'Agency desk');
      await page.goto(`${orgBase}/contacts/new?kind=individual`);
      assert.deepEqual(await pointsOffered(), ['Family tickets'], 'individuals: running points of sale of B2C channels');
      await page.goto(`${orgBase}/contacts/new?kind=relay`);
      assert.deepEqual((await pointsOffered()).sort(), ['Agency desk', 'Family tickets'], 'relays: running points of sale of agency, B2B and B2C channels');
      await shot(page, 'new-relay');
      const ritaUrl = await createContact('relay', RITA, 'Agency desk', 'Harbour Agency');
      assert.equal(await circle(heading()), 'no', 'a red circle until validated');
      await shot(page, 'relay-created');

      step = 'the verification email opens the chosen shop';
      await openMailboxMessage(page, server, RITA.email, VERIFY_SUBJECT);
      const link = await mailLinkHref(page, 'Confirm my email address');
      await relay.goto(link);
      assert.equal(await relay.getByRole('link', { name: 'Agency corner' }).count(), 1, 'the landing page is the agency shop');
      await shot(relay, 'relay-landing');
      await relay.getByTestId('landing-continue').click();
      await relay.waitForURL(/\/shop\/[a-z0-9-]+\/agency\/verified$/);
      await page.goto(ritaUrl);
      assert.equal(await circle(heading()), 'yes', 'a green circle once validated');
      assert.match((await page.locator('.validation').first().textContent()) ?? '', /by the emailed link/);

      step = 'friends & family: warning and validation email';
      const fayUrl = await createContact('individual', FAY, 'Family tickets');
      await page.goto(ritaUrl);
      await page.getByLabel('Connect the contact with the email').fill(FAY.email);
      await page.getByRole('button', { name: 'Connect' }).click();
      await page.waitForURL(/notice=connected$/);
      const warning = page.getByRole('note');
      assert.match((await warning.textContent()) ?? '', /Fay Family’s email is not validated/);
      await shot(page, 'friends-family-warning');
      await warning.getByLabel(/^Point of sale/).selectOption({ label: 'Family tickets' });
      const documents = await warning.getByLabel(/^Document type/).locator('option').allTextContents();
      await warning.getByLabel(/^Document type/).selectOption({ label: documents.find((d) => d !== 'Choose…')! });
      await warning.getByRole('button', { name: 'Send Fay Family a validation email' }).click();
      await page.waitForURL(new RegExp(`${ritaUrl}\\?notice=sent$`));
      await openMailboxMessage(page, server, FAY.email, VERIFY_SUBJECT);
      await page.goto(fayUrl);
      await page.getByRole('button', { name: 'Mark as validated (operator)' }).click();
      await page.waitForURL(/notice=validated$/);
      assert.equal(await circle(heading()), 'yes');
      await page.goto(ritaUrl);
      assert.equal(await page.getByRole('note').count(), 0, 'no warning once validated');
      assert.equal(await circle(page.locator('.connections')), 'yes');

      step = 'merge: the duplicate holds the validated address';
      const ivanUrl = await createContact('individual', IVAN, 'Family tickets');
      const dupUrl = await createContact('individual', DUP, 'Family tickets');
      await page.getByRole('button', { name: 'Mark as validated (operator)' }).click();
      await page.waitForURL(/notice=validated$/);
      await page.getByLabel('Connect the contact with the email').fill(FAY.email);
      await page.getByRole('button', { name: 'Connect' }).click();
      await page.waitForURL(/notice=connected$/);
      await page.goto(ivanUrl);
      assert.equal(await circle(heading()), 'no');
      await page.getByLabel(/^Email of the duplicate/).fill(DUP.email);
      await page.getByRole('button', { name: 'Review the merge…' }).click();
      await page.getByLabel(/Take ivan\.two@example\.org with its validation status/).check();
      await shot(page, 'merge-review');
      await page.getByRole('button', { name: /^Merge / }).click();
      await page.waitForURL(/notice=merged$/);
      assert.equal(await circle(heading()), 'yes', 'the child’s validation came with its address');
      assert.match((await page.locator('dd').first().textContent()) ?? '', /ivan\.two@example\.org/);
      assert.match((await page.locator('.connections').textContent()) ?? '', /Fay Family/, 'the child’s friends & family moved');
      await shot(page, 'merged');
      await page.goto(dupUrl);
      assert.match((await page.locator('main, body').first().textContent()) ?? '', /was merged into/);
    } catch (error) {
      await shot(page, 'failure').catch(() => undefined);
      await shot(relay, 'failure-visitor').catch(() => undefined);
      t.diagnostic(`failed at: ${step}\n${server.output().slice(-4000)}`);
      throw error;
    } finally {
      await staff.close();
      await visitor.close();
    }
  });
});
