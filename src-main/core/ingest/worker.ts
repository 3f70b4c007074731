import { parentPort, workerData } from 'node:worker_threads';
import { ingest, type IngestProgress } from './ingest.js';
import type { WorkerIngestOptions } from './worker-client.js';

/** Worker-thread entry (bundled as out/main/ingest-worker.js); see worker-client.ts. */
const port = parentPort;
if (port !== null) {
  const controller = new AbortController();
  port.on('message', (message: { type: string }) => {
    if (message.type === 'cancel') controller.abort();
  });
  ingest({
    ...(workerData as WorkerIngestOptions),
    signal: controller.signal,
    onProgress: (progress: IngestProgress) => port.postMessage({ type: 'progress', progress }),
  }).then(
    (summary) => {
      port.postMessage({ type: 'done', summary });
      port.close();
    },
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ type: 'error', message: e.message, name: e.name });
      port.close();
    },
  );
}
