import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import type { Session } from '../../test/helpers/browser-session.js';
import { drain, startCampaignVia } from '../../test/helpers/campaign-http.js';
import { seedOrganisation, signedIn, type Org } from '../../test/helpers/fixtures.js';
import { seedMailing, smtpError, startTestSmtp, testWorker, transportTo, type TestSmtp } from '../../test/helpers/outbox.js';
import { systemActor } from '../lib/context.js';
import { createTemplate } from '../modules/emailing/index.js';
import type { MailTransport } from '../modules/mail-transport/index.js';
import { classifySmtpFailure } from './retry-policy.js';

test('permanent SMTP replies about the mailbox are hard bounces; policy, size and the like are plain failures', () => {
  const bounces = [
    '550 5.1.1 <x@example.org>: Recipient address rejected: User unknown',
    '550-5.1.1 The email account that you tried to reach does not exist.',
    '553 5.1.3 Bad recipient address syntax',
    '550 5.1.10 RESOLVER.ADR.RecipientNotFound',
    '554 5.2.1 Mailbox disabled',
    '550 Requested action not taken: mailbox unavailable',
    '551 User not local',
    '553 Mailbox name not allowed',
  ];
  const failures = [
    '550 5.7.1 Message rejected by policy',
    '554 5.7.1 Relay access denied',
    '552 Message size exceeds fixed limit',
    '552 5.2.2 Mailbox full',
    '550 5.1.7 Bad sender address syntax',
    '550 5.1.8 Sender domain does not exist',
    '554 Transaction failed',
    '451 4.1.1 Try later',
    'Invalid recipient address',
    '',
  ];
  for (const reply of bounces) assert.equal(classifySmtpFailure(reply), 'hard_bounce', reply);
  for (const reply of failures) assert.equal(classifySmtpFailure(reply), 'failed', reply);
});

describe('hard bounces', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let smtp: TestSmtp;
  let transport: MailTransport;
  let seeded: Awaited<ReturnType<typeof seedMailing>>;
  let base: string;
  let credentialsId: string;
  const people = ['ok@example.org', 'gone@example.org', 'policy@example.org'].map((email, i) => ({ email, firstName: `P${i}`, lastName: 'Test' }));

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    smtp = await startTestSmtp((address) => {
      if (address.startsWith('gone')) return smtpError(550, `5.1.1 <${address}>: Recipient address rejected: User unknown`);
      if (address.startsWith('policy')) return smtpError(550, '5.7.1 Message refused by policy');
      return null;
    });
    transport = transportTo(t, smtp);
    seeded = await seedMailing(t, org.orgId, people);
    const credentials = { type: 'credentials' as const, name: 'Credentials', subject: 'Access', html: '<p>Hello {{ first_name }}</p>' };
    credentialsId = (await createTemplate(t.db, t.ctx, systemActor, org.orgId, seeded.event.id, credentials, { publicUrl: t.config.publicUrl })).id;
    base = `/admin/o/${org.orgId}/events/${seeded.event.id}/campaigns`;
  });
  after(async () => {
    await transport.close();
    await smtp.close();
    await t.close();
  });

  const sendCampaign = (templateId: string) => startCampaignVia(owner, base, templateId, seeded.participants.map((p) => p.id));
  const rowsOf = (id: string) => t.db.selectFrom('outbox').select(['to_email', 'status', 'last_error']).where('campaign_id', '=', id).orderBy('to_email').execute();
  const suppressions = () => t.db.selectFrom('email_suppressions').selectAll().where('org_id', '=', org.orgId).execute();

  test('550 5.1.1 marks the message bounced with the reply and suppresses the address; 5.7.1 fails and suppresses nothing', async () => {
    const id = await sendCampaign(seeded.template.id);
    const result = await testWorker(t, transport).runOnce();
    assert.deepEqual([result.sent, result.bounced, result.failed], [1, 1, 1]);
    assert.deepEqual(await rowsOf(id), [
      { to_email: 'gone@example.org', status: 'bounced', last_error: '550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown' },
      { to_email: 'ok@example.org', status: 'sent', last_error: null },
      { to_email: 'policy@example.org', status: 'failed', last_error: '550 5.7.1 Message refused by policy' },
    ]);
    const rows = await suppressions();
    assert.deepEqual(
      rows.map((r) => [r.email_key, r.reason, r.scope, r.detail]),
      [['gone@example.org', 'hard_bounce', 'all', '550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown']],
    );
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'email_suppression.added').execute();
    assert.deepEqual(audit.map((a) => [a.actor_type, a.target_id]), [['system', 'gone@example.org']]);
    const page = await owner.get(`${base}/${id}?status=bounced`);
    assert.ok(page.body.includes('<span class="badge">bounced</span></td><td>1</td><td>550 5.1.1 &lt;gone@example.org>: Recipient address rejected: User unknown'), 'the campaign page shows the reply');
  });

  test('the next campaign skips the bounced address with "hard bounce: <reply>"; so does a credentials email (a bounce stops all mail)', async () => {
    const id = await sendCampaign(seeded.template.id);
    await drain(testWorker(t, transport));
    const skipped = (await rowsOf(id)).filter((r) => r.status === 'skipped');
    assert.deepEqual(skipped, [{ to_email: 'gone@example.org', status: 'skipped', last_error: 'hard bounce: 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown' }]);
    const page = await owner.get(`${base}/${id}?status=skipped`);
    assert.ok(page.body.includes('hard bounce: 550 5.1.1'), 'with its reason on the campaign page');
    const policy = (await rowsOf(id)).find((r) => r.to_email === 'policy@example.org');
    assert.equal(policy?.status, 'failed', 'a policy refusal is tried again next time, and fails again');

    const credentials = await sendCampaign(credentialsId);
    assert.deepEqual((await rowsOf(credentials)).filter((r) => r.status === 'skipped').map((r) => r.to_email), ['gone@example.org']);
  });
});
