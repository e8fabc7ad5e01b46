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
export { countOrganisations, findMembers, findOrganisationsOfUser } from './organisation.repository.js';
