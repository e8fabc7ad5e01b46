// Entry point of the mail sink's worker thread (see mail-sink-thread.ts): its own database
// connection, the sink, and a message to the parent once it listens or if it cannot.
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '../../db/connection.js';
import { systemClock } from '../../lib/clock.js';
import { cryptoRandom } from '../../lib/random.js';
import { startMailSink } from './mail-sink.js';
import type { SinkThreadData, SinkThreadMessage } from './mail-sink-thread.js';

const data = workerData as SinkThreadData;
const port = parentPort!;
const post = (message: SinkThreadMessage) => port.postMessage(message);

const handle = connect({ databaseUrl: data.databaseUrl, dataDir: data.dataDir, poolSize: 2 });
try {
  const sink = await startMailSink({
    db: handle.db,
    ctx: { clock: systemClock, random: cryptoRandom },
    port: data.port,
    host: data.host,
    onError: (err) => post({ type: 'error', message: err.message }),
  });
  port.on('message', (message: { type: 'close' }) => {
    if (message.type !== 'close') return;
    void sink
      .close()
      .then(() => handle.close())
      .then(() => post({ type: 'closed' }));
  });
  post({ type: 'ready', port: sink.port });
} catch (err) {
  const error = err as NodeJS.ErrnoException;
  await handle.close();
  post({ type: 'failed', message: error.message, code: error.code ?? null });
}
