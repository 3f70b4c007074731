import { arrayAt, isObject, knownAt, objectAt, stringAt, type JsonObject } from './json-read.js';
import type { RestScope } from './records.js';

/** `/jobs/:jid` (flink-formats §3.6), `/jobs/:jid/plan` and `/jobs/:jid/vertices/:vid`: the job graph. */

export function isJobDetails(o: JsonObject): boolean {
  return typeof o.jid === 'string' && Array.isArray(o.vertices);
}

/** `/jobs/:jid/plan` wraps the plan alone. */
export function isJobPlan(o: JsonObject): boolean {
  const plan = objectAt(o, 'plan');
  return plan !== undefined && Array.isArray(plan.nodes) && !('vertices' in o);
}

/** `/jobs/:jid/vertices/:vid`: one vertex with its subtasks' execution state. */
export function isVertexDetails(o: JsonObject): boolean {
  return typeof o.id === 'string' && typeof o.name === 'string' && typeof o.parallelism === 'number' &&
    Array.isArray(o.subtasks);
}

export function readJobDetails(o: JsonObject, scope: RestScope): void {
  const job = scope.job(stringAt(o, 'jid'));
  const jobName = stringAt(o, 'name');
  for (const vertex of arrayAt(o, 'vertices') ?? []) {
    if (!isObject(vertex)) continue;
    const vertexId = stringAt(vertex, 'id');
    const name = stringAt(vertex, 'name');
    if (vertexId === undefined || name === undefined) {
      scope.warning('job vertex without id or name skipped');
      continue;
    }
    scope.sink.vertex({
      job,
      jobName,
      vertexId,
      name,
      parallelism: knownAt(vertex, 'parallelism'),
      // -1 (and 0) mean "not set" in the REST output.
      maxParallelism: knownAt(vertex, 'maxParallelism') || undefined,
    });
  }
  const plan = objectAt(o, 'plan');
  if (plan !== undefined) readPlanEdges(plan, job, scope);
}

export function readJobPlan(o: JsonObject, scope: RestScope): void {
  const plan = objectAt(o, 'plan');
  if (plan !== undefined) readPlanEdges(plan, scope.job(stringAt(plan, 'jid')), scope);
}

export function readVertexDetails(o: JsonObject, scope: RestScope): void {
  const vertexId = stringAt(o, 'id');
  const name = stringAt(o, 'name');
  if (vertexId === undefined || name === undefined) return;
  scope.sink.vertex({
    job: scope.job(),
    vertexId,
    name,
    parallelism: knownAt(o, 'parallelism'),
    maxParallelism: knownAt(o, 'maxParallelism') || undefined,
  });
}

/** `plan.nodes[].inputs[]` = `{num, id, ship_strategy, exchange}`: an edge from the input vertex to the node. */
function readPlanEdges(plan: JsonObject, job: string, scope: RestScope): void {
  for (const node of arrayAt(plan, 'nodes') ?? []) {
    if (!isObject(node)) continue;
    const to = stringAt(node, 'id');
    if (to === undefined) continue;
    for (const input of arrayAt(node, 'inputs') ?? []) {
      if (!isObject(input)) continue;
      const from = stringAt(input, 'id');
      if (from !== undefined) scope.sink.planEdge({ job, from, to, shipStrategy: stringAt(input, 'ship_strategy') });
    }
  }
}
