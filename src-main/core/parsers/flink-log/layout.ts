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

const ZERO = 48;
const SPACE = 32;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const DASH = 45;

function isMillisSeparator(c: number): boolean {
  return c === 44 /* , */ || c === 46; /* . */
}

/** Value of the digit at `at`, or -1: each character is read once (this runs on every line). */
function digit(text: string, at: number): number {
  const d = text.charCodeAt(at) - ZERO;
  return d >= 0 && d <= 9 ? d : -1;
}

/** Two digits at `at` as a number, or -1. */
function two(text: string, at: number): number {
  const high = digit(text, at);
  const low = digit(text, at + 1);
  return high < 0 || low < 0 ? -1 : high * 10 + low;
}

/** `HH:mm:ss,SSS` at `at` (separators already partly checked by the caller). */
function readClock(text: string, at: number, out: Header): boolean {
  if (text.charCodeAt(at + 2) !== 58 || text.charCodeAt(at + 5) !== 58 || !isMillisSeparator(text.charCodeAt(at + 8))) return false;
  const hour = two(text, at);
  const minute = two(text, at + 3);
  const second = two(text, at + 6);
  const centis = two(text, at + 9);
  const lastMilli = digit(text, at + 11);
  if (hour < 0 || minute < 0 || second < 0 || centis < 0 || lastMilli < 0) return false;
  out.hour = hour;
  out.minute = minute;
  out.second = second;
  out.millis = centis * 10 + lastMilli;
  return true;
}

/** `yyyy-MM-dd HH:mm:ss,SSS` (or `T` between date and time); the dashes are checked by the caller. */
function readFullStamp(text: string, out: Header): boolean {
  const separator = text.charCodeAt(10);
  if (separator !== SPACE && separator !== 84 /* T */) return false;
  const century = two(text, 0);
  const yearOfCentury = two(text, 2);
  const month = two(text, 5);
  const day = two(text, 8);
  if (century < 0 || yearOfCentury < 0 || month < 0 || day < 0 || !readClock(text, 11, out)) return false;
  out.year = century * 100 + yearOfCentury;
  out.month = month;
  out.day = day;
  return true;
}

function readTimeOnly(text: string, out: Header): boolean {
  return readClock(text, 0, out);
}

/** Level word at `at` followed by a space or the end of the line; returns its length, 0 when none. */
function levelAt(text: string, at: number, out: Header): number {
  let word: string;
  let level: Level;
  switch (text.charCodeAt(at)) {
    case 73: // I
      word = 'INFO';
      level = Level.Info;
      break;
    case 87: // W
      word = text.startsWith('WARNING', at) ? 'WARNING' : 'WARN';
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
  if (!text.startsWith(word, at)) return 0;
  const after = at + word.length;
  if (after < text.length && text.charCodeAt(after) !== SPACE) return 0;
  out.level = level;
  return word.length;
}

function skipSpaces(text: string, at: number): number {
  while (text.charCodeAt(at) === SPACE) at++;
  return at;
}

/** Cap on how far a `[thread]` token may reach; thread names are short, a runaway search is not. */
const MAX_THREAD_CHARS = 512;

/**
 * A `[thread]` token before the level. Thread names may contain `]` (SQL vertex names like `Calc[2]`), so the
 * token ends at the first `] ` that is followed by a level word.
 */
function threadBeforeLevel(text: string, open: number, out: Header): number {
  let close = text.indexOf('] ', open + 1);
  while (close > 0 && close - open < MAX_THREAD_CHARS) {
    const levelStart = skipSpaces(text, close + 2);
    const length = levelAt(text, levelStart, out);
    if (length > 0) {
      out.thread = text.slice(open + 1, close).trim();
      return levelStart + length;
    }
    close = text.indexOf('] ', close + 1);
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
  let at: number;
  const c4 = text.charCodeAt(4);
  if (c4 === DASH && text.length >= 23 && text.charCodeAt(7) === DASH && readFullStamp(text, out)) {
    out.stamp = StampKind.Full;
    at = 23;
  } else if (text.charCodeAt(2) === 58 && text.length >= 12 && readTimeOnly(text, out)) {
    out.stamp = StampKind.TimeOnly;
    at = 12;
  } else {
    return false;
  }
  const afterStamp = text.charCodeAt(at);
  if (at < text.length && afterStamp !== SPACE) return false;
  if (out.stamp === StampKind.TimeOnly) {
    // A bare time is too weak a signal on its own (metric values, clock output): demand a thread or a level next.
    const next = text.charCodeAt(at + 1);
    if (next !== OPEN_BRACKET && !(next >= 65 && next <= 90)) return false;
  }
  out.level = Level.None;
  out.thread = undefined;
  out.loggerStart = 0;
  out.loggerEnd = 0;
  out.simpleName = '';
  at = skipSpaces(text, at);

  let levelLength = 0;
  if (text.charCodeAt(at) === OPEN_BRACKET) {
    const afterLevel = threadBeforeLevel(text, at, out);
    if (afterLevel > 0) at = afterLevel;
  } else {
    levelLength = levelAt(text, at, out);
    at += levelLength;
  }
  if (out.level === Level.None) {
    if (out.stamp === StampKind.TimeOnly) return false;
    out.messageStart = at;
    return true;
  }
  at = skipSpaces(text, at);
  if (levelLength > 0 && text.charCodeAt(at) === OPEN_BRACKET) {
    // Custom pattern with the thread after the level: `INFO  [74] org.apache…`.
    const close = text.indexOf('] ', at + 1);
    if (close > 0 && close - at < MAX_THREAD_CHARS) {
      out.thread = text.slice(at + 1, close).trim();
      at = skipSpaces(text, close + 2);
    }
  }
  let loggerEnd = text.indexOf(' ', at);
  if (loggerEnd < 0) loggerEnd = text.length;
  out.loggerStart = at;
  out.loggerEnd = loggerEnd;
  const dot = text.lastIndexOf('.', loggerEnd - 1);
  out.simpleName = text.slice(dot < at ? at : dot + 1, loggerEnd);
  // Walking the padding beats a native search for ` - `: a search call costs more than the few characters.
  at = skipSpaces(text, loggerEnd);
  if (text.charCodeAt(at) === OPEN_BRACKET) {
    // log4j 2 prints the empty NDC as `[]`; MDC-based patterns may put a value there.
    const close = text.charCodeAt(at + 1) === CLOSE_BRACKET ? at + 1 : text.indexOf(']', at);
    if (close > 0 && close - at < MAX_THREAD_CHARS) at = skipSpaces(text, close + 1);
  }
  if (text.charCodeAt(at) === DASH && (at + 1 >= text.length || text.charCodeAt(at + 1) === SPACE)) {
    out.messageStart = Math.min(at + 2, text.length);
    return true;
  }
  if (at >= text.length) {
    out.messageStart = text.length;
    return true;
  }
  // Something between logger and ` - ` (a non-empty logback %X{sourceThread}, custom tokens).
  const dash = text.indexOf(' - ', loggerEnd);
  out.messageStart = dash < 0 || dash - loggerEnd > MAX_THREAD_CHARS ? at : dash + 3;
  return true;
}

/** The full logger name of the header last parsed from `text`. */
export function loggerOf(text: string, header: Header): string {
  return text.slice(header.loggerStart, header.loggerEnd);
}
