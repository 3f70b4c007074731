import { describe, expect, it } from 'vitest';
import { detect, SNIFF_BYTES } from '../../../src-main/core/detect/detect.js';

const text = (lines: readonly string[]): Buffer => Buffer.from(`${lines.join('\n')}\n`);
const pad = (logger: string): string => logger.padEnd(60);

const LOG4J2_JM = [
  `2023-06-14 09:00:01,001 INFO  ${pad('org.apache.flink.runtime.entrypoint.ClusterEntrypoint')} [] - --------------------------------------------------------------------------------`,
  `2023-06-14 09:00:01,002 INFO  ${pad('org.apache.flink.runtime.entrypoint.ClusterEntrypoint')} [] -  Starting StandaloneSessionClusterEntrypoint (Version: 1.17.2, Scala: 2.12, Rev:c0027e5, Date:2023-11-09T13:24:38+01:00)`,
  `2023-06-14 09:00:01,003 INFO  ${pad('org.apache.flink.runtime.entrypoint.ClusterEntrypoint')} [] -  OS current user: flink`,
  `2023-06-14 09:12:40,117 INFO  ${pad('org.apache.flink.runtime.checkpoint.CheckpointCoordinator')} [] - Triggering checkpoint 1287 (type=CheckpointType{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD}) @ 1686733957548 for job 3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b.`,
];

describe('Flink logs', () => {
  it('takes the component from the start-up banner', () => {
    expect(detect('flink-flink-standalonesession-0-host.log', text(LOG4J2_JM))).toEqual({
      kind: 'flink-jm-log',
      format: 'log4j2',
      reason: "log4j2 layout, banner 'Starting StandaloneSessionClusterEntrypoint (Version: 1.17.2, …)'",
    });
    const tmBanner = text([
      `2021-07-19 10:00:00,001 INFO  ${pad('org.apache.flink.runtime.taskexecutor.TaskManagerRunner')} [] -  Starting YARN TaskExecutor runner (Version: 1.12.7, Scala: 2.11, Rev:88d9950, Date:2021-12-14T23:39:33+01:00)`,
    ]);
    expect(detect('jobmanager.log', tmBanner)).toMatchObject({ kind: 'flink-tm-log', reason: "log4j2 layout, banner 'Starting YARN TaskExecutor runner (Version: 1.12.7, …)'" });
    const history = text([`2021-07-19 10:00:00,001 INFO  ${pad('org.apache.flink.runtime.util.EnvironmentInformation')} [] -  Starting HistoryServer (Version: 1.14.6, Scala: 2.12, Rev:xyz, Date:2022)`]);
    expect(detect('history.log', history).kind).toBe('flink-log');
  });

  it('uses the file name when the content has no banner and no telling logger', () => {
    const lines = text([
      `2020-03-02 14:05:11,402 INFO  ${pad('com.example.Enricher')}  - cache warm`,
      `2020-03-02 14:05:11,403 WARN  ${pad('org.apache.kafka.clients.NetworkClient')}  - disconnected`,
    ]);
    expect(detect('taskmanager.log', lines)).toEqual({ kind: 'flink-tm-log', format: 'log4j1', reason: "name 'taskmanager.log' (YARN) and log4j1 layout" });
    expect(detect('app.log', lines)).toEqual({
      kind: 'other-log',
      format: 'plain',
      reason: "log4j1 layout but no Flink loggers (first logger 'com.example.Enricher')",
    });
  });

  it('tells JM from TM by loggers only one side has', () => {
    const tm = text([
      `2023-06-14 09:40:12,480 INFO  ${pad('org.apache.flink.runtime.taskmanager.Task')} [] - Map (3/4)#0 (5e2d) switched from RUNNING to FAILED.`,
      `2023-06-14 09:40:12,481 INFO  ${pad('org.apache.flink.streaming.runtime.tasks.StreamTask')} [] - No state backend has been configured`,
      `2023-06-14 09:40:12,482 INFO  ${pad('org.apache.flink.runtime.taskexecutor.TaskExecutor')} [] - Un-registering task`,
    ]);
    expect(detect('node-7.log', tm)).toEqual({ kind: 'flink-tm-log', format: 'log4j2', reason: 'log4j2 layout; TM-only loggers Task, StreamTask, TaskExecutor' });
    const jm = text(LOG4J2_JM.slice(3).concat([`2023-06-14 09:40:12,490 INFO  ${pad('org.apache.flink.runtime.jobmaster.JobMaster')} [] - 12 tasks will be restarted`]));
    expect(detect('taskmanager.log', jm)).toMatchObject({ kind: 'flink-jm-log', reason: 'log4j2 layout; JM-only loggers CheckpointCoordinator, JobMaster' });
    const both = Buffer.concat([tm, jm]);
    expect(detect('local.log', both)).toMatchObject({ kind: 'flink-log', reason: expect.stringMatching(/a local mini cluster\?$/) });
  });

  it('recognises the logback, test and custom layouts', () => {
    const logback = text([
      '2021-07-19 10:20:00.004 [Checkpoint Timer] INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator  - Triggering checkpoint 42 (type=CHECKPOINT) @ 1626690000001 for job 3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b.',
      '2021-07-19 10:20:00.402 [Map -> Sink: Unnamed (2/4)#0] DEBUG o.a.f.s.runtime.tasks.SubtaskCheckpointCoordinatorImpl  - finished synchronous part',
    ]);
    expect(detect('x.log', logback).format).toBe('logback');
    const testPattern = text([`09:12:40,117 [    Checkpoint Timer] INFO  ${pad('org.apache.flink.runtime.checkpoint.CheckpointCoordinator')} [] - Triggering checkpoint 3`]);
    expect(detect('x.log', testPattern)).toMatchObject({ kind: 'flink-jm-log', format: 'test-pattern' });
    const custom = text(['2020-11-02 10:00:00,000 INFO  [74] org.apache.flink.runtime.checkpoint.CheckpointCoordinator - Checkpoint 17 of job 5 expired before completing.']);
    expect(detect('x.log', custom)).toMatchObject({ kind: 'flink-jm-log', format: 'custom' });
  });

  it('falls back to the name for a rolled file that starts inside a stack trace', () => {
    const stack = text(['\tat org.apache.flink.runtime.taskmanager.Task.run(Task.java:568)', '\t... 12 more']);
    expect(detect('taskmanager.log.3', stack)).toEqual({
      kind: 'flink-tm-log',
      format: 'custom',
      reason: "name 'taskmanager.log.3' (YARN); content not conclusive (text without a known layout (first line 'at org.apache.flink.runtime.taskmanager.Task.run(Task.java:568)'))",
    });
  });
});

