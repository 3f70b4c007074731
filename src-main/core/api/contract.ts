/**
 * The one service contract between the engine and every shell (Electron IPC, browser-mode HTTP, tests).
 * The renderer imports this file type-only; the runtime validators below are what the transports run on
 * every payload before it reaches the service. Everything crossing the boundary is plain JSON; times are UTC
 * epoch microseconds in a number.
 *
 * Its only imports are type-only, so a sandboxed preload can import its validators without pulling in Node.
 */

import type { IncidentContents, SourceInfo, EvidenceItem } from '../store/queries/overview.js';
import type {
  BackpressureLane, BpCell, CheckpointSpan, EventCategory, EventMark, GcBucket, GcLane, GcPause, LaneKind, LogVolume,
  SubtaskCheckpointMark, SubtaskLane, TimelineData, TimelineRequest, VertexLane,
} from '../store/queries/timeline.js';
import type { LevelName, LogCursor, LogPage, LogQuery, LogRecord } from '../store/queries/logs.js';
import type { FindingRow, EvidenceRef } from '../store/queries/findings.js';
import type { FlameProfileRow, FlameSelection, MergedTree, DiffTree, CallTreeNode, DiffTreeNode } from '../store/queries/flame.js';
import type { CheckpointRow, StragglerRow, SubtaskPhaseRow } from '../store/queries/checkpoints.js';
import type { Annotation, AnnotationInput, AnnotationPatch, AnnotationType, EvidenceLink } from '../store/queries/annotations.js';

export type EpochMicros = number;

// ───────────────────────────── incident ─────────────────────────────

export interface IncidentInfo {
  path: string;
  /** The bundled sample incident (opened read-only when nothing else was given). */
  isSample: boolean;
  readOnly: boolean;
  /** No source has been ingested yet. */
  empty: boolean;
  /** The title given to the incident (by a report export), null until someone names it. */
  title: string | null;
}

// ───────────────────────────── ingest ─────────────────────────────

export interface IngestRequest {
  /** Paths on the machine running the engine (Electron, CLI). */
  inputs?: string[];
  /** Ids returned by the browser-mode upload endpoint. */
  uploadIds?: string[];
  /** IANA zone for zone-less log timestamps; UTC when absent. */
  tz?: string;
}

export interface IngestStarted {
  ingestId: string;
  /** Where the evidence goes: a new incident file when the sample (or nothing) was open. */
  incidentPath: string;
}

export type IngestPhase = 'reading' | 'analysing' | 'done' | 'failed' | 'cancelled';

export interface IngestFileProgress {
  path: string;
  bytes: number;
  lines: number;
  state: 'reading' | 'done' | 'failed' | 'listed' | 'skipped-duplicate';
  kind?: string;
  reason?: string;
  warnings: number;
}

export interface IngestProgressEvent {
  ingestId: string;
  phase: IngestPhase;
  /** Bytes of the inputs as given (archives compressed); the base of the ETA estimate. */
  inputBytes: number;
  bytesDone: number;
  linesDone: number;
  filesDone: number;
  warnings: number;
  elapsedMs: number;
  files: IngestFileProgress[];
  /** Newest warnings first, at most 20. */
  recentWarnings: Array<{ path: string; line: number | null; message: string }>;
  error?: string;
}

// ───────────────────────────── read model ─────────────────────────────
// The store's query modules own the shapes they return; the contract re-exports them so the renderer still
// imports one file. Type-only: nothing from the store reaches the renderer or preload bundles at run time.

export type {
  SourceInfo, EvidenceItem, BackpressureLane, BpCell, CheckpointSpan, EventCategory, EventMark, GcBucket, GcLane, GcPause,
  LaneKind, LogVolume, SubtaskCheckpointMark, SubtaskLane, TimelineData, TimelineRequest, VertexLane, LevelName, LogCursor, LogPage,
  LogQuery, LogRecord, Annotation, AnnotationInput, AnnotationPatch, AnnotationType, EvidenceLink, EvidenceRef, CheckpointRow,
  StragglerRow, SubtaskPhaseRow, FlameProfileRow, FlameSelection, MergedTree, DiffTree, CallTreeNode, DiffTreeNode,
};
export type Finding = FindingRow;

export interface Overview extends IncidentContents {
  incident: IncidentInfo;
}

