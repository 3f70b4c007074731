import type { BackpressureSampleRecord } from '../../model/records.js';
import { backpressureLevel, type BackpressureLevel } from '../metrics/flink-metrics.js';
import { arrayAt, isObject, knownAt, numberAt, stringAt, timeAt, type JsonObject } from './json-read.js';
import type { RestScope } from './records.js';

/**
 * `/jobs/:jid/vertices/:vid/backpressure` (flink-formats §3.4): ≤1.12 sampled ratios, 1.13–1.15 metric ratios
 * with busy/idle, 1.16+ `backpressureLevel` (was `backpressure-level`). One sample per subtask plus one for the
 * vertex (subtask undefined) at `end-timestamp`. Speculative attempts (`other-concurrent-attempts`, 1.16+) are
 * not separate rows: the sample has no attempt column, and the REST handler already reports the representative
 * attempt at the top level.
 */

export function isBackpressure(o: JsonObject): boolean {
  return 'backpressure-level' in o || 'backpressureLevel' in o || o.status === 'deprecated' ||
    ('end-timestamp' in o && Array.isArray(o.subtasks));
}

export function readBackpressure(o: JsonObject, scope: RestScope): void {
  if (o.status === 'deprecated') {
    scope.warning('backpressure response has status "deprecated": Flink had no statistics yet (sampling was just started)');
    return;
  }
  const ts = timeAt(o, 'end-timestamp');
  if (ts === undefined) {
    scope.warning('backpressure response without end-timestamp skipped');
    return;
  }
  const job = scope.job();
  const vertexId = scope.hints.vertex;
  if (vertexId === undefined) scope.warning('backpressure response: no vertex id in the file path; samples kept without vertex');
  let maxRatio: number | undefined;
  for (const entry of arrayAt(o, 'subtasks') ?? []) {
    if (!isObject(entry)) continue;
    const subtask = knownAt(entry, 'subtask');
    if (subtask === undefined) continue;
    const ratio = numberAt(entry, 'ratio');
    if (ratio !== undefined) maxRatio = Math.max(maxRatio ?? 0, ratio);
    const sample: BackpressureSampleRecord = {
      ts,
      job,
      vertexId,
      subtask,
      ratio,
      busy: numberAt(entry, 'busyRatio'),
      idle: numberAt(entry, 'idleRatio'),
      level: levelOf(entry) ?? (ratio === undefined ? undefined : backpressureLevel(ratio)),
      origin: 'rest',
    };
    scope.sink.backpressure(sample);
  }
  const level = levelOf(o) ?? (maxRatio === undefined ? undefined : backpressureLevel(maxRatio));
  if (maxRatio === undefined && level === undefined) return;
  scope.sink.backpressure({ ts, job, vertexId, ratio: maxRatio, level, origin: 'rest' });
}

function levelOf(o: JsonObject): BackpressureLevel | undefined {
  const stated = (stringAt(o, 'backpressureLevel') ?? stringAt(o, 'backpressure-level'))?.toLowerCase();
  return stated === 'ok' || stated === 'low' || stated === 'high' ? stated : undefined;
}
