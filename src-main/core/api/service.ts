import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };
import { IncidentFileError, openIncident, type Db } from '../store/database.js';
import type { IngestProgress, IngestSummary } from '../ingest/ingest.js';
import { runIngestInWorker, type WorkerIngestOptions } from '../ingest/worker-client.js';
import { checkpointDetail, listCheckpoints } from '../store/queries/checkpoints.js';
import { listFindings } from '../store/queries/findings.js';
import { diffTree, listProfiles, mergedTree } from '../store/queries/flame.js';
import { incidentContents } from '../store/queries/overview.js';
import { gcJvmOwners, timeline, warmTimelineCaches } from '../store/queries/timeline.js';
import { logLines, recordsAt } from '../store/queries/logs.js';
import * as annotations from '../store/queries/annotations.js';
import { buildReport } from '../report/report.js';
import { reassignGcSource } from '../analysis/gc-attribution.js';
import { runDiagnosis } from '../analysis/findings/engine.js';
import { parseDurationMs } from '../common/duration.js';
import { ServiceError } from './contract.js';
import type {
  CheckpointDetail, GcPause, IncidentInfo, IngestFileProgress, IngestProgressEvent, IngestRequest, IngestStarted, SluiceService,
  Annotation, AnnotationInput, AnnotationPatch, CheckpointRow, Finding, DiffTree, FlameProfileRow, FlameSelection, MergedTree, LogPage, LogQuery, Overview, ReportOptions, ReportResult, TimelineData, TimelineRequest,
} from './contract.js';

export type IngestRunner = (
  options: WorkerIngestOptions,
  onProgress: (progress: IngestProgress) => void,
  signal: AbortSignal,
) => Promise<IngestSummary>;

export interface ServiceOptions {
  /** Incident to open at start; when absent the sample is opened (read-only), if it exists. */
  incidentPath?: string;
  /** The bundled sample incident; the shell knows where its resources live. */
  samplePath?: string;
  /** Folder for the incident files created when evidence is dropped while the sample (or nothing) is open. */
  incidentsDir: string;
  /** Browser mode: maps an upload id to the files and folders its drop was streamed into. */
  resolveUpload?: (uploadId: string) => string[] | undefined;
  /** Defaults to the worker thread, so ingest never blocks the caller's event loop. */
  runIngest?: IngestRunner;
}

export interface LocalService extends SluiceService {
  /** Closes the incident and cancels a running ingest. */
  close(): void;
}

const RECENT_WARNINGS = 20;
/** Evidence lines shown with a checkpoint's detail. */
const CHECKPOINT_LOG_LINES = 80;
/** GC before the trigger still delays the barrier: look this far back. */
const GC_BEFORE_TRIGGER_US = 10_000_000;
/** Stamped into every report's header. */
const REPORT_GENERATOR = { name: 'Sluice', version: packageJson.version };

interface RunningIngest {
  controller: AbortController;
  state: IngestProgressEvent;
  listeners: Set<(event: IngestProgressEvent) => void>;
  finished: boolean;
}

export function createService(options: ServiceOptions): LocalService {
  return new IncidentService(options);
}

/** Converts any engine error into the contract's error shape (a clear message, no stack). */
export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof IncidentFileError) {
    const code = error.code === 'missing' ? 'not-found' : error.code === 'read-only' ? 'read-only' : 'invalid-argument';
    return new ServiceError(code, error.message);
  }
  return new ServiceError('internal', error instanceof Error ? error.message : String(error));
}

class IncidentService implements LocalService {
  private db: Db | null = null;
  private info: IncidentInfo | null = null;
  private readonly ingests = new Map<string, RunningIngest>();
  private readonly samplePath: string | undefined;
  private readonly runIngest: IngestRunner;

  constructor(private readonly options: ServiceOptions) {
    this.samplePath = options.samplePath === undefined ? undefined : resolve(options.samplePath);
    this.runIngest = options.runIngest ?? runIngestInWorker;
    const start = options.incidentPath ?? (this.samplePath !== undefined && existsSync(this.samplePath) ? this.samplePath : undefined);
    if (start !== undefined) this.open(start, start === options.incidentPath);
  }

