import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Download, Page } from 'playwright-core';
import { screenshotDir } from './helpers/browser.js';
import { OWNER, setUpOwner, useServerAndBrowser } from './helpers/owner.js';

// The whole foundation, in one ordered flow through the UI only: first-run setup, an event with
// three custom fields, a CSV import of 200 rows with two bad ones (dry run, then import), search,
// edit with history, export, sign-out. No database or API call: only what an organiser clicks.

const ROWS = 200;
const EDITED_COMPANY = 'Blue Harbour Logistics';

const FIRST_NAMES = ['Anna', 'Léa', 'Jonas', 'Chloé', 'Pedro', 'Fatima', 'Lukas', 'Inès', 'Tom', 'Sofia', 'Hugo', 'Mia', 'Noah', 'Zoé', 'Omar', 'Elena'];
const LAST_NAMES = ['Martin', 'Müller', 'García', 'Rossi', 'Dubois', 'Nowak', 'Smith', 'Janssen', 'Lefèvre', 'Costa', 'Berg', 'Moreau', 'Silva', 'Fischer'];
const COMPANIES = ['Initech', 'Dupont, Fils & Cie', 'Café "Le Zinc"', 'Umbrella GmbH', '', 'Soylent SA', 'Hooli'];
const DIETS = ['none', 'vegetarian', 'vegan', 'none', ''];
const ARRIVALS = ['2026-09-13', '2026-09-14', ''];

