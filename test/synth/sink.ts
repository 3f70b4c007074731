import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A buffered file writer that respects stream backpressure: text is collected into ~256 KiB chunks and the
 * producer awaits 'drain' whenever the OS side is behind, so a multi-GB bundle never sits in memory.
 */
export class FileSink {
  private readonly stream: WriteStream;
  private pending: string[] = [];
  private pendingLength = 0;
  bytes = 0;
  lines = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path);
  }

  /** Adds text; returns true when the caller should `await flush()` before adding more. */
  add(text: string): boolean {
    this.pending.push(text);
    this.pendingLength += text.length;
    return this.pendingLength >= 1 << 18;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    const finished = once(this.stream, 'finish');
    this.stream.end();
    await finished;
  }
}

/** Writes a small file in one go (REST JSON, metrics dumps, flame files, expected.json). */
export async function writeSmallFile(path: string, text: string): Promise<number> {
  const sink = new FileSink(path);
  sink.add(text);
  await sink.close();
  return sink.bytes;
}
