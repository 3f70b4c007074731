import { open } from 'node:fs/promises';

const READ_BYTES = 1 << 20;

/**
 * A file's bytes in two buffers used in turn: one is read ahead while the caller has the other, and a chunk is
 * only overwritten after the next one was asked for (the log store copies what it keeps: releaseInput). No
 * allocation per chunk, so memory stays flat however large the file.
 */
export async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffers = [Buffer.allocUnsafe(READ_BYTES), Buffer.allocUnsafe(READ_BYTES)];
    let turn = 0;
    let reading = handle.read(buffers[turn]!, 0, READ_BYTES, null);
    for (;;) {
      const { bytesRead, buffer } = await reading;
      if (bytesRead === 0) return;
      turn ^= 1;
      reading = handle.read(buffers[turn]!, 0, READ_BYTES, null);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
