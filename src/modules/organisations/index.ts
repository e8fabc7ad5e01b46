export * from './organisation.types.js';
export {
  addMember,
  changeMemberRole,
  createOrganisation,
  getOrganisation,
  removeMember,
  roleOf,
  updateOrganisation,
} from './organisation.service.js';
export { addStaffMember, assignableRoles, changeStaffRole, removeStaffMember, type Manager, type NewMemberInput } from './membership.service.js';
export { countOrganisations, findMembers, findOrganisationBySlug, findOrganisationsOfUser } from './organisation.repository.js';
