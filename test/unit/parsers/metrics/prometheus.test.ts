import { describe, expect, it } from 'vitest';
import { ZoneClock } from '../../../../src-main/core/common/time.js';
import { Level } from '../../../../src-main/core/model/records.js';
import { createMetricsParser } from '../../../../src-main/core/parsers/metrics/index.js';
import { parseSampleLine } from '../../../../src-main/core/parsers/metrics/prometheus-line.js';
import { CollectingSink } from './collecting-sink.js';

const JOB = '3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b';
const VERTEX = '90bea66de1c231edf33913ecd54406c1';
const CAPTURED = Date.UTC(2023, 5, 14, 9, 13, 0) * 1000;

function runMetrics(text: string, path = 'metrics/tm-7.prom', zone = 'UTC') {
  const sink = new CollectingSink();
  const parser = createMetricsParser({ sink, clock: new ZoneClock(zone), path, detection: { kind: 'metrics', format: 'prometheus', reason: 'test' } });
  const lines = text.split('\n');
  const perLine: Array<{ ts: number; level: Level; continuation: boolean }> = [];
  lines.forEach((line, index) => {
    parser.line(line, index + 1);
    perLine.push({ ts: parser.currentTs, level: parser.currentLevel, continuation: parser.currentIsContinuation });
  });
  parser.end();
  return { sink, perLine };
}

function taskLabels(subtask: number): string {
  return `host="tm_7",tm_id="10_42_7_19:6122_4c8e2a",job_id="${JOB}",job_name="orders_enrichment",task_id="${VERTEX}",` +
    `task_name="Window_TumblingEventTimeWindows_60000___EventTimeTrigger__Agg_",task_attempt_id="5e2d_${VERTEX}_${subtask}_0",` +
    `task_attempt_num="0",subtask_index="${subtask}",`;
}