type SameMembers<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const LANE_KINDS = ['checkpoints', 'subtasks', 'gc', 'backpressure', 'events', 'findings', 'annotations', 'logVolume'] as const;
export const LEVEL_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export const ANNOTATION_TYPES = ['detection', 'diagnosis', 'repair', 'key-moment', 'note'] as const;
export const EVENT_CATEGORIES = ['restart', 'task-failure', 'tm-lost', 'heartbeat', 'oom', 'zookeeper', 'rpc', 'fatal', 'exception', 'job'] as const;
// Compile-time proof that these run-time lists (the validators need them) match the store's types.
const _listsMatch: [
  SameMembers<LaneKind, (typeof LANE_KINDS)[number]>,
  SameMembers<LevelName, (typeof LEVEL_NAMES)[number]>,
  SameMembers<AnnotationType, (typeof ANNOTATION_TYPES)[number]>,
  SameMembers<EventCategory, (typeof EVENT_CATEGORIES)[number]>,
] = [true, true, true, true];
void _listsMatch;

// ───────────────────────────── checkpoints ─────────────────────────────

export interface CheckpointDetail {
  checkpoint: CheckpointRow;
  /** Configured timeout (execution.checkpointing.timeout) when the config says it. */
  timeoutMs: number | null;
  /** Stragglers first (declined, never acknowledged, late), then by end-to-end duration. */
  subtasks: SubtaskPhaseRow[];
  /** GC pauses of the stragglers' TaskManagers inside the checkpoint window. */
  gc: Array<{ jvm: string; tm: string | null; host: string | null; pauses: GcPause[] }>;
  backpressure: Array<{ vertexName: string; subtask: number | null; maxRatio: number | null; level: string | null }>;
  logLines: LogRecord[];
  findings: Finding[];
}

// ───────────────────────────── report ─────────────────────────────

/** The report's sections after its header, in the order they appear. */
export const REPORT_SECTIONS = ['summary', 'timeline', 'checkpoints', 'gc', 'backpressure', 'findings', 'flame', 'appendix'] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];
export const MAX_TITLE_LENGTH = 300;

export interface ReportOptions {
  /** A `.html` path on the engine's machine to write to; without it the HTML comes back in the result. */
  outputPath?: string;
  /** Window of the timeline and tables; the whole incident when absent. */
  from?: EpochMicros;
  to?: EpochMicros;
  anonymize?: boolean;
  /** Only starred annotations (the key moments) appear. */
  onlyStarred?: boolean;
  /** The report's heading; also kept as the incident's title when the incident is writable. */
  title?: string;
  /** Sections to leave out (the header is always there). */
  omit?: ReportSection[];
}

export interface ReportResult {
  /** Where the report was written, when an outputPath was given. */
  path: string | null;
  /** The report itself, when no outputPath was given. */
  html: string | null;
  bytes: number;
}

// ───────────────────────────── the service ─────────────────────────────

export interface SluiceService {
  openIncident(path: string): Promise<IncidentInfo>;
  createIncident(path: string): Promise<IncidentInfo>;
  currentIncident(): Promise<IncidentInfo | null>;
  ingest(request: IngestRequest): Promise<IngestStarted>;
  cancelIngest(ingestId: string): Promise<boolean>;
  overview(): Promise<Overview>;
  timeline(request: TimelineRequest): Promise<TimelineData>;
  checkpoints(): Promise<CheckpointRow[]>;
  checkpointDetail(job: string, checkpointId: number): Promise<CheckpointDetail | null>;
  logLines(query: LogQuery): Promise<LogPage>;
  flameProfiles(): Promise<FlameProfileRow[]>;
  /** One call tree merged over the selected profiles (time range, TaskManager, or explicit ids). */
  flame(selection: FlameSelection): Promise<MergedTree>;
  /** Two selections in one tree, each normalised by its own total (e.g. a healthy vs a failing window). */
  flameDiff(a: FlameSelection, b: FlameSelection): Promise<DiffTree>;
  findings(): Promise<Finding[]>;
  listAnnotations(): Promise<Annotation[]>;
  createAnnotation(input: AnnotationInput): Promise<Annotation>;
  updateAnnotation(id: number, patch: AnnotationPatch): Promise<Annotation>;
  deleteAnnotation(id: number): Promise<boolean>;
  /**
   * Says which TaskManager wrote a GC log (null hands the choice back to automatic attribution); the choice is
   * kept across later ingests, and the GC lanes and findings follow it.
   */
  reassignGcLog(sourceId: number, tmId: string | null): Promise<boolean>;
  exportReport(options: ReportOptions): Promise<ReportResult>;
  /**
   * Progress of one ingest; the listener gets the latest state at once, then every change until a terminal
   * phase. Returns the unsubscribe function. Not a request/response call: each transport carries it its own
   * way (SSE in browser mode, IPC events in Electron).
   */
  onProgress(ingestId: string, listener: (event: IngestProgressEvent) => void): () => void;
}

