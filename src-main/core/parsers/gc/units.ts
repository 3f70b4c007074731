import type { ZoneClock } from '../../common/time.js';
import type { GcEventRecord } from '../../model/records.js';

/** GC logs follow the JVM locale: `0,0082230 secs`, `[2,048s]`. Heap figures never carry a separator. */
export function parseDecimal(text: string): number {
  return Number(text.indexOf(',') >= 0 ? text.replace(',', '.') : text);
}

const UNIT_BYTES: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `8678K`, `71.1M`, `0.0B`, `21.5G`: binary multiples. Values above 2^31 KB stay exact as JS numbers. */
export function sizeToBytes(value: string, unit: string): number {
  return Math.round(parseDecimal(value) * (UNIT_BYTES[unit] ?? 1));
}

/** Durations as logged: `secs`/`seconds`/`s`, `ms`, `us`, `ns`. */
export function durationToMicros(value: string, unit: string): number {
  const n = parseDecimal(value);
  switch (unit) {
    case 'ms':
      return Math.round(n * 1000);
    case 'us':
      return Math.round(n);
    case 'ns':
      return Math.round(n / 1000);
    default:
      return Math.round(n * 1_000_000);
  }
}

/** One `before->after(committed)` triple, or ZGC's `before(p%)->after(p%)`. */
export const HEAP_TRIPLE =
  /(\d+(?:[.,]\d+)?)([BKMGT])(?:\(\d+%\))?->(\d+(?:[.,]\d+)?)([BKMGT])(?:\(\d+%\))?(?:\((\d+(?:[.,]\d+)?)([BKMGT])\))?/;

/** HEAP_TRIPLE.exec, skipped cheaply on the many texts without an arrow. */
export function findHeapTriple(text: string): RegExpExecArray | null {
  return text.includes('->') ? HEAP_TRIPLE.exec(text) : null;
}

/** Sets the heap figures of a HEAP_TRIPLE match on an event. */
export function applyHeap(event: GcEventRecord, m: RegExpExecArray): void {
  event.heapBeforeBytes = sizeToBytes(m[1]!, m[2]!);
  event.heapAfterBytes = sizeToBytes(m[3]!, m[4]!);
  if (m[5] !== undefined) event.heapCommittedBytes = sizeToBytes(m[5], m[6]!);
}

const OFFSET_STAMP = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)[.,](\d{3})(?:([+-])(\d\d):?(\d\d)|(Z))?$/;
/** Minute prefix ('2022-07-26T21:00' + zone) → epoch ms of that minute: one Date.UTC per minute of log, not per line. */
const minuteCache = new Map<string, number>();

/**
 * `2022-07-26T21:00:40.750+0800` (JDK 8 datestamp, UL `time`/`utctime`) to epoch µs. The offset printed on the
 * line wins (it follows DST changes mid-file); a stamp without one is local time of the source's zone.
 */
export function parseWallStamp(text: string, clock: ZoneClock): number {
  // Fast path for the common fixed-width shape with a ±HHMM offset.
  if (text.length === 28 && text.charCodeAt(10) === 84 && (text.charCodeAt(23) === 43 || text.charCodeAt(23) === 45)) {
    const key = text.slice(0, 16) + text.slice(23);
    let minuteMs = minuteCache.get(key);
    if (minuteMs === undefined) {
      const m = OFFSET_STAMP.exec(text);
      if (m === null) return Number.NaN;
      const offsetMinutes = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
      minuteMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) - offsetMinutes * 60_000;
      if (minuteCache.size > 100_000) minuteCache.clear();
      minuteCache.set(key, minuteMs);
    }
    const seconds = (text.charCodeAt(17) - 48) * 10 + (text.charCodeAt(18) - 48);
    const millis = (text.charCodeAt(20) - 48) * 100 + (text.charCodeAt(21) - 48) * 10 + (text.charCodeAt(22) - 48);
    if (seconds >= 0 && seconds <= 60 && millis >= 0 && millis <= 999) return (minuteMs + seconds * 1000 + millis) * 1000 + clock.clockOffsetMicros;
  }
  const m = OFFSET_STAMP.exec(text);
  if (m === null) return Number.NaN;
  const fields = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7])] as const;
  if (m[8] === undefined && m[11] === undefined) return clock.toUtc(...fields);
  const offsetMinutes = m[11] !== undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const utcMs = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], fields[6]) - offsetMinutes * 60_000;
  return utcMs * 1000 + clock.clockOffsetMicros;
}

