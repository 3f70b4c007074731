import { isAscii } from 'node:buffer';
import type { ParseWarning } from '../../model/records.js';

/**
 * Turns a byte stream into text lines without holding the file: chunks are split on LF, CR before LF is dropped,
 * each run of complete lines is decoded once. Bad bytes never throw:
 * - invalid UTF-8: the line is decoded as GBK when that is clean (a common case for logs written on Chinese
 *   Windows / JVMs with file.encoding=GBK), otherwise kept with U+FFFD; either way a warning names the line;
 * - NUL bytes are dropped with a warning (sparse files after a crash, log rotation with copytruncate);
 * - lines longer than maxLineBytes are cut to that size with a warning.
 */
export interface LineSplitterOptions {
  maxLineBytes?: number;
}

/** `raw`, when given, holds the line's bytes at [rawStart, rawStart + text.length): the line is ASCII. */
export type LineHandler = (text: string, lineNo: number, raw: Buffer | undefined, rawStart: number) => void;

const LF = 0x0a;
/** Warnings of one category listed one by one; joinLineWarnings says how many more there were. */
const MAX_WARNINGS_PER_KIND = 20;
/** Bytes decoded into one string at a time (see emitRegions). */
const REGION_BYTES = 64 * 1024;
const CR = 0x0d;
const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
let gbk: TextDecoder | undefined;
function gbkDecoder(): TextDecoder | undefined {
  if (gbk === undefined) {
    try {
      gbk = new TextDecoder('gbk', { fatal: true });
    } catch {
      return undefined;
    }
  }
  return gbk;
}

export class LineSplitter {
  private carry: Buffer | undefined;
  private lineNo = 0;
  private readonly maxLineBytes: number;
  private readonly warningCounts = new Map<string, number>();
  /** Total bytes consumed so far (for progress). */
  bytes = 0;

  constructor(
    private readonly onLine: LineHandler,
    private readonly onWarning: (w: ParseWarning) => void,
    options: LineSplitterOptions = {},
  ) {
    this.maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
  }

