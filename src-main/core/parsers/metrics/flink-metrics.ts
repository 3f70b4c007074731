import type { BackpressureSampleRecord, RecordSink } from '../../model/records.js';

/**
 * Flink metric vocabulary shared by the Prometheus parser, the Slf4jReporter parser and the REST parser.
 *
 * Name normalisation (what `metric_sample.name` holds, whatever the reporter):
 * - the Flink metric identifier below its scope, sub-groups joined by `.`, exactly as Slf4jReporter prints it:
 *   `backPressuredTimeMsPerSecond`, `Shuffle.Netty.Output.Buffers.outPoolUsage`, `lastCheckpointDuration`,
 *   `Status.JVM.GarbageCollector.G1 Young Generation.Count` (collector names keep their spaces);
 * - Prometheus names lose `flink_<logical scope>_` and turn `_` back into `.` (Flink metric and group names are
 *   camelCase, so `_` only ever stood for the scope delimiter — except inside GC collector names, where it stood
 *   for a space); user metrics whose own names contain `_` come out with `.` instead;
 * - histogram statistics get a suffix: `.count`, `.min`, `.max`, `.mean`, `.stddev`, `.p50`, `.p75`, `.p95`,
 *   `.p98`, `.p99`, `.p999` (Prometheus summary quantile 0.99 → `.p99`, `_count` → `.count`, `_sum` → `.sum`).
 * `metric_sample.scope` keeps where the value came from: the Prometheus family name, or the Slf4j identifier
 * without the metric name.
 */

/** Backpressure level thresholds, the same in every Flink version (flink-formats §5). */
export const BACKPRESSURE_OK_MAX = 0.1;
export const BACKPRESSURE_LOW_MAX = 0.5;

export type BackpressureLevel = 'ok' | 'low' | 'high';

export function backpressureLevel(ratio: number): BackpressureLevel {
  if (ratio <= BACKPRESSURE_OK_MAX) return 'ok';
  if (ratio <= BACKPRESSURE_LOW_MAX) return 'low';
  return 'high';
}

/** Task metrics that make up a backpressure sample (flink-formats §4.1). */
const BACKPRESSURE_METRICS = new Set([
  'backPressuredTimeMsPerSecond',
  'softBackPressuredTimeMsPerSecond',
  'hardBackPressuredTimeMsPerSecond',
  'busyTimeMsPerSecond',
  'idleTimeMsPerSecond',
  'isBackPressured',
]);

export function isBackpressureMetric(name: string): boolean {
  return BACKPRESSURE_METRICS.has(name);
}

/**
 * First segment of metrics registered under a task or operator scope. Used to find where the metric name starts
 * in an Slf4j identifier whose job and task names may themselves contain dots and digits.
 */
export const TASK_METRIC_ROOTS: ReadonlySet<string> = new Set([
  'numRecordsIn', 'numRecordsOut', 'numRecordsInPerSecond', 'numRecordsOutPerSecond',
  'numBytesIn', 'numBytesOut', 'numBytesInPerSecond', 'numBytesOutPerSecond',
  'numBytesInLocal', 'numBytesInRemote', 'numBytesInLocalPerSecond', 'numBytesInRemotePerSecond',
  'numBuffersIn', 'numBuffersOut', 'numBuffersOutPerSecond', 'numBuffersInLocal', 'numBuffersInRemote',
  'numBuffersInLocalPerSecond', 'numBuffersInRemotePerSecond',
  'numRecordsInErrors', 'numRecordsOutErrors', 'numRecordsSend', 'numRecordsSendErrors', 'numBytesSend',
  'isBackPressured', 'idleTimeMsPerSecond', 'busyTimeMsPerSecond', 'backPressuredTimeMsPerSecond',
  'softBackPressuredTimeMsPerSecond', 'hardBackPressuredTimeMsPerSecond',
  'maxSoftBackPressureTimeMs', 'maxHardBackPressureTimeMs',
  'accumulateIdleTimeMs', 'accumulateBusyTimeMs', 'accumulateBackPressuredTimeMs',
  'mailboxMailsPerSecond', 'mailboxLatencyMs', 'mailboxQueueSize', 'changelogBusyTimeMsPerSecond',
  'initializationTime', 'numFiredTimers', 'numFiredTimersPerSecond',
  'checkpointAlignmentTime', 'checkpointStartDelayNanos', 'estimatedTimeToConsumeBuffersMs', 'debloatedBufferSize',
  'Shuffle', 'buffers', 'Network',
  'currentInputWatermark', 'currentOutputWatermark', 'currentInput1Watermark', 'currentInput2Watermark',
  'watermarkAlignmentDrift', 'numLateRecordsDropped', 'numSplitsProcessed', 'pendingRecords', 'pendingBytes',
  'currentEmitEventTimeLag', 'currentFetchEventTimeLag', 'sourceIdleTime', 'currentSendTime',
  'KafkaSourceReader', 'KafkaConsumer', 'KafkaProducer',
]);

