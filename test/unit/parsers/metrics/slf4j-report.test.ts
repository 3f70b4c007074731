import { describe, expect, it } from 'vitest';
import { parseSlf4jReport } from '../../../../src-main/core/parsers/metrics/slf4j-report.js';
import { CollectingSink } from './collecting-sink.js';

const TS = Date.UTC(2023, 5, 14, 9, 13, 0) * 1000;

/** The body of the flink-formats §4.3 example, verbatim: the lines after "… Slf4jReporter [] - ". */
const REFERENCE_BODY = `=========================== Starting metrics report ===========================

-- Gauges ---------------------------------------------------------------------
tm-7.taskmanager.10.42.7.19:6122-4c8e2a.orders-enrichment.Map -> Sink: Unnamed.2.backPressuredTimeMsPerSecond: 873
tm-7.taskmanager.10.42.7.19:6122-4c8e2a.orders-enrichment.Map -> Sink: Unnamed.2.Shuffle.Netty.Output.Buffers.outPoolUsage: 1.0
jm-0.jobmanager.orders-enrichment.lastCheckpointDuration: 2566

-- Meters ---------------------------------------------------------------------
tm-7.taskmanager.10.42.7.19:6122-4c8e2a.orders-enrichment.Map -> Sink: Unnamed.2.numRecordsInPerSecond: 1520.4

=========================== Finished metrics report ===========================`;

function report(body: string, firstLine = 100, ts = TS): CollectingSink {
  const sink = new CollectingSink();
  parseSlf4jReport(body.split('\n'), ts, firstLine, sink);
  return sink;
}

