import { describe, expect, it } from 'vitest';
import { JOB, VERTEX, fixture, runRest } from './run-rest.js';

const PATH = `jobs/${JOB}/vertices/${VERTEX}/backpressure.json`;

describe('REST /jobs/:jid/vertices/:vid/backpressure', () => {
  it('reads the 1.16+ reference example: one sample per subtask plus the vertex', () => {
    const sink = runRest(fixture('backpressure-1.16.json'), PATH);
    expect(sink.warnings).toEqual([]);
    expect(sink.backpressures).toEqual([
      { ts: 1686734400123_000, job: JOB, vertexId: VERTEX, subtask: 0, ratio: 0.87, busy: 0.13, idle: 0, level: 'high', origin: 'rest' },
      { ts: 1686734400123_000, job: JOB, vertexId: VERTEX, subtask: 1, ratio: 0.21, busy: 0.74, idle: 0.05, level: 'low', origin: 'rest' },
      { ts: 1686734400123_000, job: JOB, vertexId: VERTEX, ratio: 0.87, level: 'high', origin: 'rest' },
    ]);
  });

  it('reads the 1.16+ speculative-execution fields without extra rows', () => {
    const body = { status: 'ok', backpressureLevel: 'low', 'end-timestamp': 1686734400123,
      subtasks: [{ subtask: 0, 'attempt-number': 1, backpressureLevel: 'low', ratio: 0.3, idleRatio: 0.1, busyRatio: 0.6,
        'other-concurrent-attempts': [{ subtask: 0, 'attempt-number': 0, backpressureLevel: 'high', ratio: 0.9, idleRatio: 0, busyRatio: 0.1 }] }] };
    const sink = runRest(body, PATH);
    expect(sink.backpressures.map((b) => [b.subtask, b.ratio, b.level])).toEqual([[0, 0.3, 'low'], [undefined, 0.3, 'low']]);
  });

  it('reads the 1.13–1.15 shape (backpressure-level, busy and idle ratios)', () => {
    const body = { status: 'ok', 'backpressure-level': 'high', 'end-timestamp': 1620000000000,
      subtasks: [{ subtask: 0, 'backpressure-level': 'high', ratio: 1.0, idleRatio: 0.0, busyRatio: 0.0 },
        { subtask: 1, 'backpressure-level': 'ok', ratio: 0.0, idleRatio: 0.98, busyRatio: 0.02 }] };
    const sink = runRest(body, PATH);
    expect(sink.backpressures.map((b) => [b.subtask, b.ratio, b.busy, b.idle, b.level])).toEqual([
      [0, 1, 0, 0, 'high'], [1, 0, 0.02, 0.98, 'ok'], [undefined, 1, undefined, undefined, 'high'],
    ]);
  });

  it('reads the ≤1.12 sampling shape (ratio only) and derives a missing level from the §5 thresholds', () => {
    const body = { status: 'ok', 'end-timestamp': 1590000000000,
      subtasks: [{ subtask: 0, ratio: 0.1 }, { subtask: 1, ratio: 0.1001 }, { subtask: 2, ratio: 0.5 }, { subtask: 3, ratio: 0.51 }] };
    const sink = runRest(body, `${JOB}/backpressure-${VERTEX}.json`);
    expect(sink.backpressures.map((b) => [b.subtask, b.level])).toEqual([
      [0, 'ok'], [1, 'low'], [2, 'low'], [3, 'high'], [undefined, 'high'],
    ]);
    expect(sink.backpressures.every((b) => b.vertexId === VERTEX && b.job === JOB)).toBe(true);
  });

  it('warns on the ≤1.12 "deprecated" status (no statistics yet) and emits nothing', () => {
    const sink = runRest({ status: 'deprecated' }, PATH);
    expect(sink.backpressures).toEqual([]);
    expect(sink.warnings[0].message).toContain('deprecated');
  });
});
