/** How findings write numbers, times and names: the way a Flink engineer reads them in a postmortem. */

export function fmtDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 100_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) {
    const seconds = Math.round(ms / 1000);
    return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
  }
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function fmtDurationUs(us: number): string {
  return fmtDurationMs(us / 1000);
}

export function fmtBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function fmtPercent(fraction: number): string {
  const pct = fraction * 100;
  return `${pct >= 10 || pct === 0 ? Math.round(pct) : pct.toFixed(1)} %`;
}

export function fmtRatio(value: number): string {
  return value >= 10 ? `${Math.round(value)}×` : `${value.toFixed(1)}×`;
}

/** UTC wall time; the date is added when the incident spans more than one UTC day. */
export class TimeFormatter {
  constructor(private readonly multiDay: boolean) {}

  static forSpan(fromUs: number | null, toUs: number | null): TimeFormatter {
    if (fromUs === null || toUs === null) return new TimeFormatter(true);
    const day = (us: number): string => new Date(us / 1000).toISOString().slice(0, 10);
    return new TimeFormatter(day(fromUs) !== day(toUs));
  }

  time(us: number): string {
    const iso = new Date(Math.round(us / 1000)).toISOString();
    return this.multiDay ? `${iso.slice(5, 10)} ${iso.slice(11, 19)}` : iso.slice(11, 19);
  }
}

/** `Map (2/4)`: the subtask as the Flink UI and JM logs name it (1-based index). */
export function subtaskName(vertexName: string | null, vertexId: string, subtask: number, parallelism?: number | null): string {
  const name = vertexName ?? (vertexId.startsWith('name:') ? vertexId.slice(5) : vertexId.slice(0, 8));
  return `${name} (${subtask + 1}/${parallelism ?? '?'})`;
}

export function listText(items: readonly string[], max = 4): string {
  if (items.length <= max) {
    if (items.length <= 1) return items.join('');
    return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
  }
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[at]!;
}

/** Least-squares line y = a + b·x with its coefficient of determination. */
export function linearFit(xs: readonly number[], ys: readonly number[]): { intercept: number; slope: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const r2 = sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { intercept: my - slope * mx, slope, r2 };
}
