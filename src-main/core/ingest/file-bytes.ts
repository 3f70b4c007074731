import { open } from 'node:fs/promises';

const READ_BYTES = 1 << 20;

/**
 * A file's bytes (or those of `range`, [start, end)) in two buffers used in turn: one is read ahead while the
 * caller has the other, and a chunk is only overwritten after the next one was asked for (the log store copies
 * what it keeps: releaseInput). No allocation per chunk, so memory stays flat however large the file.
 */
export async function* fileChunks(path: string, range?: { start: number; end: number }): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffers = [Buffer.allocUnsafe(READ_BYTES), Buffer.allocUnsafe(READ_BYTES)];
    let position = range?.start ?? 0;
    const end = range?.end ?? Infinity;
    const read = (buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }> => {
      const length = Math.min(READ_BYTES, end - position);
      const reading = length > 0 ? handle.read(buffer, 0, length, position) : Promise.resolve({ bytesRead: 0, buffer });
      position += length;
      return reading;
    };
    let turn = 0;
    let reading = read(buffers[turn]!);
    for (;;) {
      const { bytesRead, buffer } = await reading;
      if (bytesRead === 0) return;
      turn ^= 1;
      reading = read(buffers[turn]!);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
