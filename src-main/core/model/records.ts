import type { EpochMicros } from '../common/time.js';
import type { SourceFacts, TimeConfidence } from './source.js';
import type { EventKind } from './events.js';

/** Log levels as small integers so a line index stores one byte per line. 0 = not a record start / unknown. */
export const enum Level {
  None = 0,
  Trace = 1,
  Debug = 2,
  Info = 3,
  Warn = 4,
  Error = 5,
  Fatal = 6,
}

export const LEVEL_NAMES = ['', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

export function levelFromName(name: string): Level {
  switch (name) {
    case 'TRACE':
      return Level.Trace;
    case 'DEBUG':
      return Level.Debug;
    case 'INFO':
      return Level.Info;
    case 'WARN':
    case 'WARNING':
      return Level.Warn;
    case 'ERROR':
      return Level.Error;
    case 'FATAL':
      return Level.Fatal;
    default:
      return Level.None;
  }
}

export type AttrValue = string | number | boolean | null;

/** A recognised log message (one catalogue template matched). Unknown fields stay undefined, never 0. */
export interface EventRecord {
  ts: EpochMicros;
  kind: EventKind;
  /** Catalogue template id, e.g. 'T2', 'C2', 'X4'. */
  template: string;
  level: Level;
  /** 1-based line number of the record's first line in its source. */
  line: number;
  /** Physical lines the record spans (stack traces). */
  lineCount: number;
  job?: string;
  checkpointId?: number;
  /** JobVertexID (32 hex) when known. */
  vertexId?: string;
  /** Task / vertex name without the "(i/n)" suffix. */
  vertexName?: string;
  /** 0-based subtask index. */
  subtask?: number;
  parallelism?: number;
  /** ExecutionAttemptID: 32 hex (≤1.15) or composite (1.16+). */
  attempt?: string;
  attemptNumber?: number;
  /** TaskManager resource id. */
  tm?: string;
  host?: string;
  attrs?: Record<string, AttrValue>;
}

export type GcEventClass = 'pause' | 'concurrent' | 'cycle' | 'safepoint' | 'alloc-stall';

export interface GcEventRecord {
  /** Start on the incident axis; NaN when the log could not be anchored (then uptimeUs is set). */
  start: EpochMicros;
  /** Seconds since JVM start, in micros, when logged. */
  uptimeUs?: number;
  durationUs: number;
  eventClass: GcEventClass;
  /** young, mixed, full, remark, cleanup, initial-mark, degenerated, … */
  kind: string;
  name: string;
  cause?: string;
  gcId?: number;
  heapBeforeBytes?: number;
  heapAfterBytes?: number;
  heapCommittedBytes?: number;
  heapMaxBytes?: number;
  line: number;
  lineCount: number;
  timeConfidence: TimeConfidence;
  /** How the start was derived: 'logged-start', 'end-minus-duration', 'uptime+anchor:<kind>'. */
  timeBasis: string;
  flags?: string[];
}

export interface BackpressureSampleRecord {
  ts: EpochMicros;
  job?: string;
  vertexId?: string;
  vertexName?: string;
  subtask?: number;
  /** Fraction of time back-pressured, 0..1. */
  ratio?: number;
  busy?: number;
  idle?: number;
  level?: 'ok' | 'low' | 'high';
  origin: 'rest' | 'metric';
  line?: number;
}

export interface MetricSampleRecord {
  ts: EpochMicros;
  /** Full scope identifier or Prometheus metric family, e.g. 'tm-7.taskmanager.<tm>.<job>.<task>.2'. */
  scope: string;
  name: string;
  value: number;
  host?: string;
  tm?: string;
  job?: string;
  taskName?: string;
  subtask?: number;
  line?: number;
}

/** Checkpoint facts from a REST dump: authoritative for phases, reconciled with log evidence by analysis. */
export interface RestCheckpointRecord {
  job: string;
  checkpointId: number;
  status: 'COMPLETED' | 'FAILED' | 'IN_PROGRESS';
  isSavepoint?: boolean;
  checkpointType?: string;
  triggerTs?: EpochMicros;
  latestAckTs?: EpochMicros;
  failureTs?: EpochMicros;
  failureMessage?: string;
  endToEndMs?: number;
  stateSize?: number;
  checkpointedSize?: number;
  processedData?: number;
  persistedData?: number;
  numSubtasks?: number;
  numAcknowledged?: number;
  externalPath?: string;
}

export interface RestSubtaskCheckpointRecord {
  job: string;
  checkpointId: number;
  vertexId: string;
  subtask: number;
  status: 'completed' | 'pending_or_failed';
  ackTs?: EpochMicros;
  endToEndMs?: number;
  stateSize?: number;
  checkpointedSize?: number;
  syncMs?: number;
  asyncMs?: number;
  alignmentMs?: number;
  alignmentProcessed?: number;
  alignmentPersisted?: number;
  startDelayMs?: number;
  unaligned?: boolean;
  aborted?: boolean;
}

export interface JobVertexRecord {
  job: string;
  jobName?: string;
  vertexId: string;
  name: string;
  parallelism?: number;
  maxParallelism?: number;
}

export interface PlanEdgeRecord {
  job: string;
  from: string;
  to: string;
  shipStrategy?: string;
}

export interface FlameFrame {
  name: string;
  /** java, inlined, kernel, native, cpp, interpreted, c1, jit, … as suffixes / JFR types tell. */
  type?: string;
}

export interface FlameProfileRecord {
  format: string;
  mode: 'cpu' | 'alloc' | 'lock' | 'wall' | 'off-cpu' | 'itimer' | 'unknown';
  startTs?: EpochMicros;
  endTs?: EpochMicros;
  timeExact: boolean;
  tm?: string;
  host?: string;
  vertexId?: string;
  subtask?: number;
  /** Stacks as frame lists, root first, with total weight. */
  stacks: Array<{ frames: FlameFrame[]; weight: number; thread?: string }>;
  /** Timestamped samples (JFR, evented speedscope): index into stacks. */
  samples?: Array<{ ts: EpochMicros; stack: number; weight: number }>;
  title?: string;
}

export interface ParseWarning {
  /** 1-based line, when the problem has one. */
  line?: number;
  message: string;
}

/**
 * Where parsers put what they recognise. Parsers are pure: they never see SQLite; core/ingest adapts this sink
 * to the incident store. Calls are synchronous and cheap; the store batches them.
 */
export interface RecordSink {
  facts(facts: SourceFacts): void;
  event(event: EventRecord): void;
  gc(event: GcEventRecord): void;
  backpressure(sample: BackpressureSampleRecord): void;
  metric(sample: MetricSampleRecord): void;
  restCheckpoint(record: RestCheckpointRecord): void;
  restSubtask(record: RestSubtaskCheckpointRecord): void;
  vertex(record: JobVertexRecord): void;
  planEdge(record: PlanEdgeRecord): void;
  flame(profile: FlameProfileRecord): void;
  warning(warning: ParseWarning): void;
}