  get lines(): number {
    return this.lineNo;
  }

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let start = 0;
    if (this.carry !== undefined) {
      // Only the line that straddles the chunks is joined: copying whole chunks would cost a copy of the file.
      const firstLf = chunk.indexOf(LF);
      if (firstLf < 0) {
        this.keepPartial(Buffer.concat([this.carry, chunk]));
        return;
      }
      const straddling = Buffer.concat([this.carry, chunk.subarray(0, firstLf + 1)]);
      this.carry = undefined;
      this.emitRegion(straddling, 0, straddling.length);
      start = firstLf + 1;
    }
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf < start) {
      if (start < chunk.length) this.keepPartial(chunk.subarray(start));
      return;
    }
    this.emitRegions(chunk, start, lastLf + 1);
    if (lastLf + 1 < chunk.length) this.keepPartial(chunk.subarray(lastLf + 1));
  }

  /** Flushes a final line without a newline. How many warnings went unlisted is joinLineWarnings's to say. */
  end(): void {
    if (this.carry !== undefined && this.carry.length > 0) {
      const rest = this.carry;
      this.carry = undefined;
      this.emitRegion(rest, 0, rest.length);
    }
  }

  /** Warnings per category so far, listed or not. */
  get warningsByKind(): Array<[string, number]> {
    return [...this.warningCounts];
  }

  private keepPartial(data: Buffer): void {
    if (data.length > this.maxLineBytes) {
      // A runaway line: emit what we have as a cut line and drop the rest of it until the next LF.
      this.emitRegion(Buffer.concat([data.subarray(0, this.maxLineBytes), Buffer.from([LF])]), 0, this.maxLineBytes + 1);
      this.warn('overlong line', this.lineNo, `line ${this.lineNo} longer than ${this.maxLineBytes} bytes, cut`);
      this.carry = undefined;
      this.skipUntilLf = true;
      return;
    }
    this.carry = Buffer.from(data);
  }

  private skipUntilLf = false;

  /**
   * Emits data[start, end) a slice of whole lines at a time. Decoding a megabyte chunk at once would make a
   * megabyte string, which Node keeps outside V8's heap: every line sliced from it holds it, and such memory is
   * given back only by a full collection, so each parser thread would carry tens of MB of spent chunks.
   */
  private emitRegions(data: Buffer, start: number, end: number): void {
    while (start < end) {
      let cut = end;
      if (end - start > REGION_BYTES) {
        const lf = data.lastIndexOf(LF, start + REGION_BYTES - 1);
        if (lf >= start) cut = lf + 1;
        else {
          // One line longer than a slice: it goes whole.
          const next = data.indexOf(LF, start + REGION_BYTES);
          if (next >= 0 && next < end) cut = next + 1;
        }
      }
      this.emitRegion(data, start, cut);
      start = cut;
    }
  }

  /** Emits the complete lines in data[start, end) (end is just after an LF, or the end of input). */
  private emitRegion(data: Buffer, start: number, end: number): void {
    if (this.skipUntilLf) {
      const lf = data.indexOf(LF, start);
      if (lf < 0 || lf >= end) return;
      this.skipUntilLf = false;
      start = lf + 1;
      if (start >= end) return;
    }
    const region = data.subarray(start, end);
    // ASCII, the usual case, is copied into a string as it is: no UTF-8 decoding, and string offsets are byte
    // offsets, so each line's bytes are at hand for the header parser and the log store.
    const ascii = isAscii(region);
    const text = ascii ? data.toString('latin1', start, end) : utf8.decode(region);
    const clean = region.indexOf(0) < 0 && (ascii || text.indexOf('\uFFFD') < 0);
    if (clean) {
      let from = 0;
      let byteFrom = start;
      const length = text.length;
      while (from < length) {
        let to = text.indexOf('\n', from);
        if (to < 0) to = length;
        let raw: Buffer | undefined = data;
        let rawStart = start + from;
        if (!ascii) {
          // A line of as many bytes as characters is ASCII: its bytes can still be used as they are.
          let byteTo = data.indexOf(LF, byteFrom);
          if (byteTo < 0 || byteTo > end) byteTo = end;
          if (byteTo - byteFrom !== to - from) raw = undefined;
          rawStart = byteFrom;
          byteFrom = byteTo + 1;
        }
        let lineEnd = to;
        if (lineEnd > from && text.charCodeAt(lineEnd - 1) === CR) lineEnd--;
        this.lineNo++;
        const line = text.slice(from, lineEnd);
        if (line.length > this.maxLineBytes) this.cutLine(line);
        else this.onLine(line, this.lineNo, raw, rawStart);
        from = to + 1;
      }
      return;
    }
    // Slow path: decode line by line so bad bytes can be located and repaired.
    let from = start;
    while (from < end) {
      let to = data.indexOf(LF, from);
      if (to < 0 || to >= end) to = end;
      let lineEnd = to;
      if (lineEnd > from && data[lineEnd - 1] === CR) lineEnd--;
      this.lineNo++;
      this.emitBytes(data.subarray(from, lineEnd));
      from = to + 1;
    }
  }

  private emitBytes(bytes: Buffer): void {
    let raw = bytes;
    if (raw.indexOf(0) >= 0) {
      raw = Buffer.from(raw.filter((b) => b !== 0));
      this.warn('NUL bytes', this.lineNo, `line ${this.lineNo}: NUL bytes removed`);
    }
    let text: string;
    try {
      text = utf8Strict.decode(raw);
    } catch {
      const decoder = gbkDecoder();
      let decoded: string | undefined;
      if (decoder !== undefined) {
        try {
          decoded = decoder.decode(raw);
        } catch {
          decoded = undefined;
        }
      }
      if (decoded !== undefined) {
        text = decoded;
        this.warn('invalid UTF-8', this.lineNo, `line ${this.lineNo}: not valid UTF-8, decoded as GBK`);
      } else {
        text = utf8.decode(raw);
        this.warn('invalid UTF-8', this.lineNo, `line ${this.lineNo}: invalid UTF-8 bytes replaced with U+FFFD`);
      }
    }
    if (text.length > this.maxLineBytes) this.cutLine(text);
    else this.onLine(text, this.lineNo, undefined, 0);
  }

  private cutLine(line: string): void {
    this.warn('overlong line', this.lineNo, `line ${this.lineNo} longer than ${this.maxLineBytes} characters, cut`);
    this.onLine(line.slice(0, this.maxLineBytes), this.lineNo, undefined, 0);
  }

  private warn(kind: string, line: number, message: string): void {
    const count = (this.warningCounts.get(kind) ?? 0) + 1;
    this.warningCounts.set(kind, count);
    if (count <= MAX_WARNINGS_PER_KIND) this.onWarning({ line, message });
  }
}

/**
 * The summary of warnings not listed one by one, for a file read by one splitter per part (`parts`: each part's
 * warningsByKind, in order; one part: the whole file). `clean` is false when a later part listed warnings that one
 * pass would have left unlisted, because the parts before it had used up the category's share.
 */
export function joinLineWarnings(parts: ReadonlyArray<ReadonlyArray<readonly [string, number]>>): { clean: boolean; summary: ParseWarning[] } {
  const totals = new Map<string, number>();
  let clean = true;
  for (const part of parts) {
    for (const [kind, count] of part) {
      const before = totals.get(kind) ?? 0;
      if (before > 0 && before + count > MAX_WARNINGS_PER_KIND) clean = false;
      totals.set(kind, before + count);
    }
  }
  const summary: ParseWarning[] = [];
  for (const [kind, count] of totals) {
    if (count > MAX_WARNINGS_PER_KIND) summary.push({ message: `${count - MAX_WARNINGS_PER_KIND} more lines with ${kind} (not listed one by one)` });
  }
  return { clean, summary };
}
