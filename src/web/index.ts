import type { FastifyInstance } from 'fastify';
import { authRoutes } from './auth.routes.js';
import { setupRoutes } from './setup.routes.js';
import { landingRoutes } from './attendee/landing.routes.js';
import { appRoutes } from './attendee/app.routes.js';
import { appSignInRoutes } from './attendee/app-sign-in.routes.js';
import { previewRoutes } from './backoffice/preview.routes.js';
import { auditRoutes } from './backoffice/audit.routes.js';
import { accountRoutes, settingsRoutes } from './backoffice/settings.routes.js';
import { staffRoutes } from './backoffice/staff.routes.js';
import { eventsRoutes } from './backoffice/events.routes.js';
import { fieldsRoutes } from './backoffice/fields.routes.js';
import { participantsRoutes } from './backoffice/participants.routes.js';
import { apiKeyRoutes } from './backoffice/api-keys.routes.js';
import { importRoutes } from './backoffice/import.routes.js';
import { exportRoutes } from './backoffice/export.routes.js';
import { mailboxRoutes } from './backoffice/mailbox.routes.js';
import { templatesRoutes } from './backoffice/templates.routes.js';
import { emailActionsRoutes } from './backoffice/email-actions.routes.js';
import { campaignsRoutes } from './backoffice/campaigns.routes.js';
import { suppressionsRoutes } from './backoffice/suppressions.routes.js';
import { unsubscribeRoutes } from './unsubscribe.routes.js';

/** Every server-rendered page. Each file is one Fastify plugin. */
export async function webRoutes(app: FastifyInstance): Promise<void> {
  await app.register(authRoutes);
  await app.register(setupRoutes);
  await app.register(landingRoutes);
  await app.register(appRoutes);
  await app.register(appSignInRoutes);
  await app.register(previewRoutes);
  await app.register(staffRoutes);
  await app.register(auditRoutes);
  await app.register(settingsRoutes);
  await app.register(accountRoutes);
  await app.register(eventsRoutes);
  await app.register(fieldsRoutes);
  await app.register(participantsRoutes);
  await app.register(apiKeyRoutes);
  await app.register(importRoutes);
  await app.register(exportRoutes);
  await app.register(mailboxRoutes);
  await app.register(templatesRoutes);
  await app.register(emailActionsRoutes);
  await app.register(campaignsRoutes);
  await app.register(suppressionsRoutes);
  await app.register(unsubscribeRoutes);
}
