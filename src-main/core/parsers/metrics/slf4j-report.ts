import type { MetricSampleRecord, RecordSink } from '../../model/records.js';
import { BackpressureAccumulator, HISTOGRAM_STATS, isBackpressureMetric, TASK_METRIC_ROOTS } from './flink-metrics.js';

/** A metric identifier split by the default scope formats (flink-formats §4.1). */
export interface ScopedIdentifier {
  /** The identifier without the metric name. */
  scope: string;
  /** Metric name below the scope, sub-groups joined by '.'. */
  name: string;
  host?: string;
  tm?: string;
  jobName?: string;
  taskName?: string;
  subtask?: number;
}

interface Entry {
  identifier: string;
  value: string;
  histogram: boolean;
  line: number;
}

const TM_ANCHOR = '.taskmanager.';
const JM_ANCHOR = '.jobmanager.';
/** 1.12+ standalone ResourceID: `<rpc address>:<rpc port>-<6 hex>`, the address may contain dots. */
const ADDRESS_RESOURCE_ID = /^[^\s:]+:\d+-[0-9a-f]{6}(?=\.)/;
const SUBTASK_SEGMENT = /\.(\d+)\./g;
const KNOWN_STATS: ReadonlySet<string> = new Set(HISTOGRAM_STATS);

/**
 * Parses the body of one Slf4jReporter record (flink-formats §4.3): the lines after the logger's `- ` up to
 * "Finished metrics report". Called by the Flink log parser with the record's time and the line number of
 * `bodyLines[0]`.
 *
 * Identifiers follow the default scope formats; TaskManager ids, job names and task names may contain dots, so
 * the parts are found from what the whole report shows: the `.taskmanager.` / `.jobmanager.` anchor, the
 * TaskManager id that `Status.*` metrics end, the numeric subtask index followed by a known task metric, and the
 * job name that all task identifiers of the report share.
 */
export function parseSlf4jReport(bodyLines: readonly string[], ts: number, firstLine: number, sink: RecordSink): void {
  const entries = readEntries(bodyLines, firstLine, sink);
  if (entries.length === 0) return;
  if (!Number.isFinite(ts)) {
    sink.warning({ line: firstLine, message: `metrics report without a usable time: ${entries.length} metrics skipped` });
    return;
  }
  const splitter = new ScopeSplitter(entries.map((e) => e.identifier));
  const backpressure = new BackpressureAccumulator(sink);
  for (const entry of entries) {
    const scoped = splitter.split(entry.identifier);
    if (scoped.name === '') {
      sink.warning({ line: entry.line, message: `metric identifier without a metric name: ${entry.identifier.slice(0, 120)}` });
      continue;
    }
    const base: Omit<MetricSampleRecord, 'name' | 'value'> = {
      ts,
      scope: scoped.scope,
      host: scoped.host,
      tm: scoped.tm,
      taskName: scoped.taskName,
      subtask: scoped.subtask,
      line: entry.line,
    };
    if (entry.histogram) {
      for (const [stat, value] of parseHistogram(entry.value)) sink.metric({ ...base, name: `${scoped.name}.${stat}`, value });
      continue;
    }
    const value = parseValue(entry.value);
    if (value === undefined) continue;
    sink.metric({ ...base, name: scoped.name, value });
    if (scoped.subtask !== undefined && isBackpressureMetric(scoped.name)) {
      backpressure.add({ ts, vertexName: scoped.taskName, subtask: scoped.subtask, line: entry.line }, scoped.name, value);
    }
  }
  backpressure.flush();
}

function readEntries(bodyLines: readonly string[], firstLine: number, sink: RecordSink): Entry[] {
  const entries: Entry[] = [];
  let section = '';
  bodyLines.forEach((raw, index) => {
    const line = firstLine + index;
    const text = raw.trimEnd();
    if (text === '' || text.startsWith('=====')) return;
    if (text.startsWith('-- ')) {
      section = text.slice(3).replace(/\s*-+$/, '');
      return;
    }
    const split = text.lastIndexOf(': ');
    if (split <= 0) {
      sink.warning({ line, message: `metrics report line is not '<identifier>: <value>': ${text.slice(0, 120)}` });
      return;
    }
    const value = text.slice(split + 2).trim();
    entries.push({ identifier: text.slice(0, split), value, histogram: section === 'Histograms' || value.startsWith('count='), line });
  });
  return entries;
}

