import type { Event } from '../../modules/events/index.js';
import { CsrfField } from '../layout.js';

/**
 * The one answer to every failed code sign-in: unknown address, wrong code, locked code and
 * not registered read the same, so the page tells an attacker nothing. It still tells the owner
 * what to do when they are locked out.
 */
export const CODE_SIGN_IN_FAILED =
  'That email address and access code do not match. After many wrong tries, code sign-in pauses for a while: use "Email me a sign-in link" below, it always works.';

export function CodeSignInForm({ base, csrf, email, error }: { base: string; csrf: string; email: string; error?: string | undefined }) {
  return (
    <form method="post" action={`${base}/code-sign-in`} class="card" data-testid="code-sign-in">
      <h2>Sign in with your access code</h2>
      <p class="muted">Your access code is in your credentials email. Capitals and dashes do not matter.</p>
      {error && (
        <p class="error-text" role="alert" data-testid="code-sign-in-error">
          {error}
        </p>
      )}
      <CsrfField csrf={csrf} />
      <label>
        Email address
        <input type="email" name="email" value={email} autocomplete="username" required maxLength={254} />
      </label>
      <label>
        Access code
        <input type="password" name="code" autocomplete="current-password" required maxLength={100} spellcheck={false} autocapitalize="characters" />
      </label>
      <button type="submit">Sign in</button>
    </form>
  );
}

export interface ChangeCodeProps {
  base: string;
  csrf: string;
  event: Event;
  /** A session opened by a link minutes ago may set a code without typing the current one. */
  needsCurrent: boolean;
  readOnly: boolean;
  errors: { current?: string; code?: string; repeat?: string; _form?: string };
  done?: boolean;
}

export function ChangeCodeForm({ base, csrf, event, needsCurrent, readOnly, errors, done }: ChangeCodeProps) {
  const described = (key: keyof ChangeCodeProps['errors']) => (errors[key] ? `${key}-error` : undefined);
  return (
    <section class="narrow">
      <h1>My access code</h1>
      {done && (
        <p class="flash" role="status" data-testid="code-changed">
          Your access code is changed. Your other devices were signed out; sign in there with the new code.
        </p>
      )}
      <p>
        Your access code signs you in to the {event.name} app with your email address. Nobody from the organising team can read it. If you choose your own, it
        cannot be sent to you again: if you forget it, ask for a sign-in link.
      </p>
      {readOnly && (
        <p class="flash" role="status">
          Read-only: a staff preview cannot change an attendee's access code.
        </p>
      )}
      <form method="post" action={`${base}/access-code`} class="card">
        {errors._form && (
          <p class="error-text" role="alert">
            {errors._form}
          </p>
        )}
        <CsrfField csrf={csrf} />
        <fieldset disabled={readOnly}>
          {needsCurrent && (
            <label>
              Current access code
              <input type="password" name="current" autocomplete="current-password" required maxLength={100} aria-describedby={described('current')} />
              {errors.current && <span id="current-error" class="error-text">{errors.current}</span>}
            </label>
          )}
          <label>
            New access code <span class="muted">(at least 8 letters or digits; not a common word or sequence)</span>
            <input type="password" name="code" autocomplete="new-password" required minLength={8} maxLength={100} aria-describedby={described('code')} />
            {errors.code && <span id="code-error" class="error-text">{errors.code}</span>}
          </label>
          <label>
            New access code again
            <input type="password" name="repeat" autocomplete="new-password" required maxLength={100} aria-describedby={described('repeat')} />
            {errors.repeat && <span id="repeat-error" class="error-text">{errors.repeat}</span>}
          </label>
        </fieldset>
        {!readOnly && <button type="submit">Change my access code</button>} <a href={base}>Back</a>
      </form>
    </section>
  );
}
