export {
  MIN_PASSWORD_LENGTH,
  changeOwnPassword,
  changeStaffPassword,
  checkNewPassword,
  createStaffUser,
  findStaffUserByEmail,
  resolveSession,
  signIn,
  signOut,
  type SessionPolicy,
  type StaffUser,
} from './staff.service.js';
export { deleteExpiredSessions } from './staff.repository.js';
