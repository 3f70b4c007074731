import * as tarStream from 'tar-stream';
import { ByteSource, type ChunkReader } from './byte-source.js';

/**
 * Tar reading through tar-stream: a pure streaming parser (header, then the member's bytes as a stream), so a
 * tar or tar.gz of any size is read in one pass with bounded memory and no temp files. Each member must be read
 * to its end before the next header is parsed; `walkTarMembers` drains what the visitor left.
 */

export type TarHeader = tarStream.Header;

export type TarMemberVisitor = (header: TarHeader, content: ByteSource) => Promise<void>;

/** Reads members in order. Rejects with the parser's error (truncated or corrupt tar) after the members before it. */
export async function walkTarMembers(source: ChunkReader, visit: TarMemberVisitor, checkAbort: () => void): Promise<void> {
  const extract = tarStream.extract();
  const gate = new ConsumerGate();
  const feeding = feedTar(source, extract, gate);
  const members = extract[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = await gate.waitOn(members.next());
      if (next.done === true) {
        finished = true;
        return;
      }
      const member = next.value;
      const content = new ByteSource(gate.track(member));
      await visit(member.header, content);
      await content.drain(checkAbort);
    }
  } finally {
    if (!finished) extract.destroy();
    gate.release();
    await feeding;
  }
}

/**
 * Counts the reads of the walk that are waiting for more input. When the input ends early, tar-stream fails the
 * extractor at once and throws away what the current member had buffered; ending it only once every written
 * byte was parsed and the reader is waiting means a truncated member keeps every byte that arrived.
 */
class ConsumerGate {
  private waiting = 0;
  private released = false;
  /** Bumped whenever a read starts or ends, to tell "blocked" from "about to be served". */
  private changes = 0;
  private wake: (() => void) | undefined;

  async waitOn<T>(read: Promise<T>): Promise<T> {
    this.waiting++;
    this.changes++;
    this.wake?.();
    this.wake = undefined;
    try {
      return await read;
    } finally {
      this.waiting--;
      this.changes++;
    }
  }

  async *track(member: AsyncIterable<unknown>): AsyncGenerator<unknown> {
    const iterator = member[Symbol.asyncIterator]();
    for (;;) {
      const next = await this.waitOn(iterator.next());
      if (next.done === true) return;
      yield next.value;
    }
  }

  /** The walk stopped reading: nobody will wait any more. */
  release(): void {
    this.released = true;
    this.wake?.();
    this.wake = undefined;
  }

  /**
   * Resolves once a read is waiting and stays waiting across a turn of the event loop: an entry or chunk that
   * tar-stream already produced reaches its reader through promise callbacks, which all run before setImmediate.
   */
  async untilReaderBlocked(): Promise<void> {
    for (;;) {
      if (this.released) return;
      if (this.waiting === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      const seen = this.changes;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.waiting > 0 && this.changes === seen) return;
    }
  }
}

async function feedTar(source: ChunkReader, extract: tarStream.Extract, gate: ConsumerGate): Promise<void> {
  let failure: Error | undefined;
  try {
    for (;;) {
      if (extract.destroyed) return;
      const chunk = await source.next();
      if (extract.destroyed) return;
      if (chunk === undefined) break;
      if (!extract.write(chunk)) await drainedOrClosed(extract);
    }
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  await writesParsed(extract);
  await gate.untilReaderBlocked();
  if (extract.destroyed) return;
  if (failure === undefined) extract.end(undefined);
  else extract.destroy(failure);
}

/** streamx's Writable.drained, reached through the extractor's class so this module needs no streamx import. */
function writesParsed(extract: tarStream.Extract): Promise<unknown> {
  const writable = extract.constructor as unknown as { drained(stream: tarStream.Extract): Promise<unknown> };
  return writable.drained(extract);
}

function drainedOrClosed(extract: tarStream.Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      extract.off('drain', done);
      extract.off('close', done);
      resolve();
    };
    extract.once('drain', done);
    extract.once('close', done);
  });
}
