import { onEventCreated } from '../events/index.js';
import { installEventTemplate } from '../emailing/index.js';
import { onParticipantsRegistered } from '../participants/index.js';
import { issueAccessCodes } from './access-code.service.js';
import { CREDENTIALS_ACTION, READY_MADE_CREDENTIALS } from './credentials-mail.js';

export * from './access-code.types.js';
export { CODE_BITS, formatCode, normaliseCode } from './code-format.js';
export { accessCodeStatus, accessCodeStatuses, issueAccessCodes, LOCK_MINUTES, recordSignIn, regenerateCode, rekeyAccessCodes, setChosenCode, type ChosenCode, type RekeyReport } from './access-code.service.js';
export { confirmCurrentCode, signInWithCode } from './code-sign-in.service.js';
export { CHOSEN_CODE_TEXT, CREDENTIALS_ACTION, resendCredentials, SET_CODE_ACTION } from './credentials-mail.js';
export { attendeesNeverSignedIn, loginMetrics, type NeverSignedInPage } from './login-metrics.js';
export { LOCK_THRESHOLD } from './access-code.repository.js';

// Every path that registers someone draws their code in the same transaction.
onParticipantsRegistered(async (db, ctx, orgId, eventId, ids) => {
  await issueAccessCodes(db, ctx, orgId, eventId, ids);
});
// Every new event starts with a credentials template linked to "resend credentials".
onEventCreated(async (db, ctx, event) => {
  await installEventTemplate(db, ctx, event.orgId, event.id, CREDENTIALS_ACTION, READY_MADE_CREDENTIALS);
});
