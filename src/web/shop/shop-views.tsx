import type { ComponentChildren } from 'preact';
import type { Connection } from '../../modules/contact-admin/index.js';
import type { Contact } from '../../modules/contacts/index.js';
import type { Event } from '../../modules/events/index.js';
import type { Shop } from '../../modules/shop/index.js';
import { formatEventDates } from '../backoffice/event-time.js';
import { CsrfField } from '../layout.js';

export type Errors = Record<string, string | undefined>;

function FieldError({ id, error }: { id: string; error?: string | undefined }) {
  return error ? (
    <span id={`${id}-error`} class="error-text">
      {error}
    </span>
  ) : null;
}

function Input(props: { label: string; name: string; type?: string; value?: string; errors: Errors; autocomplete?: string; required?: boolean }) {
  const error = props.errors[props.name];
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        autocomplete={props.autocomplete}
        required={props.required ?? true}
        maxLength={props.type === 'password' ? 200 : 254}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${props.name}-error` : undefined}
      />
      <FieldError id={props.name} error={error} />
    </label>
  );
}

export function ShopHome({ shop, events, customer }: { shop: Shop; events: Event[]; customer: Contact | null }) {
  return (
    <section>
      <h1>{shop.pos.heading}</h1>
      {shop.pos.welcome && <p class="lead">{shop.pos.welcome}</p>}
      <h2>Upcoming events</h2>
      {events.length === 0 ? (
        <p class="muted">No upcoming events right now.</p>
      ) : (
        <ul class="cards" data-testid="shop-events">
          {events.map((event) => (
            <li class="card">
              <h3>{event.name}</h3>
              <p>
                {formatEventDates(event)}
                {event.venue ? ` · ${event.venue}` : ''}
              </p>
              <a class="button" href={`${shop.path}/events/${event.id}`}>
                {customer ? 'Register' : 'Register or sign in'}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function SignUpForm({ shop, csrf, values, errors, sso }: { shop: Shop; csrf: string; values: Record<string, string>; errors: Errors; sso?: ComponentChildren }) {
  return (
    <section class="narrow">
      <h1>Create an account</h1>
      {sso}
      <form method="post" action={`${shop.path}/sign-up`} class="card">
        {errors['_form'] && (
          <p class="error-text" role="alert">
            {errors['_form']}
          </p>
        )}
        <CsrfField csrf={csrf} />
        <Input label="Email address" name="email" type="email" value={values['email']} errors={errors} autocomplete="email" />
        <div class="grid2">
          <Input label="First name" name="first_name" value={values['first_name']} errors={errors} autocomplete="given-name" required={false} />
          <Input label="Last name" name="last_name" value={values['last_name']} errors={errors} autocomplete="family-name" required={false} />
        </div>
        <Input label="Password (at least 8 characters, not a common one)" name="password" type="password" errors={errors} autocomplete="new-password" />
        <button type="submit">Create my account</button>
      </form>
      <p>
        Already have an account? <a href={`${shop.path}/sign-in`}>Sign in</a>
      </p>
    </section>
  );
}

export function CheckInbox({ text }: { text: string }) {
  return (
    <section class="narrow">
      <h1>Check your inbox</h1>
      <p data-testid="shop-answer">{text}</p>
      <p class="muted">Nothing after a few minutes? Check the spam folder.</p>
    </section>
  );
}

export function SignInForm({ shop, csrf, email, error, next, sso }: { shop: Shop; csrf: string; email: string; error?: string | undefined; next?: string | undefined; sso?: ComponentChildren }) {
  return (
    <section class="narrow">
      <h1>Sign in</h1>
      {sso}
      <form method="post" action={`${shop.path}/sign-in`} class="card">
        {error && (
          <p class="error-text" role="alert" data-testid="shop-sign-in-error">
            {error}
          </p>
        )}
        <CsrfField csrf={csrf} />
        {next && <input type="hidden" name="next" value={next} />}
        <Input label="Email address" name="email" type="email" value={email} errors={{}} autocomplete="username" />
        <Input label="Password" name="password" type="password" errors={{}} autocomplete="current-password" />
        <button type="submit">Sign in</button>
      </form>
      <p>
        <a href={`${shop.path}/forgot`}>Forgot your password?</a> · <a href={`${shop.path}/sign-up`}>Create an account</a>
      </p>
    </section>
  );
}

export function ValidateFirst({ shop, csrf, email, sent }: { shop: Shop; csrf: string; email: string; sent: boolean }) {
  return (
    <section class="narrow">
      <h1>Confirm your email address first</h1>
      <p data-testid="validate-first">
        Your account opens once you confirm that {email} is yours: use the link in the email we sent. It works within 24 hours.
      </p>
      {sent ? (
        <p class="flash" role="status">
          A new email is on its way.
        </p>
      ) : (
        <form method="post" action={`${shop.path}/resend-verification`}>
          <CsrfField csrf={csrf} />
          <button type="submit">Send the email again</button>
        </form>
      )}
    </section>
  );
}

export function ForgotForm({ shop, csrf }: { shop: Shop; csrf: string }) {
  return (
    <section class="narrow">
      <h1>Forgot your password?</h1>
      <form method="post" action={`${shop.path}/forgot`} class="card">
        <CsrfField csrf={csrf} />
        <Input label="Email address" name="email" type="email" errors={{}} autocomplete="email" />
        <button type="submit">Email me a link</button>
      </form>
    </section>
  );
}

export function AccountPage({ shop, csrf, customer, errors, values, friends }: { shop: Shop; csrf: string; customer: Contact; errors: Errors; values: Record<string, string>; friends: Connection[] }) {
  return (
    <section class="narrow">
      <h1>My account</h1>
      <dl class="fields">
        <dt>Name</dt>
        <dd>{[customer.firstName, customer.lastName].filter(Boolean).join(' ') || '—'}</dd>
        <dt>Email</dt>
        <dd data-testid="account-email">
          {customer.email} {customer.emailStatus === 'verified' ? <span class="badge ok">confirmed</span> : <span class="badge warn">not confirmed</span>}
        </dd>
      </dl>
      <h2>Change my email address</h2>
      <p>We will send a link to the new address: confirm it there, then sign in again. You are signed out everywhere at once, and the old address is told.</p>
      <form method="post" action={`${shop.path}/account/email`} class="card">
        <CsrfField csrf={csrf} />
        <Input label="New email address" name="email" type="email" value={values['email']} errors={errors} autocomplete="email" />
        <Input label="Current password" name="password" type="password" errors={errors} autocomplete="current-password" />
        <button type="submit">Change my email address</button>
      </form>
      <FriendsAndFamily shop={shop} csrf={csrf} friends={friends} errors={errors} />
    </section>
  );
}

export function EventRegistration({ shop, csrf, event, customer, registered, errors, values }: { shop: Shop; csrf: string; event: Event; customer: Contact | null; registered: boolean; errors: Errors; values: Record<string, string> }) {
  return (
    <section class="narrow">
      <h1>{event.name}</h1>
      <p>
        {formatEventDates(event)}
        {event.venue ? ` · ${event.venue}` : ''}
      </p>
      {registered ? (
        <p class="flash" role="status" data-testid="shop-registered">
          You are registered for {event.name}.
        </p>
      ) : customer ? (
        <form method="post" action={`${shop.path}/events/${event.id}/register`} class="card">
          <CsrfField csrf={csrf} />
          <p>
            Register as {customer.firstName || customer.email} ({customer.email}).
          </p>
          <button type="submit">Register</button>
        </form>
      ) : (
        <>
          <p>
            <a class="button" href={`${shop.path}/sign-in?next=${encodeURIComponent(`${shop.path}/events/${event.id}`)}`}>
              Sign in to register
            </a>
          </p>
          <h2>Or register as a guest</h2>
          <form method="post" action={`${shop.path}/events/${event.id}/guest`} class="card">
            {errors['_form'] && (
              <p class="error-text" role="alert">
                {errors['_form']}
              </p>
            )}
            <CsrfField csrf={csrf} />
            <Input label="Email address" name="email" type="email" value={values['email']} errors={errors} autocomplete="email" />
            <div class="grid2">
              <Input label="First name" name="first_name" value={values['first_name']} errors={errors} autocomplete="given-name" />
              <Input label="Last name" name="last_name" value={values['last_name']} errors={errors} autocomplete="family-name" />
            </div>
            <button type="submit">Register as a guest</button>
          </form>
        </>
      )}
    </section>
  );
}

/**
 * Friends & family in "My account". An address nobody validated yet gets a warning and a button
 * that sends its owner the validation email: it never blocks the connection or a purchase.
 */
function FriendsAndFamily({ shop, csrf, friends, errors }: { shop: Shop; csrf: string; friends: Connection[]; errors: Errors }) {
  return (
    <>
      <h2>Friends &amp; family</h2>
      {friends.length === 0 ? (
        <p class="muted">Nobody yet.</p>
      ) : (
        <ul data-testid="friends">
          {friends.map(({ contact }) => (
            <li>
              {[contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email} ({contact.email}){' '}
              {contact.emailStatus === 'verified' ? (
                <span class="badge ok">address confirmed</span>
              ) : (
                <>
                  <span class="badge warn" data-testid="friend-unvalidated">
                    address not confirmed yet
                  </span>
                  <form method="post" action={`${shop.path}/account/friends/${contact.id}/validation`} class="inline">
                    <CsrfField csrf={csrf} />
                    <button type="submit" class="link">
                      Send them a validation email
                    </button>
                  </form>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <form method="post" action={`${shop.path}/account/friends`} class="card">
        <CsrfField csrf={csrf} />
        <Input label="Their email address" name="friend_email" type="email" errors={errors} autocomplete="off" />
        <div class="grid2">
          <Input label="First name" name="friend_first_name" errors={errors} required={false} autocomplete="off" />
          <Input label="Last name" name="friend_last_name" errors={errors} required={false} autocomplete="off" />
        </div>
        <button type="submit">Add to my friends &amp; family</button>
      </form>
    </>
  );
}
