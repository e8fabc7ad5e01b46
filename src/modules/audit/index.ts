export { audit, auditMany, listAuditEntries, type AuditEntry, type AuditInput } from './audit.service.js';
export type { AuditQuery } from './audit.repository.js';
