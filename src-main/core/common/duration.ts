/** Flink durations: `600000` (ms), `10 min`, `50 s`, `1h`, `500ms`, ISO-8601 `PT10M`. */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  const iso = /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(trimmed);
  if (iso !== null && trimmed.length > 2) {
    return ((Number(iso[1] ?? 0) * 60 + Number(iso[2] ?? 0)) * 60 + Number(iso[3] ?? 0)) * 1000;
  }
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Zµ]*)$/.exec(trimmed);
  if (m === null) return undefined;
  const value = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const factor: Record<string, number> = {
    '': 1, ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
    s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
    m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
    h: 3_600_000, hour: 3_600_000, hours: 3_600_000, d: 86_400_000, day: 86_400_000, days: 86_400_000,
    us: 0.001, 'µs': 0.001, micro: 0.001, micros: 0.001, ns: 0.000001, nanos: 0.000001,
  };
  const f = factor[unit];
  return f === undefined ? undefined : value * f;
}
