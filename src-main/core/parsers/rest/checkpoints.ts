import { Level, type RestCheckpointRecord, type RestSubtaskCheckpointRecord } from '../../model/records.js';
import {
  arrayAt, booleanAt, discriminator, isObject, knownAt, numberAt, objectAt, stringAt, timeAt, type JsonObject,
} from './json-read.js';
import type { RestScope } from './records.js';

/** Checkpoint REST responses (flink-formats §3.1–3.3), every version from 1.9 to 2.0. */

const CHECKPOINT_STATUSES: ReadonlyArray<RestCheckpointRecord['status']> = ['IN_PROGRESS', 'COMPLETED', 'FAILED'];
const STATUS_BY_TYPE = new Map<string, RestCheckpointRecord['status']>([
  ['completed', 'COMPLETED'],
  ['failed', 'FAILED'],
  ['in_progress', 'IN_PROGRESS'],
]);

/** `/jobs/:jid/checkpoints`: counts, summary, latest, history. */
export function isCheckpointOverview(o: JsonObject): boolean {
  return isObject(o.counts) && ('history' in o || 'latest' in o || 'summary' in o);
}

/** `/jobs/:jid/checkpoints/config`. */
export function isCheckpointConfig(o: JsonObject): boolean {
  return typeof o.mode === 'string' && typeof o.interval === 'number' && typeof o.timeout === 'number';
}

/** A `CheckpointStatistics` object: a history entry, a `latest.*` member or `/checkpoints/details/:id`. */
export function isCheckpointStatistics(o: JsonObject): boolean {
  return numberAt(o, 'id') !== undefined && checkpointStatus(o) !== undefined &&
    ('trigger_timestamp' in o || 'tasks' in o || discriminator(o) !== undefined);
}

/** `/checkpoints/details/:id/subtasks/:vid`: `TaskCheckpointStatisticsWithSubtaskDetails`. */
export function isSubtaskDetails(o: JsonObject): boolean {
  const subtasks = arrayAt(o, 'subtasks');
  return subtasks !== undefined && subtasks.every((s) => isObject(s) && 'index' in s) &&
    (subtasks.length > 0 || numberAt(o, 'num_subtasks') !== undefined);
}

export function readCheckpointOverview(o: JsonObject, scope: RestScope): void {
  const latest = objectAt(o, 'latest');
  for (const entry of arrayAt(o, 'history') ?? []) {
    if (isObject(entry)) readCheckpoint(entry, scope);
  }
  for (const key of ['completed', 'savepoint', 'failed']) {
    const entry = latest?.[key];
    if (isObject(entry)) readCheckpoint(entry, scope);
  }
  const restored = objectAt(latest ?? {}, 'restored');
  const restoredAt = timeAt(restored, 'restore_timestamp');
  if (restored !== undefined && restoredAt !== undefined) {
    scope.sink.event({
      ts: restoredAt,
      kind: 'checkpoint.restore',
      template: 'REST-RESTORE',
      level: Level.Info,
      line: 0,
      lineCount: 0,
      job: scope.job(),
      checkpointId: knownAt(restored, 'id'),
      attrs: {
        externalPath: stringAt(restored, 'external_path') ?? null,
        isSavepoint: booleanAt(restored, 'is_savepoint') ?? null,
      },
    });
  }
}

/** Every scalar leaf, nested names joined by '.': `rest.checkpoints.externalization.enabled`. */
export function readCheckpointConfig(o: JsonObject): Record<string, string> {
  const config: Record<string, string> = {};
  const flatten = (value: JsonObject, prefix: string): void => {
    for (const [key, member] of Object.entries(value)) {
      if (isObject(member)) flatten(member, `${prefix}${key}.`);
      else if (typeof member === 'string' || typeof member === 'number' || typeof member === 'boolean') {
        config[`${prefix}${key}`] = String(member);
      }
    }
  };
  flatten(o, 'rest.checkpoints.');
  return config;
}

