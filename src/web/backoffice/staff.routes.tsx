import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../lib/errors.js';
import { isId } from '../../lib/ids.js';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import {
  ROLES,
  addStaffMember,
  assignableRoles,
  changeStaffRole,
  findMembers,
  removeStaffMember,
  roleAtLeast,
  type Manager,
  type Role,
} from '../../modules/organisations/index.js';
import { MIN_PASSWORD_LENGTH } from '../../modules/staff/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { PostButton, RoleSelect, navOf } from './components.js';

const RoleSchema = Type.Union(ROLES.map((role) => Type.Literal(role)));
const Csrf = Type.String({ maxLength: 200 });

const AddBody = Type.Object(
  {
    _csrf: Csrf,
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    email: Type.String({ minLength: 3, maxLength: 320 }),
    role: RoleSchema,
    // Empty when the person already has a Tessera account.
    password: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);
const RoleBody = Type.Object({ _csrf: Csrf, role: RoleSchema }, { additionalProperties: false });
const EmptyBody = Type.Object({ _csrf: Csrf }, { additionalProperties: false });

type Member = Awaited<ReturnType<typeof findMembers>>[number];

function manager(request: FastifyRequest, access: OrgAccess): Manager {
  return { actor: staffActor(request), role: access.role };
}

function memberId(request: FastifyRequest): string {
  const { userId } = request.params as { userId: string };
  if (!isId(userId)) throw new DomainError('not_found', 'staff member not found');
  return userId;
}

function MemberRow({ member, access, csrf, lastOwner }: { member: Member; access: OrgAccess; csrf: string; lastOwner: boolean }) {
  const base = `/admin/o/${access.org.id}/staff/${member.id}`;
  const roles = assignableRoles(access.role);
  // The last owner's controls would only ever be refused, so they are not offered.
  const manageable = roles.includes(member.role) && !lastOwner;
  const self = member.id === access.staff.id;
  return (
    <tr>
      <td>
        {member.name} {self && <a href="/admin/account" class="muted">(you · change password)</a>}
        {member.disabled_at && <span class="badge">disabled</span>}
      </td>
      <td>{member.email}</td>
      <td>
        {manageable ? (
          <form method="post" action={`${base}/role`} class="toolbar">
            <CsrfField csrf={csrf} />
            <RoleSelect name="role" roles={roles} selected={member.role} />
            <button type="submit" class="secondary">Change role</button>
          </form>
        ) : (
          <>
            {member.role} {lastOwner && <span class="muted">(last owner: make someone else owner first)</span>}
          </>
        )}
      </td>
      {roleAtLeast(access.role, 'admin') && <td>{manageable && <PostButton action={`${base}/remove`} csrf={csrf} label="Remove" danger />}</td>}
    </tr>
  );
}

function AddMemberForm({ access, csrf }: { access: OrgAccess; csrf: string }) {
  return (
    <section class="card">
      <h2>Add a staff member</h2>
      <form method="post" action={`/admin/o/${access.org.id}/staff`} class="grid2">
        <CsrfField csrf={csrf} />
        <label>
          Name
          <input name="name" required maxLength={200} />
        </label>
        <label>
          Email
          <input type="email" name="email" required maxLength={320} />
        </label>
        <label>
          Role
          <RoleSelect name="role" roles={assignableRoles(access.role)} selected="staff" />
        </label>
        <label>
          Initial password (at least {MIN_PASSWORD_LENGTH} characters)
          <input type="password" name="password" minLength={MIN_PASSWORD_LENGTH} maxLength={256} autocomplete="new-password" />
          <span class="muted">Leave empty if they already have a Tessera account: they keep their own password.</span>
        </label>
        <div>
          <button type="submit">Add staff member</button>
        </div>
      </form>
    </section>
  );
}

function StaffPage({ access, members, csrf }: { access: OrgAccess; members: Member[]; csrf: string }) {
  const canManage = roleAtLeast(access.role, 'admin');
  const owners = members.filter((member) => member.role === 'owner').length;
  return (
    <section>
      <h1>Staff</h1>
      <p class="muted">
        Owners manage everything, including other owners. Admins manage staff, scanners and admins. Staff work with events and
        participants; scanners only check people in.
      </p>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            {canManage && <th></th>}
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <MemberRow member={member} access={access} csrf={csrf} lastOwner={member.role === 'owner' && owners === 1} />
          ))}
        </tbody>
      </table>
      {canManage && <AddMemberForm access={access} csrf={csrf} />}
    </section>
  );
}

/** Staff management: staff and up can see who has access, admins and owners change it. */
export async function staffRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const orgOf = (request: FastifyRequest) => (request.params as { orgId: string }).orgId;

  app.get('/admin/o/:orgId/staff', async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'staff');
    const members = await findMembers(db, access.org.id);
    return renderPage(request, reply, { title: 'Staff', nav: navOf(access) }, (csrf) => <StaffPage access={access} members={members} csrf={csrf} />);
  });

  app.post('/admin/o/:orgId/staff', { schema: { body: AddBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const body = request.body as { name: string; email: string; role: Role; password?: string };
    const input = { name: body.name.trim(), email: body.email, role: body.role, password: body.password || null };
    const { created } = await db.transaction().execute((trx) => addStaffMember(trx, app.deps, manager(request, access), access.org.id, input));
    return redirect(reply, `/admin/o/${access.org.id}/staff?done=${created ? 'created' : 'member_existing'}`);
  });

  app.post('/admin/o/:orgId/staff/:userId/role', { schema: { body: RoleBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const { role } = request.body as { role: Role };
    await db.transaction().execute((trx) => changeStaffRole(trx, app.deps, manager(request, access), access.org.id, memberId(request), role));
    return redirect(reply, `/admin/o/${access.org.id}/staff?done=saved`);
  });

  app.post('/admin/o/:orgId/staff/:userId/remove', { schema: { body: EmptyBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const userId = memberId(request);
    await db.transaction().execute((trx) => removeStaffMember(trx, app.deps, manager(request, access), access.org.id, userId));
    // Someone who removed themselves can no longer see this organisation.
    return redirect(reply, userId === access.staff.id ? '/admin' : `/admin/o/${access.org.id}/staff?done=deleted`);
  });
}