function parseValue(text: string): number | undefined {
  if (text === 'true') return 1;
  if (text === 'false') return 0;
  if (text === '' || !/^[-+]?(?:\d|\.\d|Infinity|NaN)/.test(text)) return undefined;
  const value = Number(text);
  // NaN is how Flink says "not measured" (busyTimeMsPerSecond with busy-time measurement off): no sample.
  return Number.isNaN(value) ? undefined : value;
}

function parseHistogram(text: string): Array<[string, number]> {
  const stats: Array<[string, number]> = [];
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const stat = part.slice(0, eq).trim();
    const value = parseValue(part.slice(eq + 1).trim());
    if (KNOWN_STATS.has(stat) && value !== undefined) stats.push([stat, value]);
  }
  return stats;
}

/** Splits identifiers using what the whole report tells about TaskManager ids and job names. */
export class ScopeSplitter {
  private readonly tmPrefixes: string[] = [];
  private readonly jobNames: string[] = [];
  /** Task splits of the first pass, reused by split(). */
  private readonly taskSplits = new Map<string, TaskSplit | undefined>();

  constructor(identifiers: readonly string[]) {
    const prefixes = new Set<string>();
    const jobAndTasks = new Set<string>();
    for (const identifier of identifiers) {
      const anchor = identifier.indexOf(TM_ANCHOR);
      if (anchor <= 0 || !this.isFirstAnchor(identifier, anchor)) continue;
      const afterAnchor = identifier.slice(anchor + TM_ANCHOR.length);
      const address = ADDRESS_RESOURCE_ID.exec(afterAnchor);
      const status = afterAnchor.indexOf('.Status.');
      if (address !== null) prefixes.add(identifier.slice(0, anchor + TM_ANCHOR.length + address[0].length + 1));
      else if (status > 0) prefixes.add(identifier.slice(0, anchor + TM_ANCHOR.length + status + 1));
    }
    this.tmPrefixes = [...prefixes].sort((a, b) => b.length - a.length);
    for (const identifier of identifiers) {
      const rest = this.tmRemainder(identifier);
      if (rest === undefined || isTaskManagerLevel(rest.remainder)) continue;
      const task = splitTaskMetric(rest.remainder);
      this.taskSplits.set(rest.remainder, task);
      if (task !== undefined) jobAndTasks.add(task.jobAndTask);
    }
    this.jobNames = inferJobNames([...jobAndTasks]);
  }

  split(identifier: string): ScopedIdentifier {
    const tm = this.tmRemainder(identifier);
    if (tm !== undefined) return this.splitTaskManager(identifier, tm.host, tm.tm, tm.remainder);
    const jmAnchor = identifier.indexOf(JM_ANCHOR);
    if (jmAnchor > 0) return splitJobManager(identifier, jmAnchor);
    const lastDot = identifier.lastIndexOf('.');
    return lastDot <= 0
      ? { scope: '', name: identifier }
      : { scope: identifier.slice(0, lastDot), name: identifier.slice(lastDot + 1) };
  }

  private isFirstAnchor(identifier: string, tmAnchor: number): boolean {
    const jm = identifier.indexOf(JM_ANCHOR);
    return jm < 0 || jm > tmAnchor;
  }

  private tmRemainder(identifier: string): { host: string; tm: string; remainder: string } | undefined {
    const anchor = identifier.indexOf(TM_ANCHOR);
    if (anchor <= 0 || !this.isFirstAnchor(identifier, anchor)) return undefined;
    const host = identifier.slice(0, anchor);
    const known = this.tmPrefixes.find((prefix) => identifier.startsWith(prefix));
    if (known !== undefined) {
      return { host, tm: known.slice(anchor + TM_ANCHOR.length, -1), remainder: identifier.slice(known.length) };
    }
    const afterAnchor = identifier.slice(anchor + TM_ANCHOR.length);
    const address = ADDRESS_RESOURCE_ID.exec(afterAnchor);
    const tmLength = address !== null ? address[0].length : afterAnchor.indexOf('.');
    if (tmLength <= 0) return { host, tm: afterAnchor, remainder: '' };
    return { host, tm: afterAnchor.slice(0, tmLength), remainder: afterAnchor.slice(tmLength + 1) };
  }

