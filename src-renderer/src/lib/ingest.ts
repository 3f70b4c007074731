import type { IngestRequest } from '../../../src-main/core/api/contract.js';
import type { AppState } from './app.svelte.js';
import type { DroppedFile } from './client/index.js';

/** Upload (browser mode) or hand over paths (Electron), then follow the ingest's progress until it ends. */
export function startIngest(app: AppState, files: DroppedFile[]): Promise<void> {
  return runIngest(app, () =>
    app.transport.prepareIngest(files, (upload) => {
      app.ingest = { ...app.ingest!, upload };
    }),
  );
}

/** Files and folders the desktop app's Import Evidence dialog picked: the engine reads them where they are. */
export function ingestPaths(app: AppState, paths: string[]): Promise<void> {
  return runIngest(app, async () => ({ inputs: paths }));
}

async function runIngest(app: AppState, prepare: () => Promise<IngestRequest>): Promise<void> {
  if (app.ingest !== null && app.ingest.progress !== null && !isTerminal(app.ingest.progress.phase)) {
    app.error = 'An ingest is already running: wait for it or cancel it.';
    return;
  }
  app.ingest = { upload: null, progress: null, ingestId: null, error: null };
  try {
    const request = await prepare();
    const { ingestId } = await app.service.ingest(request);
    app.ingest = { ...app.ingest!, ingestId };
    await new Promise<void>((resolve) => {
      app.service.onProgress(ingestId, (progress) => {
        app.ingest = { ...app.ingest!, progress };
        if (isTerminal(progress.phase)) resolve();
      });
    });
    await app.load();
    if (app.ingest?.progress?.phase === 'done') app.tab = 'overview';
  } catch (error) {
    app.ingest = { ...(app.ingest ?? { upload: null, progress: null, ingestId: null }), error: error instanceof Error ? error.message : String(error) };
  }
}

export function isTerminal(phase: string): boolean {
  return phase === 'done' || phase === 'failed' || phase === 'cancelled';
}
