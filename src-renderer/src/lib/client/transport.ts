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
}

/** What the Electron preload exposes as `window.sluice`: the contract, plus the path of a dropped file. */
export interface SluiceBridge extends SluiceService {
  pathForFile(file: File): string;
}
