import { deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { promisify } from 'node:util';
import { Level } from '../model/records.js';

/**
 * Codec for the `log_block` table: consecutive lines of one source, deflated together. The line index blob
 * holds, per line, one byte (level in the low 3 bits, bit 7 = continuation of the previous record) and a
 * u32 of milliseconds since the block's ts_min (0xFFFFFFFF when the line's record has no time).
 */
export const BLOCK_MAX_LINES = 2048;
export const BLOCK_MAX_CHARS = 256 * 1024;
const NO_TIME = 0xffffffff;
const CONTINUATION = 0x80;
const LF = 0x0a;
/** Fast deflate: ingest throughput matters more than the last 20 % of file size. */
const DEFLATE_LEVEL = 1;
const deflate = promisify(deflateRaw);
/** Blocks being compressed at once; above it the reader waits (bounded memory, both cores busy). */
const MAX_PENDING = 6;

export interface EncodedBlock {
  blockNo: number;
  firstLine: number;
  lineCount: number;
  tsMinUs: number | null;
  tsMaxUs: number | null;
  levelCounts: [number, number, number, number, number];
  lineIndex: Buffer;
  text: Buffer;
}

/**
 * Collects lines into blocks and deflates each block on libuv's thread pool, so compression runs on the second
 * core while the parser keeps the first one busy. Blocks reach `onBlock` in completion order (block_no keeps
 * their order in the table); call `drain()` before committing the source.
 *
 * `compressInline` says, per block, that every core already has a parser on it (parse workers side by side):
 * then the block is deflated on the calling thread, which costs less CPU than the hand-off to the thread pool.
 */
export class LogBlockBuilder {
  private pending = new Set<Promise<void>>();
  private failure: unknown;
  private count = 0;
  private chars = 0;
  private readonly flags = new Uint8Array(BLOCK_MAX_LINES);
  private readonly times = new Float64Array(BLOCK_MAX_LINES);
  /** The block's text so far, as pieces joined by LF: runs of raw input bytes and encoded lines. */
  private pieces: Buffer[] = [];
  /** The open run: consecutive lines that sit back to back in one input buffer, copied in one piece at the end. */
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
      this.closeRun();
      if (raw !== undefined) {
        this.run = raw;
        this.runStart = rawStart;
        this.runEnd = rawStart + text.length;
      } else {
        this.pieces.push(Buffer.from(text, 'utf8'));
      }
    }
    this.chars += text.length + 1;
    this.flags[this.count] = level | (continuation ? CONTINUATION : 0);
    this.times[this.count] = tsUs;
    this.count++;
    if (this.count >= BLOCK_MAX_LINES || this.chars >= BLOCK_MAX_CHARS) this.flush();
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
    this.closeRun();
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
    const text = this.joinPieces();
    this.count = 0;
    this.chars = 0;
    if (this.compressInline()) {
      this.onBlock({ ...meta, lineIndex: deflateRawSync(index, { level: DEFLATE_LEVEL }), text: deflateRawSync(text, { level: DEFLATE_LEVEL }) });
      return;
    }
    const job = Promise.all([deflate(index, { level: DEFLATE_LEVEL }), deflate(text, { level: DEFLATE_LEVEL })]).then(
      ([lineIndex, deflatedText]) => this.onBlock({ ...meta, lineIndex, text: deflatedText }),
      (error: unknown) => {
        this.failure ??= error;
      },
    );
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  private closeRun(): void {
    if (this.run === undefined) return;
    this.pieces.push(this.run.subarray(this.runStart, this.runEnd));
    this.run = undefined;
  }

  private joinPieces(): Buffer {
    const pieces = this.pieces;
    this.pieces = [];
    let length = pieces.length - 1;
    for (const piece of pieces) length += piece.length;
    const text = Buffer.allocUnsafe(length);
    let at = 0;
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) text[at++] = LF;
      at += pieces[i]!.copy(text, at);
    }
    return text;
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
  line_index: Buffer;
  text: Buffer;
}): DecodedLine[] {
  const index = inflateRawSync(row.line_index);
  const texts = inflateRawSync(row.text).toString('utf8').split('\n');
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