/** The request/response methods, i.e. everything a transport forwards as one call. */
export type RpcMethod = Exclude<keyof SluiceService, 'onProgress'>;
export type RpcArgs<M extends RpcMethod> = Parameters<SluiceService[M]>;
export type RpcResult<M extends RpcMethod> = Awaited<ReturnType<SluiceService[M]>>;

export type ServiceErrorCode = 'invalid-argument' | 'not-found' | 'no-incident' | 'read-only' | 'busy' | 'not-available' | 'internal';

/** The error every transport carries across as `{ error: { code, message } }`. */
export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface WireError {
  error: { code: ServiceErrorCode; message: string };
}

// ───────────────────────────── runtime validation ─────────────────────────────

/** A validator returns the value narrowed to T or throws a ServiceError naming the offending path. */
export type Check<T> = (value: unknown, path: string) => T;

const fail = (path: string, expected: string, value: unknown): never => {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  throw new ServiceError('invalid-argument', `${path}: expected ${expected}, got ${got}`);
};

export const is = {
  string(maxLength = 100_000): Check<string> {
    return (v, p) => (typeof v === 'string' && v.length <= maxLength ? v : fail(p, `a string of at most ${maxLength} characters`, v));
  },
  number: ((v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a finite number', v))) as Check<number>,
  integer(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Check<number> {
    return (v, p) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fail(p, `an integer in [${min}, ${max}]`, v));
  },
  boolean: ((v, p) => (typeof v === 'boolean' ? v : fail(p, 'a boolean', v))) as Check<boolean>,
  literal<const T extends readonly string[]>(values: T): Check<T[number]> {
    return (v, p) => (typeof v === 'string' && values.includes(v) ? (v as T[number]) : fail(p, `one of ${values.join(', ')}`, v));
  },
  optional<T>(check: Check<T>): Check<T | undefined> {
    return (v, p) => (v === undefined ? undefined : check(v, p));
  },
  nullable<T>(check: Check<T>): Check<T | null> {
    return (v, p) => (v === null ? null : check(v, p));
  },
  array<T>(check: Check<T>, maxItems = 10_000): Check<T[]> {
    return (v, p) => {
      if (!Array.isArray(v) || v.length > maxItems) return fail(p, `an array of at most ${maxItems} items`, v);
      return v.map((item, i) => check(item, `${p}[${i}]`));
    };
  },
  /** Unknown keys are rejected: a typo in a field name should fail loudly, not be ignored. */
  object<T extends object>(shape: { [K in keyof T]-?: Check<T[K]> }): Check<T> {
    return (v, p) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(p, 'an object', v);
      const input = v as Record<string, unknown>;
      for (const key of Object.keys(input)) {
        if (!Object.prototype.hasOwnProperty.call(shape, key)) throw new ServiceError('invalid-argument', `${p}.${key}: unknown field`);
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(shape) as Array<keyof T & string>) {
        const value = (shape[key] as Check<unknown>)(input[key], `${p}.${key}`);
        if (value !== undefined) out[key] = value;
      }
      return out as T;
    };
  },
  oneOf<A, B>(a: Check<A>, b: Check<B>): Check<A | B> {
    return (v, p) => {
      try {
        return a(v, p);
      } catch {
        return b(v, p);
      }
    };
  },
};

const time = is.number;
const path = is.string(4096);
const id = is.integer(0);

const evidenceRef: Check<EvidenceLink> = is.object<EvidenceLink>({
  type: is.string(64),
  id: is.optional(is.oneOf(is.integer(), is.string(200))),
  key: is.optional(is.string(500)),
  label: is.optional(is.string(1000)),
  ts: is.optional(time),
  sourceId: is.optional(id),
  line: is.optional(id),
});

const flameSelection: Check<FlameSelection> = is.object<FlameSelection>({
  from: is.optional(time),
  to: is.optional(time),
  tm: is.optional(is.string(500)),
  mode: is.optional(is.string(32)),
  profileIds: is.optional(is.array(id, 10_000)),
});

const logCursor: Check<LogCursor> = is.object<LogCursor>({ ts: time, sourceId: id, line: id });

const annotationText = is.string(100_000);

/** One validator per method, over the method's argument tuple. */
export const ARGUMENT_CHECKS: { [M in RpcMethod]: Check<RpcArgs<M>> } = {
  openIncident: tuple1(path),
  createIncident: tuple1(path),
  currentIncident: tuple0(),
  ingest: tuple1(
    is.object<IngestRequest>({
      inputs: is.optional(is.array(path, 10_000)),
      uploadIds: is.optional(is.array(is.string(64), 10_000)),
      tz: is.optional(is.string(64)),
    }),
  ),
  cancelIngest: tuple1(is.string(64)),
  overview: tuple0(),
  timeline: tuple1(
    is.object<TimelineRequest>({
      from: time,
      to: time,
      widthPx: is.integer(1, 20_000),
      lanes: is.optional(is.array(is.literal(LANE_KINDS), LANE_KINDS.length)),
    }),
  ),
  checkpoints: tuple0(),
  checkpointDetail: (v, p) => {
    const args = argsArray(v, p, 2);
    return [is.string(200)(args[0], `${p}[0]`), is.integer()(args[1], `${p}[1]`)];
  },
  logLines: tuple1(
    is.object<LogQuery>({
      from: is.optional(time),
      to: is.optional(time),
      levels: is.optional(is.array(is.literal(LEVEL_NAMES), LEVEL_NAMES.length)),
      sourceIds: is.optional(is.array(id, 100_000)),
      tms: is.optional(is.array(is.string(500), 10_000)),
      text: is.optional(is.string(1000)),
      cursor: is.optional(logCursor),
      direction: is.optional(is.literal(['forward', 'backward'] as const)),
      limit: is.integer(1, 5000),
      around: is.optional(
        is.oneOf(is.object<{ ts: number }>({ ts: time }), is.object<{ sourceId: number; line: number }>({ sourceId: id, line: id })),
      ),
    }),
  ),
  flameProfiles: tuple0(),
  flame: tuple1(flameSelection),
  flameDiff: (v, p) => {
    const args = argsArray(v, p, 2);
    return [flameSelection(args[0], `${p}[0]`), flameSelection(args[1], `${p}[1]`)];
  },
  findings: tuple0(),
  listAnnotations: tuple0(),
  createAnnotation: tuple1(
    is.object<AnnotationInput>({
      from: time,
      to: is.optional(is.nullable(time)),
      lane: is.optional(is.nullable(is.string(500))),
      type: is.literal(ANNOTATION_TYPES),
      text: annotationText,
      starred: is.optional(is.boolean),
      evidence: is.optional(is.array(evidenceRef, 1000)),
    }),
  ),
  updateAnnotation: (v, p) => {
    const args = argsArray(v, p, 2);
    const patch = is.object<AnnotationPatch>({
      from: is.optional(time),
      to: is.optional(is.nullable(time)),
      lane: is.optional(is.nullable(is.string(500))),
      type: is.optional(is.literal(ANNOTATION_TYPES)),
      text: is.optional(annotationText),
      starred: is.optional(is.boolean),
      evidence: is.optional(is.array(evidenceRef, 1000)),
    });
    return [id(args[0], `${p}[0]`), patch(args[1], `${p}[1]`)];
  },
  deleteAnnotation: tuple1(id),
  reassignGcLog: (v, p) => {
    const [sourceId, tmId] = argsArray(v, p, 2);
    return [id(sourceId, `${p}[0]`), is.nullable(is.string(500))(tmId, `${p}[1]`)];
  },
  exportReport: tuple1(
    is.object<ReportOptions>({
      outputPath: is.optional(path),
      from: is.optional(time),
      to: is.optional(time),
      anonymize: is.optional(is.boolean),
      onlyStarred: is.optional(is.boolean),
      title: is.optional(is.string(MAX_TITLE_LENGTH)),
      omit: is.optional(is.array(is.literal(REPORT_SECTIONS), REPORT_SECTIONS.length)),
    }),
  ),
};

export const RPC_METHODS = Object.keys(ARGUMENT_CHECKS) as RpcMethod[];

export function isRpcMethod(name: string): name is RpcMethod {
  return Object.prototype.hasOwnProperty.call(ARGUMENT_CHECKS, name);
}

/** Validates a method's raw argument list (as decoded from JSON); throws ServiceError('invalid-argument'). */
export function validateArgs<M extends RpcMethod>(method: M, args: unknown): RpcArgs<M> {
  const check = ARGUMENT_CHECKS[method] as Check<RpcArgs<M>>;
  return check(args, method);
}

/** Narrows an unknown error payload (from the wire) to a WireError. */
export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
    && typeof (error as { code?: unknown }).code === 'string';
}

function argsArray(v: unknown, p: string, count: number): unknown[] {
  if (!Array.isArray(v) || v.length > count) return fail(p, `an argument list of at most ${count} items`, v);
  return v;
}

function tuple0(): Check<[]> {
  return (v, p) => {
    argsArray(v, p, 0);
    return [];
  };
}

function tuple1<T>(check: Check<T>): Check<[T]> {
  return (v, p) => [check(argsArray(v, p, 1)[0], `${p}[0]`)];
}
