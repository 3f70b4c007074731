import type { Db } from '../database.js';

/**
 * Read-only GC summaries per JVM (the `gc_event.jvm` key: rotated files of one JVM are one series).
 *
 * Only `class = 'pause'` rows are pauses: nested pauses are folded by the parser and safepoint totals are a
 * separate class (they contain the GC pause), so these sums are the time the application was stopped by GC.
 * Windows are on the incident axis when events are anchored, else on the JVM uptime axis (`axis`).
 */

export interface GcKindStats {
  kind: string;
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface GcPauseRef {
  id: number;
  /** Start on the incident axis (ISO-8601 UTC), null when unanchored. */
  startIso: string | null;
  uptimeMs: number | null;
  kind: string;
  name: string;
  cause: string | null;
  durationMs: number;
  sourcePath: string;
  line: number;
  timeConfidence: string;
}

export interface GcPauseShare {
  /** Fraction of the window spent in pauses, 0..1. */
  share: number;
  /** Window start on its axis (epoch µs or uptime µs). */
  windowStartUs: number;
  windowStartIso: string | null;
}

export interface GcJvmSummary {
  jvm: string;
  tmId: string | null;
  host: string | null;
  sourcePaths: string[];
  collector: string | null;
  /** Weakest time confidence among the JVM's pauses. */
  timeConfidence: string | null;
  axis: 'wall' | 'uptime' | 'none';
  pauseCount: number;
  totalPauseMs: number;
  maxPauseMs: number;
  p99PauseMs: number;
  byKind: GcKindStats[];
  fullGcCount: number;
  maxShare1m: GcPauseShare | null;
  maxShare5m: GcPauseShare | null;
  longestPauses: GcPauseRef[];
  heapAfter: { firstBytes: number; lastBytes: number; maxBytes: number } | null;
  safepoints: { count: number; totalMs: number; maxMs: number };
  allocationStalls: { count: number; totalMs: number; maxMs: number };
}

interface PauseRow {
  id: number;
  jvm: string;
  start_us: number | null;
  uptime_us: number | null;
  duration_us: number;
  kind: string;
  name: string;
  cause: string | null;
  heap_after: number | null;
  time_confidence: string;
  line: number;
  path: string;
}

const CONFIDENCE_RANK: Record<string, number> = { exact: 0, anchored: 1, estimated: 2, none: 3 };
const ms = (us: number): number => Math.round(us) / 1000;

/** Nearest-rank percentile of ascending values. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAscending.length));
  return sortedAscending[rank - 1]!;
}

/** Largest share of any window of `windowUs` spent in pauses; a pause crossing a window edge is split. */
export function maxPauseShare(intervals: ReadonlyArray<{ startUs: number; durationUs: number }>, windowUs: number): { share: number; windowStartUs: number } | null {
  if (intervals.length === 0) return null;
  const buckets = new Map<number, number>();
  for (const { startUs, durationUs } of intervals) {
    let from = startUs;
    const to = startUs + durationUs;
    while (from < to) {
      const bucket = Math.floor(from / windowUs);
      const edge = (bucket + 1) * windowUs;
      const part = Math.min(to, edge) - from;
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + part);
      from += part;
    }
  }
  let best: { share: number; windowStartUs: number } | null = null;
  for (const [bucket, pausedUs] of buckets) {
    const share = Math.min(1, pausedUs / windowUs);
    if (best === null || share > best.share || (share === best.share && bucket * windowUs < best.windowStartUs)) {
      best = { share, windowStartUs: bucket * windowUs };
    }
  }
  return best;
}

function classTotals(db: Db, jvm: string, eventClass: string): { count: number; totalMs: number; maxMs: number } {
  const row = db
    .prepare('SELECT count(*) AS n, coalesce(sum(duration_us), 0) AS total, coalesce(max(duration_us), 0) AS top FROM gc_event WHERE jvm = ? AND class = ?')
    .get(jvm, eventClass) as { n: number; total: number; top: number };
  return { count: row.n, totalMs: ms(row.total), maxMs: ms(row.top) };
}

