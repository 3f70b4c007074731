import { msToMicros } from '../../common/time.js';
import { Level } from '../../model/records.js';
import type { TextParser, TextParserFactory } from '../types.js';
import { captureTimeFromComment, captureTimeFromPath } from './capture-time.js';
import { BackpressureAccumulator, isBackpressureMetric } from './flink-metrics.js';
import { parseSampleLine } from './prometheus-line.js';

/** Beyond this many unreadable lines per file, one summary warning stands for the rest. */
const MAX_LINE_WARNINGS = 50;

/** Logical scopes of Flink's Prometheus names (flink-formats §4.2), most specific first. */
const LOGICAL_SCOPES = [
  'taskmanager_job_task_operator',
  'taskmanager_job_task',
  'taskmanager_job',
  'taskmanager',
  'jobmanager_job',
  'jobmanager',
] as const;

const GC_METRIC = /^Status_JVM_GarbageCollector_(.+)_(Count|Time|TimeMsPerSecond)$/;

/**
 * Prometheus text exposition dumps of Flink's PrometheusReporter (flink-formats §4.2). Each sample becomes a
 * metric_sample named as described in flink-metrics.ts; backpressure task metrics also become bp_sample rows.
 * Sample time: the sample's own timestamp, else the latest `# captured at …` comment, else the time in the file
 * name; samples with none of these are skipped (counted in one warning) rather than placed at a made-up time.
 */
