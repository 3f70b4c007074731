import type { Db } from '../database.js';
import { listAnnotations, type Annotation } from './annotations.js';
import { listFindings, type FindingRow } from './findings.js';
import { blockLineIndex, blockSummaries, type BlockSummary } from './logs.js';

/**
 * The correlated timeline's data for one visible range, at the level of detail its pixel width can show.
 * Every dense lane is aggregated here (never in the renderer) onto the pixel grid
 * bucket = floor((ts - from) * widthPx / (to - from)), so a query costs O(pixels) in output whatever the
 * incident size, and the DOM never holds one node per event.
 */

export const LANE_KINDS = ['checkpoints', 'subtasks', 'gc', 'backpressure', 'events', 'findings', 'annotations', 'logVolume'] as const;
export type LaneKind = (typeof LANE_KINDS)[number];

export interface TimelineRequest {
  from: number;
  to: number;
  /** Pixels the range is drawn on. */
  widthPx: number;
  /** Lanes to compute; all when absent. */
  lanes?: LaneKind[];
}

export interface CheckpointSpan {
  job: string;
  id: number;
  trigger: number | null;
  end: number | null;
  /** completed | expired | declined | failed | in_progress | unknown */
  outcome: string;
  durationMs: number | null;
  type: string | null;
  failureReason: string | null;
  subtasksTotal: number | null;
  subtasksAcked: number | null;
  stateSize: number | null;
}

/** One subtask's part of one checkpoint, phases laid end to end from the trigger. */
export interface SubtaskCheckpointMark {
  job: string;
  checkpointId: number;
  trigger: number;
  /** Ack time, or the checkpoint's end (or the range end) for subtasks that never acknowledged. */
  end: number;
  /** acknowledged | late | declined | pending | unknown */
  status: string;
  late: boolean;
  declined: boolean;
  startDelayMs: number | null;
  alignmentMs: number | null;
  syncMs: number | null;
  asyncMs: number | null;
  tm: string | null;
  /** Other marks folded into this one because they fell on the same pixel. */
  merged: number;
}

export interface SubtaskLane {
  subtask: number;
  tm: string | null;
  marks: SubtaskCheckpointMark[];
}

export interface VertexLane {
  job: string;
  vertexId: string;
  name: string;
  subtasks: SubtaskLane[];
}

export interface GcPause {
  id: number;
  start: number;
  durationUs: number;
  kind: string;
  name: string;
  cause: string | null;
  heapBefore: number | null;
  heapAfter: number | null;
  full: boolean;
}

export interface GcBucket {
  bucket: number;
  count: number;
  totalPauseUs: number;
  maxPauseUs: number;
  full: number;
}

export interface GcLane {
  jvm: string;
  tm: string | null;
  host: string | null;
  /** Individual pauses when they fit the width, else null and `buckets` holds the aggregate. */
  pauses: GcPause[] | null;
  buckets: GcBucket[];
  /** [time, heap after GC, heap max (or committed) | null], at most one point per bucket. */
  heap: Array<[number, number, number | null]>;
}

export interface BpCell {
  bucket: number;
  /** Highest back-pressured ratio in the bucket (0..1), null when only a level is known. */
  ratio: number | null;
  level: 'ok' | 'low' | 'high' | null;
}

export interface BackpressureLane {
  job: string | null;
  vertexId: string | null;
  name: string;
  cells: BpCell[];
  subtasks: Array<{ subtask: number; cells: BpCell[] }>;
}

export const EVENT_CATEGORIES = ['restart', 'task-failure', 'tm-lost', 'heartbeat', 'oom', 'zookeeper', 'rpc', 'fatal', 'exception', 'job'] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

export interface EventMark {
  bucket: number;
  category: EventCategory;
  count: number;
  firstId: number;
  ts: number;
  kind: string;
  tm: string | null;
  sourceId: number;
  line: number;
  label: string;
}

export interface LogVolume {
  bucketUs: number;
  /** Per bucket: [trace, debug, info, warn, error] line counts. */
  counts: Array<[number, number, number, number, number]>;
}

