import type { Db } from '../database.js';

/** What the incident holds, what it lacks, and where it came from: the first screen after an ingest. */

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
  tm: string | null;
  component: string | null;
  flinkVersion: string | null;
  from: number | null;
  to: number | null;
  /** GC logs: the collector and how their times were anchored (time decorator, Flink banner, none). */
  gcCollector: string | null;
  timeAnchor: string | null;
  timeConfidence: string | null;
  /** Zone the source's zone-less timestamps were read in. */
  tz: string;
  sha256: string;
}

export interface EvidenceItem {
  key: 'jm-log' | 'tm-logs' | 'gc-logs' | 'checkpoint-phases' | 'backpressure' | 'flame' | 'rest' | 'metrics';
  label: string;
  present: boolean;
  detail: string;
}

export interface IncidentContents {
  jobs: Array<{ id: string; name: string | null; vertices: Array<{ id: string; name: string; parallelism: number | null }> }>;
  flinkVersions: string[];
  taskManagers: Array<{ id: string; host: string | null; hasLog: boolean; hasGc: boolean }>;
  timeSpan: { from: number; to: number } | null;
  sources: SourceInfo[];
  sourcesByKind: Array<{ kind: string; count: number }>;
  warnings: Array<{ path: string; line: number | null; message: string }>;
  warningCount: number;
  evidence: EvidenceItem[];
  counts: {
    lines: number;
    events: number;
    checkpoints: number;
    failedCheckpoints: number;
    gcEvents: number;
    bpSamples: number;
    flameProfiles: number;
    findings: number;
    annotations: number;
  };
}

const WARNINGS_SHOWN = 200;

const count = (db: Db, sql: string): number => (db.prepare(sql).get() as { n: number | null }).n ?? 0;

export function incidentContents(db: Db): IncidentContents {
  const sources = (db
    .prepare(`SELECT id, path, kind, format, reason, status, bytes, lines, events, warnings, host, tm_id AS tm, component,
        flink_version AS flinkVersion, time_from_us AS "from", time_to_us AS "to", gc_collector AS gcCollector,
        time_anchor AS timeAnchor, time_confidence AS timeConfidence, tz, sha256 FROM source ORDER BY path`)
    .all()) as SourceInfo[];
  const jobs = (db.prepare('SELECT job_id AS id, name FROM job ORDER BY job_id').all() as Array<{ id: string; name: string | null }>).map((job) => ({
    ...job,
    vertices: db.prepare('SELECT vertex_id AS id, name, parallelism FROM vertex WHERE job = ? ORDER BY rowid').all(job.id) as Array<{
      id: string;
      name: string;
      parallelism: number | null;
    }>,
  }));
  const flinkVersions = (db
    .prepare('SELECT DISTINCT flink_version AS v FROM source WHERE flink_version IS NOT NULL ORDER BY v')
    .all() as Array<{ v: string }>).map((r) => r.v);

  const tmRows = db
    .prepare(`SELECT id, max(host) AS host, max(has_log) AS hasLog, max(has_gc) AS hasGc FROM (
        SELECT tm_id AS id, host, 1 AS has_log, 0 AS has_gc FROM source WHERE tm_id IS NOT NULL AND kind != 'gc-log'
        UNION ALL SELECT tm_id, host, 0, 0 FROM taskmanager
        UNION ALL SELECT s.tm_id, s.host, 0, 1 FROM source s WHERE s.kind = 'gc-log' AND s.tm_id IS NOT NULL
        UNION ALL SELECT DISTINCT g.jvm, NULL, 0, 1 FROM gc_event g JOIN taskmanager t ON t.tm_id = g.jvm
        UNION ALL SELECT DISTINCT tm, host, 0, 0 FROM task_attempt WHERE tm IS NOT NULL
      ) GROUP BY id ORDER BY id`)
    .all() as Array<{ id: string; host: string | null; hasLog: number; hasGc: number }>;
  const taskManagers = tmRows.map((r) => ({ id: r.id, host: r.host, hasLog: r.hasLog === 1, hasGc: r.hasGc === 1 }));

  const span = db
    .prepare(`SELECT min(t) AS "from", max(t) AS "to" FROM (
        SELECT time_from_us AS t FROM source WHERE status = 'done' UNION ALL SELECT time_to_us FROM source WHERE status = 'done')`)
    .get() as { from: number | null; to: number | null };

  const sourcesByKind = db
    .prepare('SELECT kind, count(*) AS count FROM source GROUP BY kind ORDER BY count DESC, kind')
    .all() as Array<{ kind: string; count: number }>;
  const warnings = db
    .prepare('SELECT path, line, message FROM warning ORDER BY id LIMIT ?')
    .all(WARNINGS_SHOWN) as Array<{ path: string; line: number | null; message: string }>;

  const counts = {
    lines: count(db, "SELECT sum(lines) AS n FROM source WHERE status = 'done'"),
    events: count(db, 'SELECT count(*) AS n FROM event'),
    checkpoints: count(db, 'SELECT count(*) AS n FROM checkpoint'),
    failedCheckpoints: count(db, "SELECT count(*) AS n FROM checkpoint WHERE outcome IN ('expired', 'declined', 'failed')"),
    gcEvents: count(db, 'SELECT count(*) AS n FROM gc_event'),
    bpSamples: count(db, 'SELECT count(*) AS n FROM bp_sample'),
    flameProfiles: count(db, 'SELECT count(*) AS n FROM flame_profile'),
    findings: count(db, 'SELECT count(*) AS n FROM finding'),
    annotations: count(db, 'SELECT count(*) AS n FROM annotation'),
  };

  return {
    jobs,
    flinkVersions,
    taskManagers,
    timeSpan: span.from === null || span.to === null ? null : { from: span.from, to: span.to },
    sources,
    sourcesByKind,
    warnings,
    warningCount: count(db, 'SELECT count(*) AS n FROM warning'),
    evidence: evidence(db, sources, taskManagers),
    counts,
  };
}

