import type { IngestRequest, SluiceService } from '../../../../src-main/core/api/contract.js';

export interface DroppedFile {
  /** Path inside the drop (folders keep their shape). */
  path: string;
  file: File;
}

export interface UploadProgress {
  bytesSent: number;
  bytesTotal: number;
  files: Array<{ path: string; bytes: number }>;
}

/**
 * How the renderer reaches the engine: the typed service, plus the one thing transports do differently —
 * getting dropped files to the engine (streamed upload in browser mode, file paths in Electron).
 */
export interface Transport {
  service: SluiceService;
  prepareIngest(files: DroppedFile[], onUpload: (progress: UploadProgress) => void): Promise<IngestRequest>;
  /** Commands from the desktop app's native menu; absent in browser mode, where the page's own controls do it all. */
  onCommand?: (listener: CommandListener) => () => void;
}

/** A menu command by name ('export-report', 'ingest-paths', …) with its arguments, as the main process sent them. */
export type CommandListener = (command: string, ...args: unknown[]) => void;

/** What the Electron preload exposes as `window.sluice`: the contract, the path of a dropped file, menu commands. */
export interface SluiceBridge extends SluiceService {
  pathForFile(file: File): string;
  onCommand(listener: CommandListener): () => void;
}
