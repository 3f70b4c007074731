import { Worker } from 'node:worker_threads';
import type { IngestOptions, IngestProgress, IngestSummary } from './ingest.js';

export type WorkerIngestOptions = Omit<IngestOptions, 'signal' | 'onProgress'>;

type WorkerMessage =
  | { type: 'progress'; progress: IngestProgress }
  | { type: 'done'; summary: IngestSummary }
  | { type: 'error'; message: string; name: string };

/**
 * Runs an ingest on a worker thread so the caller's event loop (HTTP server, Electron main, CLI progress bar)
 * stays responsive. Cancelling asks the worker to stop between chunks: the current source rolls back, finished
 * sources stay, and the incident file is consistent.
 */
export function runIngestInWorker(
  options: WorkerIngestOptions,
  onProgress: (progress: IngestProgress) => void,
  signal?: AbortSignal,
): Promise<IngestSummary> {
  // The bundle puts the worker entry beside the module that calls it (out/main/ingest-worker.js).
  const worker = new Worker(new URL('./ingest-worker.js', import.meta.url), { workerData: options });
  return new Promise((resolve, reject) => {
    const onAbort = (): void => worker.postMessage({ type: 'cancel' });
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onProgress(message.progress);
      else if (message.type === 'done') resolve(message.summary);
      else {
        const error = new Error(message.message);
        error.name = message.name;
        reject(error);
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (code !== 0) reject(new Error(`ingest worker exited with code ${code}`));
    });
  });
}
