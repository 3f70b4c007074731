/**
 * Pull-based reading of one byte stream (a file, an archive member, decompressed output) with look-ahead.
 *
 * Every archive layer hands its children a ByteSource instead of a Node stream because sniffing (magic bytes,
 * YARN headers) must read the first bytes and then give them back, and because a tar member must never be
 * destroyed by a child that stops early: destroying a tar-stream entry destroys the whole extractor. The
 * iterator returned by `chunks()` therefore never forwards `return()` to the underlying stream; the layer that
 * created the source decides whether to drain it (tar) or destroy it (files, zip members).
 */
/** Anything that hands out chunks one at a time; undefined marks the end. */
export interface ChunkReader {
  next(): Promise<Buffer | undefined>;
}

export class ByteSource implements ChunkReader {
  private readonly iterator: AsyncIterator<unknown>;
  /** Bytes given back by `unshift`, last in first out. */
  private readonly pushedBack: Buffer[] = [];
  private finished = false;
  /** An error met while peeking, raised once the peeked bytes have been read again. */
  private pendingError: unknown = undefined;

  constructor(iterable: AsyncIterable<unknown>) {
    this.iterator = iterable[Symbol.asyncIterator]();
  }

  /** The next chunk, or undefined at the end. Throws the underlying stream's error once, then reports the end. */
  async next(): Promise<Buffer | undefined> {
    const back = this.pushedBack.pop();
    if (back !== undefined) return back;
    if (this.pendingError !== undefined) {
      const error = this.pendingError;
      this.pendingError = undefined;
      throw error;
    }
    if (this.finished) return undefined;
    let result: IteratorResult<unknown>;
    try {
      result = await this.iterator.next();
    } catch (error) {
      this.finished = true;
      throw error;
    }
    if (result.done === true) {
      this.finished = true;
      return undefined;
    }
    return toBuffer(result.value);
  }

  unshift(chunk: Buffer): void {
    if (chunk.length > 0) this.pushedBack.push(chunk);
  }

  /** Up to `bytes` leading bytes (fewer at the end of the stream); they are read again by the next `next()`. */
  async peek(bytes: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let length = 0;
    try {
      while (length < bytes) {
        const chunk = await this.next();
        if (chunk === undefined) break;
        parts.push(chunk);
        length += chunk.length;
      }
    } catch (error) {
      this.pendingError = error;
    }
    const head = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    this.unshift(head);
    return head.length > bytes ? head.subarray(0, bytes) : head;
  }

  /**
   * Reads and discards the rest. Read errors end the drain quietly because the layer that owns the stream reports
   * them; `checkAbort` may throw to stop a long drain when the walk is cancelled.
   */
  async drain(checkAbort?: () => void): Promise<void> {
    for (;;) {
      checkAbort?.();
      let chunk: Buffer | undefined;
      try {
        chunk = await this.next();
      } catch {
        return;
      }
      if (chunk === undefined) return;
    }
  }

  /** Iterates the remaining chunks; leaving the loop early leaves the underlying stream untouched. */
  async *chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = await this.next();
      if (chunk === undefined) return;
      yield chunk;
    }
  }
}

function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value);
  throw new TypeError(`byte stream produced a ${typeof value}, not bytes`);
}
