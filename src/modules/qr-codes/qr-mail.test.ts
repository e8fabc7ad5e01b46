import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedOrganisation, signedIn } from '../../../test/helpers/fixtures.js';
import { recipientOf, seedMailing, startTestSmtp, type TestSmtp } from '../../../test/helpers/outbox.js';
import { decodeQrPng } from '../../../test/helpers/qr-image.js';
import { deliver } from '../../../test/helpers/webapp.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { enqueueEmail } from '../emailing/index.js';
import type { Event } from '../events/index.js';
import type { Participant } from '../participants/index.js';
import { checkQr } from './index.js';

let t: TestApp;
let smtp: TestSmtp;
let orgId: string;
let owner: Session;
let event: Event;
let ada: Participant;
let grace: Participant;
let templateId: string;

const TEMPLATE = {
  type: 'credentials' as const,
  name: 'Your ticket',
  subject: 'Your ticket for {{ event_name }}',
  html: '<p>Hello {{ first_name }}, show this at the door:</p>{{ qr_code }}<p>See you soon.</p>',
};

async function qrRows(): Promise<number> {
  const row = await t.db.selectFrom('qr_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', event.id).executeTakeFirstOrThrow();
  return Number(row.n);
}

before(async () => {
  t = await createTestApp();
  smtp = await startTestSmtp();
  const org = await seedOrganisation(t);
  orgId = org.orgId;
  owner = await signedIn(t, org.ownerEmail);
  const seeded = await seedMailing(
    t,
    orgId,
    [
      { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' },
      { email: 'grace@example.org', firstName: 'Grace', lastName: 'Hopper' },
    ],
    TEMPLATE,
  );
  event = seeded.event;
  [ada, grace] = seeded.participants as [Participant, Participant];
  templateId = seeded.template.id;
});
after(async () => {
  await t.close();
  await smtp.close();
});

describe('{{ qr_code }} in an email', () => {
  test('the preview shows a placeholder and makes no code', async () => {
    const response = await owner.get(`/admin/o/${orgId}/events/${event.id}/emails/templates/${templateId}/preview?participant=${ada.id}`);
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /\[preview: qr_code, personal, created when the email is sent\]/);
    assert.doesNotMatch(response.body, /TQ1:|cid:/);
    assert.equal(await qrRows(), 0);
  });

  test('a send test carries a marked sample image that checks in nobody', async () => {
    const response = await owner.post(`/admin/o/${orgId}/events/${event.id}/emails/templates/${templateId}/test`, { participants: [ada.id, grace.id] });
    assert.equal(response.statusCode, 303, response.body.slice(0, 400));
    const mails = await deliver(t, smtp);
    assert.equal(mails.length, 2);
    for (const mail of mails) {
      const parsed = await simpleParser(mail.raw);
      assert.match(mail.html, /Sample QR code: test emails carry no real code, and this one checks in nobody\./);
      assert.match(mail.text, /SAMPLE-NOT-A-TICKET:/);
      const decoded = decodeQrPng(parsed.attachments[0]!.content);
      assert.match(decoded ?? '', /^SAMPLE-NOT-A-TICKET:[0-9A-Z]{26}$/);
      assert.deepEqual(await checkQr(t.db, t.ctx.keys, orgId, event.id, decoded!), { ok: false, reason: 'forged' });
    }
    assert.equal(await qrRows(), 0, 'no participant got a code from the test');
  });

  test('a sent email carries the code as an inline PNG that decodes to a code the door accepts, and as text', async () => {
    await enqueueEmail(t.db, t.ctx, { orgId, eventId: event.id, templateId, category: 'transactional', recipient: recipientOf(ada), data: {} });
    const [mail] = await deliver(t, smtp);
    assert.ok(mail);
    const parsed = await simpleParser(mail.raw);
    assert.equal(parsed.attachments.length, 1);
    const image = parsed.attachments[0]!;
    assert.equal(image.contentType, 'image/png');
    assert.equal(image.contentDisposition, 'inline');
    assert.ok(image.contentId, 'the image has a Content-ID');
    // mailparser turns cid: references into data: URIs unless asked to keep them.
    const withCid = await simpleParser(mail.raw, { keepCidLinks: true });
    assert.ok(String(withCid.html).includes(`src="cid:${image.contentId!.slice(1, -1)}"`), 'the HTML shows the inline part');
    const decoded = decodeQrPng(image.content);
    assert.ok(decoded, 'a scanner reads the image');
    const result = await checkQr(t.db, t.ctx.keys, orgId, event.id, decoded);
    assert.ok(result.ok && result.participantId === ada.id && result.version === 1, JSON.stringify(result));
    assert.ok(mail.text.includes(decoded), 'the text part carries the same code');
    assert.doesNotMatch(mail.html, /SAMPLE/);
  });
});
