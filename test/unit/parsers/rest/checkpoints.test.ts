import { describe, expect, it } from 'vitest';
import { JOB, VERTEX, fixture, runRest } from './run-rest.js';

describe('REST /jobs/:jid/checkpoints', () => {
  it('reads the 1.17 reference example: history and latest.* deduplicated, ms → µs, -1 → undefined', () => {
    const sink = runRest(fixture('checkpoints-1.17.json'), `incident.zip!/rest/jobs/${JOB}/checkpoints.json`);
    expect(sink.warnings).toEqual([]);
    expect(sink.checkpoints.map((c) => [c.checkpointId, c.status])).toEqual([
      [1289, 'IN_PROGRESS'],
      [1287, 'COMPLETED'],
      [1288, 'FAILED'],
    ]);
    const completed = sink.checkpoints.find((c) => c.checkpointId === 1287)!;
    expect(completed).toMatchObject({
      job: JOB,
      isSavepoint: false,
      checkpointType: 'CHECKPOINT',
      triggerTs: 1686733957548_000,
      latestAckTs: 1686733960110_000,
      endToEndMs: 2562,
      stateSize: 412733190,
      checkpointedSize: 8388608,
      processedData: 0,
      persistedData: 0,
      numSubtasks: 16,
      numAcknowledged: 16,
      externalPath: 's3://bucket/ckp/3f9a…/chk-1287',
    });
    const failed = sink.checkpoints.find((c) => c.checkpointId === 1288)!;
    expect(failed).toMatchObject({ failureTs: 1686734557552_000, failureMessage: 'Checkpoint expired before completing.', numAcknowledged: 11 });
    const restore = sink.events.find((e) => e.kind === 'checkpoint.restore')!;
    expect(restore).toMatchObject({ ts: 1686600000000_000, job: JOB, checkpointId: 1200, template: 'REST-RESTORE' });
    expect(restore.attrs).toMatchObject({ isSavepoint: false, externalPath: 's3://bucket/ckp/3f9a…/chk-1200' });
  });

  it('reads the ≤1.14 shape (@class, min/max/avg summaries) and merges a history entry with latest.completed', () => {
    const summary = { min: 1, max: 9, avg: 5 };
    const body = {
      counts: { restored: 0, total: 3, in_progress: 1, completed: 1, failed: 1 },
      summary: { state_size: summary, end_to_end_duration: summary, alignment_buffered: summary, processed_data: summary, persisted_data: summary },
      latest: {
        completed: { '@class': 'completed', id: 41, status: 'COMPLETED', is_savepoint: false, trigger_timestamp: 1686733900000,
          latest_ack_timestamp: 1686733901000, state_size: 1000, end_to_end_duration: 1000, alignment_buffered: 0, processed_data: 0,
          persisted_data: 0, num_subtasks: 4, num_acknowledged_subtasks: 4, checkpoint_type: 'CHECKPOINT', tasks: {},
          external_path: '<checkpoint-not-externally-addressable>', discarded: true },
        savepoint: null,
        failed: null,
        restored: null,
      },
      history: [
        { '@class': 'in_progress', id: 43, status: 'IN_PROGRESS', is_savepoint: false, trigger_timestamp: 1686733960000,
          latest_ack_timestamp: -1, state_size: 0, end_to_end_duration: -1, alignment_buffered: 0, processed_data: 0, persisted_data: 0,
          num_subtasks: 4, num_acknowledged_subtasks: 0, checkpoint_type: 'CHECKPOINT', tasks: {} },
        { '@class': 'failed', id: 42, status: 'FAILED', is_savepoint: false, trigger_timestamp: 1686733930000, latest_ack_timestamp: -1,
          state_size: 0, end_to_end_duration: 600000, alignment_buffered: 0, processed_data: 0, persisted_data: 0, num_subtasks: 4,
          num_acknowledged_subtasks: 2, checkpoint_type: 'CHECKPOINT', tasks: {}, failure_timestamp: 1686734530000,
          failure_message: 'Checkpoint expired before completing.' },
        { '@class': 'completed', id: 41, status: 'COMPLETED', is_savepoint: false, trigger_timestamp: 1686733900000,
          latest_ack_timestamp: 1686733901000, state_size: 1000, end_to_end_duration: 1000, num_subtasks: 4, num_acknowledged_subtasks: 4,
          checkpoint_type: 'CHECKPOINT', tasks: {} },
      ],
    };
    const sink = runRest(body, `${JOB}-checkpoints.json`);
    expect(sink.warnings).toEqual([]);
    expect(sink.checkpoints).toHaveLength(3);
    const inProgress = sink.checkpoints.find((c) => c.checkpointId === 43)!;
    expect(inProgress.latestAckTs).toBeUndefined();
    expect(inProgress.endToEndMs).toBeUndefined();
    expect(inProgress.checkpointedSize).toBeUndefined();
    const merged = sink.checkpoints.find((c) => c.checkpointId === 41)!;
    expect(merged).toMatchObject({ job: JOB, status: 'COMPLETED', processedData: 0, externalPath: '<checkpoint-not-externally-addressable>' });
    expect(sink.events).toEqual([]);
  });

  it('reads the 1.9 shape (no processed/persisted data, status from @class when status is absent)', () => {
    const body = {
      counts: { restored: 0, total: 1, in_progress: 0, completed: 0, failed: 1 },
      summary: { state_size: { min: 0, max: 0, avg: 0 }, end_to_end_duration: { min: 0, max: 0, avg: 0 }, alignment_buffered: { min: 0, max: 0, avg: 0 } },
      latest: { completed: null, savepoint: null, failed: null, restored: null },
      history: [{ '@class': 'failed', id: 66, is_savepoint: false, trigger_timestamp: 1557000000000, latest_ack_timestamp: 1557000001000,
        state_size: 10, end_to_end_duration: 1000, alignment_buffered: 5, num_subtasks: 2, num_acknowledged_subtasks: 1, tasks: {},
        failure_timestamp: 1557000002000, failure_message: 'Checkpoint was declined (tasks not ready)' }],
    };
    const sink = runRest(body, `jobs/${JOB}/checkpoints`);
    expect(sink.checkpoints).toEqual([expect.objectContaining({ checkpointId: 66, status: 'FAILED', processedData: undefined, stateSize: 10 })]);
  });

  it('files checkpoints under unknown-job with one warning when no job id is known', () => {
    const sink = runRest(fixture('checkpoints-1.17.json'), 'dump/checkpoints.json');
    expect(new Set(sink.checkpoints.map((c) => c.job))).toEqual(new Set(['unknown-job']));
    expect(sink.warnings).toHaveLength(1);
    expect(sink.warnings[0].message).toContain('unknown-job');
  });
});

