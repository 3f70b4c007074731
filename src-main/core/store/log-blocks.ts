import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants, inflateRawSync } from 'node:zlib';
import { promisify } from 'node:util';
import { Level } from '../model/records.js';

/**
 * Codec for the `log_block` table: consecutive lines of one source, compressed together. The line index blob
 * holds, per line, one byte (level in the low 3 bits, bit 7 = continuation of the previous record) and a
 * u32 of milliseconds since the block's ts_min (0xFFFFFFFF when the line's record has no time).
 */
export const BLOCK_MAX_LINES = 2048;
export const BLOCK_MAX_CHARS = 256 * 1024;
const NO_TIME = 0xffffffff;
const CONTINUATION = 0x80;
const LF = 0x0a;

/**
 * How a block's blobs are compressed. New blocks use brotli at quality 0: on log text it compresses about
 * twice as fast as deflate at level 1, to the same size, and ingest throughput is bounded by compression and
 * hashing. Incident files from schema 2 and before hold raw deflate blocks, which still read.
 */
export type BlockCodec = 'brotli' | 'deflate';
const CODEC: BlockCodec = 'brotli';
const BROTLI_PARAMS = { [constants.BROTLI_PARAM_QUALITY]: 0, [constants.BROTLI_PARAM_LGWIN]: 18 };
const compressAsync = promisify(brotliCompress);
/** Blocks being compressed at once; above it the reader waits (bounded memory, both cores busy). */
const MAX_PENDING = 6;

function compressOptions(data: Buffer): { params: Record<number, number> } {
  return { params: { ...BROTLI_PARAMS, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } };
}

/** A block blob as stored, decompressed. */
export function decompressBlob(codec: string, blob: Buffer): Buffer {
  if (codec === 'brotli') return brotliDecompressSync(blob);
  if (codec === 'deflate') return inflateRawSync(blob);
  throw new Error(`log block compressed with unknown codec '${codec}'`);
}

export interface EncodedBlock {
  blockNo: number;
  firstLine: number;
  lineCount: number;
  tsMinUs: number | null;
  tsMaxUs: number | null;
  levelCounts: [number, number, number, number, number];
  codec: BlockCodec;
  lineIndex: Buffer;
  text: Buffer;
}

/**
 * Collects lines into blocks and compresses each block on libuv's thread pool, so compression runs on the second
 * core while the parser keeps the first one busy. Blocks reach `onBlock` in completion order (block_no keeps
 * their order in the table); call `drain()` before committing the source.
 *
 * `compressInline` says, per block, that every core already has a parser on it (parse workers side by side):
 * then the block is compressed on the calling thread, which costs less CPU than the hand-off to the thread pool.
 *
 * The text goes into one staging buffer that is reused block after block. Lines handed in as raw input bytes
 * are copied in runs (consecutive lines that sit back to back in the input), so call `releaseInput()` before
 * the bytes given to `add` are overwritten or let go: the reader can then reuse its buffers.
 */
export class LogBlockBuilder {
  private pending = new Set<Promise<void>>();
  private failure: unknown;
  private count = 0;
  private chars = 0;
  private readonly flags = new Uint8Array(BLOCK_MAX_LINES);
  private readonly times = new Float64Array(BLOCK_MAX_LINES);
  /** The block's text so far (lines joined by LF) is staging[0, length). */
  private staging = Buffer.allocUnsafe(BLOCK_MAX_CHARS + 4096);
  private length = 0;
  /** Whether the staging buffer holds a piece (the next one needs an LF before it). */
  private started = false;
  /** The open run, raw input bytes not yet copied: input[runStart, runEnd). */
  private run: Buffer | undefined;
  private runStart = 0;
  private runEnd = 0;
  private firstLine = 1;
  private blockNo = 0;

  constructor(
    private readonly onBlock: (block: EncodedBlock) => void,
    private readonly compressInline: () => boolean = () => false,
  ) {}

  /** Adds one line; `raw` and `rawStart` as in LineHandler (the line's bytes, when they can be kept as they are). */
  add(lineNo: number, text: string, tsUs: number, level: Level, continuation: boolean, raw?: Buffer, rawStart = 0): void {
    if (this.count === 0) this.firstLine = lineNo;
    if (raw !== undefined && raw === this.run && rawStart === this.runEnd + 1) {
      this.runEnd = rawStart + text.length;
    } else {
      this.releaseInput();
      if (raw !== undefined) {
        this.run = raw;
        this.runStart = rawStart;
        this.runEnd = rawStart + text.length;
      } else {
        const bytes = Buffer.byteLength(text, 'utf8');
        const at = this.reserve(bytes);
        this.staging.write(text, at, bytes, 'utf8');
        this.length = at + bytes;
      }
    }
    this.chars += text.length + 1;
    this.flags[this.count] = level | (continuation ? CONTINUATION : 0);
    this.times[this.count] = tsUs;
    this.count++;
    if (this.count >= BLOCK_MAX_LINES || this.chars >= BLOCK_MAX_CHARS) this.flush();
  }

