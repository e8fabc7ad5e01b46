import { registerMergeTag, TemplateRenderError, type InlineHtml, type MergeTagContext } from '../emailing/index.js';
import { qrTextFor } from './qr-code.service.js';
import { qrPng } from './qr-image.js';

/**
 * `{{ qr_code }}`: the participant's personal QR code, signed when the email is rendered. In the
 * HTML body it is an inline image (a `cid:` part of the message, so no image host ever sees the
 * code); in the subject and the text part it is the code's text. Previews show the usual
 * personal-tag placeholder; send tests get a visibly marked sample that checks in nobody.
 */
const SAMPLE_PREFIX = 'SAMPLE-NOT-A-TICKET:';
const SAMPLE_NOTE = 'Sample QR code: test emails carry no real code, and this one checks in nobody.';

async function qrCodeText(m: MergeTagContext): Promise<string> {
  if (m.recipient.kind !== 'participant' || !m.event || m.recipient.eventId !== m.event.id) {
    throw new TemplateRenderError('a QR code can only be sent to a participant of the event');
  }
  // Differs per participant (the send test compares personal values), and is no valid code.
  if (m.data['send_test'] === 'true') return `${SAMPLE_PREFIX}${m.recipient.id.toUpperCase()} (${SAMPLE_NOTE})`;
  return qrTextFor(m.db, m.ctx, m.keys, m.orgId, m.event.id, m.recipient.id);
}

async function qrCodeImage(value: string, m: MergeTagContext): Promise<InlineHtml> {
  const sample = value.startsWith(SAMPLE_PREFIX);
  // One id per message: unique in it, and says nothing about the code.
  const cid = `qr-${m.outboxId ?? m.ctx.random.bytes(8).toString('hex')}@${m.publicUrl.hostname}`;
  const image = `<img src="cid:${cid}" width="200" height="200" alt="Your personal QR code" style="display:block;width:200px;height:200px">`;
  const note = sample ? `<p style="color:#b00020;font-weight:bold">${SAMPLE_NOTE}</p>` : '';
  // A code has no spaces: the sample's note after the first one stays out of the picture.
  const content = qrPng(value.split(' ')[0]!);
  return { html: `${image}${note}`, images: [{ cid, contentType: 'image/png', filename: 'qr-code.png', content }] };
}

registerMergeTag({
  name: 'qr_code',
  description: "The participant's personal QR code for check-in: an image in the email, its text in the text part. Write it on its own: {{ qr_code }}",
  personal: true,
  types: ['credentials', 'invitation', 'reminder', 'custom'],
  resolve: qrCodeText,
  inlineHtml: qrCodeImage,
});
