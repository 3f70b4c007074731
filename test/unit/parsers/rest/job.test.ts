import { describe, expect, it } from 'vitest';
import { JOB, VERTEX, fixture, runRest } from './run-rest.js';

const SOURCE = 'bc764cd8ddf7a0cff126f51c16239658';

describe('REST /jobs/:jid', () => {
  it('reads the reference example: vertices with the job name', () => {
    const sink = runRest(fixture('job-1.17.json'), 'job.json');
    expect(sink.warnings).toEqual([]);
    expect(sink.vertices).toEqual([
      { job: JOB, jobName: 'orders-enrichment', vertexId: VERTEX, name: 'Window(...) -> Sink: Unnamed', parallelism: 4, maxParallelism: 128 },
    ]);
    expect(sink.edges).toEqual([]);
    expect(sink.events).toEqual([]);
  });

  it('reads plan edges from plan.nodes[].inputs[] and treats maxParallelism -1 as unknown (1.12 shape)', () => {
    const body = { jid: JOB, name: 'orders', isStoppable: false, state: 'RUNNING', 'start-time': 1, 'end-time': -1, duration: 5, now: 6,
      timestamps: { RUNNING: 2 },
      vertices: [
        { id: SOURCE, name: 'Source: Custom Source', parallelism: 2, status: 'RUNNING', tasks: {}, metrics: {} },
        { id: VERTEX, name: 'Map -> Sink: Unnamed', maxParallelism: -1, parallelism: 4, status: 'RUNNING', tasks: {}, metrics: {} },
      ],
      'status-counts': { RUNNING: 2 },
      plan: { jid: JOB, name: 'orders', nodes: [
        { id: VERTEX, parallelism: 4, operator: '', operator_strategy: '', description: 'Map<br/>-&gt; Sink',
          inputs: [{ num: 0, id: SOURCE, ship_strategy: 'HASH', exchange: 'pipelined_bounded' }], optimizer_properties: {} },
        { id: SOURCE, parallelism: 2, operator: '', operator_strategy: '', description: 'Source', optimizer_properties: {} },
      ] } };
    const sink = runRest(body, 'rest/job-details.json');
    expect(sink.vertices.map((v) => [v.vertexId, v.parallelism, v.maxParallelism])).toEqual([[SOURCE, 2, undefined], [VERTEX, 4, undefined]]);
    expect(sink.edges).toEqual([{ job: JOB, from: SOURCE, to: VERTEX, shipStrategy: 'HASH' }]);
  });

  it('reads /jobs/:jid/plan and /jobs/:jid/vertices/:vid', () => {
    const plan = { plan: { jid: JOB, name: 'orders', nodes: [{ id: VERTEX, inputs: [{ num: 0, id: SOURCE, ship_strategy: 'FORWARD' }] }] } };
    expect(runRest(plan, 'plan.json').edges).toEqual([{ job: JOB, from: SOURCE, to: VERTEX, shipStrategy: 'FORWARD' }]);
    const vertex = { id: VERTEX, name: 'Map', parallelism: 4, maxParallelism: 128, now: 1,
      subtasks: [{ subtask: 0, status: 'RUNNING', attempt: 0, host: 'tm-1', 'start-time': 1, 'end-time': -1, duration: 1, metrics: {} }] };
    expect(runRest(vertex, `jobs/${JOB}/vertices/${VERTEX}.json`).vertices).toEqual([
      { job: JOB, vertexId: VERTEX, name: 'Map', parallelism: 4, maxParallelism: 128 },
    ]);
  });
});