  // ───────── incident ─────────

  private open(path: string, create: boolean): IncidentInfo {
    const full = resolve(path);
    const isSample = full === this.samplePath;
    let db: Db;
    let readOnly = isSample;
    try {
      db = openIncident(full, { readonly: isSample, create });
    } catch (error) {
      // A file on read-only media still opens for reading.
      if (!(error instanceof IncidentFileError) || error.code !== 'read-only' || isSample) throw toServiceError(error);
      db = openIncident(full, { readonly: true });
      readOnly = true;
    }
    this.db?.close();
    this.db = db;
    this.info = { path: full, isSample, readOnly, empty: this.isEmpty(db), title: storedTitle(db) };
    // Warm the timeline's caches on the next turn, while the window loads: its first query is then a warm one.
    setImmediate(() => {
      if (this.db !== db) return;
      try {
        warmTimelineCaches(db);
      } catch {
        // Only a head start: the first timeline query builds the same caches and reports any error itself.
      }
    });
    return this.info;
  }

  private isEmpty(db: Db): boolean {
    return (db.prepare('SELECT count(*) AS n FROM source').get() as { n: number }).n === 0;
  }

  private current(): Db {
    if (this.db === null) throw new ServiceError('no-incident', 'No incident is open: drop evidence files or open an incident file.');
    return this.db;
  }

  private writable(): Db {
    const db = this.current();
    if (this.info?.readOnly === true) {
      throw new ServiceError(
        'read-only',
        this.info.isSample
          ? 'The sample incident is read-only: drop your own evidence to start an incident you can annotate.'
          : `${this.info.path} is read-only.`,
      );
    }
    return db;
  }

  async openIncident(path: string): Promise<IncidentInfo> {
    if (!existsSync(path)) throw new ServiceError('not-found', `${path}: no such incident file`);
    return this.open(path, false);
  }

  async createIncident(path: string): Promise<IncidentInfo> {
    if (existsSync(path)) throw new ServiceError('invalid-argument', `${path} already exists: open it instead`);
    return this.open(path, true);
  }

  async currentIncident(): Promise<IncidentInfo | null> {
    if (this.info === null || this.db === null) return null;
    this.info = { ...this.info, empty: this.isEmpty(this.db), title: storedTitle(this.db) };
    return this.info;
  }

  // ───────── ingest ─────────

