import type { ComponentChildren } from 'preact';
import type { AttendeeSession } from '../../modules/attendee-sessions/index.js';
import type { CustomField } from '../../modules/custom-fields/index.js';
import type { Event } from '../../modules/events/index.js';
import type { Participant, ParticipantStatus } from '../../modules/participants/index.js';
import { ErrorSummary, type FormErrors } from '../backoffice/event-ui.js';
import { formatEventDates } from '../backoffice/event-time.js';
import { NameAndFieldInputs, type ParticipantFormValues } from '../backoffice/participant-form.js';
import { displayValue } from '../backoffice/participant-list.js';
import { CsrfField } from '../layout.js';

const STATUS_TEXT: Record<ParticipantStatus, string> = {
  registered: 'Registered',
  invited: 'Invited, not yet answered',
  imported: 'Not registered yet',
  declined: 'Declined',
  cancelled: 'Cancelled',
};

/** The app's menu: the same three entries on every page. A preview's "sign out" ends the preview. */
export function AppNav({ base, csrf, session }: { base: string; csrf: string; session: AttendeeSession }) {
  return (
    <>
      <a href={base}>Home</a>
      <a href={`${base}/edit`}>Edit my details</a>
      <a href={`${base}/access-code`}>Access code</a>
      <a href={`${base}/qr-code`}>My QR code</a>
      <a href={`${base}/leads`}>Exchange cards</a>
      <a href={`${base}/my-card`}>My card</a>
      <form method="post" action={`${base}/sign-out`} class="inline">
        <CsrfField csrf={csrf} />
        <button type="submit" class="link" data-testid="sign-out">
          {session.kind === 'preview' ? 'End preview' : 'Sign out'}
        </button>
      </form>
    </>
  );
}

export function displayName(participant: Participant): string {
  return [participant.firstName, participant.lastName].filter(Boolean).join(' ');
}

export function AppHome({ event, participant, fields, base, meeting }: { event: Event; participant: Participant; fields: CustomField[]; base: string; meeting?: { name: string; href: string } | null }) {
  return (
    <section>
      <h1>Hello {participant.firstName || displayName(participant) || 'there'}</h1>
      {meeting && (
        <p class="card">
          The organisers ask when you are free for meetings: <a href={meeting.href}>{meeting.name}</a>.
        </p>
      )}
      <div class="card">
        <h2>{event.name}</h2>
        <dl class="fields">
          <dt>When</dt>
          <dd>{formatEventDates(event)}</dd>
          {event.venue && (
            <>
              <dt>Where</dt>
              <dd>{event.venue}</dd>
            </>
          )}
        </dl>
      </div>
      <h2>Your registration</h2>
      <dl class="fields" data-testid="profile">
        <dt>Name</dt>
        <dd>{displayName(participant) || <span class="muted">—</span>}</dd>
        <dt>Email</dt>
        <dd>{participant.email}</dd>
        <dt>Status</dt>
        <dd>{STATUS_TEXT[participant.status]}</dd>
        {fields.map((field) => (
          <>
            <dt>{field.label}</dt>
            <dd>{displayValue(field, participant.fields[field.key]) || <span class="muted">—</span>}</dd>
          </>
        ))}
      </dl>
      <p>
        <a class="button" href={`${base}/edit`}>
          Edit my details
        </a>
      </p>
    </section>
  );
}

export interface AppEditProps {
  base: string;
  csrf: string;
  participant: Participant;
  fields: CustomField[];
  values: ParticipantFormValues;
  errors: FormErrors;
  /** A staff preview sees the form but cannot send it. */
  readOnly: boolean;
}

/** Name and the event's fields. The address is shown, not editable: it is how the attendee is reached. */
export function AppEdit({ base, csrf, participant, fields, values, errors, readOnly }: AppEditProps) {
  return (
    <section>
      <h1>Edit my details</h1>
      {readOnly && (
        <p class="flash" role="status">
          Read-only: a staff preview cannot change anything.
        </p>
      )}
      <form method="post" action={`${base}/edit`} class="card">
        <ErrorSummary errors={errors} />
        <CsrfField csrf={csrf} />
        <fieldset disabled={readOnly}>
          <p>
            Email: <strong>{participant.email}</strong> <span class="muted">(the address we write to; ask the organiser to change it)</span>
          </p>
          <div class="grid2">
            <NameAndFieldInputs fields={fields} values={values} errors={errors} own />
          </div>
        </fieldset>
        {!readOnly && <button type="submit">Save</button>} <a href={base}>Back</a>
      </form>
    </section>
  );
}

export interface SignInFormProps {
  base: string;
  csrf: string;
  event: Event;
  email: string;
  error?: string | undefined;
  signedOut?: boolean;
  /** Other ways in shown above the sign-in link form (email + access code). */
  children?: ComponentChildren;
}

export function SignInForm({ base, csrf, event, email, error, signedOut, children }: SignInFormProps) {
  return (
    <section class="narrow">
      {signedOut && (
        <p class="flash" role="status">
          You are signed out.
        </p>
      )}
      <h1>Sign in to {event.name}</h1>
      <p>Sign in with your access code, use the personal link in your invitation email, or get a sign-in link by email.</p>
      {children}
      <form method="post" action={`${base}/sign-in`} class="card">
        <h2>Email me a sign-in link</h2>
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <CsrfField csrf={csrf} />
        <label>
          Your email address
          <input type="email" name="email" value={email} autocomplete="email" required maxLength={254} />
        </label>
        <button type="submit">Email me a sign-in link</button>
      </form>
    </section>
  );
}

/** The one answer to a sign-in request, whoever the address belongs to. */
export function SignInSent({ event, email, base }: { event: Event; email: string; base: string }) {
  return (
    <section class="narrow">
      <h1>Check your inbox</h1>
      <p data-testid="signin-answer">
        If {email} is registered for {event.name}, a sign-in link is on its way. It works once, within 10 minutes.
      </p>
      <p class="muted">Nothing after a few minutes? Check the spam folder, or ask again: a new link replaces the previous one.</p>
      <p>
        <a href={`${base}/sign-in`}>Back to the sign-in page</a>
      </p>
    </section>
  );
}
