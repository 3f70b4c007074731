import { Level } from '../../model/records.js';

/**
 * Recognises the start of a Flink log record (flink-formats §1.1) by fixed character positions, without a regex:
 * this runs once per physical line of files with 10 M lines.
 *
 *   log4j 1 (≤1.10)  `2020-03-02 14:05:11,402 INFO  org.apache…CheckpointCoordinator     - msg`
 *   log4j 2 (1.11+)  `2023-06-14 09:12:40,117 INFO  org.apache…CheckpointCoordinator    [] - msg`
 *   logback          `2021-07-19 10:20:00.004 [Checkpoint Timer] INFO  o.a.f.r.c.CheckpointCoordinator  - msg`
 *   test pattern     `10:20:00,004 [    Checkpoint Timer] INFO  org.apache… [] - msg` (time only)
 *   custom           `2020-08-13 16:51:37,456 INFO  [74] org.apache… - msg`, `09:53:01.895 [Checkpoint Timer] INFO org.apache… - msg`
 */
export const enum StampKind {
  None = 0,
  /** `yyyy-MM-dd HH:mm:ss,SSS` (or `.SSS`, or `T` between date and time). */
  Full = 1,
  /** `HH:mm:ss,SSS` — the test pattern and some custom ones. */
  TimeOnly = 2,
}

/** Filled in place by parseHeader so that no object is allocated per line. */
export class Header {
  stamp: StampKind = StampKind.None;
  year = 0;
  month = 0;
  day = 0;
  hour = 0;
  minute = 0;
  second = 0;
  millis = 0;
  level: Level = Level.None;
  thread: string | undefined = undefined;
  /** Full logger name as printed (possibly abbreviated by logback) is text[loggerStart, loggerEnd): sliced only when needed. */
  loggerStart = 0;
  loggerEnd = 0;
  /** Logger name after the last dot: the key templates are dispatched on, immune to logback abbreviation. */
  simpleName = '';
  messageStart = 0;
}

/** Where the parts of the header are in the parsed bytes, until `finish` turns them into the Header's offsets. */
const found = { threadStart: -1, threadEnd: -1, loggerStart: 0, loggerEnd: 0, nameStart: 0 };

const ZERO = 48;
const SPACE = 32;
const COLON = 58;
const DOT = 46;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const DASH = 45;

/**
 * The header is read from bytes, not from the string: on this hot path a typed-array read is several times
 * cheaper than `charCodeAt` on the sliced strings a line splitter makes. An ASCII line is read from the input
 * bytes themselves; any other line is UTF-8 encoded first (non-ASCII bytes are never structural), and the
 * offsets found are turned back into character offsets at the end.
 */
interface ByteView {
  bytes: Uint8Array;
  start: number;
  end: number;
  ascii: boolean;
}

/** Characters of a non-ASCII line that are encoded for the header: more than any header spans. */
const MAX_HEADER_CHARS = 4096;
const encoder = new TextEncoder();
const encoded: ByteView = { bytes: new Uint8Array(3 * MAX_HEADER_CHARS), start: 0, end: 0, ascii: false };
const raw: ByteView = { bytes: encoded.bytes, start: 0, end: 0, ascii: true };

function encodedOf(text: string): ByteView {
  encoded.end = encoder.encodeInto(text.length > MAX_HEADER_CHARS ? text.slice(0, MAX_HEADER_CHARS) : text, encoded.bytes).written;
  return encoded;
}

function isAsciiBefore(b: Uint8Array, end: number): boolean {
  for (let i = 0; i < end; i++) if (b[i]! >= 0x80) return false;
  return true;
}

/** Characters (UTF-16 units) in the first `byteOffset` bytes of UTF-8 `b`. */
function charOffset(b: Uint8Array, byteOffset: number): number {
  let chars = 0;
  for (let i = 0; i < byteOffset; i++) {
    const c = b[i]!;
    if ((c & 0xc0) !== 0x80) chars += c >= 0xf0 ? 2 : 1;
  }
  return chars;
}

function isMillisSeparator(c: number): boolean {
  return c === 44 /* , */ || c === DOT;
}

/** Two digits at `at` as a number, or -1. */
function two(b: Uint8Array, at: number): number {
  const high = b[at]! - ZERO;
  const low = b[at + 1]! - ZERO;
  return high >= 0 && high <= 9 && low >= 0 && low <= 9 ? high * 10 + low : -1;
}

/** `HH:mm:ss,SSS` at `at`; the caller has checked that 12 bytes are there. */
function readClock(b: Uint8Array, at: number, out: Header): boolean {
  if (b[at + 2] !== COLON || b[at + 5] !== COLON || !isMillisSeparator(b[at + 8]!)) return false;
  const hour = two(b, at);
  const minute = two(b, at + 3);
  const second = two(b, at + 6);
  const centis = two(b, at + 9);
  const lastMilli = b[at + 11]! - ZERO;
  if (hour < 0 || minute < 0 || second < 0 || centis < 0 || lastMilli < 0 || lastMilli > 9) return false;
  out.hour = hour;
  out.minute = minute;
  out.second = second;
  out.millis = centis * 10 + lastMilli;
  return true;
}

