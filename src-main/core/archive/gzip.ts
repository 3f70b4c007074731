import { createGunzip } from 'node:zlib';
import type { ByteSource, ChunkReader } from './byte-source.js';
import { feed } from './feed.js';

export interface GunzipOptions {
  /** Uncompressed / compressed bytes above which the stream is stopped (gzip bombs). */
  maxRatio: number;
  /** Below this many output bytes the ratio is not judged: a small file of blanks is no bomb. */
  ratioFloorBytes: number;
  /** A truncated or corrupt gzip stream: the output so far is kept and the stream ends normally. */
  onDataError(message: string, bytesOut: number): void;
  /** Returns the error to stop the stream with (the caller reports the warning). */
  onRatioExceeded(bytesOut: number, bytesIn: number): Error;
}

/**
 * Decompresses a gzip stream (node:zlib, built in; concatenated members are read as one stream) and yields the
 * output. zlib errors — 'unexpected end of file' from a truncated download, bad blocks, bad CRC — become a
 * warning and a normal end, so the bytes that did decompress are still ingested. The compression ratio is
 * watched while streaming: zlib's bytesWritten counts the compressed bytes actually consumed.
 */
export async function* gunzipChunks(input: ByteSource, options: GunzipOptions): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  let inputError: unknown;
  const reader: ChunkReader = {
    next: async () => {
      try {
        return await input.next();
      } catch (error) {
        inputError = error;
        throw error;
      }
    },
  };
  const feeding = feed(reader, gunzip);
  const output = gunzip[Symbol.asyncIterator]();
  let bytesOut = 0;
  try {
    for (;;) {
      let result: IteratorResult<unknown>;
      try {
        result = await output.next();
      } catch (error) {
        // An error of the layer below (e.g. an outer tar cut short) belongs to that layer's report.
        if (error === inputError) throw error;
        options.onDataError(error instanceof Error ? error.message : String(error), bytesOut);
        return;
      }
      if (result.done === true) return;
      const chunk = result.value as Buffer;
      bytesOut += chunk.length;
      if (bytesOut > options.ratioFloorBytes && bytesOut > options.maxRatio * Math.max(gunzip.bytesWritten, 1)) {
        throw options.onRatioExceeded(bytesOut, gunzip.bytesWritten);
      }
      yield chunk;
    }
  } finally {
    gunzip.destroy();
    await feeding;
  }
}
