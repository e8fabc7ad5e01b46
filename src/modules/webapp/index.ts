// The merge tags (webapp_link, signin_link) and the sign-in email action register on load.
export { SIGNIN_ACTION } from './webapp-tags.js';
export { APP_STATUSES, appOpenTo } from './app-access.js';
export { requestSignInLink } from './signin.service.js';
export { createPreviewLink, PREVIEW_ROLE, previewAllowed, recordPreviewOpened } from './preview.service.js';
