import { parseDurationMs } from '../../common/duration.js';
import type { Db } from '../../store/database.js';
import type { EvidenceRef } from './types.js';
import { TimeFormatter, subtaskName } from './format.js';

/**
 * The read-only view of an incident that diagnosis rules share. Rules never see SQL or log text: they ask for
 * typed facts here. Every query runs over derived tables or indexed event kinds, and results are cached for
 * the run, so rules can ask freely.
 */

export type Attrs = Record<string, string | number | boolean | null>;

/** An event as forEachBriefEvent gives it. */
export interface BriefEvent {
  id: number;
  ts: number;
  tm: string | null;
  attrs: Attrs;
}

export interface EventFact {
  id: number;
  sourceId: number;
  line: number;
  ts: number;
  kind: string;
  template: string;
  level: number;
  job: string | null;
  checkpointId: number | null;
  vertexId: string | null;
  vertexName: string | null;
  subtask: number | null;
  attempt: string | null;
  /** The TaskManager the event is about: the one named in the line, else the TaskManager whose log it is. */
  tm: string | null;
  host: string | null;
  attrs: Attrs;
  component: string | null;
}

export interface CheckpointFact {
  job: string;
  jobName: string | null;
  id: number;
  triggerUs: number | null;
  endUs: number | null;
  outcome: string;
  durationMs: number | null;
  stateSize: number | null;
  checkpointedSize: number | null;
  type: string | null;
  failureReason: string | null;
  subtasksTotal: number | null;
  subtasksAcked: number | null;
  eventIds: number[];
  fromRest: boolean;
  /** How an outcome without a terminal line was inferred ('job-state', 'log-end'), if it was. */
  inferred: string | null;
}

export interface SubtaskFact {
  job: string;
  checkpointId: number;
  vertexId: string;
  vertexName: string | null;
  subtask: number;
  status: string;
  ackUs: number | null;
  endToEndMs: number | null;
  startDelayMs: number | null;
  alignmentMs: number | null;
  syncMs: number | null;
  asyncMs: number | null;
  stateSize: number | null;
  unaligned: boolean | null;
  late: boolean;
  declined: boolean;
  tm: string | null;
  host: string | null;
  attempt: string | null;
  phaseSource: string | null;
  eventIds: number[];
}

export interface GcPause {
  id: number;
  sourceId: number;
  line: number;
  jvm: string;
  tm: string | null;
  host: string | null;
  startUs: number;
  durationUs: number;
  kind: string;
  name: string;
  cause: string | null;
  heapBefore: number | null;
  heapAfter: number | null;
  heapMax: number | null;
  heapCommitted: number | null;
}

export interface GcJvm {
  jvm: string;
  tm: string | null;
  host: string | null;
  sourceId: number;
  pauses: number;
  fromUs: number | null;
  toUs: number | null;
}

/** Backpressure of one vertex in one time bucket: the vertex level is that of its worst subtask (flink-formats §5). */
export interface BpPoint {
  job: string | null;
  vertexKey: string;
  vertexName: string;
  ts: number;
  maxRatio: number | null;
  /** Id of the sample with the highest ratio in the bucket. */
  sampleId: number;
  avgBusy: number | null;
  avgIdle: number | null;
  /** Samples in the bucket (subtasks × reports). */
  subtasks: number;
  origin: string;
  /**
   * The ratio is measured (REST sampling, back-pressured time per second), not an `isBackPressured` gauge
   * reading (Flink 1.10–1.12 metrics): a gauge is one instant, true or false, and says backpressure was present,
   * not how much of the time.
   */
  measured: boolean;
}

export interface VertexInfo {
  key: string;
  name: string;
  parallelism: number | null;
}

export interface ConfigValue {
  key: string;
  value: string;
  sourceId: number;
  sourcePath: string;
}

export interface SourceFact {
  id: number;
  path: string;
  kind: string;
  component: string | null;
  tm: string | null;
  host: string | null;
  fromUs: number | null;
  toUs: number | null;
  lines: number;
}

export interface Coverage {
  jmLogs: number;
  tmLogs: number;
  gcLogs: number;
  restCheckpoints: boolean;
  restSubtasks: boolean;
  restConfig: boolean;
  metrics: boolean;
  bpSamples: boolean;
  planEdges: boolean;
  /** TaskManagers whose own log has DEBUG checkpoint-phase or barrier lines. */
  phaseDebugTms: Set<string>;
  phaseDebugAnywhere: boolean;
  /** TaskManagers with at least one GC event attributed to them. */
  gcTms: Set<string>;
  /** TaskManagers whose own log is in the bundle. */
  tmLogTms: Set<string>;
}

/** Stop-the-world GC classes that count as pauses. */
const PAUSE_CLASS = 'pause';

const PHASE_DEBUG_KINDS = [
  'subtask.checkpoint-start', 'subtask.sync-done', 'subtask.async-start', 'subtask.async-done', 'barrier.received',
  'barrier.alignment-start', 'barrier.aligned', 'barrier.triggered', 'subtask.backend-snapshot',
];

/** Failed-checkpoint reasons that are not about the data path: trigger-time refusals while tasks restart. */
const PRE_FLIGHT_REASONS = [
  'Not all required tasks are currently running', 'is not being executed at the moment', 'minimum time between checkpoints',
  'maximum number of queued checkpoint requests', 'maximum number of concurrent checkpoints', 'Periodic checkpoint scheduler is shut down',
  'Checkpoint Coordinator is suspending', 'CheckpointCoordinator shutdown', 'Another checkpoint request has already been queued',
];

/**
 * A bp_sample that is an `isBackPressured` gauge reading: a metric sample with a ratio of exactly 0 or 1 and no
 * busy time. Busy time and back-pressured time per second arrived together (Flink 1.13), so a 1.13+ metric
 * sample carries busy time; before 1.13 the gauge was the only backpressure metric.
 */
const GAUGE_SAMPLE = "origin = 'metric' AND busy IS NULL AND ratio IS NOT NULL AND ratio IN (0.0, 1.0)";

interface BpRow {
  job: string | null; vertex_id: string | null; vertex_name: string | null; bucket: number; max_ratio: number | null; id: number;
  avg_busy: number | null; avg_idle: number | null; subtasks: number; origin: string;
}