  async ingest(request: IngestRequest): Promise<IngestStarted> {
    const inputs = [...(request.inputs ?? [])];
    for (const id of request.uploadIds ?? []) {
      const paths = this.options.resolveUpload?.(id);
      if (paths === undefined) throw new ServiceError('not-found', `unknown upload '${id}'`);
      inputs.push(...paths);
    }
    if (inputs.length === 0) throw new ServiceError('invalid-argument', 'nothing to ingest: no input files given');
    for (const input of inputs) if (!existsSync(input)) throw new ServiceError('not-found', `${input}: no such file or folder`);
    if ([...this.ingests.values()].some((i) => !i.finished)) throw new ServiceError('busy', 'an ingest is already running; wait for it or cancel it');
    if (this.info === null || this.info.readOnly) this.open(this.newIncidentPath(), true);
    const incidentPath = this.info!.path;

    const ingestId = randomUUID();
    const started = Date.now();
    const running: RunningIngest = {
      controller: new AbortController(),
      listeners: new Set(),
      finished: false,
      state: {
        ingestId, phase: 'reading', inputBytes: inputs.reduce((sum, p) => sum + sizeOf(p), 0), bytesDone: 0, linesDone: 0, filesDone: 0,
        warnings: 0, elapsedMs: 0, files: [], recentWarnings: [],
      },
    };
    this.ingests.set(ingestId, running);
    let lastWarningId = this.maxWarningId();
    const files = new Map<string, IngestFileProgress>();

    const onProgress = (p: IngestProgress): void => {
      if (p.file !== undefined) {
        for (const f of files.values()) if (f.state === 'reading' && f.path !== p.file) f.state = 'done';
        const file = files.get(p.file) ?? { path: p.file, bytes: 0, lines: 0, state: 'reading', warnings: 0 };
        if (file.state === 'reading') {
          file.bytes = p.fileBytes ?? file.bytes;
          file.lines = p.fileLines ?? file.lines;
        }
        files.set(p.file, file);
      }
      if (p.warnings !== running.state.warnings) lastWarningId = this.collectWarnings(running.state, lastWarningId);
      this.emit(running, {
        ...running.state,
        phase: p.phase === 'done' ? 'analysing' : p.phase, // 'done' only once the summary is in
        bytesDone: p.bytesDone + (p.fileBytes ?? 0),
        linesDone: p.linesDone + (p.fileLines ?? 0),
        filesDone: p.filesDone,
        warnings: p.warnings,
        elapsedMs: Date.now() - started,
        files: [...files.values()],
      });
    };

    // The ingest writes through its own connection (in the worker); this read connection sees each committed source via WAL.
    this.runIngest({ inputs, incidentPath, tz: request.tz ?? 'UTC' }, onProgress, running.controller.signal).then(
      (summary) => {
        for (const s of summary.sources) {
          const f = files.get(s.path) ?? { path: s.path, bytes: 0, lines: s.lines, state: 'done', warnings: 0 };
          files.set(s.path, { ...f, lines: s.lines, state: s.status, kind: s.kind, reason: s.reason, warnings: s.warnings });
        }
        this.collectWarnings(running.state, lastWarningId);
        if (this.info !== null) this.info = { ...this.info, empty: this.db === null ? true : this.isEmpty(this.db) };
        this.finish(running, { phase: summary.cancelled ? 'cancelled' : 'done', files: [...files.values()], elapsedMs: Date.now() - started });
      },
      (error: unknown) => {
        this.finish(running, {
          phase: running.controller.signal.aborted ? 'cancelled' : 'failed',
          error: error instanceof Error ? error.message : String(error),
          elapsedMs: Date.now() - started,
        });
      },
    );
    return { ingestId, incidentPath };
  }

  private newIncidentPath(): string {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    let path = join(this.options.incidentsDir, `incident-${stamp}.sluice`);
    for (let n = 2; existsSync(path); n++) path = join(this.options.incidentsDir, `incident-${stamp}-${n}.sluice`);
    return path;
  }

  private maxWarningId(): number {
    return this.db === null ? 0 : ((this.db.prepare('SELECT max(id) AS n FROM warning').get() as { n: number | null }).n ?? 0);
  }

  /** Warnings of sources committed since the last look (a source's warnings land with its transaction). */
  private collectWarnings(state: IngestProgressEvent, afterId: number): number {
    if (this.db === null) return afterId;
    const rows = this.db
      .prepare('SELECT id, path, line, message FROM warning WHERE id > ? ORDER BY id DESC LIMIT ?')
      .all(afterId, RECENT_WARNINGS) as Array<{ id: number; path: string; line: number | null; message: string }>;
    if (rows.length === 0) return afterId;
    state.recentWarnings = [...rows.map(({ path, line, message }) => ({ path, line, message })), ...state.recentWarnings].slice(0, RECENT_WARNINGS);
    return rows[0]!.id;
  }

  private emit(running: RunningIngest, state: IngestProgressEvent): void {
    running.state = state;
    for (const listener of running.listeners) listener(state);
  }

  private finish(running: RunningIngest, change: Partial<IngestProgressEvent>): void {
    running.finished = true;
    this.emit(running, { ...running.state, ...change });
    running.listeners.clear();
  }

  async cancelIngest(ingestId: string): Promise<boolean> {
    const running = this.ingests.get(ingestId);
    if (running === undefined || running.finished) return false;
    running.controller.abort();
    return true;
  }

  onProgress(ingestId: string, listener: (event: IngestProgressEvent) => void): () => void {
    const running = this.ingests.get(ingestId);
    if (running === undefined) throw new ServiceError('not-found', `unknown ingest '${ingestId}'`);
    listener(running.state);
    if (running.finished) return () => undefined;
    running.listeners.add(listener);
    return () => running.listeners.delete(listener);
  }

  // ───────── reading ─────────

  async overview(): Promise<Overview> {
    const db = this.current();
    return { incident: (await this.currentIncident())!, ...incidentContents(db) };
  }

