import { msToMicros, type EpochMicros, type ZoneClock } from '../../common/time.js';

/**
 * When a metrics dump was taken. Prometheus text carries no time unless each sample has one, so dump scripts
 * write it into a comment (`# captured at 2023-06-14T09:13:00Z`) or the file name
 * (`metrics-2023-06-14T09-13-00Z.prom`, `metrics-1686733980000.txt`).
 */

/** Date and time with `:` or `-` (file-name safe) between the time fields; zone optional. */
const DATE_TIME =
  /(?<!\d)(?<year>\d{4})-(?<month>\d\d)-(?<day>\d\d)[T _](?<hour>\d\d)[-:]?(?<minute>\d\d)[-:]?(?<second>\d\d)(?:[.,](?<fraction>\d{1,9}))?\s?(?<zone>Z|UTC|[+-]\d\d:?\d\d)?(?![\d:])/;
/** Compact form: 20230614T091300Z, 20230614-091300. */
const COMPACT_DATE_TIME =
  /(?<!\d)(?<year>\d{4})(?<month>\d\d)(?<day>\d\d)[T_-](?<hour>\d\d)(?<minute>\d\d)(?<second>\d\d)(?<zone>Z)?(?!\d)/;
const EPOCH_MS = /(?<!\d)(1\d{12})(?:\.\d+)?(?!\d)/;
const EPOCH_SECONDS = /(?<!\d)(1\d{9})(\.\d{1,6})?(?!\d)/;
/** `date` output and RFC 1123 carry an explicit zone word, which makes the engine's own parser safe to use. */
const ZONED_WORDS = /\b(?:UTC|GMT)\b|[+-]\d{4}\b/;

const CAPTURE_COMMENT =
  /^#\s*(?:(?:captured|scraped|collected|fetched|dumped|taken)(?:\s+(?:at|on))?|(?:capture[ _-]?)?time(?:stamp)?|date)\s*(?:[:=]\s*)?(\S.*)$/i;
/** A comment that is nothing but a date and time (`# 2023-06-14T09:13:00Z`), as `date -Is >> dump` leaves. */
const BARE_TIME_COMMENT = /^#\s*(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S*(?: ?(?:UTC|Z|[+-]\d\d:?\d\d))?)\s*$/;

/** Time from a free text (comment value or file name); NaN when none is found. */
export function parseCaptureTime(text: string, clock: ZoneClock): EpochMicros {
  const fields = (DATE_TIME.exec(text) ?? COMPACT_DATE_TIME.exec(text))?.groups;
  if (fields !== undefined) {
    const [year, month, day, hour, minute, second] = [fields.year, fields.month, fields.day, fields.hour, fields.minute, fields.second].map(Number);
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return Number.NaN;
    const fraction: string | undefined = fields.fraction;
    const zone: string | undefined = fields.zone;
    const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
    if (zone === undefined) return clock.toUtc(year, month, day, hour, minute, second, millis);
    const offsetMinutes =
      zone === 'Z' || zone === 'UTC' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
    return msToMicros(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000);
  }
  const ms = EPOCH_MS.exec(text);
  if (ms !== null) return msToMicros(Number(ms[1]));
  const seconds = EPOCH_SECONDS.exec(text);
  if (seconds !== null) return Math.round(Number(seconds[1] + (seconds[2] ?? '')) * 1_000_000);
  if (ZONED_WORDS.test(text)) {
    const parsed = Date.parse(text);
    if (!Number.isNaN(parsed)) return msToMicros(parsed);
  }
  return Number.NaN;
}

/** The time a `# captured at …`-style comment states; undefined when the comment is not one. */
export function captureTimeFromComment(comment: string, clock: ZoneClock): EpochMicros | undefined {
  const match = CAPTURE_COMMENT.exec(comment) ?? BARE_TIME_COMMENT.exec(comment);
  if (match === null) return undefined;
  const ts = parseCaptureTime(match[1], clock);
  return Number.isNaN(ts) ? undefined : ts;
}

/** The time in the last component of a bundle path; NaN when the name has none. */
export function captureTimeFromPath(path: string, clock: ZoneClock): EpochMicros {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return parseCaptureTime(name, clock);
}