describe('Prometheus dumps', () => {
  it('reads the reference samples: names without flink_<scope>_, labels to host/tm/job/task/subtask', () => {
    const text = [
      '# captured at 2023-06-14T09:13:00Z',
      '# HELP flink_taskmanager_job_task_backPressuredTimeMsPerSecond backPressuredTimeMsPerSecond (scope: taskmanager_job_task)',
      '# TYPE flink_taskmanager_job_task_backPressuredTimeMsPerSecond gauge',
      'flink_taskmanager_job_task_backPressuredTimeMsPerSecond{host="tm_7",tm_id="10_42_7_19:6122_4c8e2a",job_id="3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b",job_name="orders_enrichment",task_id="90bea66de1c231edf33913ecd54406c1",task_name="Window_TumblingEventTimeWindows_60000___EventTimeTrigger__Agg_",task_attempt_id="5e2d…_90bea66de1c231edf33913ecd54406c1_2_0",task_attempt_num="0",subtask_index="2",} 873.0',
      'flink_jobmanager_job_lastCheckpointDuration{host="jm_0",job_id="3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b",job_name="orders_enrichment",} 2566.0',
      'flink_taskmanager_job_task_Shuffle_Netty_Output_Buffers_outPoolUsage{…} 1.0',
    ].join('\n');
    const { sink, perLine } = runMetrics(text);
    expect(sink.metrics).toEqual([
      { ts: CAPTURED, scope: 'flink_taskmanager_job_task_backPressuredTimeMsPerSecond', name: 'backPressuredTimeMsPerSecond', value: 873,
        host: 'tm_7', tm: '10_42_7_19:6122_4c8e2a', job: JOB, taskName: 'Window_TumblingEventTimeWindows_60000___EventTimeTrigger__Agg_',
        subtask: 2, line: 4 },
      { ts: CAPTURED, scope: 'flink_jobmanager_job_lastCheckpointDuration', name: 'lastCheckpointDuration', value: 2566, host: 'jm_0',
        tm: undefined, job: JOB, taskName: undefined, subtask: undefined, line: 5 },
    ]);
    // The reference elides the labels of the third line: '{…}' is not a label set.
    expect(sink.warnings).toEqual([{ line: 6, message: expect.stringContaining('label name expected') }]);
    expect(perLine.every((l) => l.ts === CAPTURED && l.level === Level.None && !l.continuation)).toBe(true);
  });

  it('turns sub-groups and GC collector names into the Slf4j spelling', () => {
    const text = [
      '# captured at 2023-06-14T09:13:00Z',
      `flink_taskmanager_job_task_Shuffle_Netty_Output_Buffers_outPoolUsage{${taskLabels(2)}} 1.0`,
      `flink_taskmanager_job_task_buffers_inPoolUsage{${taskLabels(2)}} 0.25`,
      'flink_taskmanager_Status_JVM_GarbageCollector_G1_Young_Generation_Time{host="tm_7",tm_id="tm1",} 5123.0',
      'flink_taskmanager_Status_JVM_GarbageCollector_All_TimeMsPerSecond{host="tm_7",tm_id="tm1",} 12.0',
      'flink_jobmanager_Status_JVM_CPU_Load{host="jm_0",} 0.5',
      `flink_taskmanager_job_task_operator_numRecordsIn{${taskLabels(1)}operator_id="abc",operator_name="Map",} 42`,
      'jvm_threads_current 17',
    ].join('\n');
    const { sink } = runMetrics(text);
    expect(sink.metrics.map((m) => m.name)).toEqual([
      'Shuffle.Netty.Output.Buffers.outPoolUsage',
      'buffers.inPoolUsage',
      'Status.JVM.GarbageCollector.G1 Young Generation.Time',
      'Status.JVM.GarbageCollector.All.TimeMsPerSecond',
      'Status.JVM.CPU.Load',
      'numRecordsIn',
      'jvm_threads_current',
    ]);
    expect(sink.backpressures).toEqual([]);
  });

  it('reads label values with escapes, commas, braces and equals signs', () => {
    const line = 'flink_taskmanager_job_task_numRecordsIn{task_name="Sink: \\"out\\", a=b {x}\\\\n\\nend",subtask_index="0"} 1e3 1686733980000';
    const parsed = parseSampleLine(line);
    expect(parsed).toEqual({ sample: {
      name: 'flink_taskmanager_job_task_numRecordsIn',
      labels: new Map([['task_name', 'Sink: "out", a=b {x}\\n\nend'], ['subtask_index', '0']]),
      value: 1000,
      timestampMs: 1686733980000,
    } });
    expect(parseSampleLine('up{job="a"')).toEqual({ error: 'unterminated label set' });
    expect(parseSampleLine('up{job="a} 1')).toEqual({ error: 'unterminated value of label job' });
    expect(parseSampleLine('up abc')).toEqual({ error: "value 'abc' of up is not a number" });
    expect(parseSampleLine('up +Inf')).toEqual({ sample: { name: 'up', labels: new Map(), value: Number.POSITIVE_INFINITY } });
    expect(parseSampleLine('up 1 1686733980.5')).toMatchObject({ sample: { timestampMs: 1686733980500 } });
  });

  it('uses sample timestamps over the capture time, skips NaN values, keeps ±Inf', () => {
    const text = [
      'flink_jobmanager_job_uptime{job_id="j",} 5 1686733990000',
      'flink_jobmanager_job_downtime{job_id="j",} NaN 1686733990000',
      'flink_jobmanager_job_numRestarts{job_id="j",} +Inf 1686733990000',
    ].join('\n');
    const { sink, perLine } = runMetrics(text, 'metrics.prom');
    expect(sink.metrics.map((m) => [m.name, m.value, m.ts])).toEqual([
      ['uptime', 5, 1686733990000_000],
      ['numRestarts', Number.POSITIVE_INFINITY, 1686733990000_000],
    ]);
    expect(perLine[0].ts).toBe(1686733990000_000);
    expect(sink.warnings).toEqual([]);
  });

  it('names summary quantiles, _count and _sum like Slf4j histogram statistics', () => {
    const labels = taskLabels(0);
    const text = [
      '# captured at 2023-06-14T09:13:00Z',
      '# TYPE flink_taskmanager_job_task_mailboxLatencyMs summary',
      `flink_taskmanager_job_task_mailboxLatencyMs{${labels}quantile="0.5",} 3.0`,
      `flink_taskmanager_job_task_mailboxLatencyMs{${labels}quantile="0.99",} 17.0`,
      `flink_taskmanager_job_task_mailboxLatencyMs{${labels}quantile="0.999",} 30.0`,
      `flink_taskmanager_job_task_mailboxLatencyMs_count{${labels}} 1200.0`,
      `flink_taskmanager_job_task_mailboxLatencyMs_sum{${labels}} 3600.0`,
      `flink_taskmanager_job_task_numBuffersOut_count{${labels}} 7.0`,
    ].join('\n');
    const { sink } = runMetrics(text);
    expect(sink.metrics.map((m) => [m.scope, m.name])).toEqual([
      ['flink_taskmanager_job_task_mailboxLatencyMs', 'mailboxLatencyMs.p50'],
      ['flink_taskmanager_job_task_mailboxLatencyMs', 'mailboxLatencyMs.p99'],
      ['flink_taskmanager_job_task_mailboxLatencyMs', 'mailboxLatencyMs.p999'],
      ['flink_taskmanager_job_task_mailboxLatencyMs', 'mailboxLatencyMs.count'],
      ['flink_taskmanager_job_task_mailboxLatencyMs', 'mailboxLatencyMs.sum'],
      ['flink_taskmanager_job_task_numBuffersOut_count', 'numBuffersOut.count'],
    ]);
  });

  it('takes the capture time from the file name when there is no comment', () => {
    const line = 'flink_jobmanager_numRunningJobs{host="jm_0",} 1.0';
    expect(runMetrics(line, 'b.zip!/metrics/metrics-2023-06-14T09-13-00Z.prom').sink.metrics[0].ts).toBe(CAPTURED);
    expect(runMetrics(line, 'metrics/jm-1686733980000.txt').sink.metrics[0].ts).toBe(CAPTURED);
    expect(runMetrics(line, 'metrics/jm-20230614T091300Z.txt').sink.metrics[0].ts).toBe(CAPTURED);
    // Zone-less names are wall-clock time in the source's zone, like log timestamps.
    expect(runMetrics(line, 'metrics/jm-2023-06-14_11-13-00.prom', 'Europe/Berlin').sink.metrics[0].ts).toBe(CAPTURED);
  });

  it('reads capture comments in several spellings, and a later capture moves the time on', () => {
    const line = 'flink_jobmanager_numRunningJobs{host="jm_0",} 1.0';
    const text = ['# Captured: Wed Jun 14 09:13:00 UTC 2023', line, '# time=1686734040', line, '# timestamp: 2023-06-14 09:15:00.5+00:00', line,
      '# 2023-06-14T11:16:00+02:00', line, '# HELP flink_jobmanager_numRunningJobs numRunningJobs (scope: jobmanager)', line].join('\n');
    const { sink, perLine } = runMetrics(text, 'metrics.prom');
    expect(sink.metrics.map((m) => m.ts)).toEqual([CAPTURED, CAPTURED + 60_000_000, CAPTURED + 120_500_000, CAPTURED + 180_000_000, CAPTURED + 180_000_000]);
    expect(perLine.slice(0, 6).map((l) => l.ts)).toEqual([CAPTURED, CAPTURED, CAPTURED + 60_000_000, CAPTURED + 60_000_000, CAPTURED + 120_500_000, CAPTURED + 120_500_000]);
  });

  it('skips samples without any time and says so once', () => {
    const { sink, perLine } = runMetrics('# HELP x y\nflink_jobmanager_numRunningJobs{host="jm_0",} 1.0\nflink_jobmanager_taskSlotsTotal 4', 'metrics.prom');
    expect(sink.metrics).toEqual([]);
    expect(sink.warnings).toEqual([{ message: expect.stringContaining('no capture time: 2 samples') }]);
    expect(perLine.every((l) => Number.isNaN(l.ts))).toBe(true);
  });

  it('caps per-line warnings on a file that is not Prometheus text', () => {
    const garbage = Array.from({ length: 80 }, (_, i) => `!!! line ${i}`).join('\n');
    const { sink } = runMetrics(garbage);
    expect(sink.warnings).toHaveLength(51);
    expect(sink.warnings[50].message).toBe('30 more lines were not Prometheus samples');
  });
});