/** Zone-less `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS.mmm` (rotation headers, OpenJ9) in the source's zone. */
export function parseLocalStamp(text: string, clock: ZoneClock): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,3}))?$/.exec(text);
  if (m === null) return Number.NaN;
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  return clock.toUtc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), millis);
}

/**
 * The `%t` expansion in `-Xloggc:gc-%t.log` / `-Xlog:gc:file=gc-%t.log` is the JVM start time, local, to the second:
 * `gc-2023-06-14_09-12-40.log`, `gc.log.2023-06-14_09-12-40.0.current`. Returns NaN when the name holds no such
 * stamp or its fields are not a plausible date.
 */
export function fileNameStartTime(path: string, clock: ZoneClock): number {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('!')) + 1);
  const m = /(?<!\d)((?:19|20)\d\d)-?(\d\d)-?(\d\d)[_T-](\d\d)[-.:]?(\d\d)[-.:]?(\d\d)(?!\d)/.exec(name);
  if (m === null) return Number.NaN;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  return clock.toUtc(year, month, day, hour, minute, second, 0);
}

/** Balanced `( … )` groups from `pos` on, separated by spaces: `(G1 Evacuation Pause) (young)`, `(System.gc())`. */
export function parenGroups(text: string, pos: number): { groups: string[]; end: number } {
  const groups: string[] = [];
  let i = pos;
  for (;;) {
    let j = i;
    while (text.charCodeAt(j) === 32) j++;
    if (text.charCodeAt(j) !== 40) return { groups, end: i };
    let depth = 0;
    let k = j;
    for (; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (c === 40) depth++;
      else if (c === 41 && --depth === 0) break;
    }
    if (depth !== 0) return { groups, end: i };
    groups.push(text.slice(j + 1, k));
    i = k + 1;
  }
}

/** Pause names of every collector (legacy Shenandoah, UL) to the normalized kind. */
export function pauseKind(name: string, qualifiers: readonly string[]): string {
  switch (name) {
    case 'Young':
      if (qualifiers.includes('Concurrent Start')) return 'initial-mark';
      if (qualifiers.includes('Mixed')) return 'mixed';
      return 'young';
    case 'Initial Mark':
      return 'initial-mark';
    case 'Degenerated GC':
      return 'degenerated';
    default:
      return slug(name);
  }
}

export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

const UNIT_SUFFIXES = ['ms', 'us', 'ns', 's'] as const;

/**
 * A trailing ` 12.345ms` / ` 0.036s` / ` 1516us`: the duration UL prints last. Scanned from the end by hand,
 * the hot path of every UL line.
 */
export function trailingDuration(text: string): { value: string; unit: string; index: number } | undefined {
  const space = text.lastIndexOf(' ');
  if (space < 0) return undefined;
  const token = text.slice(space + 1);
  for (const unit of UNIT_SUFFIXES) {
    if (!token.endsWith(unit)) continue;
    const value = token.slice(0, token.length - unit.length);
    if (value === '' || !/^\d+(?:[.,]\d+)?$/.test(value)) return undefined;
    return { value, unit, index: space };
  }
  return undefined;
}

/** Qualifiers in pause names that say which variant ran, not why. */
const PAUSE_QUALIFIERS = new Set(['Normal', 'Concurrent Start', 'Prepare Mixed', 'Mixed', 'unload classes', 'process weakrefs', 'update refs', 'Major', 'Minor']);

export interface PauseName {
  /** Name without `Pause ` and without qualifier groups: `Young`, `Init Mark`, `Degenerated GC`. */
  base: string;
  kind: string;
  cause?: string;
  flags: string[];
}

/** `Young (Normal) (G1 Evacuation Pause)`, `Init Mark (unload classes)`, `Degenerated GC (Outside of Cycle)`. */
export function describePause(afterPause: string): PauseName {
  const open = afterPause.indexOf(' (');
  const base = (open < 0 ? afterPause : afterPause.slice(0, open)).trim();
  const { groups } = open < 0 ? { groups: [] } : parenGroups(afterPause, open);
  const qualifiers: string[] = [];
  const flags: string[] = [];
  for (const group of groups) {
    if (!PAUSE_QUALIFIERS.has(group)) continue;
    qualifiers.push(group);
    if (group !== 'Normal' && group !== 'Mixed' && group !== 'Concurrent Start') flags.push(slug(group));
  }
  const kind = pauseKind(base, qualifiers);
  let cause: string | undefined;
  for (const group of groups) {
    if (PAUSE_QUALIFIERS.has(group)) continue;
    if (kind === 'degenerated') flags.push(`degenerated-at:${group}`);
    else cause ??= group;
  }
  return { base, kind, cause, flags };
}