describe('REST JSON, matched by keys even when the head cuts the document', () => {
  const cases: Array<[string, string, string]> = [
    ['{"counts":{"restored":1,"total":1290},"summary":{"state_size":{"min":1}},"latest":{"completed":null},"history":[{"id":1289,"status":"IN_PR', 'rest:checkpoints', 'JSON with keys counts/summary/latest/history (REST /jobs/:jid/checkpoints)'],
    ['{"mode":"exactly_once","interval":60000,"timeout":600000,"min_pause":0,"max_concurrent":1}', 'rest:checkpoint-config', 'JSON with keys mode/interval/timeout/min_pause (REST /jobs/:jid/checkpoints/config)'],
    ['{"className":"failed","id":1288,"status":"FAILED","num_subtasks":16,"num_acknowledged_subtasks":11,"tasks":{"90be":{"id":1288', 'rest:checkpoint-details', 'JSON with keys id/status/tasks/num_acknowledged_subtasks (REST /jobs/:jid/checkpoints/details/:cid)'],
    ['{"id":1288,"status":"FAILED","summary":{},"subtasks":[{"index":0,"status":"completed","ack_timestamp":1686733999010', 'rest:checkpoint-subtasks', 'JSON with keys subtasks/index/ack_timestamp (REST /jobs/:jid/checkpoints/details/:cid/subtasks/:vid)'],
    ['{"status":"ok","backpressureLevel":"high","end-timestamp":1686734400123,"subtasks":[{"subtask":0', 'rest:backpressure', 'JSON with keys subtasks/backpressureLevel (REST /jobs/:jid/vertices/:vid/backpressure)'],
    ['{"status":"ok","backpressure-level":"low","end-timestamp":1,"subtasks":[]}', 'rest:backpressure', 'JSON with keys subtasks/backpressure-level (REST /jobs/:jid/vertices/:vid/backpressure)'],
    ['{"jid":"3f9a","name":"orders","state":"RUNNING","vertices":[{"id":"90be"', 'rest:job', 'JSON with keys jid/vertices (REST /jobs/:jid)'],
    ['{"exceptionHistory":{"truncated":false,"entries":[', 'rest:exceptions', 'JSON with keys exceptionHistory (REST /jobs/:jid/exceptions)'],
    ['{"root-exception":"java.lang.Exception","timestamp":1,"all-exceptions":[]}', 'rest:exceptions', 'JSON with keys root-exception (REST /jobs/:jid/exceptions)'],
  ];
  for (const [json, format, reason] of cases) {
    it(format, () => expect(detect('dump.json', Buffer.from(json))).toEqual({ kind: 'rest-json', format, reason }));
  }

  it('sends Flink flame graph JSON to the flame kind, with or without its envelope', () => {
    const envelope = '{"endTimestamp":1686734400456,"data":{"name":"root","value":400,"children":[{"name":"java.lang.Thread.run:829"';
    expect(detect('fg.json', Buffer.from(envelope))).toMatchObject({ kind: 'flame', format: 'flink-flamegraph-json' });
    const bare = '{"name":"root","value":400,"children":[{"name":"org.apache.flink.runtime.taskmanager.Task.run:562","value":400,"children":[]}]}';
    expect(detect('data.json', Buffer.from(bare))).toMatchObject({ kind: 'flame', format: 'flink-flamegraph-json' });
  });

  it('lists JSON of an unknown shape, naming its keys', () => {
    expect(detect('jobs.json', Buffer.from('{"jobs":[{"id":"3f9a","status":"RUNNING"}]}'))).toEqual({
      kind: 'unknown',
      format: 'json',
      reason: 'JSON with keys jobs/id/status: not a known REST or profile shape',
    });
  });
});

