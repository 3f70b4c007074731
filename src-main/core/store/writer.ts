import type { Statement } from 'better-sqlite3';
import type {
  BackpressureSampleRecord,
  EventRecord,
  FlameProfileRecord,
  GcEventRecord,
  JobVertexRecord,
  MetricSampleRecord,
  ParseWarning,
  PlanEdgeRecord,
  RestCheckpointRecord,
  RestSubtaskCheckpointRecord,
} from '../model/records.js';
import type { Detection, SourceFacts } from '../model/source.js';
import type { Db } from './database.js';
import type { EncodedBlock } from './log-blocks.js';

export interface NewSource {
  /** The row id to use (the ingest numbers sources in walk order); otherwise the next free one. */
  id?: number;
  path: string;
  detection: Detection;
  sha256: string;
  bytes: number;
  tz: string;
  clockOffsetUs: number;
}

export interface SourceTotals {
  sha256: string;
  bytes: number;
  lines: number;
  events: number;
  warnings: number;
  timeFromUs: number | null;
  timeToUs: number | null;
}

/** Statuses of a source whose ingest ended with something kept: its checksum makes a re-import of the same bytes a no-op. */
const FINISHED_STATUSES: readonly string[] = ['done', 'listed'];

export function isFinished(status: string): boolean {
  return FINISHED_STATUSES.includes(status);
}

const bool = (value: boolean | undefined): number | null => (value === undefined ? null : value ? 1 : 0);
const opt = <T>(value: T | undefined): T | null => (value === undefined || (typeof value === 'number' && Number.isNaN(value)) ? null : value);

