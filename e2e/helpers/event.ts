import type { Page } from 'playwright-core';
import type { RunningServer } from './server.js';

export interface EventInput {
  name: string;
  /** datetime-local values, in `zone`. */
  starts: string;
  ends: string;
  zone: string;
}

export interface PersonInput {
  first: string;
  last: string;
  email: string;
}

/** Creates an event through the back-office form (from the events page); returns its absolute URL. */
export async function createEventInBrowser(page: Page, server: RunningServer, event: EventInput): Promise<string> {
  await page.getByRole('link', { name: 'New event' }).click();
  await page.getByLabel('Name', { exact: true }).fill(event.name);
  await page.getByLabel('Starts').fill(event.starts);
  await page.getByLabel('Ends').fill(event.ends);
  await page.getByLabel(/^Time zone/).selectOption(event.zone);
  await page.getByRole('button', { name: 'Create event' }).click();
  await page.waitForURL(/\/events\/[0-9a-z]{26}\?done=created$/);
  return `${server.url}${new URL(page.url()).pathname}`;
}

/** Adds a registered participant through the back-office form; returns their id. */
export async function addParticipantInBrowser(page: Page, eventUrl: string, person: PersonInput): Promise<string> {
  await page.goto(`${eventUrl}/participants`);
  await page.getByRole('link', { name: 'Add a participant' }).click();
  await page.getByLabel('Email *').fill(person.email);
  await page.getByLabel('First name').fill(person.first);
  await page.getByLabel('Last name').fill(person.last);
  await page.getByLabel('Status').selectOption('registered');
  await page.getByRole('button', { name: 'Add participant' }).click();
  await page.waitForURL(/\/participants\/[0-9a-z]{26}\?done=created$/);
  return new URL(page.url()).pathname.split('/').pop()!;
}