export interface TimelineData {
  from: number;
  to: number;
  widthPx: number;
  checkpoints: CheckpointSpan[];
  vertices: VertexLane[];
  gc: GcLane[];
  backpressure: BackpressureLane[];
  events: EventMark[];
  findings: FindingRow[];
  annotations: Annotation[];
  logVolume: LogVolume | null;
  queryMs: number;
}

/** Longest GC pause we look back for, so a pause that started before the range but covers it still shows. */
const GC_LOOKBACK_US = 120_000_000;
/** Individual pauses are sent while there are fewer than one per this many pixels. */
const PX_PER_INDIVIDUAL_PAUSE = 3;
/** A checkpoint with no known end (the logs stop) is drawn up to this long after its trigger. */
const OPEN_CHECKPOINT_REACH_US = 3_600_000_000;
/** An event marker is about this wide: one per kind of event per this many pixels is all that can be seen. */
const PX_PER_EVENT_MARK = 8;
/** Pixels per log-volume bar. */
const PX_PER_VOLUME_BAR = 3;
/** Under this many overlapping blocks, volume uses each line's own time instead of spreading block counts. */
const EXACT_VOLUME_MAX_BLOCKS = 64;

const EVENT_KINDS_SHOWN = [
  'restart.region', 'restart.global', 'restart.strategy', 'restart.job', 'task.state', 'tm.unreachable', 'tm.disconnect',
  'tm.worker-terminated', 'tm.heartbeat-timeout', 'jm.heartbeat-timeout', 'oom', 'ha.zk-suspended', 'ha.zk-lost',
  'ha.zk-reconnected', 'ha.leadership-revoked', 'jm.leadership-lost', 'rpc.timeout', 'fatal.error', 'fatal.uncaught',
  'exception', 'job.state', 'job.terminal',
];

/** Lanes that exist in the incident whatever the visible range, so the layout does not jump while panning. */
interface LaneCatalog {
  dataVersion: number;
  jvms: GcJvm[];
  bpVertices: Array<{ job: string | null; vertexId: string | null; name: string; subtasks: number[] }>;
  vertexOrder: Map<string, number>;
}

const catalogs = new WeakMap<Db, LaneCatalog>();

export interface GcJvm {
  jvm: string;
  tm: string | null;
  host: string | null;
}

/**
 * Which TaskManager each GC log's JVM belongs to: the JVM key when it is a TaskManager id, else what GC
 * attribution (analysis/gc-attribution.ts) stored on the GC source (container, pid, folder, host, host token in
 * the file name, or the user's choice).
 */
export function gcJvmOwners(db: Db): GcJvm[] {
  const rows = db
    .prepare(`SELECT g.jvm AS jvm, coalesce(t.tm_id, s.tm_id) AS tm, coalesce(t.host, s.host) AS host
      FROM (SELECT jvm, min(source_id) AS source_id FROM gc_event GROUP BY jvm) g
      LEFT JOIN source s ON s.id = g.source_id
      LEFT JOIN taskmanager t ON t.tm_id = g.jvm`)
    .all() as GcJvm[];
  return rows.sort((a, b) => (a.host ?? a.tm ?? a.jvm).localeCompare(b.host ?? b.tm ?? b.jvm));
}

