import { systemActor } from '../../lib/context.js';
import { revokeCredentials } from '../credentials/index.js';
import { registerEmailAction, registerMergeTag } from '../emailing/index.js';
import { mintLinkFor, registerPersonalLinkTag } from '../personal-links/index.js';

export const SIGNIN_ACTION = 'app.signin_link';

registerPersonalLinkTag({
  name: 'webapp_link',
  description: 'Personal link into the attendee web app ("magic link"): works until 14 days after the event, one link minted per email',
  purpose: 'webapp',
});

// Minting a sign-in link kills the recipient's earlier unused ones (the request did too), so of
// two requests whose emails go out in either order only the link sent last works. A send test's
// link is a test credential and touches nothing real.
registerMergeTag({
  name: 'signin_link',
  description: 'One-time sign-in link into the web app, valid 10 minutes from sending (sign-in emails only)',
  personal: true,
  types: ['credentials'],
  resolve: async (m) => {
    if (m.data['send_test'] !== 'true' && m.event && m.recipient.kind === 'participant') {
      const subject = { type: 'participant' as const, id: m.recipient.id };
      await revokeCredentials(m.db, m.ctx, systemActor, m.orgId, { subject, eventId: m.event.id, purpose: 'signin', reason: 'superseded' });
    }
    return mintLinkFor(m, { purpose: 'signin', singleUse: true });
  },
});

registerEmailAction({
  name: SIGNIN_ACTION,
  description: "Sign-in link for the web app (someone asked for one on the app's sign-in page)",
  types: ['credentials'],
  fallback: {
    type: 'credentials',
    name: 'Web app sign-in link (built-in)',
    subject: 'Your sign-in link for {{ event_name }}',
    html:
      '<p>Hello {{ first_name }},</p>' +
      '<p>Someone, hopefully you, asked to sign in to the {{ event_name }} app with this address.</p>' +
      '<p><a href="{{ signin_link }}">Sign in to {{ event_name }}</a></p>' +
      '<p>The link works once, within 10 minutes. If you did not ask for it, ignore this email: nobody can sign in without it.</p>',
  },
});