/** The participant the test searches for, edits and finds in the export. */
const TARGET = { index: 120, first: 'Margot', last: 'Vandenbroucke', search: 'denbrou' };
// Rows (1-based, counting data records) that must be refused, and why.
const BAD_EMAIL = { index: 57, email: 'paul.martin(at)example.org', reason: 'Invalid email "paul.martin(at)example.org"' };
const BAD_CHOICE = { index: 163, diet: 'carnivore', reason: 'Diet: unknown choice "carnivore"' };
// A quoted cell spanning two physical lines, before both bad rows: the report must give the
// physical line where each bad record starts (the header is line 1), as a text editor shows it.
const MULTILINE_NOTE_AT = 10;

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function ascii(text: string): string {
  return text.normalize('NFKD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

interface Generated {
  csv: string;
  /** Physical line of the file where each bad record starts. */
  badLines: { email: number; choice: number };
  targetEmail: string;
  /** The email cell of every data record, in file order. */
  emails: string[];
  validEmails: string[];
}

/** A realistic export from some other tool: headers that need mapping, quoting, accents, CRLF. */
function generateCsv(): Generated {
  const header = ['Work email', 'Given name', 'Family', 'Organisation', 'Diet', 'Arrives on', 'Notes'];
  const lines: string[] = [header.map(csvCell).join(',')];
  let physicalLine = 2;
  const badLines = { email: 0, choice: 0 };
  const emails: string[] = [];
  const validEmails: string[] = [];
  let targetEmail = '';
  for (let i = 1; i <= ROWS; i++) {
    let first = FIRST_NAMES[i % FIRST_NAMES.length]!;
    let last = LAST_NAMES[(i * 5 + 3) % LAST_NAMES.length]!;
    if (i === TARGET.index) [first, last] = [TARGET.first, TARGET.last];
    let email = `${ascii(first)}.${ascii(last)}.${i}@example.org`;
    if (i === TARGET.index) targetEmail = email;
    let diet = DIETS[i % DIETS.length]!;
    if (i === BAD_EMAIL.index) {
      email = BAD_EMAIL.email;
      badLines.email = physicalLine;
    } else if (i === BAD_CHOICE.index) {
      diet = BAD_CHOICE.diet;
      badLines.choice = physicalLine;
    } else {
      validEmails.push(email);
    }
    emails.push(email);
    const note = i === MULTILINE_NOTE_AT ? 'Needs a ramp\nand a quiet room' : i % 25 === 0 ? 'VIP' : '';
    const company = i === TARGET.index ? 'Initech' : COMPANIES[i % COMPANIES.length]!;
    const record = [email, first, last, company, diet, ARRIVALS[i % ARRIVALS.length]!, note].map(csvCell).join(',');
    lines.push(record);
    physicalLine += record.split('\n').length;
  }
  return { csv: `${lines.join('\r\n')}\r\n`, badLines, targetEmail, emails, validEmails };
}


async function addField(page: Page, field: { key: string; label: string; type: string; options?: string }): Promise<void> {
  await page.getByLabel('Key').fill(field.key);
  await page.getByLabel('Label').fill(field.label);
  await page.getByLabel('Type').selectOption(field.type);
  if (field.options) await page.getByLabel('Options, one per line').fill(field.options);
  await page.getByRole('button', { name: 'Add field' }).click();
  // Each add lands on the same `?done=created` URL, so wait for the new row instead.
  await page.getByRole('cell', { name: field.key, exact: true }).waitFor();
}

/** Whitespace-normalised texts of the cells of each body row of a table. */
async function tableRows(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('td'), (td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );
}

async function statTexts(page: Page): Promise<string[]> {
  return (await page.locator('#report .stat').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
}

async function downloadText(page: Page, click: () => Promise<void>): Promise<{ download: Download; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return { download, text: readFileSync(path, 'utf8') };
}

function parseCsv(text: string): string[][] {
  return parse(text, { bom: true, relax_column_count: false }) as string[][];
}

describe('the foundation journey in Chromium', () => {
  const env = useServerAndBrowser();
  let workDir: string;
  before(() => {
    workDir = mkdtempSync(join(tmpdir(), 'tessera-e2e-journey-'));
  });
  after(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('setup, event, fields, CSV import with a dry run, search, edit with history, export, sign out', async (t: TestContext) => {
    const context = await env.browser().newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const shots = screenshotDir();
    const shot = (name: string) => page.screenshot({ path: join(shots, `journey-${name}.png`), fullPage: true });
    let step = 'start';
    let mark = Date.now();
    const timings: string[] = [];
    const done = (name: string) => {
      timings.push(`${name} ${Date.now() - mark} ms`);
      mark = Date.now();
    };
    try {
      step = 'setup';
      const eventsUrl = await setUpOwner(page, env.server());
      assert.match(eventsUrl, /\/admin\/o\/[^/]+\/events$/);
      done('setup');

      step = 'create the event';
      await page.getByRole('link', { name: 'New event' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Foundation Forum');
      await page.getByLabel('Starts').fill('2026-09-14T09:00');
      await page.getByLabel('Ends').fill('2026-09-15T18:00');
      await page.getByLabel('Venue').fill('Palais des Congrès');
      await page.getByRole('button', { name: 'Create event' }).click();
      await page.waitForURL(/\/events\/[0-9a-z]{26}\?done=created$/);
      const eventPath = new URL(page.url()).pathname;
      const participantsPath = `${eventPath}/participants`;
      assert.ok(await page.getByRole('heading', { name: 'Foundation Forum' }).isVisible());
      done('event');

      step = 'add three custom fields';
      await page.getByRole('link', { name: 'Custom fields' }).click();
      await page.waitForURL((url) => url.pathname === `${eventPath}/fields`);
      await addField(page, { key: 'company', label: 'Company', type: 'text' });
      await addField(page, { key: 'diet', label: 'Diet', type: 'single_choice', options: 'none\nvegetarian\nvegan' });
      await addField(page, { key: 'arrival', label: 'Arrival', type: 'date' });
      assert.deepEqual(
        (await tableRows(page, 'table')).map((cells) => cells.slice(1, 6)),
        [
          ['Company', 'company', 'Text', 'no', ''],
          ['Diet', 'diet', 'Single choice', 'no', 'none · vegetarian · vegan'],
          ['Arrival', 'arrival', 'Date', 'no', ''],
        ],
        'the fields editor lists the three fields in the order they were added',
      );
      await shot('fields');
      done('fields');

      step = 'upload the CSV';
      const generated = generateCsv();
      const csvPath = join(workDir, 'attendees-from-crm.csv');
      writeFileSync(csvPath, generated.csv);
      await page.getByRole('navigation', { name: 'Event' }).getByRole('link', { name: 'Import' }).click();
      await page.waitForURL((url) => url.pathname === `${eventPath}/import`);
      await page.getByLabel('CSV file').setInputFiles(csvPath);
      await page.getByRole('button', { name: 'Upload' }).click();
      await page.waitForURL(/\/import\/[0-9a-z]{26}$/);
      const importPath = new URL(page.url()).pathname;
      assert.ok(await page.getByRole('heading', { name: 'Import attendees-from-crm.csv' }).isVisible());
      assert.ok(await page.getByText('7 columns separated by commas').isVisible(), 'the preview describes the file');
      assert.deepEqual(
        (await tableRows(page, '.import-preview table')).map((cells) => cells[0]),
        generated.emails.slice(0, 5),
        'the preview shows the first five records',
      );
      done('upload');

      step = 'map the columns';
      const mapping = ['Email', 'First name', 'Last name', 'Company', 'Diet', 'Arrival', '— ignore —'];
      for (const [index, label] of mapping.entries()) {
        await page.getByLabel(`Column ${index + 1} is`).selectOption({ label });
      }
      const chosen = await page.locator('select[name="column"]').evaluateAll((selects) => selects.map((s) => (s as HTMLSelectElement).value));
      assert.deepEqual(chosen, ['email', 'first_name', 'last_name', 'field:company', 'field:diet', 'field:arrival', 'ignore']);
      await page.getByLabel('Leave them as they are').check();
      await shot('mapping');

      step = 'dry run';
      await page.getByRole('button', { name: 'Check the file' }).click();
      await page.waitForURL((url) => url.pathname === importPath && url.hash === '#report');
      await page.getByRole('heading', { name: 'Check result' }).waitFor();
      assert.deepEqual(await statTexts(page), [`${ROWS} rows read`, `${ROWS - 2} valid`, '2 with problems', '0 already in the event']);
      assert.ok(await page.getByRole('heading', { name: '2 rows have problems and will be skipped' }).isVisible());
      assert.deepEqual(
        await tableRows(page, 'table.import-errors'),
        [
          [String(generated.badLines.email), BAD_EMAIL.email, BAD_EMAIL.reason],
          [String(generated.badLines.choice), generated.emails[BAD_CHOICE.index - 1]!, BAD_CHOICE.reason],
        ],
        'exactly the two bad rows, with the physical line each starts on and why',
      );
      t.diagnostic(`bad rows reported on lines ${generated.badLines.email} and ${generated.badLines.choice}`);
      // Nothing was written by the check.
      assert.ok(await page.getByText(`Import ${ROWS - 2} valid rows as participants`).isVisible());
      await shot('dry-run');

      // The downloadable list of problems holds the same two rows.
      const problems = await downloadText(page, () => page.getByRole('link', { name: 'Download every row with a problem (CSV)' }).click());
      const problemRows = parseCsv(problems.text);
      assert.deepEqual(problemRows, [
        ['line', 'email', 'problems'],
        [String(generated.badLines.email), BAD_EMAIL.email, BAD_EMAIL.reason],
        [String(generated.badLines.choice), generated.emails[BAD_CHOICE.index - 1]!, BAD_CHOICE.reason],
      ]);
      done('dry run');

      step = 'import';
      await page.getByRole('button', { name: `Import ${ROWS - 2} rows` }).click();
      await page.waitForURL((url) => url.pathname === importPath && url.search === '?done=imported');
      await page.getByRole('heading', { name: 'Import finished' }).waitFor();
      assert.deepEqual(await statTexts(page), [`${ROWS} rows read`, `${ROWS - 2} created`, '0 updated', '0 left as they were', '2 bad rows skipped']);
      await shot('imported');
      done('import');

      step = 'the list shows the total';
      await page.getByRole('link', { name: 'See the participants' }).click();
      await page.waitForURL((url) => url.pathname === participantsPath);
      assert.equal(
        (await page.locator('p.count').textContent())?.replace(/\s+/g, ' ').trim(),
        `${ROWS - 2} participants · showing 50 on this page`,
      );
      await shot('participants');

      step = 'search';
      await page.getByLabel('Search').fill(TARGET.search);
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL((url) => url.pathname === participantsPath && url.searchParams.get('q') === TARGET.search);
      assert.equal((await page.locator('p.count').textContent())?.replace(/\s+/g, ' ').trim(), '1 participant matches');
      const found = await tableRows(page, 'table');
      assert.deepEqual(found, [[`${TARGET.last}, ${TARGET.first}`, generated.targetEmail, 'imported', 'Initech', expectedDiet(TARGET.index), expectedArrival(TARGET.index)]]);
      done('list and search');

      step = 'edit the participant';
      await page.getByRole('link', { name: `${TARGET.last}, ${TARGET.first}` }).click();
      await page.getByRole('heading', { name: `${TARGET.first} ${TARGET.last}` }).waitFor();
      const participantPath = new URL(page.url()).pathname;
      assert.equal(await fieldValue(page, 'Company'), 'Initech');
      // The event's tabs have an "Edit" link too (the event's); the participant's is by their name.
      await page.locator('.toolbar').getByRole('link', { name: 'Edit', exact: true }).click();
      await page.waitForURL((url) => url.pathname === `${participantPath}/edit`);
      assert.equal(await page.getByLabel('Company', { exact: true }).inputValue(), 'Initech', 'the form shows the imported value');
      await page.getByLabel('Company', { exact: true }).fill(EDITED_COMPANY);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL((url) => url.pathname === participantPath && url.search === '?done=saved');
      assert.equal(await fieldValue(page, 'Company'), EDITED_COMPANY, 'the participant page shows the new value');
      const history = await tableRows(page, 'table.history');
      assert.equal(history.length, 2, `an import entry and an edit entry: ${JSON.stringify(history)}`);
      assert.deepEqual(history[0]!.slice(1), [OWNER.email, 'Changed: Company'], 'the newest history entry is the edit, by the owner');
      assert.match(history[1]![2]!, /^Added by CSV import/, 'the oldest is the import');
      await shot('participant-edited');
      done('edit');

      step = 'export';
      await page.getByRole('navigation', { name: 'Event' }).getByRole('link', { name: 'Participants' }).click();
      await page.waitForURL((url) => url.pathname === participantsPath && url.search === '');
      const exported = await downloadText(page, () => page.getByRole('link', { name: 'Export CSV' }).click());
      assert.equal(exported.download.suggestedFilename(), 'foundation-forum-participants.csv');
      const rows = parseCsv(exported.text);
      assert.deepEqual(rows[0], ['email', 'first_name', 'last_name', 'status', 'created_at', 'company', 'diet', 'arrival']);
      assert.equal(rows.length, 1 + ROWS - 2, 'a header and one row per imported participant');
      assert.deepEqual(new Set(rows.slice(1).map((r) => r[0])), new Set(generated.validEmails), 'exactly the valid rows, none of the bad ones');
      const edited = rows.find((r) => r[0] === generated.targetEmail);
      assert.deepEqual(edited?.slice(0, 4), [generated.targetEmail, TARGET.first, TARGET.last, 'imported']);
      assert.deepEqual(edited?.slice(5), [EDITED_COMPANY, expectedDiet(TARGET.index), expectedArrival(TARGET.index)], 'the export has the edited value');
      const quoted = rows.find((r) => r[5] === 'Dupont, Fils & Cie' && r[1] === 'Léa');
      assert.ok(quoted, 'a value with a comma and accents survives the round trip');
      done('export');

      step = 'sign out';
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.pathname === '/admin/login');
      await page.goto(`${env.server().url}${participantPath}`);
      assert.equal(new URL(page.url()).pathname, '/admin/login', 'the back-office asks to sign in again');
      assert.ok(await page.getByRole('heading', { name: 'Sign in to the back-office' }).isVisible());
      // The export link no longer gives the data: followed in the browser it asks to sign in,
      // fetched by a script it is refused.
      await page.goto(`${env.server().url}${participantsPath}.csv`);
      assert.equal(new URL(page.url()).pathname, '/admin/login');
      const signedOut = await page.evaluate(async (path) => {
        const response = await fetch(path);
        return { status: response.status, type: response.headers.get('content-type'), body: (await response.text()).slice(0, 300) };
      }, `${participantsPath}.csv`);
      t.diagnostic(`signed-out export: ${JSON.stringify(signedOut)}`);
      assert.equal(signedOut.status, 401);
      assert.doesNotMatch(signedOut.type ?? '', /text\/csv/);
      assert.ok(!signedOut.body.includes(generated.targetEmail));
      await shot('signed-out');
      done('sign out');

      t.diagnostic(`timings: ${timings.join(', ')}`);
      t.diagnostic(`screenshots in ${shots}`);
    } catch (err) {
      const failure = join(shots, 'journey-failure.png');
      await page.screenshot({ path: failure, fullPage: true }).catch(() => {});
      t.diagnostic(`failed at step "${step}"; screenshot: ${failure} at ${page.url()}\n${env.server().output()}`);
      throw err;
    } finally {
      await context.close();
    }
  });
});

function expectedDiet(index: number): string {
  return DIETS[index % DIETS.length]!;
}

function expectedArrival(index: number): string {
  return ARRIVALS[index % ARRIVALS.length]!;
}

/** The value shown for a field on the participant page (`<dt>label</dt><dd>value</dd>`). */
async function fieldValue(page: Page, label: string): Promise<string> {
  const text = await page.locator('dl.fields dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]').textContent();
  return (text ?? '').trim();
}