/** Cached per connection until another connection commits (PRAGMA data_version changes then). */
function laneCatalog(db: Db): LaneCatalog {
  const dataVersion = db.pragma('data_version', { simple: true }) as number;
  const cached = catalogs.get(db);
  if (cached !== undefined && cached.dataVersion === dataVersion) return cached;
  const jvms = gcJvmOwners(db);
  const bpRows = db
    .prepare(`SELECT job, vertex_id, coalesce(max(vertex_name), vertex_id, '?') AS name, group_concat(DISTINCT subtask) AS subtasks
      FROM bp_sample GROUP BY job, vertex_id ORDER BY job, name`)
    .all() as Array<{ job: string | null; vertex_id: string | null; name: string; subtasks: string | null }>;
  const vertexOrder = new Map<string, number>();
  (db.prepare('SELECT job, vertex_id FROM vertex ORDER BY rowid').all() as Array<{ job: string; vertex_id: string }>).forEach((v, i) =>
    vertexOrder.set(`${v.job}\u0000${v.vertex_id}`, i),
  );
  const catalog: LaneCatalog = {
    dataVersion,
    jvms,
    bpVertices: bpRows.map((r) => ({
      job: r.job,
      vertexId: r.vertex_id,
      name: r.name,
      subtasks: (r.subtasks ?? '').split(',').filter((s) => s !== '').map(Number).sort((a, b) => a - b),
    })),
    vertexOrder,
  };
  catalogs.set(db, catalog);
  return catalog;
}

/**
 * Builds the per-connection caches the first query would otherwise build (lane catalog, event times, block
 * summaries), so an open incident can get them ready while the renderer is still loading.
 */
export function warmTimelineCaches(db: Db): void {
  laneCatalog(db);
  eventCache(db);
  blockSummaries(db);
}

export function timeline(db: Db, request: TimelineRequest): TimelineData {
  const started = performance.now();
  const { from, to, widthPx } = request;
  const wanted = new Set<LaneKind>(request.lanes ?? LANE_KINDS);
  const grid = new PixelGrid(from, to, widthPx);
  const data: TimelineData = {
    from,
    to,
    widthPx,
    checkpoints: wanted.has('checkpoints') ? checkpointSpans(db, grid) : [],
    vertices: wanted.has('subtasks') ? vertexLanes(db, grid) : [],
    gc: wanted.has('gc') ? gcLanes(db, grid) : [],
    backpressure: wanted.has('backpressure') ? backpressureLanes(db, grid) : [],
    events: wanted.has('events') ? eventMarks(db, grid) : [],
    findings: wanted.has('findings') ? listFindings(db, { fromUs: from, toUs: to }) : [],
    annotations: wanted.has('annotations') ? listAnnotations(db, { from, to }) : [],
    logVolume: wanted.has('logVolume') ? logVolume(db, grid) : null,
    queryMs: 0,
  };
  data.queryMs = Math.round((performance.now() - started) * 10) / 10;
  return data;
}

export class PixelGrid {
  /** Pixels per microsecond. */
  readonly scale: number;

  constructor(
    readonly from: number,
    readonly to: number,
    readonly widthPx: number,
  ) {
    this.scale = widthPx / Math.max(1, to - from);
  }

  bucket(ts: number): number {
    return Math.floor((ts - this.from) * this.scale);
  }

  get params(): { from: number; to: number; scale: number } {
    return { from: this.from, to: this.to, scale: this.scale };
  }
}

interface CheckpointRow {
  job: string;
  checkpoint_id: number;
  trigger_us: number | null;
  end_us: number | null;
  outcome: string;
  duration_ms: number | null;
  type: string | null;
  failure_reason: string | null;
  subtasks_total: number | null;
  subtasks_acked: number | null;
  state_size: number | null;
}

export function toCheckpointSpan(r: CheckpointRow): CheckpointSpan {
  return {
    job: r.job,
    id: r.checkpoint_id,
    trigger: r.trigger_us,
    end: r.end_us,
    outcome: r.outcome,
    durationMs: r.duration_ms,
    type: r.type,
    failureReason: r.failure_reason,
    subtasksTotal: r.subtasks_total,
    subtasksAcked: r.subtasks_acked,
    stateSize: r.state_size,
  };
}

export const CHECKPOINT_COLUMNS = `job, checkpoint_id, trigger_us, end_us, outcome, duration_ms, type, failure_reason, subtasks_total,
  subtasks_acked, state_size`;

