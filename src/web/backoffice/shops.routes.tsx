import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import {
  CHANNEL_KINDS,
  CHANNEL_LABELS,
  createPointOfSale,
  createSalesChannel,
  getPointOfSale,
  listPointsOfSale,
  listSalesChannels,
  POS_STATES,
  SHOP_CHANNELS,
  shopPath,
  updatePointOfSale,
  type PointOfSale,
  type SalesChannel,
  type SalesChannelKind,
} from '../../modules/shop/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { formErrorsOf, type FormErrors } from './event-ui.js';

const Csrf = Type.String({ maxLength: 200 });
const ChannelBody = Type.Object({ _csrf: Csrf, name: Type.String({ maxLength: 1000 }), kind: Type.Union(CHANNEL_KINDS.map((k) => Type.Literal(k))) }, { additionalProperties: false });
const PosFields = {
  _csrf: Csrf,
  name: Type.String({ maxLength: 1000 }),
  slug: Type.String({ maxLength: 1000 }),
  state: Type.Union(POS_STATES.map((s) => Type.Literal(s))),
  heading: Type.String({ maxLength: 1000 }),
  accent: Type.String({ maxLength: 100 }),
  welcome: Type.String({ maxLength: 5000 }),
};
const PosBody = Type.Object({ ...PosFields, channel_id: Type.String({ maxLength: 100 }) }, { additionalProperties: false });
const PosEditBody = Type.Object(PosFields, { additionalProperties: false });
type PosValues = Record<keyof typeof PosFields | 'channel_id', string>;

const PATHS = { '/name': 'name', '/slug': 'slug', '/state': 'state', '/accent': 'accent', '/welcome': 'welcome', '/channelId': 'channel_id', '/kind': 'kind' };

function PosForm({ action, csrf, channels, values, errors, editing }: { action: string; csrf: string; channels: SalesChannel[]; values: Partial<PosValues>; errors: FormErrors; editing: boolean }) {
  const field = (name: keyof PosValues, label: string, input: preact.ComponentChildren) => (
    <label>
      {label}
      {input}
      {errors[name] && <span class="error-text">{errors[name]}</span>}
    </label>
  );
  return (
    <form method="post" action={action} class="card">
      {errors['_form'] && <p class="error-text">{errors['_form']}</p>}
      <CsrfField csrf={csrf} />
      {!editing &&
        field(
          'channel_id',
          'Sales channel',
          <select name="channel_id" required>
            {channels.map((c) => (
              <option value={c.id} selected={values.channel_id === c.id}>
                {c.name} ({CHANNEL_LABELS[c.kind]})
              </option>
            ))}
          </select>,
        )}
      <div class="grid2">
        {field('name', 'Name', <input name="name" required maxLength={100} value={values.name ?? ''} />)}
        {field('slug', 'Address (/shop/<organisation>/…; from the name if empty)', <input name="slug" maxLength={60} value={values.slug ?? ''} />)}
        {field(
          'state',
          'State',
          <select name="state">
            {POS_STATES.map((s) => (
              <option value={s} selected={(values.state ?? 'running') === s}>
                {s}
              </option>
            ))}
          </select>,
        )}
        {field('heading', 'Shop heading', <input name="heading" maxLength={120} value={values.heading ?? ''} />)}
        {field('accent', 'Accent colour (#rrggbb)', <input name="accent" maxLength={7} value={values.accent ?? '#1f5fbf'} />)}
      </div>
      {field('welcome', 'Welcome text', <textarea name="welcome" rows={3} maxLength={2000}>{values.welcome ?? ''}</textarea>)}
      <button type="submit">{editing ? 'Save' : 'Create point of sale'}</button>
    </form>
  );
}

