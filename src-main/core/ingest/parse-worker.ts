import { parentPort, workerData } from 'node:worker_threads';
import { openIncident } from '../store/database.js';
import { prepareScratch } from '../store/merge.js';
import { IncidentWriter } from '../store/writer.js';
import { fileChunks } from './file-bytes.js';
import type { SourceMeta } from './parse-pool.js';
import { IngestCancelled, ingestSource } from './source-ingest.js';

/** Parse worker entry (bundled as out/main/parse-worker.js); see parse-pool.ts. */

type Message =
  | { type: 'begin'; job: number; meta: SourceMeta }
  | { type: 'cancel'; job: number }
  | { type: 'load'; allBusy: boolean }
  | { type: 'close' };

const port = parentPort;
if (port !== null) {
  const db = openIncident((workerData as { incidentPath: string }).incidentPath, { create: true });
  // Rows are appended, so a small page cache does: each worker's cache counts against the ingest's memory budget.
  db.pragma('cache_size = -2000');
  // A scratch file, deleted after the merge: it needs rollback (a failed source is undone) but no durability.
  // WAL lets the ingest thread merge finished sources while the next one is written; no checkpoints while it is
  // written (the file is thrown away). SQLite still checkpoints it once when the worker closes it.
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('synchronous = OFF');
  prepareScratch(db);
  const writer = new IncidentWriter(db);
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
        void work.then(() => {
          db.close();
          port.close();
        });
        return;
      case 'cancel':
        cancels.get(message.job)?.abort();
        return;
      case 'begin': {
        const { job, meta: { file, ...meta } } = message;
        const controller = new AbortController();
        cancels.set(job, controller);
        let lastReport = 0;
        // Sources are parsed one after another: SQLite has one writer per connection.
        work = work.then(async () => {
          try {
            const summary = await ingestSource({
              ...meta, chunks: fileChunks(file), signal: controller.signal, compressInline,
              onBytes: (bytes, lines) => {
                const now = Date.now();
                if (now - lastReport > 200) {
                  lastReport = now;
                  port.postMessage({ type: 'progress', job, bytes, lines });
                }
              },
            }, writer);
            const kept = summary.status === 'done' || summary.status === 'failed' || summary.status === 'listed';
            port.postMessage({ type: 'done', job, summary, sourceId: kept ? writer.lastSourceId : null });
          } catch (error) {
            port.postMessage(error instanceof IngestCancelled ? { type: 'cancelled', job } : { type: 'error', job, message: error instanceof Error ? error.message : String(error) });
          } finally {
            cancels.delete(job);
          }
        });
      }
    }
  });
}