/** A checkpoint statistics object; its `tasks` map yields subtask rows only when a dump inlined subtask details. */
export function readCheckpoint(o: JsonObject, scope: RestScope): void {
  const status = checkpointStatus(o);
  const id = knownAt(o, 'id') ?? scope.hints.checkpointId;
  if (status === undefined || id === undefined) {
    scope.warning(`checkpoint statistics without ${status === undefined ? 'a known status' : 'an id'} skipped`);
    return;
  }
  const job = scope.job();
  scope.records.checkpoint({
    job,
    checkpointId: id,
    status,
    isSavepoint: booleanAt(o, 'is_savepoint'),
    checkpointType: stringAt(o, 'checkpoint_type'),
    triggerTs: timeAt(o, 'trigger_timestamp'),
    latestAckTs: timeAt(o, 'latest_ack_timestamp'),
    failureTs: timeAt(o, 'failure_timestamp'),
    failureMessage: stringAt(o, 'failure_message'),
    endToEndMs: knownAt(o, 'end_to_end_duration'),
    stateSize: knownAt(o, 'state_size'),
    checkpointedSize: knownAt(o, 'checkpointed_size'),
    processedData: knownAt(o, 'processed_data'),
    persistedData: knownAt(o, 'persisted_data'),
    numSubtasks: knownAt(o, 'num_subtasks'),
    numAcknowledged: knownAt(o, 'num_acknowledged_subtasks'),
    externalPath: stringAt(o, 'external_path'),
  });
  const tasks = objectAt(o, 'tasks');
  for (const [vertexId, task] of Object.entries(tasks ?? {})) {
    if (isObject(task) && Array.isArray(task.subtasks)) readSubtaskDetails(task, scope, { checkpointId: id, vertexId });
  }
}

export function readSubtaskDetails(
  o: JsonObject,
  scope: RestScope,
  known: { checkpointId?: number; vertexId?: string } = {},
): void {
  const checkpointId = known.checkpointId ?? knownAt(o, 'id') ?? scope.hints.checkpointId;
  const vertexId = known.vertexId ?? scope.hints.vertex;
  if (checkpointId === undefined || vertexId === undefined) {
    const missing = [checkpointId === undefined ? 'checkpoint id' : '', vertexId === undefined ? 'vertex id' : ''].filter(Boolean);
    scope.warning(`subtask checkpoint details skipped: no ${missing.join(' or ')} in the body or the file path`);
    return;
  }
  const job = scope.job();
  for (const subtask of arrayAt(o, 'subtasks') ?? []) {
    if (!isObject(subtask)) continue;
    const record = subtaskRecord(subtask, job, checkpointId, vertexId);
    if (record === undefined) scope.warning(`subtask entry of checkpoint ${checkpointId} vertex ${vertexId} without index or status skipped`);
    else scope.records.subtask(record);
  }
}

function subtaskRecord(s: JsonObject, job: string, checkpointId: number, vertexId: string): RestSubtaskCheckpointRecord | undefined {
  const index = knownAt(s, 'index');
  const tag = stringAt(s, 'status') ?? discriminator(s);
  const status = tag === 'completed' ? 'completed' : tag === 'pending_or_failed' || tag === 'pending' ? 'pending_or_failed' : undefined;
  if (index === undefined || status === undefined) return undefined;
  const record: RestSubtaskCheckpointRecord = { job, checkpointId, vertexId, subtask: index, status };
  if (status === 'pending_or_failed') return record;
  const phases = objectAt(s, 'checkpoint');
  const alignment = objectAt(s, 'alignment');
  return {
    ...record,
    ackTs: timeAt(s, 'ack_timestamp'),
    endToEndMs: knownAt(s, 'end_to_end_duration'),
    stateSize: knownAt(s, 'state_size'),
    checkpointedSize: knownAt(s, 'checkpointed_size'),
    syncMs: knownAt(phases, 'sync'),
    asyncMs: knownAt(phases, 'async'),
    alignmentMs: knownAt(alignment, 'duration'),
    alignmentProcessed: knownAt(alignment, 'processed'),
    alignmentPersisted: knownAt(alignment, 'persisted'),
    startDelayMs: knownAt(s, 'start_delay'),
    unaligned: booleanAt(s, 'unaligned_checkpoint'),
    aborted: booleanAt(s, 'aborted'),
  };
}

function checkpointStatus(o: JsonObject): RestCheckpointRecord['status'] | undefined {
  const stated = CHECKPOINT_STATUSES.find((status) => status === o.status);
  if (stated !== undefined) return stated;
  const tag = discriminator(o);
  return tag === undefined ? undefined : STATUS_BY_TYPE.get(tag);
}
