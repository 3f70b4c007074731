import { describe, expect, it } from 'vitest';
import { hintsFromPath } from '../../../../src-main/core/parsers/rest/path-hints.js';
import { scanForJsonError } from '../../../../src-main/core/parsers/rest/json-error.js';
import { JOB, VERTEX, fixture, runRest } from './run-rest.js';

describe('REST dump containers', () => {
  it('reads an object mapping REST URLs to responses, ids coming from each key', () => {
    const body = {
      [`/jobs/${JOB}/checkpoints`]: JSON.parse(fixture('checkpoints-1.17.json')) as unknown,
      [`/jobs/${JOB}/checkpoints/details/1288/subtasks/${VERTEX}`]: JSON.parse(fixture('subtasks-1288.json')) as unknown,
      [`/jobs/${JOB}/vertices/${VERTEX}/backpressure`]: JSON.parse(fixture('backpressure-1.16.json')) as unknown,
      [`/jobs/${JOB}/accumulators`]: { 'job-accumulators': [], 'user-task-accumulators': [] },
    };
    const sink = runRest(body, 'dump.json');
    expect(sink.checkpoints).toHaveLength(3);
    expect(sink.subtasks.map((s) => [s.job, s.vertexId, s.checkpointId, s.subtask])).toEqual([[JOB, VERTEX, 1288, 0], [JOB, VERTEX, 1288, 3]]);
    expect(sink.backpressures).toHaveLength(3);
    expect(sink.warnings.map((w) => w.message)).toEqual([`1 members not read (shape not recognised): /jobs/${JOB}/accumulators`]);
  });

  it('reads a HistoryServer archive whose members hold the JSON as strings', () => {
    const archive = { archive: [
      { path: '/jobs/overview', json: JSON.stringify({ jobs: [{ jid: JOB, name: 'orders' }] }) },
      { path: `/jobs/${JOB}`, json: fixture('job-1.17.json') },
      { path: `/jobs/${JOB}/checkpoints/details/1288`, json: fixture('checkpoint-details-1288.json') },
      { path: `/jobs/${JOB}/exceptions`, json: '{"broken": ' },
    ] };
    const sink = runRest(archive, `history/${JOB}`);
    expect(sink.vertices).toHaveLength(1);
    expect(sink.checkpoints.map((c) => c.checkpointId)).toEqual([1288]);
    expect(sink.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining(`invalid JSON in member /jobs/${JOB}/exceptions`),
      '1 members not read (shape not recognised): /jobs/overview',
    ]);
  });

  it('reads a JSON array of responses', () => {
    const sink = runRest(`[${fixture('job-1.17.json')}, ${fixture('exceptions-1.19.json')}]`, `jobs/${JOB}/all.json`);
    expect(sink.vertices).toHaveLength(1);
    expect(sink.events).toHaveLength(1);
  });

  it('warns with the sorted keys when the shape is unknown', () => {
    const sink = runRest({ zeta: 1, alpha: { x: 1 }, mid: 'x' }, 'x.json');
    expect(sink.warnings).toEqual([{ message: 'JSON shape not recognised: keys alpha,mid,zeta' }]);
  });

  it('warns with line and column on invalid JSON and throws nothing', () => {
    const sink = runRest('{\n  "counts": {"total": 3,\n  "history": [1 2]\n}', `jobs/${JOB}/checkpoints.json`);
    expect(sink.warnings).toHaveLength(1);
    expect(sink.warnings[0].line).toBe(3);
    expect(sink.warnings[0].message).toContain('line 3, column 17');
    const unexpected = runRest('{"a": }', 'x.json');
    expect(unexpected.warnings[0].message).toContain('line 1, column 7 (offset 6)');
    const truncated = runRest('{"a": [1, 2', 'x.json');
    expect(truncated.warnings[0].message).toContain('offset 11');
    expect(runRest('', 'x.json').warnings).toHaveLength(1);
  });

  it('skips a UTF-8 byte order mark', () => {
    expect(runRest(`\ufeff${fixture('job-1.17.json')}`, 'job.json').vertices).toHaveLength(1);
  });
});

describe('path hints', () => {
  it('reads URL-shaped, flat and archive paths', () => {
    expect(hintsFromPath(`b.zip!/rest/jobs/${JOB}/checkpoints/details/1288/subtasks/${VERTEX}.json`)).toEqual({ job: JOB, vertex: VERTEX, checkpointId: 1288 });
    expect(hintsFromPath(`rest/${JOB}-checkpoints.json`)).toEqual({ job: JOB });
    expect(hintsFromPath(`rest/checkpoint-details-1288.json`)).toEqual({ checkpointId: 1288 });
    expect(hintsFromPath(`rest/vertex-${VERTEX}/job_${JOB.toUpperCase()}.json`)).toEqual({ job: JOB, vertex: VERTEX });
    expect(hintsFromPath(`jobs/${JOB}/checkpoint/${VERTEX}`)).toEqual({ job: JOB, vertex: VERTEX });
  });
});

describe('JSON error scan', () => {
  it('finds the first fault or reports valid JSON', () => {
    expect(scanForJsonError('{"a": [1, {"b": null}], "c": "\\u00e9"}')).toBe(-1);
    expect(scanForJsonError('{"a": tru}')).toBe(6);
    expect(scanForJsonError('[1,]')).toBe(3);
    expect(scanForJsonError('{"a":1} x')).toBe(8);
    expect(scanForJsonError('"abc')).toBe(4);
    expect(scanForJsonError('"a\\x"')).toBe(2);
  });
});