describe('REST /jobs/:jid/checkpoints/config', () => {
  it('reports every field as rest.checkpoints.* configuration (1.17 shape)', () => {
    const body = { mode: 'exactly_once', interval: 60000, timeout: 600000, min_pause: 0, max_concurrent: 1,
      externalization: { enabled: true, delete_on_cancellation: false }, state_backend: 'EmbeddedRocksDBStateBackend',
      checkpoint_storage: 'FileSystemCheckpointStorage', unaligned_checkpoints: false, tolerable_failed_checkpoints: 0,
      aligned_checkpoint_timeout: 0, checkpoints_after_tasks_finish: true, state_changelog_enabled: false,
      changelog_periodic_materialization_interval: 600000, changelog_storage: 'memory' };
    const sink = runRest(body, `jobs/${JOB}/checkpoints/config.json`);
    expect(sink.factsList).toHaveLength(1);
    expect(sink.factsList[0].config).toMatchObject({
      'rest.checkpoints.mode': 'exactly_once',
      'rest.checkpoints.interval': '60000',
      'rest.checkpoints.timeout': '600000',
      'rest.checkpoints.min_pause': '0',
      'rest.checkpoints.max_concurrent': '1',
      'rest.checkpoints.externalization.enabled': 'true',
      'rest.checkpoints.externalization.delete_on_cancellation': 'false',
      'rest.checkpoints.state_backend': 'EmbeddedRocksDBStateBackend',
      'rest.checkpoints.checkpoint_storage': 'FileSystemCheckpointStorage',
      'rest.checkpoints.unaligned_checkpoints': 'false',
      'rest.checkpoints.tolerable_failed_checkpoints': '0',
      'rest.checkpoints.aligned_checkpoint_timeout': '0',
    });
  });

  it('reads the 1.9 shape (no storage, unaligned or tolerance fields)', () => {
    const body = { mode: 'at_least_once', interval: 5000, timeout: 10000, min_pause: 500, max_concurrent: 1,
      externalization: { enabled: false, delete_on_cancellation: true } };
    const sink = runRest(body, 'checkpoint-config.json');
    expect(sink.factsList[0].config).toEqual({
      'rest.checkpoints.mode': 'at_least_once',
      'rest.checkpoints.interval': '5000',
      'rest.checkpoints.timeout': '10000',
      'rest.checkpoints.min_pause': '500',
      'rest.checkpoints.max_concurrent': '1',
      'rest.checkpoints.externalization.enabled': 'false',
      'rest.checkpoints.externalization.delete_on_cancellation': 'true',
    });
  });
});

describe('REST /checkpoints/details/:id', () => {
  it('reads the reference example: a failed checkpoint and no subtask rows (the tasks map has none)', () => {
    const sink = runRest(fixture('checkpoint-details-1288.json'), `jobs/${JOB}/checkpoints/details/1288.json`);
    expect(sink.warnings).toEqual([]);
    expect(sink.checkpoints).toEqual([expect.objectContaining({
      job: JOB, checkpointId: 1288, status: 'FAILED', numSubtasks: 16, numAcknowledged: 11, failureTs: 1686734557552_000,
    })]);
    expect(sink.subtasks).toEqual([]);
  });

  it('reads subtask rows a dump tool inlined into the tasks map, the vertex id being the key', () => {
    const body = { '@class': 'completed', id: 7, status: 'COMPLETED', trigger_timestamp: 1686733000000, latest_ack_timestamp: 1686733001000,
      tasks: { [VERTEX]: { id: 7, status: 'COMPLETED', num_subtasks: 1, num_acknowledged_subtasks: 1,
        subtasks: [{ '@class': 'completed', index: 0, status: 'completed', ack_timestamp: 1686733001000, end_to_end_duration: 1000,
          state_size: 5, checkpoint: { sync: 3, async: 40 }, alignment: { buffered: 0, duration: 2 } }] } } };
    const sink = runRest(body, `checkpoint-details-7-${JOB}.json`);
    expect(sink.checkpoints).toHaveLength(1);
    expect(sink.subtasks).toEqual([expect.objectContaining({ job: JOB, checkpointId: 7, vertexId: VERTEX, subtask: 0, syncMs: 3, asyncMs: 40 })]);
  });
});