/** `yyyy-MM-dd HH:mm:ss,SSS` (or `T` between date and time) at `s`; the dashes and length are checked by the caller. */
function readFullStamp(b: Uint8Array, s: number, out: Header): boolean {
  const separator = b[s + 10];
  if (separator !== SPACE && separator !== 84 /* T */) return false;
  const century = two(b, s);
  const yearOfCentury = two(b, s + 2);
  const month = two(b, s + 5);
  const day = two(b, s + 8);
  if (century < 0 || yearOfCentury < 0 || month < 0 || day < 0 || !readClock(b, s + 11, out)) return false;
  out.year = century * 100 + yearOfCentury;
  out.month = month;
  out.day = day;
  return true;
}

/** True when the bytes at `at` spell `word` (ASCII) before `end`. */
function spells(b: Uint8Array, at: number, end: number, word: string): boolean {
  if (at + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (b[at + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** Level word at `at` followed by a space or the end of the line; returns its length, 0 when none. */
function levelAt(b: Uint8Array, at: number, end: number, out: Header): number {
  if (at >= end) return 0;
  let word: string;
  let level: Level;
  switch (b[at]) {
    case 73: // I
      word = 'INFO';
      level = Level.Info;
      break;
    case 87: // W
      word = spells(b, at, end, 'WARNING') ? 'WARNING' : 'WARN';
      level = Level.Warn;
      break;
    case 69: // E
      word = 'ERROR';
      level = Level.Error;
      break;
    case 68: // D
      word = 'DEBUG';
      level = Level.Debug;
      break;
    case 84: // T
      word = 'TRACE';
      level = Level.Trace;
      break;
    case 70: // F
      word = 'FATAL';
      level = Level.Fatal;
      break;
    default:
      return 0;
  }
  if (!spells(b, at, end, word)) return 0;
  const after = at + word.length;
  if (after < end && b[after] !== SPACE) return 0;
  out.level = level;
  return word.length;
}

function skipSpaces(b: Uint8Array, at: number, end: number): number {
  while (at < end && b[at] === SPACE) at++;
  return at;
}

/** Position of the first `c` in [from, end), or -1. */
function find(b: Uint8Array, c: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (b[i] === c) return i;
  return -1;
}

/** Position of the first `]` followed by a space in [from, end), or -1. */
function findBracketSpace(b: Uint8Array, from: number, end: number): number {
  for (let i = from; i + 1 < end; i++) if (b[i] === CLOSE_BRACKET && b[i + 1] === SPACE) return i;
  return -1;
}

/** Position of the first ` - ` in [from, end), or -1. */
function findSeparator(b: Uint8Array, from: number, end: number): number {
  for (let i = from; i + 2 < end; i++) if (b[i] === SPACE && b[i + 1] === DASH && b[i + 2] === SPACE) return i;
  return -1;
}

/** Cap on how far a `[thread]` token may reach; thread names are short, a runaway search is not. */
const MAX_THREAD_CHARS = 512;

/**
 * A `[thread]` token before the level. Thread names may contain `]` (SQL vertex names like `Calc[2]`), so the
 * token ends at the first `] ` that is followed by a level word. Returns the position after the level, or -1.
 */
function threadBeforeLevel(b: Uint8Array, end: number, open: number, out: Header): number {
  const limit = Math.min(end, open + MAX_THREAD_CHARS + 1);
  let close = findBracketSpace(b, open + 1, limit);
  while (close >= 0) {
    const levelStart = skipSpaces(b, close + 2, end);
    const length = levelAt(b, levelStart, end, out);
    if (length > 0) {
      found.threadStart = open + 1;
      found.threadEnd = close;
      return levelStart + length;
    }
    close = findBracketSpace(b, close + 1, limit);
  }
  return -1;
}

/**
 * Parses the record header of `text` into `out`; returns false when the line does not start a record (so it
 * continues the previous one). Lines of any length cost a bounded amount of work here.
 */
export function parseHeader(text: string, out: Header): boolean {
  const c0 = text.charCodeAt(0);
  if (c0 < ZERO || c0 > ZERO + 9) return false;
  return parseHeaderBytes(text, encodedOf(text), out);
}

/** parseHeader for an ASCII line whose bytes are at hand: `bytes[start, start + text.length)` holds `text`. */
export function parseAsciiHeader(text: string, bytes: Uint8Array, start: number, out: Header): boolean {
  const c0 = bytes[start]!;
  if (text.length === 0 || c0 < ZERO || c0 > ZERO + 9) return false;
  raw.bytes = bytes;
  raw.start = start;
  raw.end = start + text.length;
  return parseHeaderBytes(text, raw, out);
}

function parseHeaderBytes(text: string, view: ByteView, out: Header): boolean {
  const { bytes: b, start: s, end } = view;
  let at: number;
  if (end - s >= 23 && b[s + 4] === DASH && b[s + 7] === DASH && readFullStamp(b, s, out)) {
    out.stamp = StampKind.Full;
    at = s + 23;
  } else if (end - s >= 12 && b[s + 2] === COLON && readClock(b, s, out)) {
    out.stamp = StampKind.TimeOnly;
    at = s + 12;
  } else {
    return false;
  }
  if (at < end && b[at] !== SPACE) return false;
  if (out.stamp === StampKind.TimeOnly) {
    // A bare time is too weak a signal on its own (metric values, clock output): demand a thread or a level next.
    const next = at + 1 < end ? b[at + 1]! : 0;
    if (next !== OPEN_BRACKET && !(next >= 65 && next <= 90)) return false;
  }
  out.level = Level.None;
  found.threadStart = -1;
  found.loggerStart = at;
  found.loggerEnd = at;
  found.nameStart = at;
  at = skipSpaces(b, at, end);

  let levelLength = 0;
  if (at < end && b[at] === OPEN_BRACKET) {
    const afterLevel = threadBeforeLevel(b, end, at, out);
    if (afterLevel > 0) at = afterLevel;
  } else {
    levelLength = levelAt(b, at, end, out);
    at += levelLength;
  }
  if (out.level === Level.None) {
    if (out.stamp === StampKind.TimeOnly) return false;
    return finish(text, view, out, at);
  }
  at = skipSpaces(b, at, end);
  if (levelLength > 0 && at < end && b[at] === OPEN_BRACKET) {
    // Custom pattern with the thread after the level: `INFO  [74] org.apache…`.
    const close = findBracketSpace(b, at + 1, Math.min(end, at + MAX_THREAD_CHARS + 1));
    if (close > 0) {
      found.threadStart = at + 1;
      found.threadEnd = close;
      at = skipSpaces(b, close + 2, end);
    }
  }
  let loggerEnd: number;
  if (view.ascii) {
    // Logger names run to 40–60 characters: a string search runs natively, several times faster than a byte loop.
    const space = text.indexOf(' ', at - s);
    loggerEnd = space < 0 || space >= end - s ? end : space + s;
  } else {
    loggerEnd = find(b, SPACE, at, end);
    if (loggerEnd < 0) loggerEnd = end;
  }
  found.loggerStart = at;
  found.loggerEnd = loggerEnd;
  let nameStart = loggerEnd;
  while (nameStart > at && b[nameStart - 1] !== DOT) nameStart--;
  found.nameStart = nameStart;
  at = skipSpaces(b, loggerEnd, end);
  if (at < end && b[at] === OPEN_BRACKET) {
    // log4j 2 prints the empty NDC as `[]`; MDC-based patterns may put a value there.
    const close = find(b, CLOSE_BRACKET, at + 1, Math.min(end, at + MAX_THREAD_CHARS));
    if (close > 0) at = skipSpaces(b, close + 1, end);
  }
  if (at < end && b[at] === DASH && (at + 1 >= end || b[at + 1] === SPACE)) return finish(text, view, out, Math.min(at + 2, end));
  if (at >= end) return finish(text, view, out, end);
  // Something between logger and ` - ` (a non-empty logback %X{sourceThread}, custom tokens).
  const dash = findSeparator(b, loggerEnd, Math.min(end, loggerEnd + MAX_THREAD_CHARS + 3));
  return finish(text, view, out, dash < 0 ? at : dash + 3);
}

/** Turns the byte positions found into character offsets of `text` and slices the thread and simple name. */
function finish(text: string, view: ByteView, out: Header, messageStart: number): true {
  const { bytes: b, start: s, end } = view;
  let nameStart: number;
  let threadStart = -1;
  let threadEnd = -1;
  if (view.ascii || isAsciiBefore(b, messageStart)) {
    // Byte offsets are character offsets (for an encoded line: when the non-ASCII text is all in the message).
    out.messageStart = messageStart >= end ? text.length : messageStart - s;
    out.loggerStart = found.loggerStart - s;
    out.loggerEnd = found.loggerEnd - s;
    nameStart = found.nameStart - s;
    if (found.threadStart >= 0) {
      threadStart = found.threadStart - s;
      threadEnd = found.threadEnd - s;
    }
  } else {
    out.messageStart = messageStart >= end ? text.length : charOffset(b, messageStart);
    out.loggerStart = charOffset(b, found.loggerStart);
    out.loggerEnd = charOffset(b, found.loggerEnd);
    nameStart = charOffset(b, found.nameStart);
    if (found.threadStart >= 0) {
      threadStart = charOffset(b, found.threadStart);
      threadEnd = charOffset(b, found.threadEnd);
    }
  }
  out.simpleName = text.slice(nameStart, out.loggerEnd);
  out.thread = threadStart < 0 ? undefined : text.slice(threadStart, threadEnd).trim();
  return true;
}

/** The full logger name of the header last parsed from `text`. */
export function loggerOf(text: string, header: Header): string {
  return text.slice(header.loggerStart, header.loggerEnd);
}
