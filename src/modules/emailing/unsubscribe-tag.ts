import { MARKETING_TEMPLATE_TYPES } from './marketing.js';
import { registerMergeTag } from './merge-tags.js';

// {{ unsubscribe_link }}: the same signed link as the message's List-Unsubscribe header. The
// worker signs it (it holds the key); only marketing template types may use the tag, so a
// credentials email can never offer to unsubscribe from credentials.
registerMergeTag({
  name: 'unsubscribe_link',
  description: "Link that unsubscribes the recipient from the organisation's marketing emails",
  personal: true,
  types: MARKETING_TEMPLATE_TYPES,
  async resolve(m) {
    if (m.unsubscribeUrl) return m.unsubscribeUrl;
    // Outside the worker (the send test's dry run): a per-message link that opens the "not
    // valid" page; the test messages themselves are sent by the worker, with real links.
    return new URL(`/u/unsigned-${m.outboxId ?? 'preview'}`, m.publicUrl).toString();
  },
});