function ShopsPage({ access, csrf, channels, points, channelErrors, posErrors, posValues, publicUrl }: { access: OrgAccess; csrf: string; channels: SalesChannel[]; points: PointOfSale[]; channelErrors: FormErrors; posErrors: FormErrors; posValues: Partial<PosValues>; publicUrl: URL }) {
  const base = `/admin/o/${access.org.id}/shops`;
  return (
    <section>
      <h1>Sales channels and shops</h1>
      <p class="muted">
        A running point of sale of an internet channel is a shop customers reach at its address. Account verification emails and the contacts page use them.
      </p>
      <p>
        <a href={`${base}/sso`}>Sign-in providers (OpenID Connect)</a>
      </p>
      <h2>Points of sale</h2>
      {points.length === 0 ? (
        <p class="muted">No point of sale yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Channel</th>
              <th>State</th>
              <th>Shop address</th>
            </tr>
          </thead>
          <tbody>
            {points.map((pos) => (
              <tr>
                <td>
                  <a href={`${base}/pos/${pos.id}`}>{pos.name}</a>
                </td>
                <td>{CHANNEL_LABELS[pos.channelKind]}</td>
                <td>
                  <span class="badge">{pos.state}</span>
                </td>
                <td>
                  {SHOP_CHANNELS.includes(pos.channelKind) && pos.state === 'running' ? (
                    <a href={new URL(shopPath(access.org.slug, pos.slug), publicUrl).toString()}>{shopPath(access.org.slug, pos.slug)}</a>
                  ) : (
                    <span class="muted">no shop ({pos.state === 'running' ? 'box office' : 'closed'})</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {channels.length > 0 && (
        <>
          <h2>New point of sale</h2>
          <PosForm action={`${base}/pos`} csrf={csrf} channels={channels} values={posValues} errors={posErrors} editing={false} />
        </>
      )}
      <h2>Sales channels</h2>
      <ul>
        {channels.map((c) => (
          <li>
            {c.name} <span class="muted">({CHANNEL_LABELS[c.kind]})</span>
          </li>
        ))}
      </ul>
      <form method="post" action={`${base}/channels`} class="card toolbar">
        {channelErrors['_form'] && <p class="error-text">{channelErrors['_form']}</p>}
        <CsrfField csrf={csrf} />
        <label>
          Name
          <input name="name" required maxLength={100} />
          {channelErrors['name'] && <span class="error-text">{channelErrors['name']}</span>}
        </label>
        <label>
          Kind
          <select name="kind">
            {CHANNEL_KINDS.map((k: SalesChannelKind) => (
              <option value={k}>{CHANNEL_LABELS[k]}</option>
            ))}
          </select>
        </label>
        <button type="submit">Add channel</button>
      </form>
    </section>
  );
}

/** Sales channels and points of sale of an organisation, for admins. */
export async function shopsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const orgOf = (request: FastifyRequest) => (request.params as { orgId: string }).orgId;

  async function show(request: FastifyRequest, reply: FastifyReply, access: OrgAccess, errors: { channel?: FormErrors; pos?: FormErrors; values?: Partial<PosValues> } = {}, status = 200) {
    const [channels, points] = await Promise.all([listSalesChannels(db, access.org.id), listPointsOfSale(db, access.org.id)]);
    return renderPage(request, reply, { title: 'Shops', nav: navOf(access), status }, (csrf) => (
      <ShopsPage access={access} csrf={csrf} channels={channels} points={points} channelErrors={errors.channel ?? {}} posErrors={errors.pos ?? {}} posValues={errors.values ?? {}} publicUrl={app.deps.config.publicUrl} />
    ));
  }

  app.get('/admin/o/:orgId/shops', async (request, reply) => show(request, reply, await requireOrg(app, request, orgOf(request), 'admin')));

  app.post('/admin/o/:orgId/shops/channels', { schema: { body: ChannelBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const body = request.body as { name: string; kind: SalesChannelKind };
    try {
      await db.transaction().execute((trx) => createSalesChannel(trx, app.deps, staffActor(request), access.org.id, body));
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, '_form');
      if (!errors) throw error;
      return show(request, reply, access, { channel: errors }, 400);
    }
    return redirect(reply, `/admin/o/${access.org.id}/shops?done=created`);
  });

  const inputOf = (body: PosValues) => ({ name: body.name, slug: body.slug, state: body.state as PointOfSale['state'], heading: body.heading, accent: body.accent, welcome: body.welcome });

  app.post('/admin/o/:orgId/shops/pos', { schema: { body: PosBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const body = request.body as PosValues;
    try {
      await db.transaction().execute((trx) => createPointOfSale(trx, app.deps, staffActor(request), access.org.id, { channelId: body.channel_id, ...inputOf(body) }));
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, '_form');
      if (!errors) throw error;
      return show(request, reply, access, { pos: errors, values: body }, 400);
    }
    return redirect(reply, `/admin/o/${access.org.id}/shops?done=created`);
  });

  async function showPos(request: FastifyRequest, reply: FastifyReply, access: OrgAccess, pos: PointOfSale, values: Partial<PosValues>, errors: FormErrors = {}, status = 200) {
    return renderPage(request, reply, { title: pos.name, nav: navOf(access), status }, (csrf) => (
      <section>
        <p>
          <a href={`/admin/o/${access.org.id}/shops`}>← Sales channels and shops</a>
        </p>
        <h1>{pos.name}</h1>
        <PosForm action={`/admin/o/${access.org.id}/shops/pos/${pos.id}`} csrf={csrf} channels={[]} values={values} errors={errors} editing />
      </section>
    ));
  }

  app.get('/admin/o/:orgId/shops/pos/:posId', async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const pos = await getPointOfSale(db, access.org.id, (request.params as { posId: string }).posId);
    return showPos(request, reply, access, pos, { name: pos.name, slug: pos.slug, state: pos.state, heading: pos.heading, accent: pos.accent, welcome: pos.welcome });
  });

  app.post('/admin/o/:orgId/shops/pos/:posId', { schema: { body: PosEditBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const pos = await getPointOfSale(db, access.org.id, (request.params as { posId: string }).posId);
    const body = request.body as PosValues;
    try {
      await db.transaction().execute((trx) => updatePointOfSale(trx, app.deps, staffActor(request), access.org.id, pos.id, inputOf(body)));
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, '_form');
      if (!errors) throw error;
      return showPos(request, reply, access, pos, body, errors, 400);
    }
    return redirect(reply, `/admin/o/${access.org.id}/shops?done=saved`);
  });
}
