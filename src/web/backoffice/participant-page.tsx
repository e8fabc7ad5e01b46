import type { ComponentChildren } from 'preact';
import type { AuditEntry } from '../../modules/audit/index.js';
import type { CustomField, FieldValue } from '../../modules/custom-fields/index.js';
import type { Event } from '../../modules/events/index.js';
import type { Participant } from '../../modules/participants/index.js';
import { formatInZone } from './event-time.js';
import { displayValue } from './participant-list.js';

export const HISTORY_LIMIT = 100;

export function participantName(participant: Participant): string {
  return [participant.firstName, participant.lastName].filter(Boolean).join(' ') || participant.email;
}

const ACTIONS: Record<string, string> = {
  'participant.created': 'Added',
  'participant.imported': 'Added by CSV import (see import.completed in the audit log)',
  'participant.updated': 'Changed',
  'participant.preview_link_created': 'Staff preview of the app asked for',
  'participant.previewed': 'App opened by staff (preview)',
  'credential.used': 'Used a personal link',
  'credential.revoked': 'Personal links revoked',
  'attendee.signed_out': 'Signed out of the app',
  'participant.registered': 'Registered themselves (form or secure link)',
  'participant.rsvp': 'Answered the invitation',
  'participant.email_change_requested': 'Asked to change their email (confirmation sent to the new address)',
  'participant.email_changed': 'Email changed (confirmed from the new address)',
  'credential.fresh_link_sent': 'Fresh link emailed (an expired or revoked link was opened)',
  'participant.attention_note_changed': 'Attention note for check-in changed',
  'qr_code.rotated': 'QR code rotated (earlier codes refused)',
  'access_code.changed': 'Access code changed',
  'access_code.credentials_resent': 'Credentials resent',
};

/** The first history line of a participant created by a CSV import (imports are audited once). */
export function importedEntry(participant: Participant, orgId: string): AuditEntry {
  return {
    id: participant.id,
    orgId,
    actor: { type: 'system', id: null, label: 'CSV import' },
    action: 'participant.imported',
    target: { type: 'participant', id: participant.id },
    ip: null,
    data: {},
    createdAt: participant.createdAt,
  };
}

/** A short sentence for one history entry, with field keys turned into their labels. */
export function describeEntry(entry: AuditEntry, labels: Map<string, string>): string {
  const data = entry.data;
  const parts: string[] = [];
  if (Array.isArray(data['changed']) && data['changed'].length > 0) {
    const names = data['changed'].map((key) => (key === 'identity' ? 'name or email' : (labels.get(String(key)) ?? String(key))));
    parts.push(names.join(', '));
  }
  const status = data['status'];
  if (status && typeof status === 'object' && 'from' in status && 'to' in status) {
    parts.push(`status ${String(status.from)} → ${String(status.to)}`);
  } else if (typeof status === 'string') {
    parts.push(`status ${status}`);
  }
  if (data['via'] === 'bulk') parts.push('by import or API');
  if (entry.action.startsWith('credential.')) {
    if (typeof data['purpose'] === 'string') parts.push(data['purpose']);
    if (typeof data['count'] === 'number') parts.push(data['count'] === 1 ? '1 link' : `${data['count']} links`);
  }
  const action = ACTIONS[entry.action] ?? entry.action;
  return parts.length > 0 ? `${action}: ${parts.join('; ')}` : action;
}

function History({ entries, labels, timeZone, moreHref }: { entries: AuditEntry[]; labels: Map<string, string>; timeZone: string; moreHref: string }) {
  if (entries.length === 0) return <p class="muted">No history recorded.</p>;
  return (
    <>
      <table class="history">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>What</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr>
              <td>{formatInZone(entry.createdAt, timeZone)}</td>
              <td>{entry.actor.label ?? entry.actor.type}</td>
              <td>{describeEntry(entry, labels)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length >= HISTORY_LIMIT && (
        <p>
          <a href={moreHref}>Older entries in the audit log</a>
        </p>
      )}
    </>
  );
}

function rawValue(value: FieldValue | undefined): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

export interface ParticipantViewProps {
  orgId: string;
  event: Event;
  participant: Participant;
  fields: CustomField[];
  history: AuditEntry[];
  editHref: string;
  /** Buttons beside "Edit" (open the app as this attendee). */
  actions?: ComponentChildren;
  /** The "Personal links" section (participant-links.tsx). */
  links?: ComponentChildren;
  /** The "Access code" section (access-code-panel.tsx). */
  accessCode?: ComponentChildren;
  /** The contact behind the participation, with its email validation circle (contact-widgets.tsx). */
  contact?: ComponentChildren;
}

export function ParticipantView({ orgId, event, participant, fields, history, editHref, links, actions, accessCode, contact }: ParticipantViewProps) {
  const when = (iso: string | null) => (iso ? formatInZone(iso, event.timeZone) : '—');
  const labels = new Map(fields.map((f) => [f.key, f.label]));
  // Values of fields deleted since are kept in the database; show them rather than hide data.
  const orphans = Object.keys(participant.fields).filter((key) => !labels.has(key));
  return (
    <section>
      <div class="toolbar spread">
        <h1>{participantName(participant)}</h1>
        <span>
          {actions}{' '}
          <a class="button" href={editHref}>
            Edit
          </a>
        </span>
      </div>
      <dl class="fields">
        <dt>Email</dt>
        <dd>{participant.email}</dd>
        {contact && (
          <>
            <dt>Contact</dt>
            <dd>{contact}</dd>
          </>
        )}
        <dt>First name</dt>
        <dd>{participant.firstName}</dd>
        <dt>Last name</dt>
        <dd>{participant.lastName}</dd>
        <dt>Status</dt>
        <dd>
          <span class="badge">{participant.status}</span> <span class="muted">since {when(participant.statusChangedAt)}</span>
        </dd>
        {fields.map((field) => (
          <>
            <dt>{field.label}</dt>
            <dd>{displayValue(field, participant.fields[field.key]) || <span class="muted">—</span>}</dd>
          </>
        ))}
        <dt>Registered</dt>
        <dd>{when(participant.registeredAt)}</dd>
        <dt>Added</dt>
        <dd>{when(participant.createdAt)}</dd>
        <dt>Last changed</dt>
        <dd>{when(participant.updatedAt)}</dd>
      </dl>
      <p class="muted">Times are in the event's time zone ({event.timeZone}).</p>
      <p>
        <a href={`/admin/o/${orgId}/events/${event.id}/participants/${participant.id}/attention-note`}>Attention note for check-in</a>
      </p>
      {orphans.length > 0 && (
        <>
          <h2>Answers to deleted fields</h2>
          <dl class="fields">
            {orphans.map((key) => (
              <>
                <dt>
                  <code>{key}</code>
                </dt>
                <dd>{rawValue(participant.fields[key])}</dd>
              </>
            ))}
          </dl>
        </>
      )}
      {accessCode}
      {links}
      <h2>History</h2>
      <History
        entries={history}
        labels={labels}
        timeZone={event.timeZone}
        moreHref={`/admin/o/${orgId}/audit?target_type=participant&target_id=${participant.id}`}
      />
    </section>
  );
}
