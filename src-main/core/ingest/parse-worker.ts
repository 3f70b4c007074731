import { parentPort, workerData } from 'node:worker_threads';
import type { Db } from '../store/database.js';
import { openScratch } from '../store/merge.js';
import { IncidentWriter } from '../store/writer.js';
import { fileChunks } from './file-bytes.js';
import type { SourceMeta } from './parse-pool.js';
import { IngestCancelled, ingestSource } from './source-ingest.js';

/** Parse worker entry (bundled as out/main/parse-worker.js); see parse-pool.ts. */

type Message =
  | { type: 'begin'; job: number; scratch: string; meta: SourceMeta }
  | { type: 'cancel'; job: number }
  | { type: 'load'; allBusy: boolean }
  | { type: 'close' };

const port = parentPort;
if (port !== null) {
  const { template } = workerData as { template: string };
  const cancels = new Map<number, AbortController>();
  let work = Promise.resolve();
  let allWorkersBusy = false;
  const compressInline = (): boolean => allWorkersBusy;

  port.on('message', (message: Message) => {
    switch (message.type) {
      case 'load':
        allWorkersBusy = message.allBusy;
        return;
      case 'close':
        void work.then(() => port.close());
        return;
      case 'cancel':
        cancels.get(message.job)?.abort();
        return;
      case 'begin': {
        const { job, scratch, meta: { file, range, ...meta } } = message;
        const controller = new AbortController();
        cancels.set(job, controller);
        let lastReport = 0;
        // One source at a time, each into a scratch file of its own that the ingest thread merges (merge.ts).
        work = work.then(async () => {
          let db: Db | undefined;
          try {
            db = openScratch(template, scratch);
            const writer = new IncidentWriter(db);
            const summary = await ingestSource({
              ...meta, chunks: fileChunks(file, range), part: range !== undefined, signal: controller.signal, compressInline,
              onBytes: (bytes, lines) => {
                const now = Date.now();
                if (now - lastReport > 200) {
                  lastReport = now;
                  port.postMessage({ type: 'progress', job, bytes, lines });
                }
              },
            }, writer);
            db.close();
            port.postMessage({ type: 'done', job, summary });
          } catch (error) {
            if (db?.open === true) db.close();
            port.postMessage(error instanceof IngestCancelled ? { type: 'cancelled', job } : { type: 'error', job, message: error instanceof Error ? error.message : String(error) });
          } finally {
            cancels.delete(job);
          }
        });
      }
    }
  });
}
