import { SPONSOR_LIMITS, type Sponsor, type SponsorLink, type SponsorSession } from '../../modules/sponsors/index.js';
import { CsrfField } from '../layout.js';
import { ErrorSummary, FieldError, invalid, type FormErrors } from '../backoffice/event-ui.js';
import { sponsorPath } from './sponsor-http.js';

/** What a profile form posts, read back from a url-encoded body (five label/URL pairs). */
export function profileFromBody(body: unknown): { name: unknown; description: unknown; links: SponsorLink[]; booth: unknown } {
  const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);
  const labels = list(fields['link_label']);
  const urls = list(fields['link_url']);
  const links = urls.slice(0, 20).map((url, i) => ({ label: labels[i] ?? '', url }));
  return { name: fields['name'], description: fields['description'], links, booth: fields['booth'] };
}

// Detail paths of the domain's refusals (/links/2/url) to the form's inputs.
export function profileErrorPaths(): Record<string, string> {
  const paths: Record<string, string> = {};
  for (let i = 0; i < SPONSOR_LIMITS.linksMax + 15; i++) {
    paths[`links/${i}/url`] = `link_url_${i}`;
    paths[`links/${i}/label`] = `link_label_${i}`;
  }
  return paths;
}

export interface ProfileFormProps {
  action: string;
  csrf: string;
  values: { name: string; description: string; links: SponsorLink[]; booth: string };
  errors: FormErrors;
  /** The organiser sets the booth; a sponsor contact sees it read-only elsewhere. */
  withBooth: boolean;
  submit: string;
}

export function valuesOf(sponsor: Sponsor): ProfileFormProps['values'] {
  return { name: sponsor.name, description: sponsor.description, links: sponsor.links, booth: sponsor.booth };
}

export function ProfileForm(props: ProfileFormProps) {
  const { values, errors } = props;
  const rows = Array.from({ length: SPONSOR_LIMITS.linksMax }, (_, i) => values.links[i] ?? { label: '', url: '' });
  return (
    <form method="post" action={props.action} class="card sponsor-profile" data-testid="sponsor-profile-form">
      <CsrfField csrf={props.csrf} />
      <ErrorSummary errors={errors} />
      <label>
        Name
        <input type="text" name="name" value={values.name} maxLength={SPONSOR_LIMITS.nameMax} required aria-invalid={invalid(errors, 'name')} />
        <FieldError errors={errors} name="name" />
      </label>
      {props.withBooth && (
        <label>
          Booth
          <input type="text" name="booth" value={values.booth} maxLength={SPONSOR_LIMITS.boothMax} aria-invalid={invalid(errors, 'booth')} />
          <FieldError errors={errors} name="booth" />
        </label>
      )}
      <label>
        Description
        <textarea name="description" rows={6} maxLength={SPONSOR_LIMITS.descriptionMax} aria-invalid={invalid(errors, 'description')}>
          {values.description}
        </textarea>
        <FieldError errors={errors} name="description" />
      </label>
      <fieldset>
        <legend>Links (website, social media, brochure)</legend>
        {rows.map((link, i) => (
          <div class="link-row">
            <input type="text" name="link_label" value={link.label} placeholder="Label" aria-label={`Link ${i + 1} label`} maxLength={SPONSOR_LIMITS.linkLabelMax} />
            <input type="url" name="link_url" value={link.url} placeholder="https://" aria-label={`Link ${i + 1} address`} maxLength={SPONSOR_LIMITS.urlMax} aria-invalid={invalid(errors, `link_url_${i}`)} />
            <FieldError errors={errors} name={`link_url_${i}`} />
          </div>
        ))}
      </fieldset>
      <button type="submit">{props.submit}</button>
    </form>
  );
}

/** Logo upload: multipart, so the CSRF token travels in the query string (see app.ts). */
export function LogoForm({ action, removeAction, csrf, logoSrc, error }: { action: string; removeAction: string; csrf: string; logoSrc: string | null; error?: string | null }) {
  return (
    <div class="card sponsor-logo">
      <h2>Logo</h2>
      {logoSrc ? <img src={logoSrc} alt="Current logo" class="logo" width={240} data-testid="sponsor-logo" /> : <p class="muted">No logo yet.</p>}
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      <form method="post" action={`${action}?_csrf=${encodeURIComponent(csrf)}`} enctype="multipart/form-data">
        <label>
          PNG, JPEG or WebP, at most {SPONSOR_LIMITS.logoMaxBytes / 1024} KB
          <input type="file" name="logo" accept="image/png,image/jpeg,image/webp" required />
        </label>
        <button type="submit">Upload logo</button>
      </form>
      {logoSrc && (
        <form method="post" action={removeAction} class="inline">
          <CsrfField csrf={csrf} />
          <button type="submit" class="secondary">
            Remove logo
          </button>
        </form>
      )}
    </div>
  );
}

/** The sponsor pages' menu: the profile for editors, booth scanning, who is signed in. */
export function sponsorNav(session: SponsorSession) {
  const base = sponsorPath(session.sponsorId);
  return (csrf: string) => (
    <>
      {session.role === 'editor' && <a href={base}>Profile</a>}
      <a href={`${base}/leads`}>Booth scanning</a>
      <form method="post" action={`${base}/sign-out`} class="inline">
        <CsrfField csrf={csrf} />
        <span class="who">{session.email}</span> <button type="submit" class="link">Sign out</button>
      </form>
    </>
  );
}