/** Every statement the writer runs, prepared on first use: a small source needs few of them. */
const SQL = {
  hasSha: 'SELECT id, status FROM source WHERE sha256 = ?',
  hasSize: `SELECT 1 FROM source WHERE bytes = ? AND status IN (${FINISHED_STATUSES.map((status) => `'${status}'`).join(', ')}) LIMIT 1`,
  deleteSource: 'DELETE FROM source WHERE id = ?',
  insertSource: `INSERT INTO source (id, path, kind, format, reason, sha256, bytes, tz, clock_offset_us, status, ingested_at)
    VALUES (@id, @path, @kind, @format, @reason, @sha256, @bytes, @tz, @clockOffsetUs, @status, @ingestedAt)`,
  finishSource: `UPDATE source SET sha256=@sha256, bytes=@bytes, lines=@lines, events=@events, warnings=@warnings, status=@status,
    time_from_us=@timeFromUs, time_to_us=@timeToUs WHERE id=@id`,
  facts: `UPDATE source SET host=coalesce(@host,host), component=coalesce(@component,component), tm_id=coalesce(@tmId,tm_id),
    flink_version=coalesce(@flinkVersion,flink_version), jvm=coalesce(@jvm,jvm), jvm_start_us=coalesce(@jvmStartUs,jvm_start_us),
    gc_collector=coalesce(@gcCollector,gc_collector), time_anchor=coalesce(@timeAnchor,time_anchor),
    time_confidence=coalesce(@timeConfidence,time_confidence), facts=@facts WHERE id=@id`,
  getFacts: 'SELECT facts FROM source WHERE id = ?',
  config: 'INSERT OR REPLACE INTO config (source_id, key, value) VALUES (?, ?, ?)',
  warning: 'INSERT INTO warning (source_id, path, line, message) VALUES (?, ?, ?, ?)',
  block: `INSERT INTO log_block (source_id, block_no, first_line, line_count, ts_min_us, ts_max_us,
    n_trace, n_debug, n_info, n_warn, n_error, codec, line_index, text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  event: `INSERT INTO event (source_id, line, line_count, ts_us, kind, template, level, job, checkpoint_id,
    vertex_id, vertex_name, subtask, attempt, tm, host, attrs) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  gc: `INSERT INTO gc_event (source_id, jvm, line, line_count, start_us, uptime_us, duration_us, class, kind, name, cause,
    gc_id, heap_before, heap_after, heap_committed, heap_max, time_confidence, time_basis, flags)
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  bp: `INSERT INTO bp_sample (source_id, ts_us, job, vertex_id, vertex_name, subtask, ratio, busy, idle, level, origin)
    VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
  metric: `INSERT INTO metric_sample (source_id, ts_us, scope, name, value, host, tm, job, task_name, subtask)
    VALUES (?,?,?,?,?,?,?,?,?,?)`,
  restCheckpoint: `INSERT OR REPLACE INTO rest_checkpoint (job, checkpoint_id, source_id, status, is_savepoint, checkpoint_type,
    trigger_us, latest_ack_us, failure_us, failure_message, end_to_end_ms, state_size, checkpointed_size, processed_data,
    persisted_data, num_subtasks, num_acknowledged, external_path) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  restSubtask: `INSERT OR REPLACE INTO rest_subtask (job, checkpoint_id, vertex_id, subtask, source_id, status, ack_us,
    end_to_end_ms, state_size, checkpointed_size, sync_ms, async_ms, alignment_ms, alignment_processed, alignment_persisted,
    start_delay_ms, unaligned, aborted) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  job: 'INSERT INTO job (job_id, name) VALUES (?, ?) ON CONFLICT(job_id) DO UPDATE SET name = coalesce(excluded.name, name)',
  vertex: `INSERT INTO vertex (job, vertex_id, name, parallelism, max_parallelism) VALUES (?,?,?,?,?)
    ON CONFLICT(job, vertex_id) DO UPDATE SET name = excluded.name,
    parallelism = coalesce(excluded.parallelism, parallelism), max_parallelism = coalesce(excluded.max_parallelism, max_parallelism)`,
  edge: 'INSERT OR IGNORE INTO plan_edge (job, from_vertex, to_vertex, ship_strategy) VALUES (?,?,?,?)',
  profile: `INSERT INTO flame_profile (source_id, format, mode, start_us, end_us, time_exact, tm, host, vertex_id, subtask, samples, title)
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
  frameLookup: 'SELECT id FROM flame_frame WHERE name = ? AND type = ?',
  frameInsert: 'INSERT INTO flame_frame (name, type) VALUES (?, ?)',
  stack: 'INSERT INTO flame_stack (profile_id, stack_no, frames, weight, thread) VALUES (?,?,?,?,?)',
  sample: 'INSERT INTO flame_sample (profile_id, ts_us, stack_no, weight) VALUES (?,?,?,?)',
} as const;
type StatementName = keyof typeof SQL;

/**
 * The only code that writes ingested records. One source is written inside one transaction: a failed or
 * cancelled source rolls back whole and leaves the incident as it was before (then `recordFailure` keeps a
 * 'failed' row and its warnings so the user sees what happened).
 */
export class IncidentWriter {
  private readonly prepared = new Map<StatementName, Statement>();
  private sourceId = 0;
  private sourcePath = '';
  private frameIds = new Map<string, number>();

  constructor(private readonly db: Db) {}

  private stmt(name: StatementName): Statement {
    let statement = this.prepared.get(name);
    if (statement === undefined) {
      statement = this.db.prepare(SQL[name]);
      this.prepared.set(name, statement);
    }
    return statement;
  }

  /** 'done' sources with this checksum make re-import a no-op; earlier failed attempts are replaced. */
  alreadyIngested(sha256: string): boolean {
    const row = this.stmt('hasSha').get(sha256) as { id: number; status: string } | undefined;
    if (row === undefined) return false;
    if (isFinished(row.status)) return true;
    this.stmt('deleteSource').run(row.id);
    return false;
  }

  private insertSource(source: NewSource, status: 'ingesting' | 'listed' | 'failed'): number {
    const info = this.stmt('insertSource').run({
      id: source.id ?? null,
      path: source.path,
      kind: source.detection.kind,
      format: source.detection.format,
      reason: source.detection.reason,
      sha256: source.sha256,
      bytes: source.bytes,
      tz: source.tz,
      clockOffsetUs: source.clockOffsetUs,
      status,
      ingestedAt: new Date().toISOString(),
    });
    return Number(info.lastInsertRowid);
  }

  beginSource(source: NewSource, status: 'ingesting' | 'listed' = 'ingesting'): number {
    this.db.exec('BEGIN');
    this.sourceId = this.insertSource(source, status);
    this.sourcePath = source.path;
    return this.sourceId;
  }

  /** The highest source id so far (0 in a new incident). */
  maxSourceId(): number {
    return (this.db.prepare('SELECT coalesce(max(id), 0) AS n FROM source').get() as { n: number }).n;
  }

  hasSourceOfSize(bytes: number): boolean {
    return this.stmt('hasSize').get(bytes) !== undefined;
  }

  /** A finished source with this checksum exists (other than the one being written). */
  isDuplicate(sha256: string): boolean {
    const row = this.stmt('hasSha').get(sha256) as { id: number; status: string } | undefined;
    if (row === undefined || row.id === this.sourceId) return false;
    if (isFinished(row.status)) return true;
    this.stmt('deleteSource').run(row.id); // an earlier failed attempt: this one replaces it
    return false;
  }

  commitSource(totals: SourceTotals, status: 'done' | 'listed' = 'done'): void {
    this.stmt('finishSource').run({ id: this.sourceId, status, ...totals });
    this.db.exec('COMMIT');
  }

  rollbackSource(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.frameIds.clear();
  }

  /** Keeps a visible trace of a source that could not be ingested (outside the rolled-back transaction). */
  recordFailure(source: NewSource, warnings: readonly ParseWarning[], error: string): void {
    this.db.transaction(() => {
      const id = this.insertSource(source, 'failed');
      for (const w of warnings) this.stmt('warning').run(id, source.path, w.line ?? null, w.message);
      this.stmt('warning').run(id, source.path, null, error);
      this.db.prepare('UPDATE source SET warnings = ? WHERE id = ?').run(warnings.length + 1, id);
    })();
  }

  /** Adds facts and warnings to source `id` (a later part of a source read in parts, or what the whole file owes), inside the caller's transaction. */
  amendSource(id: number, facts: readonly SourceFacts[], warnings: readonly ParseWarning[]): void {
    this.sourceId = id;
    this.sourcePath = (this.db.prepare('SELECT path FROM source WHERE id = ?').get(id) as { path: string }).path;
    for (const f of facts) this.facts(f);
    for (const w of warnings) this.warning(w);
    this.db.prepare('UPDATE source SET warnings = warnings + ? WHERE id = ?').run(warnings.length, id);
  }

  /** A warning not tied to an ingested source (bad archive entry, skipped file). */
  bundleWarning(path: string, message: string): void {
    this.stmt('warning').run(null, path, null, message);
  }

  facts(facts: SourceFacts): void {
    const existing = this.stmt('getFacts').get(this.sourceId) as { facts: string | null };
    const merged = { ...(existing.facts ? (JSON.parse(existing.facts) as SourceFacts) : {}), ...facts };
    if (facts.config !== undefined) {
      for (const [key, value] of Object.entries(facts.config)) this.stmt('config').run(this.sourceId, key, value);
      delete merged.config;
    }
    this.stmt('facts').run({
      id: this.sourceId,
      host: facts.host ?? null,
      component: facts.component ?? null,
      tmId: facts.tmResourceId ?? null,
      flinkVersion: facts.flinkVersion ?? null,
      jvm: facts.jvm ?? null,
      jvmStartUs: facts.jvmStartUs ?? null,
      gcCollector: facts.gcCollector ?? null,
      timeAnchor: facts.timeAnchor ?? null,
      timeConfidence: facts.timeConfidence ?? null,
      facts: JSON.stringify(merged),
    });
  }

  warning(warning: ParseWarning): void {
    this.stmt('warning').run(this.sourceId, this.sourcePath, warning.line ?? null, warning.message);
  }

  block(b: EncodedBlock): void {
    this.stmt('block').run(
      this.sourceId, b.blockNo, b.firstLine, b.lineCount, b.tsMinUs, b.tsMaxUs,
      b.levelCounts[0], b.levelCounts[1], b.levelCounts[2], b.levelCounts[3], b.levelCounts[4], b.codec, b.lineIndex, b.text,
    );
  }

  event(e: EventRecord): void {
    // Parallelism and attempt number have no column of their own: they travel in attrs.
    const attrs = e.parallelism === undefined && e.attemptNumber === undefined
      ? e.attrs
      : { ...e.attrs, ...(e.parallelism !== undefined && { parallelism: e.parallelism }), ...(e.attemptNumber !== undefined && { attemptNumber: e.attemptNumber }) };
    this.stmt('event').run(
      this.sourceId, e.line, e.lineCount, e.ts, e.kind, e.template, e.level, opt(e.job), opt(e.checkpointId),
      opt(e.vertexId), opt(e.vertexName), opt(e.subtask), opt(e.attempt), opt(e.tm), opt(e.host),
      attrs === undefined ? null : JSON.stringify(attrs),
    );
  }

  gc(e: GcEventRecord, jvm: string): void {
    this.stmt('gc').run(
      this.sourceId, jvm, e.line, e.lineCount, opt(e.start), opt(e.uptimeUs), e.durationUs, e.eventClass, e.kind, e.name,
      opt(e.cause), opt(e.gcId), opt(e.heapBeforeBytes), opt(e.heapAfterBytes), opt(e.heapCommittedBytes),
      opt(e.heapMaxBytes), e.timeConfidence, e.timeBasis, e.flags === undefined ? null : JSON.stringify(e.flags),
    );
  }

  backpressure(b: BackpressureSampleRecord): void {
    this.stmt('bp').run(
      this.sourceId, b.ts, opt(b.job), opt(b.vertexId), opt(b.vertexName), opt(b.subtask), opt(b.ratio), opt(b.busy),
      opt(b.idle), opt(b.level), b.origin,
    );
  }

  metric(m: MetricSampleRecord): void {
    this.stmt('metric').run(
      this.sourceId, m.ts, m.scope, m.name, m.value, opt(m.host), opt(m.tm), opt(m.job), opt(m.taskName), opt(m.subtask),
    );
  }

  restCheckpoint(r: RestCheckpointRecord): void {
    this.stmt('restCheckpoint').run(
      r.job, r.checkpointId, this.sourceId, r.status, bool(r.isSavepoint), opt(r.checkpointType), opt(r.triggerTs),
      opt(r.latestAckTs), opt(r.failureTs), opt(r.failureMessage), opt(r.endToEndMs), opt(r.stateSize),
      opt(r.checkpointedSize), opt(r.processedData), opt(r.persistedData), opt(r.numSubtasks), opt(r.numAcknowledged),
      opt(r.externalPath),
    );
  }

  restSubtask(r: RestSubtaskCheckpointRecord): void {
    this.stmt('restSubtask').run(
      r.job, r.checkpointId, r.vertexId, r.subtask, this.sourceId, r.status, opt(r.ackTs), opt(r.endToEndMs),
      opt(r.stateSize), opt(r.checkpointedSize), opt(r.syncMs), opt(r.asyncMs), opt(r.alignmentMs),
      opt(r.alignmentProcessed), opt(r.alignmentPersisted), opt(r.startDelayMs), bool(r.unaligned), bool(r.aborted),
    );
  }

  job(jobId: string, name: string | undefined): void {
    this.stmt('job').run(jobId, name ?? null);
  }

  vertex(v: JobVertexRecord): void {
    this.job(v.job, v.jobName);
    this.stmt('vertex').run(v.job, v.vertexId, v.name, opt(v.parallelism), opt(v.maxParallelism));
  }

  planEdge(e: PlanEdgeRecord): void {
    this.stmt('edge').run(e.job, e.from, e.to, opt(e.shipStrategy));
  }

  flame(p: FlameProfileRecord): void {
    const totalSamples = p.stacks.reduce((sum, s) => sum + s.weight, 0);
    const info = this.stmt('profile').run(
      this.sourceId, p.format, p.mode, opt(p.startTs), opt(p.endTs), p.timeExact ? 1 : 0, opt(p.tm), opt(p.host),
      opt(p.vertexId), opt(p.subtask), totalSamples, opt(p.title),
    );
    const profileId = Number(info.lastInsertRowid);
    p.stacks.forEach((stack, stackNo) => {
      const ids = stack.frames.map((f) => this.frameId(f.name, f.type ?? ''));
      this.stmt('stack').run(profileId, stackNo, ids.join(','), stack.weight, opt(stack.thread));
    });
    for (const sample of p.samples ?? []) this.stmt('sample').run(profileId, sample.ts, sample.stack, sample.weight);
  }

  private frameId(name: string, type: string): number {
    const key = `${type}\u0000${name}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      const row = this.stmt('frameLookup').get(name, type) as { id: number } | undefined;
      id = row !== undefined ? row.id : Number(this.stmt('frameInsert').run(name, type).lastInsertRowid);
      this.frameIds.set(key, id);
    }
    return id;
  }
}
