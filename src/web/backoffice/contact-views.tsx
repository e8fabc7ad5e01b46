import type { ContactKind } from '../../db/database.js';
import type { BulkPlan, ContactDetail, ContactFilter, ContactPage, MailContext } from '../../modules/contact-admin/index.js';
import type { Contact } from '../../modules/contacts/index.js';
import type { OrgAccess } from '../../http/staff-session.js';
import { CsrfField } from '../layout.js';
import { formatDateTime, hrefWith } from './components.js';
import { ContactWidget, contactName, kindLabel, ValidationCircle, ValidationLine } from './contact-widgets.js';
import type { FormErrors } from './event-ui.js';

export type MailContexts = Record<ContactKind, MailContext>;

const Err = ({ errors, name }: { errors: FormErrors; name: string }) => (errors[name] ? <span class="error-text">{errors[name]}</span> : null);

/** The secutix "document type" and "point of sale" selects. */
export function MailChoiceFields({ context, errors = {}, values = {} }: { context: MailContext; errors?: FormErrors; values?: Record<string, string> }) {
  return (
    <>
      <label>
        Document type (account verification email)
        <select name="template_id" required={context.templates.length > 0}>
          {context.templates.length === 0 ? (
            <option value="">Account verification (built-in)</option>
          ) : (
            <>
              <option value="">Choose…</option>
              {context.templates.map((t) => (
                <option value={t.id} selected={values['template_id'] === t.id}>
                  {t.name}
                </option>
              ))}
            </>
          )}
        </select>
        <Err errors={errors} name="template_id" />
      </label>
      <label>
        Point of sale (the email links to its shop)
        <select name="pos_id" required>
          <option value="">Choose…</option>
          {context.points.map((p) => (
            <option value={p.id} selected={values['pos_id'] === p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <Err errors={errors} name="pos_id" />
      </label>
    </>
  );
}

export function ContactListPage({ access, page, filter, bulkContext, sent }: { access: OrgAccess; page: ContactPage; filter: ContactFilter; bulkContext: MailContext | null; sent: string | null }) {
  const base = `/admin/o/${access.org.id}/contacts`;
  const params = { q: filter.search, kind: filter.kind, status: filter.status };
  return (
    <section>
      <h1>Contacts</h1>
      {sent && (
        <p class="flash" role="status">
          {sent} validation emails queued.
        </p>
      )}
      <p>
        <a href={`${base}/new`}>New contact</a> · <a href={hrefWith(base, { status: 'unverified' })}>Contacts with non-validated email</a>
      </p>
      <form method="get" action={base} class="toolbar" role="search">
        <label>
          Search
          <input name="q" value={filter.search ?? ''} maxLength={200} />
        </label>
        <label>
          Kind
          <select name="kind">
            <option value="">All kinds</option>
            {(['individual', 'structure', 'relay'] as const).map((k) => (
              <option value={k} selected={filter.kind === k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Email
          <select name="status">
            <option value="">Validated or not</option>
            <option value="verified" selected={filter.status === 'verified'}>
              Validated
            </option>
            <option value="unverified" selected={filter.status === 'unverified'}>
              Not validated
            </option>
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <p class="muted">{page.total} contacts</p>
      {bulkContext && page.total > 0 && (
        <form method="get" action={`${base}/validation-emails`} class="card">
          <h2>Send a validation email to these {page.total} contacts</h2>
          <input type="hidden" name="q" value={filter.search ?? ''} />
          <input type="hidden" name="kind" value={filter.kind ?? ''} />
          <MailChoiceFields context={bulkContext} />
          <button type="submit">Review and send…</button>
        </form>
      )}
      <table>
        <thead>
          <tr>
            <th>Email</th>
            <th>Name</th>
            <th>Kind</th>
            <th>Address</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((c) => (
            <tr>
              <td>
                <ValidationCircle contact={c} />
              </td>
              <td>
                <a href={`${base}/${c.id}`}>{contactName(c)}</a>
              </td>
              <td>{kindLabel(c.kind)}</td>
              <td>{c.email}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.nextCursor && (
        <nav class="pager" aria-label="Pages">
          <a href={hrefWith(base, { ...params, before: page.nextCursor })}>Older →</a>
        </nav>
      )}
    </section>
  );
}

export function BulkConfirmPage({ access, plan, values, csrf }: { access: OrgAccess; plan: BulkPlan; values: Record<string, string>; csrf: string }) {
  const base = `/admin/o/${access.org.id}/contacts`;
  return (
    <section>
      <h1>Send validation emails</h1>
      <p>
        <strong>{plan.targets.length}</strong> contacts with a non-validated email will get a validation email.
        {plan.skipped > 0 && ` ${plan.skipped} others are left out: this point of sale is not offered to their kind of contact.`}
        {plan.truncated && ' More match: send again afterwards for the rest.'}
      </p>
      <form method="post" action={`${base}/validation-emails`}>
        <CsrfField csrf={csrf} />
        {Object.entries(values).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <button type="submit" disabled={plan.targets.length === 0}>
          Send {plan.targets.length} emails
        </button>{' '}
        <a href={hrefWith(base, { status: 'unverified', q: values['q'], kind: values['kind'] })}>Cancel</a>
      </form>
    </section>
  );
}

export function NewContactPage({ access, kind, csrf, context, structures, values, errors }: { access: OrgAccess; kind: ContactKind; csrf: string; context: MailContext; structures: Contact[]; values: Record<string, string>; errors: FormErrors }) {
  const base = `/admin/o/${access.org.id}/contacts`;
  return (
    <section>
      <p>
        <a href={base}>← Contacts</a>
      </p>
      <h1>New {kindLabel(kind).toLowerCase()}</h1>
      <p>
        {(['individual', 'structure', 'relay'] as const).map((k) => (k === kind ? <strong>{kindLabel(k)} </strong> : <a href={`${base}/new?kind=${k}`}>{kindLabel(k)} </a>))}
      </p>
      <form method="post" action={base} class="card">
        {errors['_form'] && <p class="error-text">{errors['_form']}</p>}
        <CsrfField csrf={csrf} />
        <input type="hidden" name="kind" value={kind} />
        <div class="grid2">
          {kind !== 'structure' && (
            <label>
              First name
              <input name="first_name" maxLength={100} value={values['first_name'] ?? ''} />
            </label>
          )}
          <label>
            {kind === 'structure' ? 'Name of the structure' : 'Last name'}
            <input name="last_name" required maxLength={100} value={values['last_name'] ?? ''} />
            <Err errors={errors} name="last_name" />
          </label>
          <label>
            Email
            <input name="email" type="email" required maxLength={254} value={values['email'] ?? ''} />
            <Err errors={errors} name="email" />
          </label>
          {kind !== 'structure' && (
            <label>
              Structure{kind === 'individual' ? ' (B2B individuals; none for B2C)' : ''}
              <select name="structure_id" required={kind === 'relay'}>
                <option value="">{kind === 'relay' ? 'Choose…' : 'None'}</option>
                {structures.map((s) => (
                  <option value={s.id} selected={values['structure_id'] === s.id}>
                    {contactName(s)}
                  </option>
                ))}
              </select>
              <Err errors={errors} name="structure_id" />
            </label>
          )}
          <MailChoiceFields context={context} errors={errors} values={values} />
        </div>
        {context.points.length === 0 && <p class="error-text">No running point of sale is offered for this kind of contact: open one under Shops first.</p>}
        <button type="submit">Create and send the validation email</button>
      </form>
    </section>
  );
}

const HISTORY: Record<string, string> = {
  'contact.created': 'Created',
  'contact.email_changed': 'Email changed',
  'contact.email_verified': 'Email validated',
  'contact.validation_email_sent': 'Validation email sent',
  'contact.connected': 'Friends & family connection added',
  'contact.disconnected': 'Friends & family connection removed',
  'contact.merged': 'Another contact merged into this one',
  'contact.merged_into': 'Merged into another contact',
  'contact.merge_participation_dropped': 'Duplicate participation of a merged contact removed (its values are in this entry)',
  'contact.password_set': 'Shop password set',
  'contact.password_cleared': 'Shop password removed',
};

function ValidationEmailForm({ action, csrf, context, label }: { action: string; csrf: string; context: MailContext; label: string }) {
  return (
    <form method="post" action={action} class="toolbar">
      <CsrfField csrf={csrf} />
      <MailChoiceFields context={context} />
      <button type="submit">{label}</button>
    </form>
  );
}

export function ContactView({ access, detail, contexts, csrf, errors, notice }: { access: OrgAccess; detail: ContactDetail; contexts: MailContexts; csrf: string; errors: FormErrors; notice: string | null }) {
  const { contact } = detail;
  const base = `/admin/o/${access.org.id}/contacts`;
  const self = `${base}/${contact.id}`;
  const admin = access.role === 'owner' || access.role === 'admin';
  return (
    <section>
      <p>
        <a href={base}>← Contacts</a>
      </p>
      <h1>
        <ValidationCircle contact={contact} /> {contactName(contact)}
      </h1>
      {notice && (
        <p class="flash" role="status">
          {notice}
        </p>
      )}
      {errors['_form'] && <p class="error-text">{errors['_form']}</p>}
      <dl>
        <dt>Email</dt>
        <dd>
          {contact.email} · <ValidationLine contact={contact} />
        </dd>
        <dt>Kind</dt>
        <dd>{kindLabel(contact.kind)}</dd>
        {detail.structure && (
          <>
            <dt>Structure</dt>
            <dd>
              <ContactWidget orgId={access.org.id} contact={detail.structure} />
            </dd>
          </>
        )}
        <dt>Shop account</dt>
        <dd>{contact.hasPassword ? 'Has a password' : 'No password'}</dd>
      </dl>

      {contact.emailStatus !== 'verified' && (
        <>
          <h2>Validation</h2>
          <ValidationEmailForm action={`${self}/validation-email`} csrf={csrf} context={contexts[contact.kind]} label="Send a validation email" />
          {admin && (
            <form method="post" action={`${self}/validate`}>
              <CsrfField csrf={csrf} />
              <button type="submit">Mark as validated (operator)</button>
            </form>
          )}
        </>
      )}

      <h2>Change the email address</h2>
      <form method="post" action={`${self}/email`} class="card">
        <CsrfField csrf={csrf} />
        <p class="muted">The new address gets a verification email; the customer stays signed in to the shop until their session ends.</p>
        <label>
          New address
          <input name="email" type="email" required maxLength={254} />
          <Err errors={errors} name="email" />
        </label>
        <MailChoiceFields context={contexts[contact.kind]} errors={errors} />
        <button type="submit">Change the address</button>
      </form>

      {contact.kind === 'structure' && (
        <>
          <h2>Relays and individuals of this structure</h2>
          {detail.members.length === 0 ? (
            <p class="muted">None yet.</p>
          ) : (
            <ul>
              {detail.members.map((m) => (
                <li>
                  <ContactWidget orgId={access.org.id} contact={m} /> <span class="muted">({kindLabel(m.kind)})</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}

      <h2>Participations</h2>
      {detail.participations.length === 0 ? (
        <p class="muted">No event yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Event</th>
              <th>Starts</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {detail.participations.map((p) => (
              <tr>
                <td>
                  <a href={`/admin/o/${access.org.id}/events/${p.event_id}/participants/${p.id}`}>{p.event_name}</a>
                </td>
                <td>{formatDateTime(p.starts_at)}</td>
                <td>
                  <span class="badge">{p.status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Friends &amp; family</h2>
      {detail.connections.length === 0 ? (
        <p class="muted">No connection yet.</p>
      ) : (
        <ul class="connections">
          {detail.connections.map((c) => (
            <li>
              <ContactWidget orgId={access.org.id} contact={c.contact} />{' '}
              <form method="post" action={`${self}/connections/${c.contact.id}/delete`} class="inline">
                <CsrfField csrf={csrf} />
                <button type="submit" class="link">
                  Remove
                </button>
              </form>
              {c.contact.emailStatus !== 'verified' && (
                <div class="warning" role="note">
                  <p>
                    {contactName(c.contact)}’s email is not validated. This does not block anything; you can send them a validation email.
                  </p>
                  <ValidationEmailForm action={`${base}/${c.contact.id}/validation-email?back=${contact.id}`} csrf={csrf} context={contexts[c.contact.kind]} label={`Send ${contactName(c.contact)} a validation email`} />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <form method="post" action={`${self}/connections`} class="toolbar">
        <CsrfField csrf={csrf} />
        <label>
          Connect the contact with the email
          <input name="email" type="email" required maxLength={254} />
          <Err errors={errors} name="connect" />
        </label>
        <button type="submit">Connect</button>
      </form>

      {admin && (
        <>
          <h2>Merge a duplicate into this contact</h2>
          <form method="get" action={`${self}/merge`} class="toolbar">
            <label>
              Email of the duplicate (it disappears into this contact)
              <input name="child_email" type="email" required maxLength={254} />
            </label>
            <button type="submit">Review the merge…</button>
          </form>
        </>
      )}

      {detail.mergedChildren.length > 0 && (
        <p class="muted">Merged into this contact: {detail.mergedChildren.map((c) => `${contactName(c)} <${c.email}>`).join(', ')}.</p>
      )}

      <h2>History</h2>
      <ul class="history">
        {detail.history.map((entry) => (
          <li>
            <span class="muted">{formatDateTime(entry.createdAt)}</span> {HISTORY[entry.action] ?? entry.action}
            {entry.data['via'] ? ` (${String(entry.data['via'])})` : ''}
            {entry.actor.label ? <span class="muted"> · {entry.actor.label}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Side({ title, contact, orgId, counts }: { title: string; contact: Contact; orgId: string; counts: { participations: number; connections: number } }) {
  return (
    <div class="card">
      <h2>{title}</h2>
      <p>
        <ContactWidget orgId={orgId} contact={contact} />
      </p>
      <p>
        <ValidationLine contact={contact} />
      </p>
      <p class="muted">
        {kindLabel(contact.kind)} · {counts.participations} participations · {counts.connections} connections
      </p>
    </div>
  );
}

export function MergeConfirmPage({ access, parent, child, csrf }: { access: OrgAccess; parent: ContactDetail; child: ContactDetail; csrf: string }) {
  const count = (d: ContactDetail) => ({ participations: d.participations.length, connections: d.connections.length });
  return (
    <section>
      <p>
        <a href={`/admin/o/${access.org.id}/contacts/${parent.contact.id}`}>← Back</a>
      </p>
      <h1>Merge two contacts</h1>
      <div class="grid2">
        <Side title="Kept (parent)" contact={parent.contact} orgId={access.org.id} counts={count(parent)} />
        <Side title="Merged away (child)" contact={child.contact} orgId={access.org.id} counts={count(child)} />
      </div>
      <p>
        The child’s participations, friends &amp; family connections, SSO identities and history move to the parent; its shop sessions end and it disappears from the lists. Where both are in the same event, the parent’s participation is kept, its empty fields are filled from the child’s, and the child’s values are kept in the audit log.
      </p>
      <form method="post" action={`/admin/o/${access.org.id}/contacts/${parent.contact.id}/merge`} class="card">
        <CsrfField csrf={csrf} />
        <input type="hidden" name="child_id" value={child.contact.id} />
        <fieldset>
          <legend>Email address of the merged contact</legend>
          <label>
            <input type="radio" name="email_from" value="parent" checked /> Keep {parent.contact.email} (
            {parent.contact.emailStatus === 'verified' ? 'validated' : 'not validated'})
          </label>
          <label>
            <input type="radio" name="email_from" value="child" /> Take {child.contact.email} with its validation status (
            {child.contact.emailStatus === 'verified' ? 'validated' : 'not validated'})
          </label>
        </fieldset>
        <button type="submit">Merge {contactName(child.contact)} into {contactName(parent.contact)}</button>
      </form>
    </section>
  );
}

export function MergedContactPage({ access, contact, parent }: { access: OrgAccess; contact: Contact; parent: Contact | null }) {
  return (
    <section>
      <h1>{contactName(contact)}</h1>
      <p>
        This contact was merged into{' '}
        {parent ? <ContactWidget orgId={access.org.id} contact={parent} /> : 'another contact'}; its participations, connections and history are there.
      </p>
    </section>
  );
}
