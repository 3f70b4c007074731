import { createHttpTransport, takeToken } from './http.js';
import type { SluiceBridge, Transport } from './transport.js';

declare global {
  interface Window {
    sluice?: SluiceBridge;
  }
}

/** Electron's preload provides `window.sluice`; without it we are in browser mode. */
export function connect(): Transport {
  const bridge = window.sluice;
  if (bridge !== undefined) {
    return {
      service: bridge,
      // The main process reads dropped files from disk itself: nothing goes through the renderer.
      prepareIngest: async (files) => ({ inputs: files.map((f) => bridge.pathForFile(f.file)) }),
      onCommand: (listener) => bridge.onCommand(listener),
    };
  }
  return createHttpTransport(takeToken());
}

export type { CommandListener, DroppedFile, Transport, UploadProgress } from './transport.js';
export { CallError } from './http.js';
