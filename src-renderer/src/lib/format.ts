/** Times on the incident axis are UTC epoch microseconds. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${zone}|${withDate}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(key, f);
  }
  return f;
}

/** "10:26:03.412" in the chosen zone (with the date when asked). */
export function formatTime(us: number | null | undefined, zone = 'UTC', withDate = false): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return '–';
  const ms = Math.floor(us / 1000);
  const parts = formatter(zone, withDate).formatToParts(new Date(ms));
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  const time = `${get('hour')}:${get('minute')}:${get('second')}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}`;
  return withDate ? `${get('year')}-${get('month')}-${get('day')} ${time}` : time;
}

export function zoneLabel(zone: string): string {
  return zone === 'UTC' ? 'UTC' : zone;
}

/** Human duration from microseconds: 850 µs, 12.3 ms, 4.20 s, 3 min 12 s, 2 h 05 min. */
export function formatDuration(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return '–';
  const abs = Math.abs(us);
  const sign = us < 0 ? '−' : '';
  if (abs < 1000) return `${sign}${Math.round(abs)} µs`;
  if (abs < 1_000_000) return `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)} ms`;
  if (abs < 60_000_000) return `${sign}${(abs / 1_000_000).toFixed(2)} s`;
  if (abs < 3_600_000_000) return `${sign}${Math.floor(abs / 60_000_000)} min ${String(Math.round((abs % 60_000_000) / 1_000_000)).padStart(2, '0')} s`;
  return `${sign}${Math.floor(abs / 3_600_000_000)} h ${String(Math.round((abs % 3_600_000_000) / 60_000_000)).padStart(2, '0')} min`;
}

export function formatMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '–' : formatDuration(ms * 1000);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 || value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Seconds relative to a reference time, for the "relative to checkpoint" axis. */
export function formatRelative(us: number, referenceUs: number): string {
  const s = (us - referenceUs) / 1_000_000;
  return `${s >= 0 ? '+' : '−'}${Math.abs(s).toFixed(Math.abs(s) < 10 ? 2 : 1)} s`;
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : `${Math.round(x * 100)} %`;
}

const WALL_TIME = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*$/;

/**
 * Reads "2024-03-01 10:26:03(.412)" as a wall time in the zone (the inverse of formatTime with the date);
 * null when it is not such a time.
 */
export function parseTime(text: string, zone = 'UTC'): number | null {
  const m = WALL_TIME.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // A wall time maps to the instant whose offset reproduces it. Around a DST change there are two offsets (the
  // ones a day before and after): in the repeated hour both fit and the earlier instant wins; in the skipped
  // hour neither does and the offset from before the change is used, as clocks did until then.
  const DAY_MS = 86_400_000;
  const before = wallMs - zoneOffsetMs(wallMs - DAY_MS, zone);
  const after = wallMs - zoneOffsetMs(wallMs + DAY_MS, zone);
  const fitting = [before, after].filter((utc) => utc + zoneOffsetMs(utc, zone) === wallMs);
  const utcMs = fitting.length > 0 ? Math.min(...fitting) : before;
  return utcMs * 1000 + (m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0')));
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function zoneOffsetMs(utcMs: number, zone: string): number {
  const parts = formatter(zone, true).formatToParts(new Date(utcMs));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(utcMs / 1000) * 1000;
}
