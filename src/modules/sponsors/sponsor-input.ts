import { DomainError } from '../../lib/errors.js';
import { SPONSOR_LIMITS, type SponsorLink, type SponsorProfileInput } from './sponsor.types.js';

type Problem = { path: string; message: string };

function text(value: unknown, path: string, max: number, problems: Problem[], required = false): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (required && !trimmed) problems.push({ path, message: 'Required' });
  if (trimmed.length > max) problems.push({ path, message: `At most ${max} characters` });
  return trimmed;
}

/** http(s) only: a sponsor's link is shown to staff and attendees, never a javascript: URL. */
function webUrl(value: string): string | null {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname && !url.username && !url.password ? url.toString() : null;
  } catch {
    return null;
  }
}

function links(value: unknown, problems: Problem[]): SponsorLink[] {
  const list = Array.isArray(value) ? value : [];
  const out: SponsorLink[] = [];
  list.forEach((item, i) => {
    const raw = item && typeof item === 'object' ? (item as Record<string, unknown>) : {};
    const label = text(raw['label'], `/links/${i}/label`, SPONSOR_LIMITS.linkLabelMax, problems);
    const urlText = text(raw['url'], `/links/${i}/url`, SPONSOR_LIMITS.urlMax, problems);
    if (!label && !urlText) return;
    const url = webUrl(urlText);
    if (!url) problems.push({ path: `/links/${i}/url`, message: 'A web address starting with https:// or http://' });
    else out.push({ label: label || new URL(url).hostname, url });
  });
  if (out.length > SPONSOR_LIMITS.linksMax) problems.push({ path: '/links', message: `At most ${SPONSOR_LIMITS.linksMax} links` });
  return out;
}

function refuse(problems: Problem[]): never {
  throw new DomainError('validation_failed', problems.length === 1 ? `${problems[0]!.path.slice(1)}: ${problems[0]!.message}` : 'Some values are not valid', problems);
}

/** A sponsor's profile as typed by a person (organiser or sponsor contact), checked and trimmed. */
export function profileInput(input: { name?: unknown; description?: unknown; links?: unknown }): SponsorProfileInput {
  const problems: Problem[] = [];
  const profile = {
    name: text(input.name, '/name', SPONSOR_LIMITS.nameMax, problems, true),
    description: text(input.description, '/description', SPONSOR_LIMITS.descriptionMax, problems),
    links: links(input.links, problems),
  };
  if (problems.length) refuse(problems);
  return profile;
}

export function boothInput(value: unknown): string {
  const problems: Problem[] = [];
  const booth = text(value, '/booth', SPONSOR_LIMITS.boothMax, problems);
  if (problems.length) refuse(problems);
  return booth;
}

export function parseLinks(json: string): SponsorLink[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? (value as SponsorLink[]) : [];
  } catch {
    return [];
  }
}