  async timeline(request: TimelineRequest): Promise<TimelineData> {
    if (!(request.to > request.from)) throw new ServiceError('invalid-argument', 'timeline: `to` must be after `from`');
    return timeline(this.current(), request);
  }

  async checkpoints(): Promise<CheckpointRow[]> {
    return listCheckpoints(this.current());
  }

  async checkpointDetail(job: string, checkpointId: number): Promise<CheckpointDetail | null> {
    const db = this.current();
    const base = checkpointDetail(db, job, checkpointId);
    if (base === undefined) return null;
    const c = base.checkpoint;
    const windowFrom = (c.triggerUs ?? 0) - GC_BEFORE_TRIGGER_US;
    const windowTo = c.endUs ?? (c.triggerUs !== null && c.durationMs !== null ? c.triggerUs + c.durationMs * 1000 : c.triggerUs ?? 0);
    const stragglerTms = [...new Set(c.stragglers.map((s) => s.tm).filter((tm): tm is string => tm !== null))];
    const focusTms = stragglerTms.length > 0 ? stragglerTms : [...new Set(base.subtasks.map((s) => s.tm).filter((tm): tm is string => tm !== null))];

    const owners = gcJvmOwners(db);
    const gcStmt = db.prepare(`SELECT id, start_us, duration_us, kind, name, cause, heap_before, heap_after FROM gc_event
      WHERE jvm = @jvm AND class IN ('pause', 'alloc-stall') AND start_us <= @to AND start_us + duration_us >= @from ORDER BY start_us`);
    const gc = focusTms.flatMap((tm) =>
      owners
        .filter((o) => o.tm === tm || o.jvm === tm)
        .map((o) => {
          const rows = gcStmt.all({ jvm: o.jvm, from: windowFrom, to: windowTo }) as Array<{
            id: number; start_us: number; duration_us: number; kind: string; name: string; cause: string | null;
            heap_before: number | null; heap_after: number | null;
          }>;
          const pauses: GcPause[] = rows.map((r) => ({
            id: r.id, start: r.start_us, durationUs: r.duration_us, kind: r.kind, name: r.name, cause: r.cause, heapBefore: r.heap_before,
            heapAfter: r.heap_after, full: r.kind === 'full' || /full/i.test(r.name),
          }));
          return { jvm: o.jvm, tm, host: o.host, pauses };
        }),
    );

    const backpressure = db
      .prepare(`SELECT coalesce(vertex_name, vertex_id, '?') AS vertexName, subtask, max(ratio) AS maxRatio,
          CASE max(CASE level WHEN 'high' THEN 2 WHEN 'low' THEN 1 WHEN 'ok' THEN 0 END) WHEN 2 THEN 'high' WHEN 1 THEN 'low' WHEN 0 THEN 'ok' END AS level
        FROM bp_sample WHERE ts_us >= ? AND ts_us <= ? AND (job = ? OR job IS NULL)
        GROUP BY vertexName, subtask ORDER BY maxRatio DESC NULLS LAST, level DESC LIMIT 40`)
      .all(c.triggerUs ?? 0, windowTo, job) as CheckpointDetail['backpressure'];

    const placeholders = base.eventIds.slice(0, CHECKPOINT_LOG_LINES).map(() => '?').join(',');
    const lineRefs = placeholders === ''
      ? []
      : (db.prepare(`SELECT source_id AS sourceId, line FROM event WHERE id IN (${placeholders})`).all(...base.eventIds.slice(0, CHECKPOINT_LOG_LINES)) as Array<{
          sourceId: number; line: number;
        }>);

    return {
      checkpoint: c,
      timeoutMs: this.checkpointTimeoutMs(db),
      subtasks: base.subtasks,
      gc,
      backpressure,
      logLines: recordsAt(db, lineRefs),
      findings: listFindings(db, { job, checkpointId }),
    };
  }

  private checkpointTimeoutMs(db: Db): number | null {
    const row = db
      .prepare("SELECT value FROM config WHERE key IN ('execution.checkpointing.timeout', 'checkpointing.timeout') LIMIT 1")
      .get() as { value: string } | undefined;
    return row === undefined ? null : parseDurationMs(row.value) ?? null;
  }