function checkpointSpans(db: Db, grid: PixelGrid): CheckpointSpan[] {
  const rows = db
    .prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM checkpoint
      WHERE trigger_us <= @to AND coalesce(end_us, trigger_us + ${OPEN_CHECKPOINT_REACH_US}) >= @from ORDER BY trigger_us`)
    .all({ from: grid.from, to: grid.to }) as CheckpointRow[];
  const spans: CheckpointSpan[] = [];
  let lastCompletedBucket = Number.NaN;
  for (const row of rows) {
    // Completed checkpoints that share a pixel with the previous one add nothing visible; failures always show.
    if (row.outcome === 'completed' && row.trigger_us !== null) {
      const b = grid.bucket(row.trigger_us);
      if (b === lastCompletedBucket) continue;
      lastCompletedBucket = b;
    }
    spans.push(toCheckpointSpan(row));
  }
  return spans;
}

interface SubtaskRow {
  job: string;
  checkpoint_id: number;
  vertex_id: string;
  name: string;
  subtask: number;
  status: string;
  ack_us: number | null;
  start_delay_ms: number | null;
  alignment_ms: number | null;
  sync_ms: number | null;
  async_ms: number | null;
  late: number;
  declined: number;
  tm: string | null;
  trigger_us: number;
  cp_end: number | null;
}

const SEVERITY: Record<string, number> = { declined: 4, pending: 3, late: 2, unknown: 1, acknowledged: 0 };

function markSeverity(m: SubtaskCheckpointMark): number {
  return (SEVERITY[m.status] ?? 1) * 1e15 + (m.end - m.trigger);
}

function vertexLanes(db: Db, grid: PixelGrid): VertexLane[] {
  const rows = db
    .prepare(`SELECT s.job, s.checkpoint_id, s.vertex_id, coalesce(v.name, s.vertex_name, s.vertex_id) AS name, s.subtask, s.status,
        s.ack_us, s.start_delay_ms, s.alignment_ms, s.sync_ms, s.async_ms, s.late, s.declined, s.tm, c.trigger_us, c.end_us AS cp_end
      FROM subtask_checkpoint s
      JOIN checkpoint c ON c.job = s.job AND c.checkpoint_id = s.checkpoint_id
      LEFT JOIN vertex v ON v.job = s.job AND v.vertex_id = s.vertex_id
      WHERE c.trigger_us <= @to AND coalesce(s.ack_us, c.end_us, @to) >= @from
      ORDER BY s.job, s.vertex_id, s.subtask, c.trigger_us`)
    .all({ from: grid.from, to: grid.to }) as SubtaskRow[];
  const catalog = laneCatalog(db);
  const lanes = new Map<string, VertexLane>();
  let currentLane: SubtaskLane | undefined;
  let lastBucket = Number.NaN;
  for (const r of rows) {
    const key = `${r.job}\u0000${r.vertex_id}`;
    let vertex = lanes.get(key);
    if (vertex === undefined) {
      vertex = { job: r.job, vertexId: r.vertex_id, name: r.name, subtasks: [] };
      lanes.set(key, vertex);
    }
    const last = vertex.subtasks[vertex.subtasks.length - 1];
    if (last === undefined || last.subtask !== r.subtask) {
      currentLane = { subtask: r.subtask, tm: r.tm, marks: [] };
      vertex.subtasks.push(currentLane);
      lastBucket = Number.NaN;
    } else {
      currentLane = last;
    }
    if (currentLane.tm === null && r.tm !== null) currentLane.tm = r.tm;
    const mark: SubtaskCheckpointMark = {
      job: r.job,
      checkpointId: r.checkpoint_id,
      trigger: r.trigger_us,
      end: r.ack_us ?? r.cp_end ?? grid.to,
      status: r.status,
      late: r.late !== 0,
      declined: r.declined !== 0,
      startDelayMs: r.start_delay_ms,
      alignmentMs: r.alignment_ms,
      syncMs: r.sync_ms,
      asyncMs: r.async_ms,
      tm: r.tm,
      merged: 0,
    };
    const bucket = grid.bucket(r.trigger_us);
    const previous = currentLane.marks[currentLane.marks.length - 1];
    if (bucket === lastBucket && previous !== undefined) {
      // Same pixel as the previous checkpoint: keep the worst of the two, count the other.
      if (markSeverity(mark) > markSeverity(previous)) {
        mark.merged = previous.merged + 1;
        currentLane.marks[currentLane.marks.length - 1] = mark;
      } else {
        previous.merged++;
      }
    } else {
      currentLane.marks.push(mark);
      lastBucket = bucket;
    }
  }
  const order = (v: VertexLane): number => catalog.vertexOrder.get(`${v.job}\u0000${v.vertexId}`) ?? Number.MAX_SAFE_INTEGER;
  return [...lanes.values()].sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
}

interface GcRow {
  id: number;
  start_us: number;
  duration_us: number;
  kind: string;
  name: string;
  cause: string | null;
  heap_before: number | null;
  heap_after: number | null;
}

const isFull = (kind: string, name: string): boolean => kind === 'full' || /full/i.test(name);

function gcLanes(db: Db, grid: PixelGrid): GcLane[] {
  const count = db.prepare(`SELECT count(*) AS n FROM gc_event WHERE jvm = @jvm AND start_us >= @lookFrom AND start_us <= @to
    AND class IN ('pause', 'alloc-stall')`);
  const pauses = db.prepare(`SELECT id, start_us, duration_us, kind, name, cause, heap_before, heap_after FROM gc_event
    WHERE jvm = @jvm AND start_us >= @lookFrom AND start_us <= @to AND class IN ('pause', 'alloc-stall')
      AND start_us + duration_us >= @from ORDER BY start_us`);
  const buckets = db.prepare(`SELECT CAST((start_us - @from) * @scale AS INTEGER) AS bucket, count(*) AS count,
      sum(duration_us) AS total, max(duration_us) AS max, sum(kind = 'full' OR name LIKE '%Full%') AS full
    FROM gc_event WHERE jvm = @jvm AND start_us >= @from AND start_us <= @to AND class IN ('pause', 'alloc-stall')
    GROUP BY bucket ORDER BY bucket`);
  // SQLite returns the bare columns of the row holding max(): the last heap reading of each bucket.
  const heap = db.prepare(`SELECT CAST((start_us - @from) * @scale AS INTEGER) AS bucket, max(start_us + duration_us) AS t,
      heap_after, coalesce(heap_max, heap_committed) AS cap
    FROM gc_event WHERE jvm = @jvm AND start_us >= @from AND start_us <= @to AND heap_after IS NOT NULL
    GROUP BY bucket ORDER BY bucket`);
  return laneCatalog(db).jvms.map(({ jvm, tm, host }) => {
    const params = { ...grid.params, jvm, lookFrom: grid.from - GC_LOOKBACK_US };
    const n = (count.get(params) as { n: number }).n;
    const dense = n * PX_PER_INDIVIDUAL_PAUSE > grid.widthPx;
    return {
      jvm,
      tm,
      host,
      pauses: dense
        ? null
        : (pauses.all(params) as GcRow[]).map((r) => ({
            id: r.id,
            start: r.start_us,
            durationUs: r.duration_us,
            kind: r.kind,
            name: r.name,
            cause: r.cause,
            heapBefore: r.heap_before,
            heapAfter: r.heap_after,
            full: isFull(r.kind, r.name),
          })),
      buckets: dense
        ? (buckets.all(params) as Array<{ bucket: number; count: number; total: number; max: number; full: number }>).map((b) => ({
            bucket: b.bucket,
            count: b.count,
            totalPauseUs: b.total,
            maxPauseUs: b.max,
            full: b.full,
          }))
        : [],
      heap: (heap.all(params) as Array<{ t: number; heap_after: number; cap: number | null }>).map((h) => [h.t, h.heap_after, h.cap]),
    };
  });
}

const LEVEL_RANK = ['ok', 'low', 'high'] as const;

function backpressureLanes(db: Db, grid: PixelGrid): BackpressureLane[] {
  const rows = db
    .prepare(`SELECT job, vertex_id, subtask, CAST((ts_us - @from) * @scale AS INTEGER) AS bucket, max(ratio) AS ratio,
        max(CASE level WHEN 'high' THEN 2 WHEN 'low' THEN 1 WHEN 'ok' THEN 0 END) AS level
      FROM bp_sample WHERE ts_us >= @from AND ts_us <= @to
      GROUP BY job, vertex_id, subtask, bucket ORDER BY bucket`)
    .all(grid.params) as Array<{ job: string | null; vertex_id: string | null; subtask: number | null; bucket: number; ratio: number | null; level: number | null }>;
  const lanes = laneCatalog(db).bpVertices.map((v) => ({
    job: v.job,
    vertexId: v.vertexId,
    name: v.name,
    cells: [] as BpCell[],
    subtasks: v.subtasks.map((subtask) => ({ subtask, cells: [] as BpCell[] })),
  }));
  const byVertex = new Map(lanes.map((lane) => [`${lane.job}\u0000${lane.vertexId}`, lane]));
  for (const r of rows) {
    const lane = byVertex.get(`${r.job}\u0000${r.vertex_id}`);
    if (lane === undefined) continue; // committed after the catalog was read: shows on the next query
    const cell: BpCell = { bucket: r.bucket, ratio: r.ratio, level: r.level === null ? levelOf(r.ratio) : LEVEL_RANK[r.level]! };
    const sub = r.subtask === null ? undefined : lane.subtasks.find((s) => s.subtask === r.subtask);
    if (sub !== undefined) sub.cells.push(cell);
    const vertexCell = lane.cells[lane.cells.length - 1];
    if (vertexCell !== undefined && vertexCell.bucket === cell.bucket) {
      vertexCell.ratio = maxNullable(vertexCell.ratio, cell.ratio);
      vertexCell.level = worseLevel(vertexCell.level, cell.level);
    } else {
      lane.cells.push({ ...cell });
    }
  }
  return lanes;
}

/** Flink's cut-offs: above 50 % back-pressured is HIGH, above 10 % LOW. */
function levelOf(ratio: number | null): 'ok' | 'low' | 'high' | null {
  if (ratio === null) return null;
  return ratio > 0.5 ? 'high' : ratio > 0.1 ? 'low' : 'ok';
}

function maxNullable(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function worseLevel(a: BpCell['level'], b: BpCell['level']): BpCell['level'] {
  if (a === null) return b;
  if (b === null) return a;
  return LEVEL_RANK.indexOf(a) >= LEVEL_RANK.indexOf(b) ? a : b;
}

interface EventRow {
  bucket: number;
  count: number;
  ts: number;
  id: number;
  kind: string;
  tm: string | null;
  source_id: number;
  line: number;
  vertex_name: string | null;
  subtask: number | null;
  host: string | null;
}

const EVENT_DETAIL_COLUMNS = 'id, ts_us AS ts, kind, tm, source_id, line, vertex_name, subtask, host';

function categoryOf(kind: string): EventCategory | null {
  if (kind.startsWith('restart.')) return 'restart';
  if (kind === 'tm.unreachable' || kind === 'tm.disconnect' || kind === 'tm.worker-terminated') return 'tm-lost';
  if (kind === 'tm.heartbeat-timeout' || kind === 'jm.heartbeat-timeout') return 'heartbeat';
  if (kind === 'oom') return 'oom';
  if (kind.startsWith('ha.') || kind === 'jm.leadership-lost') return 'zookeeper';
  if (kind === 'rpc.timeout') return 'rpc';
  if (kind.startsWith('fatal.')) return 'fatal';
  if (kind === 'exception') return 'exception';
  if (kind === 'job.state' || kind === 'job.terminal') return 'job';
  return null;
}

/**
 * Counting runs on the (kind, ts_us) index alone; only each bucket's first event is then read in full, so a
 * range with 100 k exceptions costs a few hundred row reads, not 100 k. Task state changes are few and only
 * the FAILED ones count, so those rows are read directly.
 */
interface EventCache {
  dataVersion: number;
  /** Per shown kind: event times, sorted, and the ids of those events in the same order. */
  byKind: Map<string, { times: Float64Array; ids: Float64Array }>;
  /** First-event rows already read, by id: panning asks for mostly the same ones again. */
  details: Map<number, Omit<EventRow, 'bucket' | 'count'>>;
}
const eventCaches = new WeakMap<Db, EventCache>();
const MAX_CACHED_EVENT_DETAILS = 20_000;
/** Rows read per statement when fetching first events: one round trip instead of one per mark. */
const DETAIL_BATCH = 500;

/** Each shown kind's event times and ids, read once per connection and data version from the (kind, ts_us) index. */
function eventCache(db: Db): EventCache {
  const dataVersion = db.pragma('data_version', { simple: true }) as number;
  const cached = eventCaches.get(db);
  if (cached !== undefined && cached.dataVersion === dataVersion) return cached;
  const byKind = new Map<string, { times: Float64Array; ids: Float64Array }>();
  const stmt = db.prepare('SELECT ts_us, id FROM event WHERE kind = ? ORDER BY ts_us').raw();
  for (const kind of EVENT_KINDS_SHOWN) {
    if (kind === 'task.state') continue;
    const rows = stmt.all(kind) as Array<[number, number]>;
    if (rows.length > 0) byKind.set(kind, { times: Float64Array.from(rows, (r) => r[0]), ids: Float64Array.from(rows, (r) => r[1]) });
  }
  const cache: EventCache = { dataVersion, byKind, details: new Map() };
  eventCaches.set(db, cache);
  return cache;
}

/** First index at or after `from` whose value is ≥ target. */
function lowerBound(values: Float64Array, target: number, from = 0): number {
  let lo = from;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Marks group on a grid fixed in absolute time, each cell a power-of-two number of microseconds at least
 * PX_PER_EVENT_MARK pixels wide: panning then finds the same cells and the same first events (whose rows are
 * cached), and zooming regroups only when the cell size changes. `bucket` is the pixel of the mark's first event.
 */
function eventMarks(db: Db, grid: PixelGrid): EventMark[] {
  const cellUs = 2 ** Math.ceil(Math.log2(Math.max(1, PX_PER_EVENT_MARK / grid.scale)));
  const cellOf = (ts: number): number => Math.floor(ts / cellUs);
  const groups: Array<{ kind: string; cell: number; count: number; id: number }> = [];
  const cache = eventCache(db);
  for (const [kind, { times, ids }] of cache.byKind) {
    // Cell by cell with binary searches: a range holding 100 k exceptions costs a few thousand steps.
    const end = lowerBound(times, Math.floor(grid.to) + 1); // times are whole microseconds: ≤ to ⇔ < ⌊to⌋ + 1
    for (let i = lowerBound(times, grid.from); i < end; ) {
      const cell = cellOf(times[i]!);
      const next = Math.min(end, lowerBound(times, (cell + 1) * cellUs, i));
      groups.push({ kind, cell, count: next - i, id: ids[i]! });
      i = next;
    }
  }
  const missing = [...new Set(groups.filter((g) => !cache.details.has(g.id)).map((g) => g.id))];
  if (cache.details.size + missing.length > MAX_CACHED_EVENT_DETAILS) cache.details.clear();
  const read = db.prepare(`SELECT ${EVENT_DETAIL_COLUMNS} FROM event WHERE id IN (SELECT value FROM json_each(?))`);
  for (let i = 0; i < missing.length; i += DETAIL_BATCH) {
    for (const row of read.all(JSON.stringify(missing.slice(i, i + DETAIL_BATCH))) as Array<Omit<EventRow, 'bucket' | 'count'>>) cache.details.set(row.id, row);
  }
  const marks = new Map<string, EventMark>();
  const add = (category: EventCategory, cell: number, count: number, row: Omit<EventRow, 'bucket' | 'count'>): void => {
    const key = `${category}:${cell}`;
    const existing = marks.get(key);
    let total = count;
    if (existing !== undefined) {
      existing.count += count;
      if (row.ts >= existing.ts) return;
      total = existing.count;
    }
    marks.set(key, {
      bucket: grid.bucket(row.ts), category, count: total, firstId: row.id, ts: row.ts, kind: row.kind, tm: row.tm, sourceId: row.source_id,
      line: row.line, label: eventLabel(row),
    });
  };
  for (const g of groups) {
    const category = categoryOf(g.kind);
    const detail = cache.details.get(g.id);
    if (category === null || detail === undefined) continue;
    add(category, g.cell, g.count, detail);
  }
  const failures = db
    .prepare(`SELECT ${EVENT_DETAIL_COLUMNS} FROM event WHERE kind = 'task.state' AND ts_us >= ? AND ts_us <= ? AND attrs LIKE '%FAILED%' ORDER BY ts_us`)
    .all(grid.from, grid.to) as Array<Omit<EventRow, 'bucket' | 'count'>>;
  for (const f of failures) add('task-failure', cellOf(f.ts), 1, f);
  return [...marks.values()].sort((a, b) => a.bucket - b.bucket || a.category.localeCompare(b.category));
}

function eventLabel(r: Pick<EventRow, 'kind' | 'vertex_name' | 'subtask' | 'tm' | 'host'>): string {
  const parts = [r.kind];
  if (r.vertex_name !== null) parts.push(r.subtask !== null ? `${r.vertex_name} (${r.subtask + 1})` : r.vertex_name);
  const where = r.tm ?? r.host;
  if (where !== null) parts.push(`on ${where}`);
  return parts.join(' ');
}

function logVolume(db: Db, grid: PixelGrid): LogVolume {
  const bars = Math.max(1, Math.ceil(grid.widthPx / PX_PER_VOLUME_BAR));
  const bucketUs = Math.max(1, (grid.to - grid.from) / bars);
  const counts: Array<[number, number, number, number, number]> = Array.from({ length: bars }, () => [0, 0, 0, 0, 0]);
  const overlapping = blockSummaries(db).filter((b) => b.tsMin <= grid.to && b.tsMax >= grid.from);
  const barOf = (ts: number): number => Math.floor((ts - grid.from) / bucketUs);
  if (overlapping.length <= EXACT_VOLUME_MAX_BLOCKS) {
    for (const b of overlapping) addExact(b, blockLineIndex(db, b.sourceId, b.blockNo), counts, barOf);
  } else {
    for (const b of overlapping) {
      // Spread the block's counts evenly over its time span: exact enough when many blocks share the view.
      const span = Math.max(1, b.tsMax - b.tsMin);
      const first = Math.max(0, barOf(b.tsMin));
      const last = Math.min(bars - 1, barOf(b.tsMax));
      for (let bar = first; bar <= last; bar++) {
        const barFrom = grid.from + bar * bucketUs;
        const overlap = Math.min(b.tsMax, barFrom + bucketUs) - Math.max(b.tsMin, barFrom);
        const share = b.tsMax === b.tsMin ? 1 : Math.max(0, overlap) / span;
        const cell = counts[bar]!;
        for (let level = 0; level < 5; level++) cell[level]! += b.levels[level]! * share;
      }
    }
  }
  for (const cell of counts) for (let level = 0; level < 5; level++) cell[level] = Math.round(cell[level]!);
  return { bucketUs, counts };
}

/** Line index layout (log-blocks.ts): count bytes of flags, then count u32 ms offsets from ts_min. */
function addExact(b: BlockSummary, index: Buffer, counts: Array<[number, number, number, number, number]>, barOf: (ts: number) => number): void {
  const n = b.lineCount;
  for (let i = 0; i < n; i++) {
    const flags = index[i]!;
    if ((flags & 0x80) !== 0) continue; // continuation line of a multi-line record
    const level = flags & 0x07;
    if (level === 0) continue;
    const delta = index.readUInt32LE(n + i * 4);
    if (delta === 0xffffffff) continue;
    const bar = barOf(b.tsMin + delta * 1000);
    const cell = counts[bar];
    if (cell === undefined) continue;
    cell[Math.min(level, 5) - 1]!++;
  }
}
