import { describe, expect, it } from 'vitest';
import { Level } from '../../../../src-main/core/model/records.js';
import { JOB, fixture, runRest } from './run-rest.js';

const PATH = `jobs/${JOB}/exceptions.json`;
const TASK_STACK = 'java.lang.RuntimeException: boom\n\tat com.acme.Map.map(Map.java:42)\nCaused by: java.io.IOException: disk full\n\t... 3 more';
const GLOBAL_STACK =
  'org.apache.flink.util.FlinkRuntimeException: Exceeded checkpoint tolerable failure threshold.\n\tat org.apache.flink.runtime.checkpoint.CheckpointFailureManager.checkFailureAgainstCounter(CheckpointFailureManager.java:206)';

describe('REST /jobs/:jid/exceptions', () => {
  it('reads the 2.0/1.19 reference example (exceptionHistory with endpoint, failureLabels, taskManagerId)', () => {
    const sink = runRest(fixture('exceptions-1.19.json'), PATH);
    expect(sink.warnings).toEqual([]);
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({
      ts: 1686734557600_000, kind: 'exception', template: 'REST-EXC', level: Level.Error, line: 0, job: JOB,
      attrs: {
        exceptionName: 'org.apache.flink.util.FlinkRuntimeException',
        message: expect.stringMatching(/^org\.apache\.flink\.util\.FlinkRuntimeException: Exceeded checkpoint tolerable failure threshold\./),
        origin: 'history',
      },
    });
    expect(sink.events[0].vertexName).toBeUndefined();
  });

  it('reads the ≤1.12 legacy shape: root-exception and all-exceptions with task and location', () => {
    const body = { 'root-exception': GLOBAL_STACK, timestamp: 1600000000000, truncated: false,
      'all-exceptions': [{ exception: TASK_STACK, task: 'Map -> Sink: Unnamed (2/4)', location: 'tm-7.example.com:35011', timestamp: 1599999999000 }] };
    const sink = runRest(body, PATH);
    expect(sink.events.map((e) => [e.ts, e.attrs?.origin])).toEqual([[1600000000000_000, 'legacy-root'], [1599999999000_000, 'legacy-task']]);
    expect(sink.events[1]).toMatchObject({
      vertexName: 'Map -> Sink: Unnamed', subtask: 1, parallelism: 4, host: 'tm-7.example.com',
      attrs: { exceptionName: 'java.lang.RuntimeException', message: 'java.lang.RuntimeException: boom', taskName: 'Map -> Sink: Unnamed (2/4)',
        endpoint: 'tm-7.example.com:35011', rootCause: 'java.io.IOException: disk full' },
    });
  });

  it('drops legacy copies of history entries (1.13–1.20 carry both) and reads concurrent exceptions', () => {
    const body = {
      'root-exception': GLOBAL_STACK, timestamp: 1686734557600, truncated: false,
      'all-exceptions': [{ exception: TASK_STACK, task: 'Map (1/2)', location: 'tm-1:4000', timestamp: 1686734550000 }],
      exceptionHistory: { truncated: true, entries: [
        { exceptionName: 'org.apache.flink.util.FlinkRuntimeException', stacktrace: GLOBAL_STACK, timestamp: 1686734557600, taskName: null,
          location: null, taskManagerId: null, failureLabels: { type: 'SYSTEM' },
          concurrentExceptions: [{ exceptionName: 'java.lang.RuntimeException', stacktrace: TASK_STACK, timestamp: 1686734550000,
            taskName: 'Map (1/2)', location: 'tm-1:4000', taskManagerId: '10.0.0.1:6122-abcdef', failureLabels: {} }] },
      ] },
    };
    const sink = runRest(body, PATH);
    expect(sink.events.map((e) => e.attrs?.origin)).toEqual(['history', 'concurrent']);
    expect(sink.events[0].attrs?.failureLabels).toBe('type=SYSTEM');
    expect(sink.events[1]).toMatchObject({ tm: '10.0.0.1:6122-abcdef', host: 'tm-1', subtask: 0, vertexName: 'Map' });
    expect(sink.warnings.map((w) => w.message)).toEqual([expect.stringContaining('truncated')]);
  });
});