export function gcSummary(db: Db): GcJvmSummary[] {
  const jvms = db
    .prepare(
      `SELECT g.jvm, max(s.tm_id) AS tm_id, max(s.host) AS host, max(s.gc_collector) AS collector
       FROM gc_event g JOIN source s ON s.id = g.source_id GROUP BY g.jvm ORDER BY g.jvm`,
    )
    .all() as JvmRow[];
  // Paths may contain commas (`gc-all,safepoint.log`), so they are not concatenated in SQL.
  const pathStmt = db.prepare('SELECT DISTINCT s.path FROM gc_event g JOIN source s ON s.id = g.source_id WHERE g.jvm = ? ORDER BY s.path');
  const pauseStmt = db.prepare(
    `SELECT g.id, g.jvm, g.start_us, g.uptime_us, g.duration_us, g.kind, g.name, g.cause, g.heap_after, g.time_confidence, g.line, s.path
     FROM gc_event g JOIN source s ON s.id = g.source_id
     WHERE g.jvm = ? AND g.class = 'pause'
     ORDER BY coalesce(g.start_us, g.uptime_us), g.source_id, g.line`,
  );
  return jvms.map((jvm) => {
    const paths = (pathStmt.all(jvm.jvm) as Array<{ path: string }>).map((r) => r.path);
    return summarizeJvm(db, jvm, paths, pauseStmt.all(jvm.jvm) as PauseRow[]);
  });
}

interface JvmRow {
  jvm: string;
  tm_id: string | null;
  host: string | null;
  collector: string | null;
}

function summarizeJvm(db: Db, jvm: JvmRow, sourcePaths: string[], rows: PauseRow[]): GcJvmSummary {
  const durations = rows.map((r) => r.duration_us).sort((a, b) => a - b);
  const kinds = new Map<string, GcKindStats>();
  for (const r of rows) {
    const k = kinds.get(r.kind) ?? { kind: r.kind, count: 0, totalMs: 0, maxMs: 0 };
    k.count++;
    k.totalMs += r.duration_us;
    k.maxMs = Math.max(k.maxMs, r.duration_us);
    kinds.set(r.kind, k);
  }
  const byKind = [...kinds.values()]
    .map((k) => ({ ...k, totalMs: ms(k.totalMs), maxMs: ms(k.maxMs) }))
    .sort((a, b) => b.totalMs - a.totalMs || a.kind.localeCompare(b.kind));

  const anchored = rows.every((r) => r.start_us !== null);
  const withUptime = rows.every((r) => r.uptime_us !== null);
  const axis: GcJvmSummary['axis'] = rows.length === 0 ? 'none' : anchored ? 'wall' : withUptime ? 'uptime' : 'none';
  const intervals =
    axis === 'none' ? [] : rows.map((r) => ({ startUs: (axis === 'wall' ? r.start_us : r.uptime_us)!, durationUs: r.duration_us }));
  const share = (windowUs: number): GcPauseShare | null => {
    const best = maxPauseShare(intervals, windowUs);
    if (best === null) return null;
    return { ...best, windowStartIso: axis === 'wall' ? new Date(best.windowStartUs / 1000).toISOString() : null };
  };

  const longestPauses = [...rows]
    .sort((a, b) => b.duration_us - a.duration_us || a.id - b.id)
    .slice(0, 10)
    .map((r) => ({
      id: r.id,
      startIso: r.start_us === null ? null : new Date(r.start_us / 1000).toISOString(),
      uptimeMs: r.uptime_us === null ? null : ms(r.uptime_us),
      kind: r.kind,
      name: r.name,
      cause: r.cause,
      durationMs: ms(r.duration_us),
      sourcePath: r.path,
      line: r.line,
      timeConfidence: r.time_confidence,
    }));

  const heapRows = rows.filter((r) => r.heap_after !== null);
  const heapAfter =
    heapRows.length === 0
      ? null
      : {
          firstBytes: heapRows[0]!.heap_after!,
          lastBytes: heapRows[heapRows.length - 1]!.heap_after!,
          maxBytes: Math.max(...heapRows.map((r) => r.heap_after!)),
        };
  const weakest = rows.reduce<string | null>(
    (worst, r) => (worst === null || (CONFIDENCE_RANK[r.time_confidence] ?? 3) > (CONFIDENCE_RANK[worst] ?? 3) ? r.time_confidence : worst),
    null,
  );

  return {
    jvm: jvm.jvm,
    tmId: jvm.tm_id,
    host: jvm.host,
    sourcePaths,
    collector: jvm.collector,
    timeConfidence: weakest,
    axis,
    pauseCount: rows.length,
    totalPauseMs: ms(durations.reduce((sum, d) => sum + d, 0)),
    maxPauseMs: ms(durations[durations.length - 1] ?? 0),
    p99PauseMs: ms(percentile(durations, 99)),
    byKind,
    fullGcCount: kinds.get('full')?.count ?? 0,
    maxShare1m: share(60_000_000),
    maxShare5m: share(300_000_000),
    longestPauses,
    heapAfter,
    safepoints: classTotals(db, jvm.jvm, 'safepoint'),
    allocationStalls: classTotals(db, jvm.jvm, 'alloc-stall'),
  };
}
