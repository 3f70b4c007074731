/**
 * Time on the incident axis is UTC epoch microseconds held in a JS number (exact up to 2^53, i.e. year 2255).
 * Log timestamps carry no zone: a source's zone is chosen at import, and local wall-clock fields are turned
 * into UTC here. Zone offsets are cached per local hour so a 10 M-line file costs a handful of Intl calls.
 */
export type EpochMicros = number;

export const MICROS_PER_MS = 1000;

export function msToMicros(ms: number): EpochMicros {
  return Math.round(ms * MICROS_PER_MS);
}

export function microsToIso(us: EpochMicros): string {
  return new Date(Math.floor(us / MICROS_PER_MS)).toISOString();
}

/** Parses ISO-8601 or "YYYY-MM-DD HH:mm:ss" (taken as UTC) or epoch ms digits; NaN when unreadable. */
export function parseUserTime(text: string): EpochMicros {
  const trimmed = text.trim();
  if (/^\d{12,14}$/.test(trimmed)) return msToMicros(Number(trimmed));
  const normalized = /[zZ]|[+-]\d\d:?\d\d$/.test(trimmed) ? trimmed : `${trimmed.replace(' ', 'T')}Z`;
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? Number.NaN : msToMicros(ms);
}

export class ZoneClock {
  private readonly offsetCache = new Map<number, number>();
  private readonly formatter: Intl.DateTimeFormat | undefined;

  /** @param zone IANA zone name, or 'UTC'. @param clockOffsetMicros added after conversion (skew correction). */
  constructor(
    readonly zone: string = 'UTC',
    readonly clockOffsetMicros: number = 0,
  ) {
    this.formatter =
      zone === 'UTC'
        ? undefined
        : new Intl.DateTimeFormat('en-US', {
            timeZone: zone,
            hourCycle: 'h23',
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
          });
  }

  static isValidZone(zone: string): boolean {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }

  /** Local wall-clock fields (month 1-12) to UTC epoch micros. */
  toUtc(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): EpochMicros {
    const asUtcMs = Date.UTC(year, month - 1, day, hour, minute, second, millis);
    if (this.formatter === undefined) return asUtcMs * MICROS_PER_MS + this.clockOffsetMicros;
    const hourKey = Math.floor(asUtcMs / 3_600_000);
    let offsetMs = this.offsetCache.get(hourKey);
    if (offsetMs === undefined) {
      offsetMs = this.offsetAt(asUtcMs - this.offsetAt(asUtcMs));
      this.offsetCache.set(hourKey, offsetMs);
    }
    return (asUtcMs - offsetMs) * MICROS_PER_MS + this.clockOffsetMicros;
  }

  /** Zone offset (local − UTC) in ms at a UTC instant. */
  private offsetAt(utcMs: number): number {
    const parts = this.formatter!.formatToParts(new Date(utcMs));
    const field = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
    const local = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
    return local - Math.floor(utcMs / 1000) * 1000;
  }
}