  async logLines(query: LogQuery): Promise<LogPage> {
    return logLines(this.current(), query);
  }

  async flameProfiles(): Promise<FlameProfileRow[]> {
    return listProfiles(this.current());
  }

  async flame(selection: FlameSelection): Promise<MergedTree> {
    return mergedTree(this.current(), selection);
  }

  async flameDiff(a: FlameSelection, b: FlameSelection): Promise<DiffTree> {
    return diffTree(this.current(), a, b);
  }

  async findings(): Promise<Finding[]> {
    return listFindings(this.current());
  }

  // ───────── annotations ─────────

  async listAnnotations(): Promise<Annotation[]> {
    return annotations.listAnnotations(this.current());
  }

  async createAnnotation(input: AnnotationInput): Promise<Annotation> {
    return annotations.createAnnotation(this.writable(), input);
  }

  async updateAnnotation(id: number, patch: AnnotationPatch): Promise<Annotation> {
    const updated = annotations.updateAnnotation(this.writable(), id, patch);
    if (updated === undefined) throw new ServiceError('not-found', `no annotation ${id}`);
    return updated;
  }

  async deleteAnnotation(id: number): Promise<boolean> {
    return annotations.deleteAnnotation(this.writable(), id);
  }

  async reassignGcLog(sourceId: number, tmId: string | null): Promise<boolean> {
    const db = this.writable();
    const source = db.prepare("SELECT kind FROM source WHERE id = ?").get(sourceId) as { kind: string } | undefined;
    if (source === undefined || source.kind !== 'gc-log') throw new ServiceError('not-found', `source ${sourceId} is not a GC log`);
    if (tmId !== null && db.prepare('SELECT 1 FROM taskmanager WHERE tm_id = ?').get(tmId) === undefined) {
      throw new ServiceError('not-found', `no TaskManager '${tmId}' in this incident`);
    }
    reassignGcSource(db, sourceId, tmId);
    runDiagnosis(db);
    return true;
  }

  // ───────── report ─────────

  async exportReport(options: ReportOptions): Promise<ReportResult> {
    const db = this.current();
    if (options.from !== undefined && options.to !== undefined && !(options.to > options.from)) {
      throw new ServiceError('invalid-argument', 'exportReport: `to` must be after `from`');
    }
    if (options.outputPath !== undefined && !/\.html?$/i.test(options.outputPath)) {
      throw new ServiceError('invalid-argument', `${options.outputPath}: a report is written to an .html file`);
    }
    const title = options.title?.trim() ?? '';
    // The sample (or a read-only file) still exports under the given title; it just cannot remember it.
    if (title !== '' && this.info !== null && !this.info.readOnly) {
      db.prepare("INSERT INTO incident (key, value) VALUES ('title', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(title);
      this.info = { ...this.info, title };
    }
    const html = buildReport(db, {
      from: options.from,
      to: options.to,
      anonymize: options.anonymize,
      onlyStarred: options.onlyStarred,
      title: title === '' ? undefined : title,
      omit: options.omit,
      generator: REPORT_GENERATOR,
    });
    const bytes = Buffer.byteLength(html);
    if (options.outputPath === undefined) return { path: null, html, bytes };
    const out = resolve(options.outputPath);
    try {
      writeFileSync(out, html);
    } catch (error) {
      throw new ServiceError('invalid-argument', `${out}: the report could not be written (${error instanceof Error ? error.message : String(error)})`);
    }
    return { path: out, html: null, bytes };
  }

  close(): void {
    for (const running of this.ingests.values()) if (!running.finished) running.controller.abort();
    this.db?.close();
    this.db = null;
    this.info = null;
  }
}

/** The name someone gave the incident (the report's heading), null while it has none. */
function storedTitle(db: Db): string | null {
  return (db.prepare("SELECT value FROM incident WHERE key = 'title'").get() as { value: string } | undefined)?.value ?? null;
}

/** Bytes of a file or, for a folder, of the files below it (the ETA's base; archives count compressed). */
function sizeOf(path: string): number {
  try {
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.size;
    return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
  } catch {
    return 0;
  }
}


