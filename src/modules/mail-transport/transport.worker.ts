import { parentPort, workerData } from 'node:worker_threads';
import { createMailTransport } from './smtp-transport.js';
import type { SendResult } from './mail-transport.types.js';
import type { TransportThreadData, TransportThreadReply, TransportThreadRequest } from './transport-thread.js';

// The thread side of transport-thread.ts: one pooled transport, one reply per message.
const data = workerData as TransportThreadData;
const transport = createMailTransport({ ...data.settings, publicUrl: new URL(data.settings.publicUrl) }, data.options);
const port = parentPort!;

port.on('message', (request: TransportThreadRequest) => {
  if ('type' in request) {
    void transport.close().then(() => port.postMessage({ type: 'closed' } satisfies TransportThreadReply));
    return;
  }
  transport
    .send(request.message)
    // send() classifies every delivery problem itself; anything thrown is a bug, and the outbox
    // retrying the message is the safe way to handle it.
    .catch((err: unknown): SendResult => ({ ok: false, kind: 'temporary', reason: `transport error: ${err instanceof Error ? err.message : String(err)}` }))
    .then((result) => port.postMessage({ id: request.id, result } satisfies TransportThreadReply));
});