  /** Copies the raw bytes still referenced: after this, the input buffers given to `add` may change. */
  releaseInput(): void {
    const run = this.run;
    if (run === undefined) return;
    this.run = undefined;
    const at = this.reserve(this.runEnd - this.runStart);
    this.length = at + run.copy(this.staging, at, this.runStart, this.runEnd);
  }

  /** True when the caller should `await drain(…)` before feeding more lines. */
  get congested(): boolean {
    return this.pending.size >= MAX_PENDING;
  }

  /** Waits until at most `maxPending` blocks are in flight (0 = all written); rethrows a compression failure. */
  async drain(maxPending = 0): Promise<void> {
    while (this.pending.size > maxPending) await Promise.race(this.pending);
    if (this.failure !== undefined) throw this.failure;
  }

  flush(): void {
    const count = this.count;
    if (count === 0) return;
    this.releaseInput();
    let tsMin = Infinity;
    let tsMax = -Infinity;
    for (let i = 0; i < count; i++) {
      const t = this.times[i]!;
      if (Number.isFinite(t)) {
        if (t < tsMin) tsMin = t;
        if (t > tsMax) tsMax = t;
      }
    }
    const hasTime = tsMin !== Infinity;
    const index = Buffer.allocUnsafe(count * 5);
    const levelCounts: [number, number, number, number, number] = [0, 0, 0, 0, 0];
    for (let i = 0; i < count; i++) {
      const flags = this.flags[i]!;
      index[i] = flags;
      const t = this.times[i]!;
      const delta = hasTime && Number.isFinite(t) ? Math.min(Math.round((t - tsMin) / 1000), NO_TIME - 1) : NO_TIME;
      index.writeUInt32LE(delta, count + i * 4);
      if ((flags & CONTINUATION) === 0) {
        const level = flags & 0x07;
        if (level === Level.Trace) levelCounts[0]++;
        else if (level === Level.Debug) levelCounts[1]++;
        else if (level === Level.Info) levelCounts[2]++;
        else if (level === Level.Warn) levelCounts[3]++;
        else if (level >= Level.Error) levelCounts[4]++;
      }
    }
    const meta = { blockNo: this.blockNo++, firstLine: this.firstLine, lineCount: count, tsMinUs: hasTime ? tsMin : null, tsMaxUs: hasTime ? tsMax : null, levelCounts };
    const text = this.staging.subarray(0, this.length);
    this.count = 0;
    this.chars = 0;
    this.length = 0;
    this.started = false;
    if (this.compressInline()) {
      this.onBlock({ ...meta, codec: CODEC, lineIndex: brotliCompressSync(index, compressOptions(index)), text: brotliCompressSync(text, compressOptions(text)) });
      return;
    }
    // The staging buffer is reused at once: the thread pool gets a copy.
    const textCopy = Buffer.from(text);
    const job = Promise.all([compressAsync(index, compressOptions(index)), compressAsync(textCopy, compressOptions(textCopy))]).then(
      ([lineIndex, compressedText]) => this.onBlock({ ...meta, codec: CODEC, lineIndex, text: compressedText }),
      (error: unknown) => {
        this.failure ??= error;
      },
    );
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Room for `bytes` more text after an LF separator (unless it is the block's first piece); returns where they go. */
  private reserve(bytes: number): number {
    const at = this.started ? this.length + 1 : 0;
    this.started = true;
    if (at + bytes > this.staging.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.staging.length, at + bytes));
      this.staging.copy(grown, 0, 0, this.length);
      this.staging = grown;
    }
    if (at > this.length) this.staging[this.length] = LF;
    return at;
  }
}

export interface DecodedLine {
  line: number;
  text: string;
  tsUs: number | null;
  level: Level;
  continuation: boolean;
}

export function decodeBlock(row: {
  first_line: number;
  line_count: number;
  ts_min_us: number | null;
  codec: string;
  line_index: Buffer;
  text: Buffer;
}): DecodedLine[] {
  const index = decompressBlob(row.codec, row.line_index);
  const texts = decompressBlob(row.codec, row.text).toString('utf8').split('\n');
  const out: DecodedLine[] = [];
  const count = row.line_count;
  for (let i = 0; i < count; i++) {
    const flags = index[i]!;
    const delta = index.readUInt32LE(count + i * 4);
    out.push({
      line: row.first_line + i,
      text: texts[i] ?? '',
      tsUs: delta === NO_TIME || row.ts_min_us === null ? null : row.ts_min_us + delta * 1000,
      level: (flags & 0x07) as Level,
      continuation: (flags & CONTINUATION) !== 0,
    });
  }
  return out;
}