interface RawEvent {
  id: number; source_id: number; line: number; ts_us: number; kind: string; template: string; level: number; job: string | null;
  checkpoint_id: number | null; vertex_id: string | null; vertex_name: string | null; subtask: number | null; attempt: string | null;
  tm: string | null; host: string | null; attrs: string | null; source_tm: string | null; source_host: string | null; component: string | null;
}

function parseAttrs(text: string | null): Attrs {
  if (text === null) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Attrs) : {};
  } catch {
    return {};
  }
}

export function attrString(attrs: Attrs, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = attrs[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

export function attrNumber(attrs: Attrs, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = attrs[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

/** A configuration fact with where it came from; `source: 'default'` when the bundle did not log it. */
export interface Setting<T> {
  value: T;
  key: string;
  source: 'logged' | 'rest' | 'default';
  ref: EvidenceRef | undefined;
}

export class DiagnosisContext {
  private readonly cache = new Map<string, unknown>();
  readonly fmt: TimeFormatter;

  constructor(readonly db: Db) {
    const span = this.span();
    this.fmt = TimeFormatter.forSpan(span.fromUs, span.toUs);
  }

  private memo<T>(key: string, compute: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const value = compute();
    this.cache.set(key, value);
    return value;
  }

  time(us: number): string {
    return this.fmt.time(us);
  }

  span(): { fromUs: number | null; toUs: number | null } {
    return this.memo('span', () => {
      const row = this.db
        .prepare("SELECT min(time_from_us) AS f, max(time_to_us) AS t FROM source WHERE status = 'done'")
        .get() as { f: number | null; t: number | null };
      return { fromUs: row.f, toUs: row.t };
    });
  }

  sources(): SourceFact[] {
    return this.memo('sources', () =>
      (this.db
        .prepare("SELECT id, path, kind, component, tm_id, host, time_from_us, time_to_us, lines FROM source WHERE status = 'done' ORDER BY id")
        .all() as Array<{ id: number; path: string; kind: string; component: string | null; tm_id: string | null; host: string | null; time_from_us: number | null; time_to_us: number | null; lines: number }>)
        .map((s) => ({ id: s.id, path: s.path, kind: s.kind, component: s.component, tm: s.tm_id, host: s.host, fromUs: s.time_from_us, toUs: s.time_to_us, lines: s.lines })),
    );
  }

  /** The TaskManager's own log, when the bundle has it. */
  tmLogSource(tm: string): SourceFact | undefined {
    return this.sources().find((s) => s.tm === tm && (s.kind === 'flink-tm-log' || s.component === 'taskmanager'));
  }

  jobs(): Array<{ jobId: string; name: string | null }> {
    return this.memo('jobs', () =>
      (this.db.prepare('SELECT job_id, name FROM job ORDER BY job_id').all() as Array<{ job_id: string; name: string | null }>).map((j) => ({
        jobId: j.job_id, name: j.name,
      })),
    );
  }

  /** A job id for what metrics call the job (id, name, or nothing when the incident has one job). */
  resolveJob(label: string | null): string | null {
    const jobs = this.jobs();
    if (label === null) return jobs.length === 1 ? jobs[0]!.jobId : null;
    return jobs.find((j) => j.jobId === label)?.jobId ?? jobs.find((j) => j.name === label)?.jobId ?? label;
  }

  jobLabel(job: string | null): string {
    if (job === null) return 'the job';
    const name = this.jobs().find((j) => j.jobId === job)?.name;
    return name ?? `job ${job.slice(0, 8)}`;
  }

  taskManagers(): Array<{ tm: string; host: string | null }> {
    return this.memo('tms', () =>
      (this.db.prepare('SELECT tm_id, host FROM taskmanager ORDER BY tm_id').all() as Array<{ tm_id: string; host: string | null }>).map((t) => ({
        tm: t.tm_id, host: t.host,
      })),
    );
  }

  /** `tm-7` when the TaskManager's host is known and short, else its resource id. */
  tmLabel(tm: string | null): string {
    if (tm === null) return 'an unknown TaskManager';
    const host = this.taskManagers().find((t) => t.tm === tm)?.host;
    return host !== null && host !== undefined && host !== tm ? `${tm} (${host})` : tm;
  }

  coverage(): Coverage {
    return this.memo('coverage', () => {
      const count = (sql: string): number => (this.db.prepare(sql).get() as { n: number }).n;
      const sources = this.sources();
      // Phase lines come from TaskManager logs: which sources have any, then their TaskManagers.
      const debugSources = new Set(
        (this.db
          // One probe of event_kind_source per source and kind, instead of reading every phase event's row.
          .prepare(`SELECT s.id AS source_id FROM source s
            WHERE EXISTS (SELECT 1 FROM event e WHERE e.kind IN (${PHASE_DEBUG_KINDS.map(() => '?').join(',')}) AND e.source_id = s.id)`)
          .all(...PHASE_DEBUG_KINDS) as Array<{ source_id: number }>).map((r) => r.source_id),
      );
      const phaseDebugTms = new Set(sources.filter((s) => debugSources.has(s.id) && s.tm !== null).map((s) => s.tm!));
      const phaseDebugAnywhere =
        debugSources.size > 0 ||
        count(`SELECT count(*) AS n FROM (SELECT 1 FROM event WHERE kind IN ('subtask.sync-done','subtask.async-done','checkpoint.ack','checkpoint.subtask-stats') LIMIT 1)`) > 0;
      const gcTms = new Set(this.gcJvms().map((j) => j.tm).filter((tm): tm is string => tm !== null));
      return {
        jmLogs: sources.filter((s) => s.kind === 'flink-jm-log' || s.component === 'jobmanager').length,
        tmLogs: sources.filter((s) => s.kind === 'flink-tm-log' || s.component === 'taskmanager').length,
        gcLogs: sources.filter((s) => s.kind === 'gc-log').length,
        restCheckpoints: count('SELECT count(*) AS n FROM (SELECT 1 FROM rest_checkpoint LIMIT 1)') > 0,
        restSubtasks: count('SELECT count(*) AS n FROM (SELECT 1 FROM rest_subtask LIMIT 1)') > 0,
        restConfig: count("SELECT count(*) AS n FROM (SELECT 1 FROM config WHERE key LIKE 'rest.checkpoints.%' LIMIT 1)") > 0,
        metrics: count('SELECT count(*) AS n FROM (SELECT 1 FROM metric_sample LIMIT 1)') > 0,
        bpSamples: count('SELECT count(*) AS n FROM (SELECT 1 FROM bp_sample LIMIT 1)') > 0,
        planEdges: count('SELECT count(*) AS n FROM (SELECT 1 FROM plan_edge LIMIT 1)') > 0,
        phaseDebugTms,
        phaseDebugAnywhere,
        gcTms,
        tmLogTms: new Set(sources.filter((s) => s.tm !== null && (s.kind === 'flink-tm-log' || s.component === 'taskmanager')).map((s) => s.tm!)),
      };
    });
  }

  // ───────────── events ─────────────

  /** Events of the given kinds (indexed by kind), oldest first. */
  events(...kinds: string[]): EventFact[] {
    return this.memo(`events:${kinds.join(',')}`, () => {
      const rows = this.db
        .prepare(
          `SELECT e.id, e.source_id, e.line, e.ts_us, e.kind, e.template, e.level, e.job, e.checkpoint_id, e.vertex_id, e.vertex_name,
                  e.subtask, e.attempt, e.tm, e.host, e.attrs, s.tm_id AS source_tm, s.host AS source_host, s.component
             FROM event e JOIN source s ON s.id = e.source_id
            WHERE e.kind IN (${kinds.map(() => '?').join(',')}) ORDER BY e.ts_us, e.id`,
        )
        .all(...kinds) as RawEvent[];
      return rows.map((r) => this.toEvent(r));
    });
  }

  /**
   * Events of one kind, oldest first, cut down to id, time, TaskManager and the named attributes (strings): for
   * kinds that run to tens of thousands, where a rule counts and keeps a few (`eventsById` for those).
   */
  forEachBriefEvent(kind: string, attrNames: readonly string[], visit: (event: BriefEvent) => void): void {
    for (const name of attrNames) if (!/^\w+$/.test(name)) throw new Error(`attribute name '${name}'`);
    const extracts = attrNames.map((name) => `, e.attrs ->> '$.${name}'`).join('');
    const rows = this.db
      .prepare(
        `SELECT e.id, e.ts_us, coalesce(e.tm, CASE WHEN s.component = 'taskmanager' THEN s.tm_id END)${extracts}
           FROM event e JOIN source s ON s.id = e.source_id WHERE e.kind = ? ORDER BY e.ts_us, e.id`,
      )
      .raw();
    for (const row of rows.iterate(kind) as IterableIterator<unknown[]>) {
      const attrs: Attrs = {};
      attrNames.forEach((name, i) => {
        const value = row[3 + i];
        if (typeof value === 'string') attrs[name] = value;
      });
      visit({ id: row[0] as number, ts: row[1] as number, tm: (row[2] as string | null) ?? null, attrs });
    }
  }


  /** Task transitions to FAILED (filtered in SQL: a restarting job logs many other task transitions). */
  failedTasks(): EventFact[] {
    return this.memo('failedTasks', () =>
      (this.db
        .prepare(
          `SELECT e.id, e.source_id, e.line, e.ts_us, e.kind, e.template, e.level, e.job, e.checkpoint_id, e.vertex_id, e.vertex_name,
                  e.subtask, e.attempt, e.tm, e.host, e.attrs, s.tm_id AS source_tm, s.host AS source_host, s.component
             FROM event e JOIN source s ON s.id = e.source_id
            WHERE e.kind = 'task.state' AND e.attrs LIKE '%FAILED%' AND json_valid(e.attrs) AND json_extract(e.attrs, '$.to') = 'FAILED'
            ORDER BY e.ts_us, e.id`,
        )
        .all() as RawEvent[]).map((r) => this.toEvent(r)),
    );
  }

  /** Out-of-memory and fatal-error events, plus unmatched exceptions whose attributes name an OutOfMemoryError. */
  oomEvents(): EventFact[] {
    return this.memo('oomEvents', () =>
      (this.db
        .prepare(
          `SELECT e.id, e.source_id, e.line, e.ts_us, e.kind, e.template, e.level, e.job, e.checkpoint_id, e.vertex_id, e.vertex_name,
                  e.subtask, e.attempt, e.tm, e.host, e.attrs, s.tm_id AS source_tm, s.host AS source_host, s.component
             FROM event e JOIN source s ON s.id = e.source_id
            WHERE e.kind IN ('oom', 'fatal.error', 'fatal.uncaught') OR (e.kind = 'exception' AND e.attrs LIKE '%OutOfMemoryError%')
            ORDER BY e.ts_us, e.id`,
        )
        .all() as RawEvent[]).map((r) => this.toEvent(r)),
    );
  }

  eventsById(ids: readonly number[]): EventFact[] {
    if (ids.length === 0) return [];
    const out: EventFact[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      out.push(
        ...(this.db
          .prepare(
            `SELECT e.id, e.source_id, e.line, e.ts_us, e.kind, e.template, e.level, e.job, e.checkpoint_id, e.vertex_id, e.vertex_name,
                    e.subtask, e.attempt, e.tm, e.host, e.attrs, s.tm_id AS source_tm, s.host AS source_host, s.component
               FROM event e JOIN source s ON s.id = e.source_id WHERE e.id IN (${chunk.map(() => '?').join(',')})`,
          )
          .all(...chunk) as RawEvent[]).map((r) => this.toEvent(r)),
      );
    }
    return out.sort((a, b) => a.ts - b.ts || a.id - b.id);
  }

  private toEvent(r: RawEvent): EventFact {
    const fromTmLog = r.component === 'taskmanager';
    return {
      id: r.id, sourceId: r.source_id, line: r.line, ts: r.ts_us, kind: r.kind, template: r.template, level: r.level, job: r.job,
      checkpointId: r.checkpoint_id, vertexId: r.vertex_id, vertexName: r.vertex_name, subtask: r.subtask, attempt: r.attempt,
      tm: r.tm ?? (fromTmLog ? r.source_tm : null), host: r.host ?? (fromTmLog ? r.source_host : null), attrs: parseAttrs(r.attrs),
      component: r.component,
    };
  }

  eventRef(e: EventFact, label: string): EvidenceRef {
    return { type: 'event', id: e.id, sourceId: e.sourceId, line: e.line, ts: e.ts, label };
  }

  /**
   * The failure a task / job / restart event reports, as one phrase: `java.io.IOException: Connection reset by peer`.
   * Reads the structured attributes the log parser extracted from the message and its stack trace.
   */
  failureText(e: EventFact): string | undefined {
    const a = e.attrs;
    const rootClass = attrString(a, 'rootCauseClass', 'rootExceptionClass');
    const rootMessage = attrString(a, 'rootCauseMessage', 'rootExceptionMessage');
    if (rootClass !== undefined) return rootMessage !== undefined ? `${rootClass}: ${rootMessage}` : rootClass;
    const cls = attrString(a, 'exceptionClass', 'exception', 'causeClass');
    const message = attrString(a, 'exceptionMessage', 'causeMessage', 'message', 'cause', 'reason', 'oomText', 'diagnostics');
    if (cls !== undefined) return message !== undefined && !message.startsWith(cls) ? `${cls}: ${message}` : message ?? cls;
    return message;
  }

  // ───────────── checkpoints ─────────────

  checkpoints(): CheckpointFact[] {
    return this.memo('checkpoints', () =>
      (this.db
        .prepare(
          `SELECT c.*, j.name AS job_name FROM checkpoint c LEFT JOIN job j ON j.job_id = c.job
            ORDER BY c.trigger_us IS NULL, c.trigger_us, c.checkpoint_id`,
        )
        .all() as Array<{
          job: string; job_name: string | null; checkpoint_id: number; trigger_us: number | null; end_us: number | null; outcome: string;
          duration_ms: number | null; state_size: number | null; checkpointed_size: number | null; type: string | null;
          failure_reason: string | null; subtasks_total: number | null; subtasks_acked: number | null; evidence: string | null;
        }>)
        .map((c) => {
          const evidence = parseAttrsLoose(c.evidence);
          return {
            job: c.job, jobName: c.job_name, id: c.checkpoint_id, triggerUs: c.trigger_us, endUs: c.end_us, outcome: c.outcome,
            durationMs: c.duration_ms, stateSize: c.state_size, checkpointedSize: c.checkpointed_size, type: c.type,
            failureReason: c.failure_reason, subtasksTotal: c.subtasks_total, subtasksAcked: c.subtasks_acked,
            eventIds: Array.isArray(evidence.events) ? evidence.events.filter((x): x is number => typeof x === 'number') : [],
            fromRest: evidence.rest === true,
            inferred: typeof evidence.inferred === 'string' ? evidence.inferred : null,
          };
        }),
    );
  }

  /** Expired, declined or failed checkpoints that say something about the data path (not trigger-time refusals). */
  failedCheckpoints(): CheckpointFact[] {
    return this.checkpoints().filter((c) => (c.outcome === 'expired' || c.outcome === 'declined' || c.outcome === 'failed') && !this.isPreFlight(c));
  }

  isPreFlight(c: CheckpointFact): boolean {
    const reason = c.failureReason ?? '';
    return c.outcome === 'failed' && PRE_FLIGHT_REASONS.some((r) => reason.toLowerCase().includes(r.toLowerCase()));
  }

  checkpointRef(c: CheckpointFact, label?: string): EvidenceRef {
    return { type: 'checkpoint', key: `${c.job}/${c.id}`, ts: c.triggerUs ?? undefined, label: label ?? `checkpoint ${c.id} (${c.outcome})` };
  }

  subtasks(job: string, checkpointId: number): SubtaskFact[] {
    return (this.db
      .prepare('SELECT * FROM subtask_checkpoint WHERE job = ? AND checkpoint_id = ?')
      .all(job, checkpointId) as Array<Record<string, unknown>>).map(toSubtask);
  }

  /** Per-subtask rows of every checkpoint of a vertex that have the given column (for skew), bounded to the newest. */
  subtaskSeries(column: 'state_size' | 'end_to_end_ms', limitCheckpoints = 50): SubtaskFact[] {
    return this.memo(`series:${column}`, () =>
      (this.db
        .prepare(
          `SELECT sc.* FROM subtask_checkpoint sc
            WHERE sc.${column} IS NOT NULL AND sc.checkpoint_id IN (
              SELECT checkpoint_id FROM subtask_checkpoint WHERE ${column} IS NOT NULL GROUP BY checkpoint_id ORDER BY checkpoint_id DESC LIMIT ?)`,
        )
        .all(limitCheckpoints) as Array<Record<string, unknown>>).map(toSubtask),
    );
  }

  /**
   * The subtasks of a job that were deployed at a moment (latest attempt per subtask deployed before it), with the
   * TaskManager each ran on: the population a checkpoint needs acknowledgements from when REST is absent.
   */
  deployedSubtasks(job: string, atUs: number): Array<{ vertexId: string; vertexName: string | null; subtask: number; tm: string | null; host: string | null; attempt: string }> {
    const rows = this.memo(`deployed:${job}`, () =>
      this.db
        .prepare(
          `SELECT attempt_id, vertex_id, task_name, subtask, tm, host, first_seen_us FROM task_attempt
            WHERE job = ? AND vertex_id IS NOT NULL AND subtask IS NOT NULL ORDER BY first_seen_us`,
        )
        .all(job) as Array<{ attempt_id: string; vertex_id: string; task_name: string | null; subtask: number; tm: string | null; host: string | null; first_seen_us: number | null }>,
    );
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) if (r.first_seen_us === null || r.first_seen_us <= atUs) latest.set(`${r.vertex_id}\u0000${r.subtask}`, r);
    return [...latest.values()].map((r) => ({ vertexId: r.vertex_id, vertexName: r.task_name, subtask: r.subtask, tm: r.tm, host: r.host, attempt: r.attempt_id }));
  }

  subtaskRef(s: SubtaskFact, label?: string): EvidenceRef {
    return {
      type: 'subtask', key: `${s.job}/${s.checkpointId}/${s.vertexId}/${s.subtask}`, ts: s.ackUs ?? undefined,
      label: label ?? `${subtaskName(s.vertexName, s.vertexId, s.subtask, this.parallelismOf(s.job, s.vertexId))} in checkpoint ${s.checkpointId}: ${s.status}`,
    };
  }

  parallelismOf(job: string | null, vertexKey: string): number | null {
    const map = this.memo('parallelism', () => {
      const m = new Map<string, number>();
      for (const r of this.db.prepare('SELECT job, vertex_id, parallelism FROM vertex WHERE parallelism IS NOT NULL').all() as Array<{ job: string; vertex_id: string; parallelism: number }>) {
        m.set(`${r.job}\u0000${r.vertex_id}`, r.parallelism);
      }
      for (const r of this.db
        .prepare('SELECT job, vertex_id, max(parallelism) AS p FROM task_attempt WHERE vertex_id IS NOT NULL AND parallelism IS NOT NULL GROUP BY job, vertex_id')
        .all() as Array<{ job: string | null; vertex_id: string; p: number }>) {
        const key = `${r.job ?? ''}\u0000${r.vertex_id}`;
        if (!m.has(key)) m.set(key, r.p);
      }
      return m;
    });
    return map.get(`${job ?? ''}\u0000${vertexKey}`) ?? null;
  }

  subtaskLabel(s: { job: string; vertexId: string; vertexName: string | null; subtask: number }): string {
    return subtaskName(s.vertexName ?? this.vertexName(s.job, s.vertexId), s.vertexId, s.subtask, this.parallelismOf(s.job, s.vertexId));
  }

  vertexName(job: string | null, vertexKey: string): string {
    if (vertexKey.startsWith('name:')) return vertexKey.slice(5);
    const row = this.vertices(job).find((v) => v.key === vertexKey);
    return row?.name ?? vertexKey.slice(0, 8);
  }

  // ───────────── vertices and plan ─────────────

  /** Vertices of a job in pipeline order: plan edges from REST when present, else names (`Source` first, `Sink` last, deployment order). */
  vertices(job: string | null): VertexInfo[] {
    return this.memo(`vertices:${job ?? ''}`, () => {
      const byKey = new Map<string, VertexInfo & { order: number }>();
      let order = 0;
      const add = (key: string, name: string, parallelism: number | null, at: number): void => {
        const known = byKey.get(key);
        if (known === undefined) byKey.set(key, { key, name, parallelism, order: at });
        else {
          known.parallelism ??= parallelism;
          known.order = Math.min(known.order, at);
        }
      };
      const jobFilter = job === null ? '' : 'WHERE job = ?';
      const params = job === null ? [] : [job];
      for (const v of this.db.prepare(`SELECT vertex_id, name, parallelism FROM vertex ${jobFilter} ORDER BY rowid`).all(...params) as Array<{ vertex_id: string; name: string; parallelism: number | null }>) {
        add(v.vertex_id, v.name, v.parallelism, order++);
      }
      const deployed = this.db
        .prepare(
          `SELECT vertex_id, task_name, max(parallelism) AS p, min(first_seen_us) AS first FROM task_attempt
            WHERE vertex_id IS NOT NULL AND task_name IS NOT NULL ${job === null ? '' : 'AND job = ?'} GROUP BY vertex_id ORDER BY first`,
        )
        .all(...params) as Array<{ vertex_id: string; task_name: string; p: number | null }>;
      for (const v of deployed) add(v.vertex_id, v.task_name, v.p, 1000 + order++);
      const edges = this.planEdges(job);
      if (edges.length > 0) {
        const ranked = topologicalRanks([...byKey.keys()], edges);
        for (const [key, rank] of ranked) {
          const v = byKey.get(key);
          if (v !== undefined) v.order = rank;
        }
        return [...byKey.values()].sort((a, b) => a.order - b.order).map(({ key, name, parallelism }) => ({ key, name, parallelism }));
      }
      const role = (name: string): number => (/^Source\b/i.test(name) ? 0 : /(?:^|-> )Sink\b/i.test(name) || /^Sink\b/i.test(name) ? 2 : 1);
      return [...byKey.values()]
        .sort((a, b) => role(a.name) - role(b.name) || a.order - b.order)
        .map(({ key, name, parallelism }) => ({ key, name, parallelism }));
    });
  }

  planEdges(job: string | null): Array<{ from: string; to: string }> {
    return this.memo(`edges:${job ?? ''}`, () =>
      (this.db
        .prepare(`SELECT from_vertex, to_vertex FROM plan_edge ${job === null ? '' : 'WHERE job = ?'}`)
        .all(...(job === null ? [] : [job])) as Array<{ from_vertex: string; to_vertex: string }>).map((e) => ({ from: e.from_vertex, to: e.to_vertex })),
    );
  }

  /** Canonical vertex key for a name: the JobVertexID when REST or attempts told it, else `name:<name>`. */
  vertexKeyForName(job: string | null, name: string): string {
    const byName = this.memo('vertexByName', () => {
      const m = new Map<string, string>();
      for (const r of this.db.prepare('SELECT job, vertex_id, name FROM vertex').all() as Array<{ job: string; vertex_id: string; name: string }>) {
        if (!r.vertex_id.startsWith('name:')) {
          m.set(`${r.job}\u0000${r.name}`, r.vertex_id);
          m.set(`\u0000${r.name}`, r.vertex_id);
        }
      }
      return m;
    });
    return byName.get(`${job ?? ''}\u0000${name}`) ?? byName.get(`\u0000${name}`) ?? `name:${name}`;
  }

  // ───────────── backpressure ─────────────

  /**
   * Backpressure per vertex per time bucket, oldest first. Where a bucket has both measured ratios and
   * `isBackPressured` gauge readings, the measured ratio is the vertex's level.
   */
  backpressure(bucketUs = 30_000_000): BpPoint[] {
    return this.memo(`bp:${bucketUs}`, () => {
      const query = (measured: boolean): BpRow[] =>
        this.db
          .prepare(
            // max(ratio) is the only min/max aggregate, so the bare id, name and origin come from the worst sample.
            `SELECT job, vertex_id, vertex_name, CAST(ts_us / ? AS INTEGER) * ? AS bucket, max(ratio) AS max_ratio, id,
                    avg(busy) AS avg_busy, avg(idle) AS avg_idle, count(*) AS subtasks, origin
               FROM bp_sample WHERE ${measured ? 'NOT' : ''} (${GAUGE_SAMPLE})
              GROUP BY job, coalesce(vertex_id, vertex_name), bucket ORDER BY bucket`,
          )
          .all(bucketUs, bucketUs) as BpRow[];
      const key = (r: BpRow): string => `${r.job ?? ''}\u0000${r.vertex_id ?? r.vertex_name ?? ''}\u0000${r.bucket}`;
      const measured = query(true);
      const taken = new Set(measured.filter((r) => r.max_ratio !== null).map(key));
      const rows = [
        ...measured.map((r) => ({ r, measured: r.max_ratio !== null })),
        ...query(false).filter((r) => !taken.has(key(r))).map((r) => ({ r, measured: false })),
      ].sort((a, b) => a.r.bucket - b.r.bucket);
      return rows.map(({ r, measured: isMeasured }) => {
        const name = r.vertex_name ?? (r.vertex_id !== null ? this.vertexName(r.job, r.vertex_id) : 'unknown vertex');
        return {
          job: r.job, vertexKey: r.vertex_id ?? this.vertexKeyForName(r.job, name), vertexName: name, ts: r.bucket, maxRatio: r.max_ratio,
          sampleId: r.id, avgBusy: r.avg_busy, avgIdle: r.avg_idle, subtasks: r.subtasks, origin: r.origin, measured: isMeasured,
        };
      });
    });
  }

  /** Per-subtask busy ratio of one vertex over a time range (to tell a hot subtask from a hot vertex). */
  subtaskBusy(vertexKey: string, vertexName: string, fromUs: number, toUs: number): Array<{ subtask: number; avgBusy: number; sampleId: number }> {
    return (this.db
      .prepare(
        `SELECT subtask, avg(busy) AS avg_busy, max(id) AS id FROM bp_sample
          WHERE (vertex_id = ? OR (vertex_id IS NULL AND vertex_name = ?)) AND ts_us BETWEEN ? AND ? AND busy IS NOT NULL AND subtask IS NOT NULL
          GROUP BY subtask ORDER BY subtask`,
      )
      .all(vertexKey, vertexName, fromUs, toUs) as Array<{ subtask: number; avg_busy: number; id: number }>).map((r) => ({
      subtask: r.subtask, avgBusy: r.avg_busy, sampleId: r.id,
    }));
  }

  // ───────────── GC ─────────────

  gcJvms(): GcJvm[] {
    return this.memo('gcJvms', () =>
      (this.db
        .prepare(
          `SELECT g.jvm, s.tm_id, s.host, min(g.source_id) AS source_id, sum(g.class = '${PAUSE_CLASS}') AS pauses, min(g.start_us) AS f, max(g.start_us) AS t
             FROM gc_event g JOIN source s ON s.id = g.source_id GROUP BY g.jvm, s.tm_id`,
        )
        .all() as Array<{ jvm: string; tm_id: string | null; host: string | null; source_id: number; pauses: number; f: number | null; t: number | null }>)
        .map((r) => ({
          jvm: r.jvm, tm: r.tm_id ?? (this.taskManagers().some((t) => t.tm === r.jvm) ? r.jvm : null), host: r.host, sourceId: r.source_id,
          pauses: r.pauses, fromUs: r.f, toUs: r.t,
        })),
    );
  }

  private pauseSelect =
    `SELECT g.id, g.source_id, g.line, g.jvm, s.tm_id, s.host, g.start_us, g.duration_us, g.kind, g.name, g.cause, g.heap_before, g.heap_after,
            g.heap_max, g.heap_committed FROM gc_event g JOIN source s ON s.id = g.source_id`;

  private toPause(r: Record<string, unknown>): GcPause {
    const jvm = r.jvm as string;
    const tm = (r.tm_id as string | null) ?? (this.taskManagers().some((t) => t.tm === jvm) ? jvm : null);
    return {
      id: r.id as number, sourceId: r.source_id as number, line: r.line as number, jvm, tm, host: r.host as string | null,
      startUs: r.start_us as number, durationUs: r.duration_us as number, kind: r.kind as string, name: r.name as string,
      cause: r.cause as string | null, heapBefore: r.heap_before as number | null, heapAfter: r.heap_after as number | null,
      heapMax: r.heap_max as number | null, heapCommitted: r.heap_committed as number | null,
    };
  }

  /** Anchored stop-the-world pauses of at least `minDurationUs`, over the whole incident. */
  longPauses(minDurationUs: number): GcPause[] {
    return this.memo(`long:${minDurationUs}`, () =>
      (this.db
        .prepare(`${this.pauseSelect} WHERE g.class = '${PAUSE_CLASS}' AND g.start_us IS NOT NULL AND g.duration_us >= ? ORDER BY g.start_us`)
        .all(minDurationUs) as Array<Record<string, unknown>>).map((r) => this.toPause(r)),
    );
  }

  /** Pauses of one TaskManager's JVM (or of a JVM key) that overlap [fromUs, toUs]. */
  pausesOn(tmOrJvm: string, fromUs: number, toUs: number, minDurationUs = 0): GcPause[] {
    const jvms = this.gcJvms().filter((j) => j.tm === tmOrJvm || j.jvm === tmOrJvm).map((j) => j.jvm);
    if (jvms.length === 0) return [];
    return (this.db
      .prepare(
        `${this.pauseSelect} WHERE g.jvm IN (${jvms.map(() => '?').join(',')}) AND g.class = '${PAUSE_CLASS}' AND g.start_us IS NOT NULL
           AND g.start_us < ? AND g.start_us > ? AND g.start_us + g.duration_us > ? AND g.duration_us >= ? ORDER BY g.start_us`,
      )
      // No stop-the-world pause lasts an hour: the lower bound lets the (jvm, start_us) index narrow the scan.
      .all(...jvms, toUs, fromUs - 3_600_000_000, fromUs, minDurationUs) as Array<Record<string, unknown>>).map((r) => this.toPause(r));
  }

  /** Pause time per JVM per window of `windowUs` (offset by `offsetUs`), pauses split across window edges. */
  pauseShare(windowUs: number, offsetUs: number): Array<{ jvm: string; windowStartUs: number; pausedUs: number; pauses: number; longestId: number }> {
    return this.memo(`share:${windowUs}:${offsetUs}`, () => {
      const rows = this.db
        .prepare(
          // Parameters bind as REAL: CAST makes the window number an integer.
          `SELECT jvm, CAST((start_us - ?) / ? AS INTEGER) AS w, sum(min(duration_us, (CAST((start_us - ?) / ? AS INTEGER) + 1) * ? + ? - start_us)) AS paused, count(*) AS n,
                  id AS longest, max(duration_us) AS longest_us
             FROM gc_event WHERE class = '${PAUSE_CLASS}' AND start_us IS NOT NULL GROUP BY jvm, w`,
        )
        .all(offsetUs, windowUs, offsetUs, windowUs, windowUs, offsetUs) as Array<{ jvm: string; w: number; paused: number; n: number; longest: number }>;
      const byKey = new Map(rows.map((r) => [`${r.jvm}\u0000${r.w}`, { jvm: r.jvm, windowStartUs: r.w * windowUs + offsetUs, pausedUs: r.paused, pauses: r.n, longestId: r.longest }]));
      // Pauses that run past their window's end: carry the rest into the following windows.
      const crossing = this.db
        .prepare(
          `SELECT jvm, start_us, duration_us, id FROM gc_event WHERE class = '${PAUSE_CLASS}' AND start_us IS NOT NULL
              AND start_us + duration_us > (CAST((start_us - ?) / ? AS INTEGER) + 1) * ? + ?`,
        )
        .all(offsetUs, windowUs, windowUs, offsetUs) as Array<{ jvm: string; start_us: number; duration_us: number; id: number }>;
      for (const p of crossing) {
        const end = p.start_us + p.duration_us;
        let w = Math.floor((p.start_us - offsetUs) / windowUs) + 1;
        while (w * windowUs + offsetUs < end) {
          const ws = w * windowUs + offsetUs;
          const part = Math.min(end, ws + windowUs) - ws;
          const key = `${p.jvm}\u0000${w}`;
          const entry = byKey.get(key) ?? { jvm: p.jvm, windowStartUs: ws, pausedUs: 0, pauses: 0, longestId: p.id };
          entry.pausedUs += part;
          byKey.set(key, entry);
          w++;
        }
      }
      return [...byKey.values()].sort((a, b) => a.windowStartUs - b.windowStartUs);
    });
  }

  /**
   * The floor of heap occupancy after GC per window (the lowest heap-after value: live data, not garbage not yet
   * collected), per JVM, oldest first; `pauses` counts the pauses with a heap-after value in the window.
   */
  heapFloor(jvm: string, windowUs: number): Array<{ id: number; ts: number; heapAfter: number; heapMax: number | null; pauses: number }> {
    return (this.db
      .prepare(
        // min(heap_after) is the only min/max aggregate, so the bare id and start come from the lowest pause.
        `SELECT CAST(start_us / ? AS INTEGER) AS w, min(heap_after) AS heap_after, id, start_us, coalesce(heap_max, heap_committed) AS heap_max, count(*) AS n
           FROM gc_event WHERE jvm = ? AND class = '${PAUSE_CLASS}' AND start_us IS NOT NULL AND heap_after IS NOT NULL GROUP BY w ORDER BY w`,
      )
      .all(windowUs, jvm) as Array<{ id: number; start_us: number; heap_after: number; heap_max: number | null; n: number }>).map((r) => ({
      id: r.id, ts: r.start_us, heapAfter: r.heap_after, heapMax: r.heap_max, pauses: r.n,
    }));
  }

  /** Full-GC pauses, oldest first. */
  fullPauses(): GcPause[] {
    return this.memo('fullPauses', () =>
      (this.db
        .prepare(`${this.pauseSelect} WHERE g.class = '${PAUSE_CLASS}' AND g.kind = 'full' AND g.start_us IS NOT NULL ORDER BY g.start_us`)
        .all() as Array<Record<string, unknown>>).map((r) => this.toPause(r)),
    );
  }

  gcRef(p: GcPause, label?: string): EvidenceRef {
    return {
      type: 'gc', id: p.id, sourceId: p.sourceId, line: p.line, ts: p.startUs,
      label: label ?? `${p.kind} GC pause ${(p.durationUs / 1e6).toFixed(1)} s at ${this.time(p.startUs)} on ${p.tm ?? p.jvm}`,
    };
  }

  // ───────────── metrics ─────────────

  /** Average of a per-subtask metric per (job, task, subtask) over the incident. */
  metricPerSubtask(name: string): Array<{ job: string | null; taskName: string; subtask: number; avg: number; min: number; max: number; samples: number; sampleId: number }> {
    return this.memo(`metricPerSubtask:${name}`, () =>
      (this.db
        .prepare(
          `SELECT job, task_name, subtask, avg(value) AS avg, min(value) AS mn, max(value) AS mx, count(*) AS n, max(id) AS id FROM metric_sample
            WHERE name = ? AND task_name IS NOT NULL AND subtask IS NOT NULL GROUP BY job, task_name, subtask`,
        )
        .all(name) as Array<{ job: string | null; task_name: string; subtask: number; avg: number; mn: number; mx: number; n: number; id: number }>).map((r) => ({
        job: r.job, taskName: r.task_name, subtask: r.subtask, avg: r.avg, min: r.mn, max: r.mx, samples: r.n, sampleId: r.id,
      })),
    );
  }

  /** Cumulative JVM GC time counters (`Status.JVM.GarbageCollector.<collector>.Time`) per TaskManager, oldest first. */
  gcTimeMetrics(): Array<{ tm: string | null; host: string | null; scope: string; ts: number; valueMs: number; id: number }> {
    return this.memo('gcTimeMetrics', () =>
      (this.db
        .prepare(
          // The range lets the name index find the counters (LIKE ignores case, so it cannot); the parsers store
          // these names as Flink spells them.
          `SELECT tm, host, scope, ts_us, value, id FROM metric_sample
            WHERE name >= 'Status.JVM.GarbageCollector.' AND name < 'Status.JVM.GarbageCollector/'
              AND name LIKE 'Status.JVM.GarbageCollector.%.Time' AND name NOT LIKE '%.All.Time' ORDER BY scope, ts_us`,
        )
        .all() as Array<{ tm: string | null; host: string | null; scope: string; ts_us: number; value: number; id: number }>).map((r) => ({
        tm: r.tm, host: r.host, scope: r.scope, ts: r.ts_us, valueMs: r.value, id: r.id,
      })),
    );
  }

  // ───────────── configuration ─────────────

  configValues(): Map<string, ConfigValue> {
    return this.memo('config', () => {
      const m = new Map<string, ConfigValue>();
      // JobManager sources win over TaskManager ones; among equals the newest source wins.
      for (const r of this.db
        .prepare(
          `SELECT c.key, c.value, c.source_id, s.path FROM config c JOIN source s ON s.id = c.source_id
            ORDER BY (s.component = 'jobmanager' OR s.kind = 'flink-jm-log' OR c.key LIKE 'rest.%'), s.id`,
        )
        .all() as Array<{ key: string; value: string; source_id: number; path: string }>) {
        m.set(r.key, { key: r.key, value: r.value, sourceId: r.source_id, sourcePath: r.path });
      }
      return m;
    });
  }

  private lookup(keys: readonly string[]): ConfigValue | undefined {
    const config = this.configValues();
    for (const key of keys) {
      const v = config.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  configRef(c: ConfigValue): EvidenceRef {
    // The line that logged the value: looked up in its source only (each TaskManager logs its whole configuration).
    const line = this.db
      .prepare(
        `SELECT line, ts_us FROM event WHERE kind = 'config.property' AND source_id = ? AND attrs ->> '$.key' = ?
          ORDER BY ts_us, id LIMIT 1`,
      )
      .get(c.sourceId, c.key) as { line: number; ts_us: number } | undefined;
    const label = `${c.key}: ${c.value}`;
    return line !== undefined
      ? { type: 'line', sourceId: c.sourceId, line: line.line, ts: line.ts_us, key: c.key, label }
      : { type: 'source', id: c.sourceId, key: c.key, label: `${label} (from ${c.sourcePath})` };
  }

  private setting<T>(keys: readonly string[], parse: (text: string) => T | undefined, fallback: T): Setting<T> {
    const found = this.lookup(keys);
    if (found !== undefined) {
      const value = parse(found.value);
      if (value !== undefined) return { value, key: found.key, source: found.key.startsWith('rest.') ? 'rest' : 'logged', ref: this.configRef(found) };
    }
    return { value: fallback, key: keys[0]!, source: 'default', ref: undefined };
  }

  checkpointTimeoutMs(): Setting<number> {
    return this.memo('cfg:timeout', () => this.setting(['execution.checkpointing.timeout', 'rest.checkpoints.timeout'], parseDurationMs, 600_000));
  }

  checkpointIntervalMs(): Setting<number | null> {
    return this.memo('cfg:interval', () =>
      this.setting<number | null>(['execution.checkpointing.interval', 'rest.checkpoints.interval'], (t) => parseDurationMs(t) ?? undefined, null),
    );
  }

  minPauseMs(): Setting<number> {
    return this.memo('cfg:minPause', () =>
      this.setting(['execution.checkpointing.min-pause', 'rest.checkpoints.min_pause'], parseDurationMs, 0),
    );
  }

  maxConcurrent(): Setting<number> {
    return this.memo('cfg:maxConcurrent', () =>
      this.setting(['execution.checkpointing.max-concurrent-checkpoints', 'rest.checkpoints.max_concurrent'], parseIntSafe, 1),
    );
  }

  unalignedEnabled(): Setting<boolean> {
    return this.memo('cfg:unaligned', () =>
      this.setting(
        ['execution.checkpointing.unaligned', 'execution.checkpointing.unaligned.enabled', 'rest.checkpoints.unaligned_checkpoints'],
        parseBool,
        false,
      ),
    );
  }

  tolerableFailures(): Setting<number> {
    return this.memo('cfg:tolerable', () =>
      this.setting(['execution.checkpointing.tolerable-failed-checkpoints', 'rest.checkpoints.tolerable_failed_checkpoints'], parseIntSafe, 0),
    );
  }

  stateBackend(): Setting<string | null> {
    return this.memo('cfg:backend', () =>
      this.setting<string | null>(['state.backend.type', 'state.backend', 'rest.checkpoints.state_backend'], (t) => t, null),
    );
  }

  incrementalCheckpoints(): Setting<boolean> {
    return this.memo('cfg:incremental', () =>
      this.setting(['state.backend.incremental', 'execution.checkpointing.incremental'], parseBool, false),
    );
  }

  heartbeatTimeoutMs(): Setting<number> {
    return this.memo('cfg:heartbeat', () => this.setting(['heartbeat.timeout'], parseDurationMs, 50_000));
  }

  describeSetting<T>(s: Setting<T>, show: (value: T) => string): string {
    return s.source === 'default' ? `${s.key} = ${show(s.value)} (Flink's default; not in the bundle)` : `${s.key} = ${show(s.value)}`;
  }
}

function parseIntSafe(text: string): number | undefined {
  const n = Number(text.trim());
  return Number.isInteger(n) ? n : undefined;
}

function parseBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

function parseAttrsLoose(text: string | null): Record<string, unknown> {
  if (text === null) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toSubtask(r: Record<string, unknown>): SubtaskFact {
  const evidence = (() => {
    try {
      const v = JSON.parse((r.evidence as string | null) ?? '[]') as unknown;
      return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
    } catch {
      return [];
    }
  })();
  return {
    job: r.job as string, checkpointId: r.checkpoint_id as number, vertexId: r.vertex_id as string, vertexName: r.vertex_name as string | null,
    subtask: r.subtask as number, status: r.status as string, ackUs: r.ack_us as number | null, endToEndMs: r.end_to_end_ms as number | null,
    startDelayMs: r.start_delay_ms as number | null, alignmentMs: r.alignment_ms as number | null, syncMs: r.sync_ms as number | null,
    asyncMs: r.async_ms as number | null, stateSize: r.state_size as number | null,
    unaligned: r.unaligned === null ? null : r.unaligned === 1, late: r.late === 1, declined: r.declined === 1,
    tm: r.tm as string | null, host: r.host as string | null, attempt: r.attempt as string | null, phaseSource: r.phase_source as string | null,
    eventIds: evidence,
  };
}

/** Longest-path rank of each vertex from the sources of the plan. */
function topologicalRanks(keys: readonly string[], edges: ReadonlyArray<{ from: string; to: string }>): Map<string, number> {
  const all = new Set([...keys, ...edges.flatMap((e) => [e.from, e.to])]);
  const rank = new Map<string, number>([...all].map((k) => [k, 0]));
  for (let pass = 0; pass < all.size; pass++) {
    let changed = false;
    for (const e of edges) {
      const next = rank.get(e.from)! + 1;
      if (next > rank.get(e.to)! && next <= all.size) {
        rank.set(e.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return rank;
}
