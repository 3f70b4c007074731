import { describe, expect, it } from 'vitest';
import type { AttrValue, EventRecord } from '../../../../src-main/core/model/records.js';
import { applyAttemptId, applyLocation, applyTaskName, isAttemptId, splitResourceId } from '../../../../src-main/core/parsers/flink-log/ids.js';
import { FAILURE_REASONS, reasonOf } from '../../../../src-main/core/parsers/flink-log/reasons.js';
import { ATTEMPT_116, ATTEMPT_32, VERTEX } from './cases.js';
import { expectFields } from './helpers.js';

function blank(): EventRecord {
  return { ts: 0, kind: 'task.state', template: 'X1', level: 3, line: 1, lineCount: 1 };
}

describe('identifiers (flink-formats §1.3)', () => {
  it('reads 32-hex attempt ids as opaque and 1.16+ composite ids into their parts', () => {
    const old = blank();
    applyAttemptId(old, ATTEMPT_32);
    expectFields(old, { attempt: ATTEMPT_32, vertexId: undefined, subtask: undefined, attemptNumber: undefined });

    const composite = blank();
    applyAttemptId(composite, ATTEMPT_116);
    expectFields(composite, { attempt: ATTEMPT_116, vertexId: VERTEX, subtask: 2, attemptNumber: 0 });

    expect(isAttemptId(ATTEMPT_32)).toBe(true);
    expect(isAttemptId(ATTEMPT_116)).toBe(true);
    expect(isAttemptId('Map (2/4)')).toBe(false);
    expect(isAttemptId(`${VERTEX}_2`)).toBe(false);
  });

  it.each([
    ['Map -> Sink: Unnamed (2/4)#0', { vertexName: 'Map -> Sink: Unnamed', subtask: 1, parallelism: 4, attemptNumber: 0 }],
    ['Map -> Sink: Unnamed (2/4)', { vertexName: 'Map -> Sink: Unnamed', subtask: 1, parallelism: 4, attemptNumber: undefined }],
    ['Source: orders[1] -> Calc[2] (1/4)#3', { vertexName: 'Source: orders[1] -> Calc[2]', subtask: 0, parallelism: 4, attemptNumber: 3 }],
    ['Window(TumblingEventTimeWindows(60000), EventTimeTrigger, Agg) (3/4)', { vertexName: 'Window(TumblingEventTimeWindows(60000), EventTimeTrigger, Agg)', subtask: 2 }],
    ['Sink (1/1)#12', { vertexName: 'Sink', subtask: 0, parallelism: 1, attemptNumber: 12 }],
    ['a task without index', { vertexName: 'a task without index', subtask: undefined, parallelism: undefined }],
  ])('task name %s', (text, expected) => {
    const event = blank();
    applyTaskName(event, text);
    expectFields(event, expected);
  });

  it.each([
    ['10.42.7.19:6122-4c8e2a @ tm-7.flink.svc (dataPort=40123)', { tm: '10.42.7.19:6122-4c8e2a', host: 'tm-7.flink.svc' }, { dataPort: 40123 }],
    [
      'container_1660007759349_0003_01_000010(hadoop01:37810) @ hadoop01 (dataPort=36755)',
      { tm: 'container_1660007759349_0003_01_000010', host: 'hadoop01' },
      { tmMetadata: 'hadoop01:37810', dataPort: 36755 },
    ],
    ['8a6e0f3b2c1d4e5f6a7b8c9d0e1f2a3b @ localhost (dataPort=-1)', { tm: '8a6e0f3b2c1d4e5f6a7b8c9d0e1f2a3b', host: 'localhost' }, { dataPort: -1 }],
    ['Unknown location', { tm: undefined, host: undefined }, { location: 'Unknown location' }],
  ])('TaskManagerLocation %s', (text, fields, attrs) => {
    const event = blank();
    const collected: Record<string, AttrValue> = {};
    applyLocation(event, collected, text);
    expectFields(event, fields);
    expectFields(collected, attrs);
  });

  it('splits ResourceIDs printed with metadata', () => {
    expect(splitResourceId('container_e12_1660007759349_0003_01_000003(hadoop01:37810)')).toEqual({ id: 'container_e12_1660007759349_0003_01_000003', metadata: 'hadoop01:37810' });
    expect(splitResourceId('orders-enrichment-taskmanager-1-3')).toEqual({ id: 'orders-enrichment-taskmanager-1-3', metadata: undefined });
  });
});

describe('CheckpointFailureReason lookup (flink-formats §2.5)', () => {
  it('maps every reason message, alone and as the suffix of a custom message', () => {
    for (const reason of FAILURE_REASONS) {
      for (const message of reason.messages) {
        expect(reasonOf(message).reason?.code, message).toBe(reason.code);
        expect(reasonOf(`Something specific went wrong. Failure reason: ${message}`).reason?.code, message).toBe(reason.code);
      }
    }
  });

  it('prefers the most specific message and tolerates the doubled final dot of T6c', () => {
    expect(reasonOf('Checkpoint was declined (tasks not ready)').reason?.code).toBe('CHECKPOINT_DECLINED_TASK_NOT_READY');
    expect(reasonOf('An Exception occurred while triggering the checkpoint. IO-problem detected.').reason?.code).toBe('IO_EXCEPTION');
    expect(reasonOf('… Aborting checkpoint. Failure reason: Not all required tasks are currently running..').reason?.code).toBe('NOT_ALL_REQUIRED_TASKS_RUNNING');
  });

  it('infers reasons and phases from the other failure texts', () => {
    expect(reasonOf('Could not materialize checkpoint 47 for operator Map (2/4)#0.')).toMatchObject({ reason: { code: 'CHECKPOINT_ASYNC_EXCEPTION' }, phase: 'async' });
    expect(reasonOf('java.lang.Exception: Could not perform checkpoint 47 for operator Map (2/4)#0.')).toEqual({ reason: undefined, phase: 'sync' });
    expect(reasonOf('Connection reset by peer')).toEqual({ reason: undefined, phase: undefined });
  });
});
