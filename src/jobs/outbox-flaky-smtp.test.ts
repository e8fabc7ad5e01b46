import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp } from '../../test/helpers/app.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';
import { seedCampaign, startRecordingSmtp } from '../../test/helpers/outbox-campaign.js';
import { smtpError, testWorker } from '../../test/helpers/outbox.js';
import { createMailTransport } from '../modules/mail-transport/index.js';
import { DEFAULT_RETRY } from './retry-policy.js';

const RECIPIENTS = 3_000;
/** The server is overloaded for its first 300 transactions. */
const TEMPORARY_FAILURES = 300;
/** The connection drops after the server has taken this message in full, before it answers. */
const DROP_AT = 2_500;
/** The server refuses these recipients by policy (5.7.1): permanent, but not a bounce. */
const refusedByPolicy = (i: number) => i % 250 === 7;

test(
  'a flaky SMTP server (4xx for a while, a dropped connection, 5xx for some recipients): temporary failures are retried after their back-off without resending the list, 5xx rows fail with the server’s reason, nobody is skipped',
  { timeout: 120_000 },
  async (tc) => {
    const t = await createTestApp();
    let transactions = 0;
    const deferred = new Set<string>();
    const smtp = await startRecordingSmtp({
      rcpt(address) {
        transactions += 1;
        if (transactions <= TEMPORARY_FAILURES) {
          deferred.add(address);
          return smtpError(451, '4.3.0 Too busy, try again later');
        }
        const index = Number(/^person(\d+)@/.exec(address)?.[1]);
        return refusedByPolicy(index) ? smtpError(554, `5.7.1 <${address}>: Recipient address rejected: Access denied`) : null;
      },
      data: (_delivery, index) => (index === DROP_AT ? 'drop' : 'accept'),
    });
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, smtpSinkPort: null, dkim: null, publicUrl: t.config.publicUrl }, { maxConnections: 3 });
    try {
      const org = await seedOrganisation(t);
      const { eventId, rowIds, emails } = await seedCampaign(t, org.orgId, RECIPIENTS);
      const worker = testWorker(t, transport, { concurrency: 8, batchSize: 50, retry: DEFAULT_RETRY });
      const start = t.clock.now().getTime();

      // Each pass sends everything due; then the clock jumps to the next retry instead of sleeping.
      const passes: Array<{ at: number; claimed: number }> = [];
      for (let pass = 0; pass < 10; pass++) {
        let claimed = 0;
        for (let n = -1; n !== 0; claimed += n) n = (await worker.runOnce()).claimed;
        passes.push({ at: (t.clock.now().getTime() - start) / 1000, claimed });
        const next = await t.db.selectFrom('outbox').select((eb) => eb.fn.min('next_attempt_at').as('at')).where('status', 'in', ['queued', 'sending']).executeTakeFirst();
        if (!next?.at) break;
        t.clock.set(String(next.at));
      }

      const rows = new Map((await t.db.selectFrom('outbox').selectAll().where('event_id', '=', eventId).execute()).map((r) => [r.id, r]));
      const dropped = smtp.deliveries[DROP_AT - 1]!.messageId;
      rowIds.forEach((rowId, i) => {
        const row = rows.get(rowId)!;
        const copies = smtp.copies.get(`<${rowId}@tessera.test>`) ?? 0;
        if (refusedByPolicy(i)) {
          assert.equal(row.status, 'failed', emails[i]);
          assert.equal(row.last_error, `554 5.7.1 <${emails[i]}>: Recipient address rejected: Access denied`, 'the server’s own reason');
          assert.equal(copies, 0);
          return;
        }
        assert.equal(row.status, 'sent', `${emails[i]} was ${row.status}: ${row.last_error}`);
        // The one copy that can repeat: the message whose 250 was lost with the connection.
        assert.equal(copies, row.message_id === dropped ? 2 : 1, `copies of ${row.message_id}`);
        const retried = deferred.has(emails[i]!) || row.message_id === dropped;
        assert.equal(row.attempts > 1, retried, `${emails[i]} took ${row.attempts} attempts`);
        // Deferred mail goes out on its first retry, one back-off step (a minute) later.
        if (deferred.has(emails[i]!)) assert.deepEqual([row.attempts, Date.parse(row.sent_at!) - start], [2, DEFAULT_RETRY.baseMs]);
      });
      assert.equal(deferred.size, TEMPORARY_FAILURES, 'each deferred recipient was deferred once');
      assert.ok([...deferred].some((address) => refusedByPolicy(Number(/\d+/.exec(address)?.[0]))), 'a 5xx recipient was deferred first, then refused');
      assert.equal(smtp.copies.get(dropped), 2);
      const failed = [...rows.values()].filter((r) => r.status === 'failed').length;
      assert.equal(failed, emails.filter((_, i) => refusedByPolicy(i)).length);
      assert.equal(smtp.deliveries.length, RECIPIENTS - failed + 1, 'the list was not sent again: one copy each, plus the dropped one');
      tc.diagnostic(`passes ${JSON.stringify(passes)}; ${failed} failed (5xx), ${deferred.size} deferred (4xx), dropped ${dropped} (attempts ${[...rows.values()].find((r) => r.message_id === dropped)?.attempts})`);
    } finally {
      await transport.close();
      await smtp.close();
      await t.close();
    }
  },
);