function evidence(db: Db, sources: SourceInfo[], tms: IncidentContents['taskManagers']): EvidenceItem[] {
  const done = sources.filter((s) => s.status === 'done');
  const ofKind = (kind: string): SourceInfo[] => done.filter((s) => s.kind === kind);
  const tmLogs = ofKind('flink-tm-log');
  const gcLogs = ofKind('gc-log');
  const tmsWithoutLog = tms.filter((t) => !t.hasLog).map((t) => t.id);
  // "none for tm-x" only means something once GC logs are matched to TaskManagers at all.
  const tmsWithoutGc = tms.some((t) => t.hasGc) ? tms.filter((t) => !t.hasGc).map((t) => t.id) : [];
  const phaseRows = count(db, `SELECT count(*) AS n FROM subtask_checkpoint
    WHERE start_delay_ms IS NOT NULL OR alignment_ms IS NOT NULL OR sync_ms IS NOT NULL OR async_ms IS NOT NULL`);
  const phaseEvents = count(db, "SELECT count(*) AS n FROM event WHERE kind IN ('subtask.sync-done', 'subtask.async-done', 'barrier.aligned')");
  const bp = count(db, 'SELECT count(*) AS n FROM bp_sample');
  const flames = count(db, 'SELECT count(*) AS n FROM flame_profile');
  const list = (ids: string[]): string => (ids.length > 6 ? `${ids.slice(0, 6).join(', ')} and ${ids.length - 6} more` : ids.join(', '));
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    {
      key: 'jm-log',
      label: 'JobManager log',
      present: ofKind('flink-jm-log').length > 0,
      detail: ofKind('flink-jm-log').length > 0
        ? `${plural(ofKind('flink-jm-log').length, 'file')}: checkpoint triggers, completions and failures`
        : 'missing: checkpoint outcomes come only from REST dumps, if any',
    },
    {
      key: 'tm-logs',
      label: 'TaskManager logs',
      present: tmLogs.length > 0,
      detail: tmLogs.length === 0
        ? 'missing: no per-task view of snapshots, exceptions or restarts'
        : tmsWithoutLog.length > 0 ? `${plural(tmLogs.length, 'file')}; none for ${list(tmsWithoutLog)}` : plural(tmLogs.length, 'file'),
    },
    {
      key: 'gc-logs',
      label: 'GC logs',
      present: gcLogs.length > 0,
      detail: gcLogs.length === 0
        ? 'missing: GC pauses cannot be checked (enable -Xlog:gc* on the TaskManagers)'
        : tmsWithoutGc.length > 0
          ? `${plural(gcLogs.length, 'file')}; none for ${list(tmsWithoutGc)}`
          : `${plural(gcLogs.length, 'file')}${tms.some((t) => t.hasGc) ? '' : ' (not matched to TaskManager ids)'}`,
    },
    {
      key: 'checkpoint-phases',
      label: 'Per-subtask checkpoint phases',
      present: phaseRows > 0 || phaseEvents > 0,
      detail: phaseRows > 0 || phaseEvents > 0
        ? `${plural(phaseRows, 'subtask checkpoint')} with a phase split`
        : 'missing: no start delay / alignment / sync / async split (needs a REST checkpoint dump or DEBUG logging of the checkpointing classes)',
    },
    {
      key: 'backpressure',
      label: 'Backpressure',
      present: bp > 0,
      detail: bp > 0 ? plural(bp, 'sample') : 'missing: no REST backpressure dump or busy/backPressured metrics',
    },
    {
      key: 'flame',
      label: 'Flame graphs',
      present: flames > 0,
      detail: flames > 0 ? plural(flames, 'profile') : 'missing: no flame graph or profiler output',
    },
    {
      key: 'rest',
      label: 'REST dumps',
      present: ofKind('rest-json').length > 0,
      detail: ofKind('rest-json').length > 0 ? plural(ofKind('rest-json').length, 'file') : 'missing: no /jobs/…/checkpoints JSON',
    },
    {
      key: 'metrics',
      label: 'Metrics',
      present: ofKind('metrics').length > 0,
      detail: ofKind('metrics').length > 0 ? plural(ofKind('metrics').length, 'file') : 'missing: no metric reporter output',
    },
  ];
}