describe('REST /checkpoints/details/:id/subtasks/:vid', () => {
  it('reads the 1.17 reference example with the vertex id from the URL-shaped path', () => {
    const sink = runRest(fixture('subtasks-1288.json'), `incident.tgz!/rest/jobs/${JOB}/checkpoints/details/1288/subtasks/${VERTEX}.json`);
    expect(sink.warnings).toEqual([]);
    expect(sink.checkpoints).toEqual([]);
    expect(sink.subtasks).toEqual([
      {
        job: JOB, checkpointId: 1288, vertexId: VERTEX, subtask: 0, status: 'completed', ackTs: 1686733999010_000, endToEndMs: 41462,
        stateSize: 25500000, checkpointedSize: undefined, syncMs: 30, asyncMs: 40000, alignmentMs: 1300, alignmentProcessed: 0,
        alignmentPersisted: 0, startDelayMs: 1250, unaligned: false, aborted: false,
      },
      { job: JOB, checkpointId: 1288, vertexId: VERTEX, subtask: 3, status: 'pending_or_failed' },
    ]);
  });

  it('reads the ≤1.11 shape (@class, alignment {buffered, duration}, no start delay) with ids from a flat name', () => {
    const body = { id: 12, status: 'COMPLETED', latest_ack_timestamp: 1600000001000, state_size: 10, end_to_end_duration: 900,
      alignment_buffered: 0, num_subtasks: 2, num_acknowledged_subtasks: 2,
      summary: { state_size: { min: 5, max: 5, avg: 5 }, end_to_end_duration: { min: 800, max: 900, avg: 850 },
        checkpoint_duration: { sync: { min: 1, max: 2, avg: 1 }, async: { min: 5, max: 6, avg: 5 } },
        alignment: { buffered: { min: 0, max: 0, avg: 0 }, duration: { min: 0, max: 7, avg: 3 } } },
      subtasks: [
        { '@class': 'completed', index: 0, status: 'completed', ack_timestamp: 1600000000900, end_to_end_duration: 800, state_size: 5,
          checkpoint: { sync: 1, async: 5 }, alignment: { buffered: 0, duration: 0 } },
        { '@class': 'pending', index: 1, status: 'pending_or_failed' },
      ] };
    const sink = runRest(body, `${JOB}/checkpoint-12-subtasks-${VERTEX}.json`);
    expect(sink.subtasks.map((s) => [s.vertexId, s.checkpointId, s.subtask, s.status, s.startDelayMs, s.alignmentMs])).toEqual([
      [VERTEX, 12, 0, 'completed', undefined, 0],
      [VERTEX, 12, 1, 'pending_or_failed', undefined, undefined],
    ]);
  });

  it('reads the 1.15+ className shape with percentile summaries, unaligned and aborted flags', () => {
    const stats = { min: 1, max: 2, avg: 1, p50: 1, p90: 2, p95: 2, p99: 2, p999: 2 };
    const body = { id: 99, status: 'COMPLETED', num_subtasks: 1, num_acknowledged_subtasks: 1,
      summary: { checkpointed_size: stats, state_size: stats, end_to_end_duration: stats, checkpoint_duration: { sync: stats, async: stats },
        alignment: { buffered: stats, processed: stats, persisted: stats, duration: stats }, start_delay: stats },
      subtasks: [{ className: 'completed', index: 0, status: 'completed', ack_timestamp: 1686733999010, end_to_end_duration: 5000,
        checkpointed_size: 1024, state_size: 4096, checkpoint: { sync: 2, async: 900 },
        alignment: { buffered: 0, processed: 7340032, persisted: 524288, duration: 0 }, start_delay: 4000,
        unaligned_checkpoint: true, aborted: true }] };
    const sink = runRest(body, `jobs/${JOB}/checkpoints/details/99/subtasks/${VERTEX}`);
    expect(sink.subtasks[0]).toMatchObject({ checkpointedSize: 1024, alignmentProcessed: 7340032, alignmentPersisted: 524288,
      startDelayMs: 4000, unaligned: true, aborted: true });
  });

  it('warns and keeps nothing when the vertex id is nowhere to be found', () => {
    const sink = runRest(fixture('subtasks-1288.json'), `jobs/${JOB}/subtask-stats.json`);
    expect(sink.subtasks).toEqual([]);
    expect(sink.warnings.map((w) => w.message)).toEqual([expect.stringContaining('no vertex id')]);
  });
});