export const createMetricsParser: TextParserFactory = (ctx) => {
  const { sink } = ctx;
  const summaryFamilies = new Set<string>();
  /** Families repeat on every subtask's line: the name is worked out once per family and label layout. */
  const nameCache = new Map<string, { family: string; name: string }>();
  const backpressure = new BackpressureAccumulator(sink);
  let captureTs = captureTimeFromPath(ctx.path, ctx.clock);
  let untimedSamples = 0;
  let lineWarnings = 0;

  const warnLine = (line: number, message: string): void => {
    lineWarnings++;
    if (lineWarnings <= MAX_LINE_WARNINGS) sink.warning({ line, message });
  };

  const comment = (text: string): void => {
    const type = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(text);
    if (type !== null) {
      if (type[2] === 'summary' || type[2] === 'histogram') {
        summaryFamilies.add(type[1]);
        nameCache.clear();
      }
      return;
    }
    if (/^#\s*(?:HELP|EOF|UNIT)\b/.test(text)) return;
    const stated = captureTimeFromComment(text, ctx.clock);
    if (stated !== undefined && stated !== captureTs) {
      // A new capture starts: the previous one's subtasks are complete.
      backpressure.flush();
      captureTs = stated;
    }
  };

  const parser: TextParser & { currentTs: number; currentLevel: Level; currentIsContinuation: boolean } = {
    currentTs: captureTs,
    currentLevel: Level.None,
    currentIsContinuation: false,
    line(raw: string, lineNo: number) {
      const text = raw.trim();
      parser.currentTs = captureTs;
      if (text === '') return;
      if (text.startsWith('#')) {
        comment(text);
        parser.currentTs = captureTs;
        return;
      }
      const parsed = parseSampleLine(text);
      if ('error' in parsed) {
        warnLine(lineNo, `not a Prometheus sample (${parsed.error}): ${text.slice(0, 120)}`);
        return;
      }
      const { sample } = parsed;
      const ts = sample.timestampMs !== undefined ? msToMicros(sample.timestampMs) : captureTs;
      parser.currentTs = ts;
      if (Number.isNaN(ts)) {
        untimedSamples++;
        return;
      }
      // NaN is how Flink says "not measured" (busyTimeMsPerSecond with busy-time measurement off): no sample.
      if (Number.isNaN(sample.value)) return;
      const labels = sample.labels;
      const cacheKey = `${sample.name}\u0000${expectedScope(labels)}\u0000${labels.get('quantile') ?? ''}`;
      let naming = nameCache.get(cacheKey);
      if (naming === undefined) {
        naming = flinkMetricName(sample.name, labels, summaryFamilies);
        nameCache.set(cacheKey, naming);
      }
      const { family, name } = naming;
      const subtaskText = labels.get('subtask_index');
      const subtask = subtaskText !== undefined && /^\d+$/.test(subtaskText) ? Number(subtaskText) : undefined;
      sink.metric({
        ts,
        scope: family,
        name,
        value: sample.value,
        host: labels.get('host'),
        tm: labels.get('tm_id'),
        job: labels.get('job_id'),
        taskName: labels.get('task_name'),
        subtask,
        line: lineNo,
      });
      if (subtask !== undefined && isBackpressureMetric(name)) {
        backpressure.add(
          { ts, job: labels.get('job_id'), vertexId: labels.get('task_id'), vertexName: labels.get('task_name'), subtask, line: lineNo },
          name,
          sample.value,
        );
      }
    },
    end() {
      backpressure.flush();
      if (lineWarnings > MAX_LINE_WARNINGS) {
        sink.warning({ message: `${lineWarnings - MAX_LINE_WARNINGS} more lines were not Prometheus samples` });
      }
      if (untimedSamples > 0) {
        sink.warning({
          message:
            `no capture time: ${untimedSamples} samples without their own timestamp were skipped ` +
            `(no '# captured at <time>' comment before them and no time in the file name)`,
        });
      }
    },
  };
  return parser;
};

/**
 * Prometheus sample name → (family, Flink metric name). The logical scope is chosen by the labels the reporter
 * attaches at each scope (an operator has operator_id, a task subtask_index, a job job_id, a TaskManager tm_id),
 * so a TaskManager metric whose own name starts with `job_` is not mistaken for a job metric.
 */
export function flinkMetricName(
  sampleName: string,
  labels: ReadonlyMap<string, string>,
  summaryFamilies: ReadonlySet<string>,
): { family: string; name: string } {
  let family = sampleName;
  let stat = '';
  const quantile = labels.get('quantile');
  if (quantile !== undefined) {
    stat = `.${quantileStat(quantile)}`;
  } else {
    const suffix = /_(count|sum)$/.exec(sampleName);
    if (suffix !== null && summaryFamilies.has(sampleName.slice(0, suffix.index))) {
      family = sampleName.slice(0, suffix.index);
      stat = `.${suffix[1]}`;
    }
  }
  if (!family.startsWith('flink_')) return { family, name: family + stat };
  const expected = expectedScope(labels);
  const scope = family.startsWith(`flink_${expected}_`)
    ? expected
    : LOGICAL_SCOPES.find((candidate) => family.startsWith(`flink_${candidate}_`));
  const rest = family.slice(scope === undefined ? 'flink_'.length : `flink_${scope}_`.length);
  const gc = GC_METRIC.exec(rest);
  const name = gc !== null ? `Status.JVM.GarbageCollector.${gc[1].replaceAll('_', ' ')}.${gc[2]}` : rest.replaceAll('_', '.');
  return { family, name: name + stat };
}

/** Which logical scope the reporter's labels point to. */
function expectedScope(labels: ReadonlyMap<string, string>): (typeof LOGICAL_SCOPES)[number] {
  if (labels.has('operator_id')) return 'taskmanager_job_task_operator';
  if (labels.has('task_id') || labels.has('subtask_index')) return 'taskmanager_job_task';
  if (labels.has('tm_id')) return labels.has('job_id') ? 'taskmanager_job' : 'taskmanager';
  return labels.has('job_id') ? 'jobmanager_job' : 'jobmanager';
}

/** "0.5" → p50, "0.99" → p99, "0.999" → p999: the Slf4jReporter's names for the same statistics. */
function quantileStat(quantile: string): string {
  const match = /^0?\.(\d+)$/.exec(quantile.trim());
  if (match === null) return `q${quantile}`;
  return `p${match[1].replace(/0+$/, '').padEnd(2, '0')}`;
}