/** Histogram statistics as Slf4jReporter names them; also the suffixes of histogram metric names. */
export const HISTOGRAM_STATS = ['count', 'min', 'max', 'mean', 'stddev', 'p50', 'p75', 'p95', 'p98', 'p99', 'p999'] as const;

/** Where a backpressure-relevant task metric belongs: one sample per (time, subtask). */
export interface BackpressureKey {
  ts: number;
  job?: string;
  vertexId?: string;
  vertexName?: string;
  subtask: number;
  line?: number;
}

interface PendingSample extends BackpressureKey {
  values: Map<string, number>;
}

/** Above this many open (time, subtask) groups, the oldest are emitted early to bound memory. */
const MAX_PENDING = 50_000;

/**
 * Collects the backpressure metrics of each subtask at each time (they arrive as separate samples, Prometheus
 * even groups them by metric family) and turns each group into one sample with the REST handler's rules:
 * ratio = backPressuredTimeMsPerSecond / 1000 (1.13+), soft + hard when only those are exported,
 * isBackPressured (1.10–1.12) as 0 or 1 otherwise; busy and idle likewise per mille → fraction.
 */
export class BackpressureAccumulator {
  private readonly pending = new Map<string, PendingSample>();

  constructor(private readonly sink: RecordSink) {}

  add(key: BackpressureKey, metric: string, value: number): void {
    const id = `${key.ts}\u0000${key.job ?? ''}\u0000${key.vertexId ?? ''}\u0000${key.vertexName ?? ''}\u0000${key.subtask}`;
    let sample = this.pending.get(id);
    if (sample === undefined) {
      if (this.pending.size >= MAX_PENDING) this.flushOldest();
      sample = { ...key, values: new Map() };
      this.pending.set(id, sample);
    }
    sample.values.set(metric, value);
  }

  flush(): void {
    for (const sample of this.pending.values()) this.emit(sample);
    this.pending.clear();
  }

  private flushOldest(): void {
    const [firstId, first] = this.pending.entries().next().value as [string, PendingSample];
    this.emit(first);
    this.pending.delete(firstId);
  }

  private emit(sample: PendingSample): void {
    const perMille = (name: string): number | undefined => {
      const value = sample.values.get(name);
      return value === undefined || !Number.isFinite(value) ? undefined : Math.min(Math.max(value / 1000, 0), 1);
    };
    let ratio = perMille('backPressuredTimeMsPerSecond');
    if (ratio === undefined) {
      const soft = perMille('softBackPressuredTimeMsPerSecond');
      const hard = perMille('hardBackPressuredTimeMsPerSecond');
      if (soft !== undefined && hard !== undefined) ratio = Math.min(soft + hard, 1);
    }
    if (ratio === undefined) {
      const flag = sample.values.get('isBackPressured');
      if (flag !== undefined && Number.isFinite(flag)) ratio = flag > 0 ? 1 : 0;
    }
    const busy = perMille('busyTimeMsPerSecond');
    const idle = perMille('idleTimeMsPerSecond');
    if (ratio === undefined && busy === undefined && idle === undefined) return;
    const record: BackpressureSampleRecord = {
      ts: sample.ts,
      job: sample.job,
      vertexId: sample.vertexId,
      vertexName: sample.vertexName,
      subtask: sample.subtask,
      ratio,
      busy,
      idle,
      level: ratio === undefined ? undefined : backpressureLevel(ratio),
      origin: 'metric',
      line: sample.line,
    };
    this.sink.backpressure(record);
  }
}
