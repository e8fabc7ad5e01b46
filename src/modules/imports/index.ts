export * from './import.types.js';
export { targetLabel, targetsFor } from './import.mapping.js';
export {
  checkImport,
  getImport,
  listImports,
  previewImport,
  problemRows,
  receiveUpload,
  type ImportSettings,
  type Upload,
} from './import.service.js';
export { runImport } from './import.run.js';
export { csvStream, exportParticipants, safeCell, type ParticipantExport } from './export.service.js';
