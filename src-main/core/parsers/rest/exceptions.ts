import { Level, type AttrValue, type EventRecord } from '../../model/records.js';
import { arrayAt, isObject, objectAt, stringAt, timeAt, type JsonObject } from './json-read.js';
import type { RestScope } from './records.js';

/**
 * `/jobs/:jid/exceptions` (flink-formats §3.7): legacy `root-exception` / `all-exceptions` (≤1.20) and
 * `exceptionHistory` (1.13+, the only form in 2.0) with `concurrentExceptions`. From 1.13 to 1.20 the legacy
 * fields repeat history entries; those copies are dropped.
 */

const TEMPLATE = 'REST-EXC';
/** Legacy and history copies of one failure may be stamped a little apart. */
const SAME_FAILURE_WINDOW_US = 1_000_000;
const TASK_WITH_SUBTASK = /^(.*) \((\d+)\/(\d+)\)(?:#\d+)?$/;
const JAVA_CLASS = /^[\w$.]+$/;

export function isExceptions(o: JsonObject): boolean {
  return 'root-exception' in o || 'all-exceptions' in o || isObject(o.exceptionHistory);
}

interface Failure {
  ts: number;
  stack: string;
  exceptionName?: string;
  taskName?: string;
  endpoint?: string;
  taskManagerId?: string;
  failureLabels?: string;
  origin: 'history' | 'concurrent' | 'legacy-root' | 'legacy-task';
}

export function readExceptions(o: JsonObject, scope: RestScope): void {
  const job = scope.job();
  const history = objectAt(o, 'exceptionHistory');
  const emitted: Failure[] = [];
  let untimed = 0;
  const emit = (failure: Failure | undefined): void => {
    if (failure === undefined) {
      untimed++;
      return;
    }
    if (failure.origin.startsWith('legacy') && emitted.some((seen) => sameFailure(seen, failure))) return;
    emitted.push(failure);
    scope.sink.event(toEvent(failure, job));
  };
  for (const entry of arrayAt(history ?? {}, 'entries') ?? []) {
    if (!isObject(entry)) continue;
    emit(historyFailure(entry, 'history'));
    for (const concurrent of arrayAt(entry, 'concurrentExceptions') ?? []) {
      if (isObject(concurrent)) emit(historyFailure(concurrent, 'concurrent'));
    }
  }
  const rootStack = stringAt(o, 'root-exception');
  if (rootStack !== undefined) {
    const ts = timeAt(o, 'timestamp');
    emit(ts === undefined ? undefined : { ts, stack: rootStack, origin: 'legacy-root' });
  }
  for (const entry of arrayAt(o, 'all-exceptions') ?? []) {
    if (!isObject(entry)) continue;
    const stack = stringAt(entry, 'exception');
    const ts = timeAt(entry, 'timestamp');
    if (stack === undefined) continue;
    emit(ts === undefined ? undefined : {
      ts, stack, taskName: stringAt(entry, 'task'), endpoint: stringAt(entry, 'location'), origin: 'legacy-task',
    });
  }
  if (untimed > 0) scope.warning(`${untimed} exceptions without a timestamp skipped`);
  if (o.truncated === true || history?.truncated === true) {
    scope.warning('Flink truncated the exception list (maxExceptions): older exceptions are not in this dump');
  }
}

function historyFailure(entry: JsonObject, origin: 'history' | 'concurrent'): Failure | undefined {
  const ts = timeAt(entry, 'timestamp');
  const stack = stringAt(entry, 'stacktrace') ?? stringAt(entry, 'exceptionName');
  if (ts === undefined || stack === undefined) return undefined;
  const labels = objectAt(entry, 'failureLabels');
  const labelText = labels === undefined ? '' : Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`).join(', ');
  return {
    ts,
    stack,
    exceptionName: stringAt(entry, 'exceptionName'),
    taskName: stringAt(entry, 'taskName'),
    endpoint: stringAt(entry, 'endpoint') ?? stringAt(entry, 'location'),
    taskManagerId: stringAt(entry, 'taskManagerId'),
    failureLabels: labelText === '' ? undefined : labelText,
    origin,
  };
}

function firstLine(stack: string): string {
  const end = stack.indexOf('\n');
  return (end < 0 ? stack : stack.slice(0, end)).trim();
}

function sameFailure(a: Failure, b: Failure): boolean {
  return firstLine(a.stack) === firstLine(b.stack) &&
    (a.taskName === undefined || b.taskName === undefined || a.taskName === b.taskName) &&
    Math.abs(a.ts - b.ts) <= SAME_FAILURE_WINDOW_US;
}

/** The innermost `Caused by:` names the root cause; the first line often only names the wrapper. */
function rootCause(stack: string): string | undefined {
  let cause: string | undefined;
  for (const line of stack.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('Caused by: ')) cause = trimmed.slice('Caused by: '.length);
  }
  return cause;
}

function toEvent(failure: Failure, job: string): EventRecord {
  const message = firstLine(failure.stack);
  const colon = message.indexOf(':');
  const named = colon < 0 ? message : message.slice(0, colon);
  const exceptionName = failure.exceptionName ?? (JAVA_CLASS.test(named) ? named : undefined);
  const task = failure.taskName === undefined ? null : TASK_WITH_SUBTASK.exec(failure.taskName);
  const endpoint = failure.endpoint;
  const attrs: Record<string, AttrValue> = { message, origin: failure.origin };
  if (exceptionName !== undefined) attrs.exceptionName = exceptionName;
  if (failure.taskName !== undefined) attrs.taskName = failure.taskName;
  if (endpoint !== undefined) attrs.endpoint = endpoint;
  if (failure.taskManagerId !== undefined) attrs.taskManagerId = failure.taskManagerId;
  if (failure.failureLabels !== undefined) attrs.failureLabels = failure.failureLabels;
  const cause = rootCause(failure.stack);
  if (cause !== undefined) attrs.rootCause = cause;
  return {
    ts: failure.ts,
    kind: 'exception',
    template: TEMPLATE,
    level: Level.Error,
    line: 0,
    lineCount: 0,
    job,
    vertexName: task === null ? failure.taskName : task[1],
    subtask: task === null ? undefined : Number(task[2]) - 1,
    parallelism: task === null ? undefined : Number(task[3]),
    tm: failure.taskManagerId,
    host: endpoint === undefined ? undefined : endpoint.replace(/:\d+$/, ''),
    attrs,
  };
}
