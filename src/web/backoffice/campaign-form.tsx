import { Type, type Static } from '@sinclair/typebox';
import type { CustomField } from '../../modules/custom-fields/index.js';
import type { CampaignAudience, EmailTemplate } from '../../modules/emailing/index.js';
import { PARTICIPANT_STATUSES, type ParticipantStatus } from '../../modules/participants/index.js';
import { CsrfField } from '../layout.js';
import { ErrorSummary, FieldError, type FormErrors } from './event-ui.js';
import { filterableFields, listStateOf } from './participant-list.js';
import { TYPE_LABELS } from './template-views.js';

const Statuses = Type.Array(Type.Union(PARTICIPANT_STATUSES.map((s) => Type.Literal(s))), { maxItems: 10 });

export const CampaignBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    name: Type.String({ maxLength: 1000 }),
    template_id: Type.String({ maxLength: 40 }),
    status: Type.Optional(Statuses),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    // Ids one per line (or separated by spaces or commas), as pasted.
    ids: Type.Optional(Type.String({ maxLength: 400_000 })),
  },
  // Custom field filters arrive as `cf.<key>`.
  { additionalProperties: false, patternProperties: { '^cf\\.[a-z][a-z0-9_]{0,39}$': Type.String({ maxLength: 1000 }) } },
);
type Body = Static<typeof CampaignBody> & Record<string, string | string[] | undefined>;

/** The new-campaign form takes the participants list's query string (q, status, f) and `ids`. */
export const NewCampaignQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Statuses),
  f: Type.Optional(Type.String({ maxLength: 500 })),
  ids: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 1000 })),
  template: Type.Optional(Type.String({ maxLength: 40 })),
});

export interface CampaignFormValues {
  name: string;
  templateId: string;
  statuses: ParticipantStatus[];
  fields: Record<string, string>;
  q: string;
  ids: string;
}

/** A new form, prefilled with the participants list's current filter when it came from there. */
export function campaignValuesFromQuery(raw: unknown): CampaignFormValues {
  const query = raw as Static<typeof NewCampaignQuery>;
  const state = listStateOf(query);
  const separator = state.f.indexOf(':');
  const fields = separator > 0 ? { [state.f.slice(0, separator)]: state.f.slice(separator + 1) } : {};
  const fromList = Boolean(state.q || state.statuses.length > 0 || state.f || query.ids?.length);
  return {
    name: '',
    templateId: query.template ?? '',
    // A blank form suggests registered participants, not everyone ever imported.
    statuses: fromList ? state.statuses : ['registered'],
    fields,
    q: state.q,
    ids: (query.ids ?? []).join('\n'),
  };
}

export function campaignValuesFromBody(raw: unknown): CampaignFormValues {
  const body = raw as Body;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (key.startsWith('cf.') && typeof value === 'string' && value !== '') fields[key.slice(3)] = value;
  return { name: body.name, templateId: body.template_id, statuses: body.status ?? [], fields, q: body.q ?? '', ids: body.ids ?? '' };
}

export function audienceOf(values: CampaignFormValues): CampaignAudience {
  return { ids: values.ids.split(/[\s,;]+/).filter(Boolean), statuses: values.statuses, fields: values.fields, q: values.q };
}

/** One line saying who the campaign goes to, in the organiser's terms. */
export function describeAudience(audience: CampaignAudience, fields: CustomField[]): string {
  if (audience.ids.length > 0) return `${audience.ids.length} selected ${audience.ids.length === 1 ? 'participant' : 'participants'}`;
  const parts = [audience.statuses.length > 0 ? `participants with status ${audience.statuses.join(' or ')}` : 'participants of every status'];
  for (const [key, value] of Object.entries(audience.fields)) parts.push(`${fields.find((f) => f.key === key)?.label ?? key} is ${value}`);
  if (audience.q) parts.push(`matching "${audience.q}"`);
  return parts.join(' · ');
}

function FieldSelect({ field, value }: { field: CustomField; value: string | undefined }) {
  const options = field.type === 'checkbox' ? ['true', 'false'] : field.options;
  return (
    <label>
      {field.label}
      <select name={`cf.${field.key}`}>
        <option value="">Any</option>
        {options.map((o) => (
          <option value={o} selected={o === value}>
            {field.type === 'checkbox' ? (o === 'true' ? 'yes' : 'no') : o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function CampaignForm(props: { action: string; csrf: string; values: CampaignFormValues; errors: FormErrors; templates: EmailTemplate[]; fields: CustomField[] }) {
  const { values, errors } = props;
  return (
    <form method="post" action={props.action} class="card">
      <CsrfField csrf={props.csrf} />
      <ErrorSummary errors={errors} />
      <div class="grid2">
        <label>
          Name <span class="muted">(for you; recipients see the template's subject)</span>
          <input name="name" value={values.name} required maxLength={200} />
          <FieldError errors={errors} name="name" />
        </label>
        <label>
          Template
          <select name="template_id" required>
            <option value="">Choose a template</option>
            {props.templates.map((t) => (
              <option value={t.id} selected={t.id === values.templateId}>
                {`${t.name} (${TYPE_LABELS[t.type]})`}
              </option>
            ))}
          </select>
          <FieldError errors={errors} name="template_id" />
        </label>
      </div>
      <fieldset>
        <legend>Audience: participants matching all of these</legend>
        <fieldset class="statuses">
          <legend>Status (none checked: every status)</legend>
          {PARTICIPANT_STATUSES.map((s) => (
            <label class="choice">
              <input type="checkbox" name="status" value={s} checked={values.statuses.includes(s)} /> {s}
            </label>
          ))}
        </fieldset>
        <div class="grid2">
          {filterableFields(props.fields).map((f) => (
            <FieldSelect field={f} value={values.fields[f.key]} />
          ))}
          <label>
            Search text <span class="muted">(as on the participants list)</span>
            <input type="search" name="q" value={values.q} maxLength={200} />
          </label>
        </div>
        <FieldError errors={errors} name="audience" />
      </fieldset>
      <label>
        Or exactly these participants <span class="muted">(participant ids, one per line; when given, the filters above are not used)</span>
        <textarea name="ids" rows={3}>
          {`\n${values.ids}`}
        </textarea>
      </label>
      <button type="submit">Create draft</button> <span class="muted">You will see the number of recipients before anything is sent.</span>
    </form>
  );
}
