import type { ChunkReader } from './byte-source.js';

/** The part of a writable stream `feed` needs; Node streams and tar-stream's streamx streams both have it. */
export interface FeedTarget {
  write(chunk: Buffer): boolean;
  end(chunk?: unknown): unknown;
  destroy(error?: Error): unknown;
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * Copies a source into a writable with backpressure, then ends it. A read error destroys the target with that
 * error so whoever reads the target's output sees it; the promise itself never rejects.
 */
export async function feed(source: ChunkReader, target: FeedTarget): Promise<void> {
  try {
    for (;;) {
      if (target.destroyed) return;
      const chunk = await source.next();
      if (target.destroyed) return;
      if (chunk === undefined) {
        target.end();
        return;
      }
      if (!target.write(chunk)) await drainedOrClosed(target);
    }
  } catch (error) {
    target.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

function drainedOrClosed(target: FeedTarget): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      target.off('drain', done);
      target.off('close', done);
      resolve();
    };
    target.once('drain', done);
    target.once('close', done);
  });
}