  private splitTaskManager(identifier: string, host: string, tm: string, remainder: string): ScopedIdentifier {
    const scopeOf = (name: string): string => identifier.slice(0, identifier.length - name.length - 1);
    if (remainder === '') return { scope: identifier, name: '', host, tm };
    if (isTaskManagerLevel(remainder)) return { scope: scopeOf(remainder), name: remainder, host, tm };
    const task = this.taskSplits.has(remainder) ? this.taskSplits.get(remainder) : splitTaskMetric(remainder);
    if (task === undefined) {
      const lastDot = remainder.lastIndexOf('.');
      const name = remainder.slice(lastDot + 1);
      return { scope: scopeOf(name), name, host, tm, jobName: remainder.slice(0, lastDot) };
    }
    const job = this.jobNames.find((name) => task.jobAndTask.startsWith(`${name}.`));
    const jobLength = job !== undefined ? job.length : task.jobAndTask.indexOf('.');
    const taskName = jobLength < 0 ? task.jobAndTask : task.jobAndTask.slice(jobLength + 1);
    const jobName = jobLength < 0 ? undefined : task.jobAndTask.slice(0, jobLength);
    return { scope: scopeOf(task.name), name: task.name, host, tm, jobName, taskName, subtask: task.subtask };
  }
}

function isTaskManagerLevel(remainder: string): boolean {
  return remainder.startsWith('Status.') || !remainder.includes('.');
}

interface TaskSplit {
  jobAndTask: string;
  subtask: number;
  name: string;
}

/**
 * `<job>.<task>.<subtask>.<metric>`: the subtask index is the first `.<digits>.` followed by a known task metric;
 * failing that, the first `.<digits>.` at all (user metric groups further right may hold numbers too).
 */
function splitTaskMetric(remainder: string): TaskSplit | undefined {
  let first: TaskSplit | undefined;
  SUBTASK_SEGMENT.lastIndex = 0;
  for (let match = SUBTASK_SEGMENT.exec(remainder); match !== null; match = SUBTASK_SEGMENT.exec(remainder)) {
    const candidate = {
      jobAndTask: remainder.slice(0, match.index),
      subtask: Number(match[1]),
      name: remainder.slice(match.index + match[0].length),
    };
    const root = candidate.name.split('.', 1)[0];
    if (TASK_METRIC_ROOTS.has(root)) return candidate;
    first ??= candidate;
    // Let the next search start inside this match: "a.1.2.x" has candidates at ".1." and ".2.".
    SUBTASK_SEGMENT.lastIndex = match.index + 1;
  }
  return first;
}

/**
 * Job names that contain dots are told apart from task names by what task identifiers share: the longest
 * common run of leading segments among identifiers that start with the same first segment, as long as every
 * identifier keeps at least one segment for its task name.
 */
function inferJobNames(jobAndTasks: readonly string[]): string[] {
  const groups = new Map<string, string[][]>();
  for (const text of jobAndTasks) {
    const segments = text.split('.');
    const group = groups.get(segments[0]);
    if (group === undefined) groups.set(segments[0], [segments]);
    else group.push(segments);
  }
  const names: string[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    let common = Math.min(...group.map((segments) => segments.length - 1));
    for (let i = 1; i < common; i++) {
      if (group.some((segments) => segments[i] !== group[0][i])) common = i;
    }
    const name = group[0].slice(0, common).join('.');
    // Task names, not job names, carry Flink's chaining and source/sink markers.
    if (common > 1 && !name.includes(': ') && !name.includes(' -> ')) names.push(name);
  }
  return names.sort((a, b) => b.length - a.length);
}

/** `<host>.jobmanager[.<job_name>].<metric>`: JobManager job metrics are single names; `Status.*` is JM-level. */
function splitJobManager(identifier: string, anchor: number): ScopedIdentifier {
  const host = identifier.slice(0, anchor);
  const remainder = identifier.slice(anchor + JM_ANCHOR.length);
  if (remainder.startsWith('Status.') || !remainder.includes('.')) {
    return { scope: identifier.slice(0, anchor + JM_ANCHOR.length - 1), name: remainder, host };
  }
  const lastDot = remainder.lastIndexOf('.');
  const name = remainder.slice(lastDot + 1);
  return { scope: identifier.slice(0, identifier.length - name.length - 1), name, host, jobName: remainder.slice(0, lastDot) };
}
