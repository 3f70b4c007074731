import type { Db } from '../database.js';
import { SCHEMA_VERSION } from '../schema.js';

export interface SourceInfo {
  id: number;
  path: string;
  kind: string;
  format: string;
  reason: string;
  status: string;
  bytes: number;
  lines: number;
  events: number;
  warnings: number;
  host: string | null;
  component: string | null;
  tmId: string | null;
  flinkVersion: string | null;
  gcCollector: string | null;
  timeAnchor: string | null;
  timeConfidence: string | null;
  tz: string;
  timeFromUs: number | null;
  timeToUs: number | null;
  sha256: string;
}

export interface WarningInfo {
  path: string;
  line: number | null;
  message: string;
}

export interface IncidentInfo {
  schemaVersion: number;
  sources: SourceInfo[];
  jobs: Array<{ jobId: string; name: string | null }>;
  taskManagers: Array<{ tmId: string; host: string | null }>;
  flinkVersions: string[];
  timeRange: { fromUs: number | null; toUs: number | null };
  totals: { lines: number; events: number; warnings: number; gcEvents: number; bpSamples: number; metricSamples: number; flameProfiles: number; restCheckpoints: number };
  warnings: WarningInfo[];
}

export function incidentInfo(db: Db, warningLimit = 200): IncidentInfo {
  const sources = (db.prepare('SELECT * FROM source ORDER BY id').all() as Array<Record<string, unknown>>).map(
    (s): SourceInfo => ({
      id: s.id as number, path: s.path as string, kind: s.kind as string, format: s.format as string, reason: s.reason as string,
      status: s.status as string, bytes: s.bytes as number, lines: s.lines as number, events: s.events as number,
      warnings: s.warnings as number, host: s.host as string | null, component: s.component as string | null,
      tmId: s.tm_id as string | null, flinkVersion: s.flink_version as string | null, gcCollector: s.gc_collector as string | null,
      timeAnchor: s.time_anchor as string | null, timeConfidence: s.time_confidence as string | null, tz: s.tz as string,
      timeFromUs: s.time_from_us as number | null, timeToUs: s.time_to_us as number | null, sha256: s.sha256 as string,
    }),
  );
  const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
  const range = db.prepare("SELECT min(time_from_us) AS f, max(time_to_us) AS t FROM source WHERE status = 'done'").get() as { f: number | null; t: number | null };
  return {
    schemaVersion: SCHEMA_VERSION,
    sources,
    jobs: (db.prepare('SELECT job_id, name FROM job ORDER BY job_id').all() as Array<{ job_id: string; name: string | null }>).map((j) => ({ jobId: j.job_id, name: j.name })),
    taskManagers: (db.prepare('SELECT tm_id, host FROM taskmanager ORDER BY tm_id').all() as Array<{ tm_id: string; host: string | null }>).map((t) => ({ tmId: t.tm_id, host: t.host })),
    flinkVersions: (db.prepare('SELECT DISTINCT flink_version AS v FROM source WHERE flink_version IS NOT NULL ORDER BY v').all() as Array<{ v: string }>).map((r) => r.v),
    timeRange: { fromUs: range.f, toUs: range.t },
    totals: {
      lines: count('SELECT coalesce(sum(lines),0) AS n FROM source'),
      events: count('SELECT count(*) AS n FROM event'),
      warnings: count('SELECT count(*) AS n FROM warning'),
      gcEvents: count('SELECT count(*) AS n FROM gc_event'),
      bpSamples: count('SELECT count(*) AS n FROM bp_sample'),
      metricSamples: count('SELECT count(*) AS n FROM metric_sample'),
      flameProfiles: count('SELECT count(*) AS n FROM flame_profile'),
      restCheckpoints: count('SELECT count(*) AS n FROM rest_checkpoint'),
    },
    warnings: (db.prepare('SELECT path, line, message FROM warning ORDER BY id LIMIT ?').all(warningLimit) as WarningInfo[]),
  };
}

/** `sluice query`: one statement, read-only by construction (the connection is opened read-only too). */
export function runReadOnlyQuery(db: Db, sql: string): { columns: string[]; rows: unknown[][] } {
  const statement = db.prepare(sql);
  if (!statement.readonly || !statement.reader) throw new Error('only read-only statements (SELECT, WITH, PRAGMA reads) are allowed');
  statement.raw(true);
  const columns = statement.columns().map((c) => c.name);
  return { columns, rows: statement.all() as unknown[][] };
}