describe('other formats', () => {
  it('recognises Prometheus text', () => {
    const prom = text([
      '# HELP flink_taskmanager_job_task_backPressuredTimeMsPerSecond backPressuredTimeMsPerSecond (scope: taskmanager_job_task)',
      '# TYPE flink_taskmanager_job_task_backPressuredTimeMsPerSecond gauge',
      'flink_taskmanager_job_task_backPressuredTimeMsPerSecond{host="tm_7",subtask_index="2",} 873.0',
      'flink_jobmanager_job_lastCheckpointDuration{host="jm_0",job_id="3f9a",} 2566.0',
    ]);
    expect(detect('scrape-0940.txt', prom)).toEqual({
      kind: 'metrics',
      format: 'prometheus',
      reason: "Prometheus text exposition: '# TYPE flink_taskmanager_job_task_backPressuredTimeMsPerSecond gauge' (2 samples)",
    });
  });

  it('recognises perf script and jstack dumps as flame inputs', () => {
    const perf = text([
      'java  3307/3342 [005] 81234.500123:   10101010 cpu-clock:',
      '\t    7f3a1c2b4e10 rocksdb::DBImpl::Get+0x40 (/tmp/librocksdbjni123.so)',
      '\t    7f3a3e4b6ac3 start_thread+0xf3 (/usr/lib/x86_64-linux-gnu/libc.so.6)',
    ]);
    expect(detect('perf.txt', perf)).toMatchObject({ kind: 'flame', format: 'perf-script' });
    const jstack = text(['2026-03-02 10:41:07', 'Full thread dump OpenJDK 64-Bit Server VM (17.0.10+7 mixed mode):', '', '"main" #1 prio=5']);
    expect(detect('dump.txt', jstack)).toMatchObject({ kind: 'flame', format: 'jstack' });
  });

  it('takes timestamped non-Flink text as another log and the rest as unknown', () => {
    const syslog = text(['Jun 14 09:12:40 host-7 kernel: Out of memory: Killed process 4711 (java)', 'Jun 14 09:12:41 host-7 systemd[1]: flink.service: main process exited']);
    expect(detect('messages', syslog)).toMatchObject({ kind: 'other-log', format: 'plain' });
    expect(detect('notes.txt', text(['what we saw', 'and when']))).toEqual({
      kind: 'unknown',
      format: 'text',
      reason: "text without a known layout (first line 'what we saw')",
    });
  });

  it('calls NUL-laden and control-heavy data binary but keeps text with NUL padding at its end', () => {
    const withNul = Buffer.concat([Buffer.from('PK'), Buffer.alloc(10), Buffer.from('rest')]);
    expect(detect('blob', withNul)).toEqual({ kind: 'binary', format: 'binary', reason: 'NUL bytes in first 16 bytes (first at byte 2): binary' });
    const full = Buffer.alloc(SNIFF_BYTES, 0);
    full.write('x', 0);
    expect(detect('blob', full).reason).toBe('NUL bytes in first 64 KiB (first at byte 1): binary');
    expect(detect('blob', Buffer.from([1, 2, 3, 4, 65, 66, 5, 6, 7, 8])).kind).toBe('binary');
    const padded = Buffer.concat([text(LOG4J2_JM), Buffer.alloc(4096)]);
    expect(detect('jobmanager.log', padded)).toMatchObject({ kind: 'flink-jm-log', reason: expect.stringMatching(/NUL padding from byte \d+ ignored$/) });
  });

  it('does not parse UTF-16 text but says what it looks like', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a;b;c 1\na;b 2\n', 'utf16le')]);
    expect(detect('stacks.txt', utf16)).toEqual({ kind: 'unknown', format: 'utf16', reason: 'UTF-16 text (looks like flame collapsed); save it as UTF-8 to import it' });
  });

  it('leaves an empty file to its name', () => {
    expect(detect('gc.log', Buffer.alloc(0))).toEqual({ kind: 'gc-log', format: 'unknown', reason: "name 'gc.log' (GC log); content not conclusive (empty file)" });
    expect(detect('x.out', Buffer.alloc(0))).toEqual({ kind: 'unknown', format: 'empty', reason: 'empty file' });
  });

  it('lets conclusive content win over the name', () => {
    const ujl = text(['[2023-06-14T09:12:40.117+0000][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.120ms']);
    expect(detect('taskmanager.out', ujl)).toEqual({
      kind: 'gc-log',
      format: 'ujl',
      reason: 'unified JVM logging decorators [2023-06-14T09:12:40.117+0000][info][gc] on 1 of 1 lines',
    });
    expect(detect('checkpoints.json', Buffer.from('{"endTimestamp":-2,"data":null}'))).toMatchObject({ kind: 'flame', format: 'flink-flamegraph-json' });
  });
});
