import type { EmailTemplate } from '../../modules/emailing/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { formatDateTime } from './components.js';
import type { EmailPage } from './email-pages.js';
import { EventHeader } from './event-ui.js';
import { TYPE_LABELS } from './template-views.js';

export function TemplateList({ page, templates, path }: { page: EmailPage; templates: EmailTemplate[]; path: string }) {
  const admin = roleAtLeast(page.access.role, 'admin');
  return (
    <section>
      <EventHeader access={page.access} event={page.event} current="emails" />
      <div class="toolbar spread">
        <h1>Email templates</h1>
        <span>
          {admin && (
            <a class="button" href={`${path}/templates/new`}>
              New template
            </a>
          )}{' '}
          <a class="button secondary" href={`${path}/actions`}>
            Templates for actions
          </a>
        </span>
      </div>
      <p class="muted">
        Templates of this event, and of the organisation (usable in every event). Send them to participants from{' '}
        <a href={`${page.eventBase}/campaigns`}>Campaigns</a>; Tessera's own emails (credentials, verification...) use the templates linked to
        their actions.
      </p>
      {templates.length === 0 ? (
        <p class="muted">No templates yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Available in</th>
              <th>Subject</th>
              <th>Last changed</th>
            </tr>
          </thead>
          <tbody>
            {templates.map((t) => (
              <tr>
                <td>
                  <a href={`${path}/templates/${t.id}`}>{t.name}</a>
                </td>
                <td>{TYPE_LABELS[t.type]}</td>
                <td>{t.eventId ? 'This event' : 'Every event (organisation)'}</td>
                <td>{t.subject}</td>
                <td>{formatDateTime(t.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
