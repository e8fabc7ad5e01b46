import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import {
  FIELD_TYPES,
  createCustomField,
  deleteCustomField,
  getCustomField,
  listCustomFields,
  updateCustomField,
  type CustomField,
  type CustomFieldType,
} from '../../modules/custom-fields/index.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { ErrorSummary, EventHeader, FieldError, eventPath, formErrorsOf, paramsOf, refusalStatus, type FormErrors } from './event-ui.js';

const Csrf = Type.String({ maxLength: 200 });
const Flag = Type.Optional(Type.String({ maxLength: 10 }));
const OptionsText = Type.Optional(Type.String({ maxLength: 50_000 }));

const CreateBody = Type.Object(
  {
    _csrf: Csrf,
    key: Type.String({ maxLength: 100 }),
    label: Type.String({ maxLength: 1000 }),
    type: Type.Union(FIELD_TYPES.map((t) => Type.Literal(t))),
    required: Flag,
    options: OptionsText,
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  { _csrf: Csrf, label: Type.String({ maxLength: 1000 }), required: Flag, options: OptionsText, position: Type.String({ pattern: '^\\s*\\d{1,6}\\s*$' }) },
  { additionalProperties: false },
);
const DeleteBody = Type.Object({ _csrf: Csrf }, { additionalProperties: false });

const TYPE_LABELS: Record<CustomFieldType, string> = {
  text: 'Text',
  long_text: 'Long text',
  email: 'Email',
  phone: 'Phone',
  country: 'Country',
  date: 'Date',
  single_choice: 'Single choice',
  multiple_choice: 'Multiple choice',
  checkbox: 'Checkbox (yes/no)',
};

function hasOptions(type: CustomFieldType): boolean {
  return type === 'single_choice' || type === 'multiple_choice';
}

/** One option per line, as typed in the textarea. */
function optionLines(text: string | undefined): string[] {
  return (text ?? '').split(/\r?\n/);
}

interface FieldValuesForm {
  key: string;
  label: string;
  type: CustomFieldType;
  required: boolean;
  options: string;
  position: string;
}

const BLANK: FieldValuesForm = { key: '', label: '', type: 'text', required: false, options: '', position: '' };

function FieldInputs({ values, errors, creating }: { values: FieldValuesForm; errors: FormErrors; creating: boolean }) {
  return (
    <div class="grid2">
      {creating && (
        <label>
          Key <span class="muted">(column name in imports and exports: a-z, 0-9, _; fixed once created)</span>
          <input name="key" value={values.key} required maxLength={40} pattern="[a-z][a-z0-9_]*" />
          <FieldError errors={errors} name="key" />
        </label>
      )}
      <label>
        Label
        <input name="label" value={values.label} required maxLength={200} />
        <FieldError errors={errors} name="label" />
      </label>
      {creating && (
        <label>
          Type
          <select name="type">
            {FIELD_TYPES.map((type) => (
              <option value={type} selected={type === values.type}>
                {TYPE_LABELS[type]}
              </option>
            ))}
          </select>
          <FieldError errors={errors} name="type" />
        </label>
      )}
      {!creating && (
        <label>
          Position <span class="muted">(fields are shown in increasing order)</span>
          <input name="position" type="number" min={0} max={999999} value={values.position} required />
        </label>
      )}
      {(creating || hasOptions(values.type)) && (
        <label>
          Options, one per line {creating && <span class="muted">(single and multiple choice only)</span>}
          <textarea name="options" rows={5}>
            {values.options}
          </textarea>
          <FieldError errors={errors} name="options" />
        </label>
      )}
      <label>
        <input type="checkbox" name="required" value="on" checked={values.required} /> Required
      </label>
    </div>
  );
}

function FieldsTable({ access, event, fields }: { access: OrgAccess; event: Event; fields: CustomField[] }) {
  const admin = roleAtLeast(access.role, 'admin');
  const base = `${eventPath(access.org.id, event.id)}/fields`;
  if (fields.length === 0) return <p class="muted">This event has no custom fields yet: participants have an email address and a name.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>#</th>
          <th>Label</th>
          <th>Key</th>
          <th>Type</th>
          <th>Required</th>
          <th>Options</th>
          {admin && <th></th>}
        </tr>
      </thead>
      <tbody>
        {fields.map((field) => (
          <tr>
            <td>{field.position}</td>
            <td>{field.label}</td>
            <td>
              <code>{field.key}</code>
            </td>
            <td>{TYPE_LABELS[field.type]}</td>
            <td>{field.required ? 'yes' : 'no'}</td>
            <td>{field.options.join(' · ')}</td>
            {admin && (
              <td>
                <a href={`${base}/${field.id}/edit`}>Edit</a> · <a href={`${base}/${field.id}/delete`}>Delete</a>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface PageProps {
  access: OrgAccess;
  event: Event;
  csrf: string;
}

function FieldsPage({ access, event, csrf, fields, values, errors }: PageProps & { fields: CustomField[]; values: FieldValuesForm; errors: FormErrors }) {
  return (
    <section>
      <EventHeader access={access} event={event} current="fields" />
      <h1>Custom fields</h1>
      <FieldsTable access={access} event={event} fields={fields} />
      {roleAtLeast(access.role, 'admin') && (
        <form method="post" action={`${eventPath(access.org.id, event.id)}/fields`} class="card">
          <h2>Add a field</h2>
          <ErrorSummary errors={errors} />
          <CsrfField csrf={csrf} />
          <FieldInputs values={values} errors={errors} creating />
          <button type="submit">Add field</button>
        </form>
      )}
    </section>
  );
}

function EditPage({ access, event, csrf, field, values, errors }: PageProps & { field: CustomField; values: FieldValuesForm; errors: FormErrors }) {
  const base = `${eventPath(access.org.id, event.id)}/fields`;
  return (
    <section>
      <EventHeader access={access} event={event} current="fields" />
      <h1>
        Edit field <code>{field.key}</code> <span class="muted">({TYPE_LABELS[field.type]})</span>
      </h1>
      <form method="post" action={`${base}/${field.id}/edit`} class="card">
        <ErrorSummary errors={errors} />
        <CsrfField csrf={csrf} />
        <FieldInputs values={values} errors={errors} creating={false} />
        {hasOptions(field.type) && <p class="muted">Removing an option does not change the answers participants already gave.</p>}
        <button type="submit">Save</button> <a href={base}>Cancel</a>
      </form>
    </section>
  );
}

function DeletePage({ access, event, csrf, field }: PageProps & { field: CustomField }) {
  const base = `${eventPath(access.org.id, event.id)}/fields`;
  return (
    <section class="narrow">
      <h1>Delete the field “{field.label}”?</h1>
      <p>
        It disappears from forms, lists and exports. The values participants already gave are kept in the database, so adding a field with the
        key <code>{field.key}</code> again brings them back.
      </p>
      <form method="post" action={`${base}/${field.id}/delete`}>
        <CsrfField csrf={csrf} />
        <button type="submit" class="danger">
          Delete field
        </button>{' '}
        <a href={base}>Cancel</a>
      </form>
    </section>
  );
}

function valuesOf(field: CustomField): FieldValuesForm {
  return { key: field.key, label: field.label, type: field.type, required: field.required, options: field.options.join('\n'), position: String(field.position) };
}

/** Custom fields of an event: staff see them, admins change them. */
export async function fieldsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId/fields';

  async function load(request: FastifyRequest, minimum: 'staff' | 'admin') {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, minimum);
    const event = await getEvent(db, access.org.id, eventId!);
    return { access, event };
  }

  async function listPage(request: FastifyRequest, reply: FastifyReply, page: { access: OrgAccess; event: Event }, values = BLANK, errors: FormErrors = {}, status = 200) {
    const fields = await listCustomFields(db, page.access.org.id, page.event.id);
    return renderPage(request, reply, { title: `Fields · ${page.event.name}`, nav: navOf(page.access), status }, (csrf) => (
      <FieldsPage {...page} csrf={csrf} fields={fields} values={values} errors={errors} />
    ));
  }

  app.get(base, async (request, reply) => listPage(request, reply, await load(request, 'staff')));

  app.post(base, { schema: { body: CreateBody } }, async (request, reply) => {
    const page = await load(request, 'admin');
    const body = request.body as Static<typeof CreateBody>;
    const input = { key: body.key, label: body.label, type: body.type, required: body.required !== undefined, options: optionLines(body.options) };
    try {
      await db.transaction().execute((trx) => createCustomField(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, input));
    } catch (error) {
      const errors = formErrorsOf(error, {}, 'key');
      if (!errors) throw error;
      const values = { ...BLANK, ...input, options: body.options ?? '' };
      return listPage(request, reply, page, values, errors, refusalStatus(error));
    }
    return redirect(reply, `${eventPath(page.access.org.id, page.event.id)}/fields?done=created`);
  });

  app.get(`${base}/:fieldId/edit`, async (request, reply) => {
    const page = await load(request, 'admin');
    const field = await getCustomField(db, page.access.org.id, page.event.id, paramsOf(request)['fieldId']!);
    return renderPage(request, reply, { title: `Edit ${field.label}`, nav: navOf(page.access) }, (csrf) => (
      <EditPage {...page} csrf={csrf} field={field} values={valuesOf(field)} errors={{}} />
    ));
  });

  app.post(`${base}/:fieldId/edit`, { schema: { body: UpdateBody } }, async (request, reply) => {
    const page = await load(request, 'admin');
    const field = await getCustomField(db, page.access.org.id, page.event.id, paramsOf(request)['fieldId']!);
    const body = request.body as Static<typeof UpdateBody>;
    const input = { label: body.label, required: body.required !== undefined, options: hasOptions(field.type) ? optionLines(body.options) : undefined, position: Number(body.position) };
    try {
      await db.transaction().execute((trx) => updateCustomField(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, field.id, input));
    } catch (error) {
      const errors = formErrorsOf(error, {}, 'label');
      if (!errors) throw error;
      const values = { ...valuesOf(field), label: body.label, required: input.required, options: body.options ?? '', position: body.position };
      return renderPage(request, reply, { title: `Edit ${field.label}`, nav: navOf(page.access), status: refusalStatus(error) }, (csrf) => (
        <EditPage {...page} csrf={csrf} field={field} values={values} errors={errors} />
      ));
    }
    return redirect(reply, `${eventPath(page.access.org.id, page.event.id)}/fields?done=saved`);
  });

  app.get(`${base}/:fieldId/delete`, async (request, reply) => {
    const page = await load(request, 'admin');
    const field = await getCustomField(db, page.access.org.id, page.event.id, paramsOf(request)['fieldId']!);
    return renderPage(request, reply, { title: `Delete ${field.label}`, nav: navOf(page.access) }, (csrf) => <DeletePage {...page} csrf={csrf} field={field} />);
  });

  app.post(`${base}/:fieldId/delete`, { schema: { body: DeleteBody } }, async (request, reply) => {
    const page = await load(request, 'admin');
    const fieldId = paramsOf(request)['fieldId']!;
    await db.transaction().execute((trx) => deleteCustomField(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, fieldId));
    return redirect(reply, `${eventPath(page.access.org.id, page.event.id)}/fields?done=deleted`);
  });
}