describe('Slf4jReporter reports', () => {
  it('reads the reference report: scope parts, names, line numbers', () => {
    const sink = report(REFERENCE_BODY);
    expect(sink.warnings).toEqual([]);
    const task = { host: 'tm-7', tm: '10.42.7.19:6122-4c8e2a', taskName: 'Map -> Sink: Unnamed', subtask: 2, ts: TS,
      scope: 'tm-7.taskmanager.10.42.7.19:6122-4c8e2a.orders-enrichment.Map -> Sink: Unnamed.2' };
    expect(sink.metrics).toEqual([
      { ...task, name: 'backPressuredTimeMsPerSecond', value: 873, line: 103 },
      { ...task, name: 'Shuffle.Netty.Output.Buffers.outPoolUsage', value: 1, line: 104 },
      { ts: TS, scope: 'jm-0.jobmanager.orders-enrichment', name: 'lastCheckpointDuration', value: 2566, host: 'jm-0', line: 105 },
      { ...task, name: 'numRecordsInPerSecond', value: 1520.4, line: 108 },
    ]);
    expect(sink.backpressures).toEqual([
      { ts: TS, vertexName: 'Map -> Sink: Unnamed', subtask: 2, ratio: 0.873, level: 'high', origin: 'metric', line: 103 },
    ]);
  });

  it('splits histograms into one metric per statistic', () => {
    const sink = report([
      '-- Histograms ------------------------------------------------------------------',
      'tm-1.taskmanager.tm-1-abcdef.Job X.Source: Kafka -> Map.0.mailboxLatencyMs: count=10, min=1, max=9, mean=3.5, stddev=1.2, p50=3.0, p75=4.0, p95=8.0, p98=9.0, p99=9.0, p999=9.0',
    ].join('\n'));
    expect(sink.metrics.map((m) => [m.name, m.value])).toEqual([
      ['mailboxLatencyMs.count', 10], ['mailboxLatencyMs.min', 1], ['mailboxLatencyMs.max', 9], ['mailboxLatencyMs.mean', 3.5],
      ['mailboxLatencyMs.stddev', 1.2], ['mailboxLatencyMs.p50', 3], ['mailboxLatencyMs.p75', 4], ['mailboxLatencyMs.p95', 8],
      ['mailboxLatencyMs.p98', 9], ['mailboxLatencyMs.p99', 9], ['mailboxLatencyMs.p999', 9],
    ]);
    expect(sink.metrics[0]).toMatchObject({ tm: 'tm-1-abcdef', taskName: 'Source: Kafka -> Map', subtask: 0 });
  });

  it('finds dotted TaskManager ids and job names from the rest of the report (1.11–1.12 metrics)', () => {
    const prefix = 'ip-10-0-0-1.ec2.internal.taskmanager.ip-10-0-0-1.ec2.internal-4c8e2a';
    const sink = report([
      '-- Gauges ---------------------------------------------------------------------',
      `${prefix}.Status.JVM.GarbageCollector.G1 Young Generation.Count: 12`,
      `${prefix}.com.acme.OrdersJob.Source: kafka.orders.0.isBackPressured: true`,
      `${prefix}.com.acme.OrdersJob.Source: kafka.orders.0.KafkaSourceReader.topic.orders.partition.3.currentOffset: 123`,
      `${prefix}.com.acme.OrdersJob.Map.1.lastCheckpointExternalPath: s3://bucket/chk-1`,
      '-- Meters ---------------------------------------------------------------------',
      `${prefix}.com.acme.OrdersJob.Map.1.idleTimeMsPerSecond: 950.0`,
    ].join('\n'));
    expect(sink.metrics.map((m) => [m.tm, m.taskName, m.subtask, m.name])).toEqual([
      ['ip-10-0-0-1.ec2.internal-4c8e2a', undefined, undefined, 'Status.JVM.GarbageCollector.G1 Young Generation.Count'],
      ['ip-10-0-0-1.ec2.internal-4c8e2a', 'Source: kafka.orders', 0, 'isBackPressured'],
      ['ip-10-0-0-1.ec2.internal-4c8e2a', 'Source: kafka.orders', 0, 'KafkaSourceReader.topic.orders.partition.3.currentOffset'],
      ['ip-10-0-0-1.ec2.internal-4c8e2a', 'Map', 1, 'idleTimeMsPerSecond'],
    ]);
    expect(sink.metrics[0].host).toBe('ip-10-0-0-1.ec2.internal');
    expect(sink.metrics[1].scope).toBe(`${prefix}.com.acme.OrdersJob.Source: kafka.orders.0`);
    expect(sink.backpressures.map((b) => [b.vertexName, b.subtask, b.ratio, b.idle, b.level])).toEqual([
      ['Source: kafka.orders', 0, 1, undefined, 'high'],
      ['Map', 1, undefined, 0.95, undefined],
    ]);
  });

  it('applies the §5 thresholds to Slf4j samples, with soft/hard and busy/idle', () => {
    const task = (i: number): string => `tm-1.taskmanager.tm-1-abcdef.orders.Map.${i}`;
    const sink = report([
      '-- Gauges ---------------------------------------------------------------------',
      `${task(0)}.backPressuredTimeMsPerSecond: 100`, `${task(0)}.busyTimeMsPerSecond: 900`, `${task(0)}.idleTimeMsPerSecond: 0`,
      `${task(1)}.backPressuredTimeMsPerSecond: 100.1`,
      `${task(2)}.softBackPressuredTimeMsPerSecond: 200`, `${task(2)}.hardBackPressuredTimeMsPerSecond: 300`,
      `${task(3)}.backPressuredTimeMsPerSecond: 510`, `${task(3)}.busyTimeMsPerSecond: NaN`,
    ].join('\n'));
    expect(sink.backpressures.map((b) => [b.subtask, b.ratio, b.busy, b.idle, b.level])).toEqual([
      [0, 0.1, 0.9, 0, 'ok'], [1, 0.1001, undefined, undefined, 'low'], [2, 0.5, undefined, undefined, 'low'], [3, 0.51, undefined, undefined, 'high'],
    ]);
    expect(sink.metrics.some((m) => m.name === 'busyTimeMsPerSecond' && m.subtask === 3)).toBe(false);
  });

  it('keeps identifiers of custom scope formats whole and warns on lines without a value', () => {
    const sink = report('-- Counters ----\nmy.custom.scope.numRecordsIn: 5\nthis line has no value');
    expect(sink.metrics).toEqual([{ ts: TS, scope: 'my.custom.scope', name: 'numRecordsIn', value: 5, line: 101,
      host: undefined, tm: undefined, taskName: undefined, subtask: undefined }]);
    expect(sink.warnings).toEqual([{ line: 102, message: expect.stringContaining('this line has no value') }]);
  });

  it('reads JobManager-level metrics and warns when the record has no usable time', () => {
    const sink = report('jm-0.jobmanager.Status.JVM.CPU.Load: 0.25\njm-0.jobmanager.numRunningJobs: 1');
    expect(sink.metrics.map((m) => [m.scope, m.name])).toEqual([['jm-0.jobmanager', 'Status.JVM.CPU.Load'], ['jm-0.jobmanager', 'numRunningJobs']]);
    const untimed = report(REFERENCE_BODY, 1, Number.NaN);
    expect(untimed.metrics).toEqual([]);
    expect(untimed.warnings).toEqual([{ line: 1, message: 'metrics report without a usable time: 4 metrics skipped' }]);
  });
});
