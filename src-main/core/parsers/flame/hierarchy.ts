import type { FlameFrame } from '../../model/records.js';
import { emitProfile, WarningBudget, type ImportEnv } from './importer.js';
import { flinkTypeToMode } from './path-hints.js';
import { StackTable } from './stack-table.js';

/** Flink samples `rest.flamegraph.num-samples` (100) stacks `delay-between-samples` (50 ms) apart before endTimestamp. */
const FLINK_SAMPLING_WINDOW_US = 100 * 50 * 1000;

const FLINK_SPECIAL_END: Readonly<Record<number, string>> = {
  [-1]: 'the task terminated (job not running)',
  [-2]: 'flame graphs are disabled (rest.flamegraph.enabled: false)',
  [-3]: 'Flink was still waiting for the first samples',
};

/** Flink REST `GET …/vertices/:vid/flamegraph` response (flink-formats §3.5, flame-formats §1.10). */
export function importFlinkFlameGraph(json: Record<string, unknown>, env: ImportEnv): void {
  const end = json['endTimestamp'];
  const data = json['data'];
  if (typeof end !== 'number' || !Number.isFinite(end)) {
    env.sink.warning({ message: 'Flink flame graph JSON without a numeric endTimestamp; no profile' });
    return;
  }
  if (end < 0 || data === null || data === undefined) {
    const why = FLINK_SPECIAL_END[end] ?? (end < 0 ? `unknown special endTimestamp ${end}` : 'data is missing');
    env.sink.warning({ message: `Flink flame graph holds no samples: ${why}; no profile` });
    return;
  }
  const table = new StackTable();
  if (!walkHierarchy(data, table, env, 'java')) return;
  const hints = env.hints;
  const mode = hints.flinkType !== undefined ? flinkTypeToMode(hints.flinkType) : (hints.mode ?? 'unknown');
  const endUs = Math.round(end * 1000);
  const title = `Flink flame graph${hints.flinkType !== undefined ? ` (${hints.flinkType})` : ''}`;
  emitProfile(env, table, { format: 'flink-flamegraph', mode, title, startTs: endUs - FLINK_SAMPLING_WINDOW_US, endTs: endUs, timeExact: false });
}

/**
 * d3-flame-graph hierarchy `{name, value, children}` (same node shape as Flink's `data`). When detection says the
 * file came from Flink (a saved `data` object without its envelope), frames are Java frames; there is no time.
 */
export function importD3Hierarchy(json: Record<string, unknown>, env: ImportEnv, fromFlink: boolean): void {
  const table = new StackTable();
  if (!walkHierarchy(json, table, env, fromFlink ? 'java' : undefined)) return;
  const hints = env.hints;
  const mode = hints.flinkType !== undefined ? flinkTypeToMode(hints.flinkType) : (hints.mode ?? 'unknown');
  emitProfile(env, table, { format: fromFlink ? 'flink-flamegraph' : 'd3-hierarchy', mode });
}

interface Pending {
  node: Record<string, unknown>;
  depth: number;
}

/**
 * Turns a name/value/children tree into stacks. Values are inclusive (value = self + Σ children), as Flink and
 * d3-flame-graph write them; a tree where some children sum to more than their parent can only hold self values,
 * and is read that way. A synthetic root named 'root' or 'all' is not a frame. Iterative: trees can be deep.
 */
function walkHierarchy(data: unknown, table: StackTable, env: ImportEnv, frameType: string | undefined): boolean {
  if (!isObject(data)) {
    env.sink.warning({ message: 'flame graph tree root is not an object; no profile' });
    return false;
  }
  const warnings = new WarningBudget(env.sink);
  const valuesAreSelf = someChildrenExceedParent(data);
  const rootName = typeof data['name'] === 'string' ? data['name'].toLowerCase() : '';
  const dropRoot = rootName === 'root' || rootName === 'all';
  const path: FlameFrame[] = [];
  const stack: Pending[] = [{ node: data, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    nodes++;
    const children = childrenOf(node, warnings);
    const value = numberOr0(node['value'], warnings);
    let childSum = 0;
    for (const child of children) childSum += numberOr0(child['value'], undefined);
    const self = valuesAreSelf ? value : value - childSum;
    const frameDepth = dropRoot ? depth - 1 : depth;
    if (frameDepth >= 0) {
      path.length = frameDepth;
      const name = typeof node['name'] === 'string' ? node['name'] : String(node['name'] ?? '[unnamed]');
      const frame: FlameFrame = { name };
      const type = frameType ?? (typeof node['libtype'] === 'string' ? node['libtype'] : undefined);
      if (type !== undefined) frame.type = type;
      path.push(frame);
    } else {
      path.length = 0;
    }
    if (self > 0) table.add(path, self);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, depth: depth + 1 });
  }
  warnings.finish('malformed tree nodes');
  if (nodes > 0 && table.stacks.length === 0) {
    env.sink.warning({ message: 'flame graph tree has no weight (all values are 0)' });
  }
  return true;
}

function someChildrenExceedParent(root: Record<string, unknown>): boolean {
  const stack: Record<string, unknown>[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const children = Array.isArray(node['children']) ? node['children'].filter(isObject) : [];
    let sum = 0;
    for (const child of children) {
      sum += typeof child['value'] === 'number' ? child['value'] : 0;
      stack.push(child);
    }
    if (typeof node['value'] === 'number' && sum > node['value']) return true;
  }
  return false;
}

function childrenOf(node: Record<string, unknown>, warnings: WarningBudget): Record<string, unknown>[] {
  const children = node['children'];
  if (children === undefined || children === null) return [];
  if (!Array.isArray(children)) {
    warnings.warn(`children of '${String(node['name'])}' is not an array; ignored`);
    return [];
  }
  const objects = children.filter(isObject);
  if (objects.length !== children.length) warnings.warn(`'${String(node['name'])}' has children that are not objects; ignored`);
  return objects;
}

function numberOr0(value: unknown, warnings: WarningBudget | undefined): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  warnings?.warn(`node value ${JSON.stringify(value)} is not a non-negative number; taken as 0`);
  return 0;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