describe('backpressure from Prometheus task metrics', () => {
  const bpLines = (subtask: number, bp: string, busy: string, idle: string): string[] => [
    `flink_taskmanager_job_task_backPressuredTimeMsPerSecond{${taskLabels(subtask)}} ${bp}`,
    `flink_taskmanager_job_task_busyTimeMsPerSecond{${taskLabels(subtask)}} ${busy}`,
    `flink_taskmanager_job_task_idleTimeMsPerSecond{${taskLabels(subtask)}} ${idle}`,
  ];

  it('joins the families of one subtask into one sample with §5 levels at the boundaries', () => {
    const text = ['# captured at 2023-06-14T09:13:00Z', ...bpLines(0, '100.0', '900.0', '0.0'), ...bpLines(1, '100.1', '0', '899'),
      ...bpLines(2, '500', '500', '0'), ...bpLines(3, '510', '490', '0'), ...bpLines(4, '873.0', 'NaN', '0')].join('\n');
    const { sink } = runMetrics(text);
    expect(sink.backpressures.map((b) => [b.subtask, b.ratio, b.busy, b.idle, b.level])).toEqual([
      [0, 0.1, 0.9, 0, 'ok'],
      [1, 0.1001, 0, 0.899, 'low'],
      [2, 0.5, 0.5, 0, 'low'],
      [3, 0.51, 0.49, 0, 'high'],
      [4, 0.873, undefined, 0, 'high'],
    ]);
    expect(sink.backpressures[0]).toMatchObject({ ts: CAPTURED, job: JOB, vertexId: VERTEX, origin: 'metric', line: 2,
      vertexName: 'Window_TumblingEventTimeWindows_60000___EventTimeTrigger__Agg_' });
  });

  it('falls back to soft + hard, then to isBackPressured (1.10–1.12)', () => {
    const text = ['# captured at 2023-06-14T09:13:00Z',
      `flink_taskmanager_job_task_softBackPressuredTimeMsPerSecond{${taskLabels(0)}} 300`,
      `flink_taskmanager_job_task_hardBackPressuredTimeMsPerSecond{${taskLabels(0)}} 250`,
      `flink_taskmanager_job_task_isBackPressured{${taskLabels(1)}} 1.0`,
      `flink_taskmanager_job_task_isBackPressured{${taskLabels(2)}} 0.0`,
    ].join('\n');
    const { sink } = runMetrics(text);
    expect(sink.backpressures.map((b) => [b.subtask, b.ratio, b.level])).toEqual([[0, 0.55, 'high'], [1, 1, 'high'], [2, 0, 'ok']]);
  });

  it('keeps samples of successive captures apart', () => {
    const text = ['# captured at 2023-06-14T09:13:00Z', ...bpLines(0, '900', '100', '0'),
      '# captured at 2023-06-14T09:14:00Z', ...bpLines(0, '0', '50', '950')].join('\n');
    const { sink } = runMetrics(text);
    expect(sink.backpressures.map((b) => [b.ts, b.level])).toEqual([[CAPTURED, 'high'], [CAPTURED + 60_000_000, 'ok']]);
  });
});
