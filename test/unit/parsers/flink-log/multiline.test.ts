import { describe, expect, it, vi } from 'vitest';
import { Level } from '../../../../src-main/core/model/records.js';
import { MAX_RETAINED_LINES } from '../../../../src-main/core/parsers/flink-log/index.js';
import { ATTEMPT_116, ATTEMPT_32, JOB } from './cases.js';
import { expectFields, parse, render, utc } from './helpers.js';

const reports = vi.hoisted(() => [] as Array<{ body: readonly string[]; ts: number; firstLine: number }>);
vi.mock('../../../../src-main/core/parsers/metrics/slf4j-report.js', () => ({
  parseSlf4jReport: (body: readonly string[], ts: number, firstLine: number) => {
    reports.push({ body: [...body], ts, firstLine });
  },
}));

const STAMP = '2023-06-14 09:40:12,480';
const EG = 'org.apache.flink.runtime.executiongraph.ExecutionGraph';
const JM = 'org.apache.flink.runtime.jobmaster.JobMaster';
const TASK = 'org.apache.flink.runtime.taskmanager.Task';
const TM = '10.42.7.19:6122-4c8e2a';

function at(stamp: string, level: string, logger: string, message: string): string {
  return render('log4j2', stamp, level, logger, message);
}

describe('multi-line records', () => {
  it('turns an unmatched WARN/ERROR record with a stack (log4j 2 suffixes) into one exception event', () => {
    const { events } = parse([
      at(STAMP, 'ERROR', 'org.apache.flink.runtime.rest.handler.job.JobDetailsHandler', 'Unhandled exception.'),
      'java.util.concurrent.CompletionException: org.apache.flink.runtime.rpc.exceptions.FencingTokenException: Fencing token mismatch',
      '\tat java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:292) ~[?:1.8.0_261]',
      '\tat org.apache.flink.runtime.rpc.akka.AkkaRpcActor.handleRpcMessage(AkkaRpcActor.java:199) ~[flink-dist_2.12-1.14.4.jar:1.14.4]',
      'Caused by: org.apache.flink.runtime.rpc.exceptions.FencingTokenException: Fencing token mismatch',
      '\t... 20 more',
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'exception', template: 'EXCEPTION', level: Level.Error, line: 1, lineCount: 6, ts: utc(STAMP) });
    expect(events[0]!.attrs).toMatchObject({
      exceptionClass: 'java.util.concurrent.CompletionException',
      message: 'org.apache.flink.runtime.rpc.exceptions.FencingTokenException: Fencing token mismatch',
      rootCauseClass: 'org.apache.flink.runtime.rpc.exceptions.FencingTokenException',
      topFrame: 'java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:292)',
      logger: 'org.apache.flink.runtime.rest.handler.job.JobDetailsHandler',
      logMessage: 'Unhandled exception.',
    });
  });

  it('reads log4j 1 stacks (no packaging suffix) the same way', () => {
    const { events } = parse([
      '2020-03-02 14:25:01,118 WARN  org.apache.flink.runtime.taskmanager.Task                     - Something odd happened',
      'java.io.IOException: Connection reset by peer',
      '\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)',
      '\t... 11 more',
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]!.attrs).toMatchObject({ exceptionClass: 'java.io.IOException', message: 'Connection reset by peer', topFrame: 'sun.nio.ch.FileDispatcherImpl.read0(Native Method)' });
  });

  it('produces no event for unmatched INFO records with stacks, nor for WARN records without one', () => {
    const { events } = parse([
      at(STAMP, 'INFO', 'org.apache.flink.runtime.blob.BlobServer', 'Could not delete file'),
      'java.io.IOException: boom',
      '\tat org.apache.flink.Foo.bar(Foo.java:1)',
      at(STAMP, 'WARN', 'org.apache.flink.runtime.blob.BlobServer', 'Something to warn about, no stack'),
      at(STAMP, 'WARN', 'org.apache.flink.runtime.blob.BlobServer', 'Text continues'),
      'on a second line that is not a stack',
    ]);
    expect(events).toEqual([]);
  });

  it('matches templates only once the record is complete (E2 reads the reason from the next line)', () => {
    const lines = [
      `2023-06-14 09:22:37,560 WARN  org.apache.flink.runtime.checkpoint.CheckpointFailureManager [] - Failed to trigger or complete checkpoint 1288 for job ${JOB}. (1 consecutive failed attempts so far)`,
      'org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint expired before completing.',
      '\tat org.apache.flink.runtime.checkpoint.CheckpointCoordinator$CheckpointCanceller.run(CheckpointCoordinator.java:2168) [flink-dist-1.17.1.jar:1.17.1]',
      '\tat java.util.concurrent.FutureTask.run(FutureTask.java:264) [?:?]',
    ];
    const { events } = parse(lines);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ template: 'E2', checkpointId: 1288, lineCount: 4 });
    expect(events[0]!.attrs).toMatchObject({ reasonCode: 'CHECKPOINT_EXPIRED', reason: 'Checkpoint expired before completing.' });
  });

  it('reads X3: the stack is part of the message, frames without suffix', () => {
    const { events } = parse([
      `2021-07-19 10:39:59,901 WARN  org.apache.flink.runtime.taskmanager.Task                    [] - Map -> Sink: Unnamed (2/4)#0 (${ATTEMPT_32}) switched from RUNNING to FAILED with failure cause: java.io.IOException: Connection reset by peer`,
      '\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)',
      '\tat sun.nio.ch.SocketDispatcher.read(SocketDispatcher.java:39)',
      'Caused by: java.lang.OutOfMemoryError: Direct buffer memory',
      '\t... 3 more',
    ]);
    expect(events.map((e) => `${e.template}/${e.kind}`)).toEqual(['X3/task.state', 'OOM/oom']);
    expect(events[0]!.attrs).toMatchObject({ exceptionClass: 'java.io.IOException', rootCauseClass: 'java.lang.OutOfMemoryError', to: 'FAILED' });
    expect(events[1]).toMatchObject({ line: 1, lineCount: 5, ts: utc('2021-07-19 10:39:59,901') });
    expect(events[1]!.attrs).toMatchObject({ oomType: 'direct' });
  });

  it('reads X9 with the failure text appended after a newline, and R7 as an attribute', () => {
    const { events } = parse([
      at(STAMP, 'INFO', 'org.apache.flink.runtime.dispatcher.StandaloneDispatcher', `Job ${JOB} reached terminal state FAILED.`),
      'org.apache.flink.runtime.client.JobExecutionException: Job execution failed.',
      '\tat org.apache.flink.runtime.jobmaster.JobResult.toJobExecutionResult(JobResult.java:144)',
      'Caused by: org.apache.flink.runtime.JobException: Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=3, backoffTimeMS=10000)',
      '\tat org.apache.flink.runtime.executiongraph.failover.flip1.ExecutionFailureHandler.handleFailure(ExecutionFailureHandler.java:139)',
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ template: 'X9', kind: 'job.terminal', job: JOB, lineCount: 5 });
    expect(events[0]!.attrs).toMatchObject({
      to: 'FAILED',
      recoverySuppressedBy: 'FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=3, backoffTimeMS=10000)',
      rootCauseClass: 'org.apache.flink.runtime.JobException',
    });
  });

  it('reads the 1.11–1.14 expiry sequence: E1, then R4 whose cause is E6, then X8', () => {
    const { events } = parse([
      `2021-07-19 10:35:00,006 INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - Checkpoint 45 of job ${JOB} expired before completing.`,
      '2021-07-19 10:35:00,009 INFO  org.apache.flink.runtime.jobmaster.JobMaster                 [] - Trying to recover from a global failure.',
      'org.apache.flink.util.FlinkRuntimeException: Exceeded checkpoint tolerable failure threshold.',
      '\tat org.apache.flink.runtime.checkpoint.CheckpointFailureManager.handleJobLevelCheckpointException(CheckpointFailureManager.java:90) ~[flink-dist_2.12-1.13.2.jar:1.13.2]',
      `2021-07-19 10:35:00,015 INFO  org.apache.flink.runtime.executiongraph.ExecutionGraph       [] - Job orders-enrichment (${JOB}) switched from state RUNNING to RESTARTING.`,
    ]);
    expect(events.map((e) => `${e.template}/${e.kind}`)).toEqual([
      'E1/checkpoint.expired',
      'R4/restart.global',
      'E6/checkpoint.tolerance-exceeded',
      'X8/job.state',
    ]);
    expect(events[2]).toMatchObject({ line: 2, lineCount: 3, ts: utc('2021-07-19 10:35:00,009') });
  });

  it('reads the 1.17+ E6 wording with the latest failure reason', () => {
    const { events } = parse([
      at(STAMP, 'INFO', JM, 'Trying to recover from a global failure.'),
      'org.apache.flink.util.FlinkRuntimeException: Exceeded checkpoint tolerable failure threshold. The latest checkpoint failed due to Checkpoint expired before completing., view the Checkpoint History tab or the Job Manager log to find out why continuous checkpoints failed.',
      '\tat org.apache.flink.runtime.checkpoint.CheckpointFailureManager.checkFailureAgainstCounter(CheckpointFailureManager.java:212) ~[flink-dist-1.17.2.jar:1.17.2]',
    ]);
    expect(events[1]).toMatchObject({ template: 'E6', kind: 'checkpoint.tolerance-exceeded' });
    expect(events[1]!.attrs).toMatchObject({ reasonCode: 'CHECKPOINT_EXPIRED', reason: 'Checkpoint expired before completing.' });
  });

  it('keeps the first lines of a huge stack for matching and counts the rest', () => {
    const frames = Array.from({ length: 100_000 }, (_, i) => `\tat com.example.Deep.recurse(Deep.java:${i})`);
    const { events, lines } = parse([
      at(STAMP, 'ERROR', 'com.example.Job', 'StackOverflow in user code'),
      'java.lang.StackOverflowError',
      ...frames,
      at(STAMP, 'INFO', 'org.apache.Foo', 'next record'),
    ]);
    expect(MAX_RETAINED_LINES).toBeLessThan(frames.length);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'exception', lineCount: frames.length + 2 });
    expect(events[0]!.attrs).toMatchObject({ exceptionClass: 'java.lang.StackOverflowError' });
    expect(lines[frames.length + 1]!.continuation).toBe(true);
    expect(lines[frames.length + 2]!.continuation).toBe(false);
  });
});

describe('exception texts inside stacks', () => {
  function failure(stack: string[], stamp = STAMP): string[] {
    return [at(stamp, 'INFO', EG, `Map (2/4) (${ATTEMPT_116}) switched from RUNNING to FAILED on ${TM} @ tm-7.flink.svc (dataPort=40123).`), ...stack];
  }

  it('reads H1 from the cause of a 1.9–1.13 task failure', () => {
    const { events } = parse(failure(['java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id 10.42.7.19:6122-4c8e2a timed out.', '\tat org.apache.flink.runtime.jobmaster.JobMaster$TaskManagerHeartbeatListener.notifyHeartbeatTimeout(JobMaster.java:1193)']));
    expect(events.map((e) => e.template)).toEqual(['X7', 'H1']);
    expect(events[1]).toMatchObject({ kind: 'tm.heartbeat-timeout', tm: TM, line: 1, lineCount: 3 });
  });

  it('emits one H1 per TaskManager for the many tasks one lost TaskManager fails, and none next to H2', () => {
    const cause = ['java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id 10.42.7.19:6122-4c8e2a timed out.'];
    const burst = parse([...failure(cause, '2023-06-14 09:40:12,480'), ...failure(cause, '2023-06-14 09:40:12,481'), ...failure(cause, '2023-06-14 09:40:13,002')]);
    expect(burst.events.filter((e) => e.kind === 'tm.heartbeat-timeout')).toHaveLength(1);
    expect(burst.events.filter((e) => e.kind === 'task.state')).toHaveLength(3);

    const withH2 = parse([at('2023-06-14 09:40:12,470', 'INFO', JM, `Heartbeat of TaskManager with id ${TM} timed out.`), ...failure(cause)]);
    expect(withH2.events.map((e) => e.template)).toEqual(['H2', 'X7']);

    const later = parse([...failure(cause, '2023-06-14 09:40:12,480'), ...failure(cause, '2023-06-14 10:40:12,480')]);
    expect(later.events.filter((e) => e.template === 'H1')).toHaveLength(2);
  });

  it('reads the Akka ask timeout of ≤1.10 and merges the 1.11–1.13 wrapper with its cause', () => {
    const old = parse(failure([
      'akka.pattern.AskTimeoutException: Ask timed out on [Actor[akka://flink/user/dispatcher#1330413722]] after [10000 ms]. Message of type [org.apache.flink.runtime.rpc.messages.LocalFencedMessage]. A typical reason for `AskTimeoutException` is that the recipient actor didn\'t send a reply.',
    ]));
    expect(old.events[1]).toMatchObject({ template: 'RPC-ASK', kind: 'rpc.timeout' });
    expect(old.events[1]!.attrs).toMatchObject({
      recipient: 'Actor[akka://flink/user/dispatcher#1330413722]',
      timeoutMs: 10000,
      messageType: 'org.apache.flink.runtime.rpc.messages.LocalFencedMessage',
      rpcSystem: 'akka',
    });

    const wrapped = parse(failure([
      'java.util.concurrent.TimeoutException: Invocation of public abstract java.util.concurrent.CompletableFuture org.apache.flink.runtime.taskexecutor.TaskExecutorGateway.requestSlot(…) timed out.',
      '\tat org.apache.flink.runtime.rpc.akka.AkkaInvocationHandler.lambda$invokeRpc$0(AkkaInvocationHandler.java:234) ~[flink-dist_2.11-1.12.1.jar:1.12.1]',
      'Caused by: akka.pattern.AskTimeoutException: Ask timed out on [Actor[akka.tcp://flink@tm-7:6122/user/rpc/taskmanager_0#-1234]] after [10000 ms]. Message of type [org.apache.flink.runtime.rpc.messages.RemoteRpcInvocation].',
    ]));
    const rpc = wrapped.events.filter((e) => e.kind === 'rpc.timeout');
    expect(rpc).toHaveLength(1);
    expect(rpc[0]!.template).toBe('RPC-1.11');
    expect(rpc[0]!.attrs).toMatchObject({ timeoutMs: 10000, recipient: 'Actor[akka.tcp://flink@tm-7:6122/user/rpc/taskmanager_0#-1234]' });
    expect(String(rpc[0]!.attrs!.invocation)).toMatch(/requestSlot/);
  });

  it('keeps one ask timeout per recipient and window through thousands of recipients', () => {
    const ask = (n: number): string[] => [`Caused by: akka.pattern.AskTimeoutException: Ask timed out on [Actor[akka://flink/user/rpc/taskmanager_${n}#1]] after [10000 ms].`];
    const stamp = (second: number): string => new Date(Date.UTC(2023, 5, 14, 9, 0, 0) + second * 1000).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
    const lines: string[] = [];
    // 3000 recipients one second apart (the remembered texts are swept many times), then a repeat of the last one
    // within the window (dropped) and of the first one long after (kept).
    for (let n = 0; n < 3000; n++) lines.push(...failure(ask(n), stamp(n)));
    lines.push(...failure(ask(2999), stamp(3002)), ...failure(ask(0), stamp(3005)));
    const rpc = parse(lines).events.filter((e) => e.kind === 'rpc.timeout');
    expect(rpc).toHaveLength(3001);
    expect(rpc[3000]!.attrs).toMatchObject({ recipient: 'Actor[akka://flink/user/rpc/taskmanager_0#1]' });
  });

  it('reads the 1.14, 1.15–1.17 (Akka) and 1.18+ (Pekko) invocation timeouts and unreachable recipients', () => {
    const v114 = parse(failure(['java.util.concurrent.TimeoutException: Invocation of [RemoteRpcInvocation(TaskExecutorGateway.submitTask(TaskDeploymentDescriptor, JobMasterId, Time))] at recipient [akka.tcp://flink@tm-7:6122/user/rpc/taskmanager_0] timed out.']));
    expect(v114.events[1]).toMatchObject({ template: 'RPC-1.14' });
    expectFields(v114.events[1]!.attrs, { recipient: 'akka.tcp://flink@tm-7:6122/user/rpc/taskmanager_0', hint: undefined });

    const hint = (system: string) =>
      `java.util.concurrent.TimeoutException: Invocation of [RemoteRpcInvocation(JobMasterGateway.heartbeatFromTaskManager(ResourceID, TaskExecutorToJobManagerHeartbeatPayload))] at recipient [${system}.tcp://flink@jm-0:6123/user/rpc/jobmanager_2] timed out. This is usually caused by: 1) ${system === 'pekko' ? 'Pekko' : 'Akka'} failed sending the message silently, due to problems like oversized payload or serialization failures. In that case, you should find detailed error information in the logs. 2) The recipient needs more time for responding, due to problems like slow machines or network jitters. In that case, you can try to increase ${system}.ask.timeout.`;
    for (const system of ['akka', 'pekko']) {
      const event = parse(failure([hint(system)])).events[1]!;
      expect(event.template).toBe('RPC-1.14');
      expect(event.attrs).toMatchObject({ hint: true, rpcSystem: system, recipient: `${system}.tcp://flink@jm-0:6123/user/rpc/jobmanager_2` });
    }

    const pekkoAsk = parse(failure(['Caused by: org.apache.pekko.pattern.AskTimeoutException: Ask timed out on [Actor[pekko://flink/user/rpc/dispatcher_0#1]] after [10000 ms].']));
    expect(pekkoAsk.events[1]!.attrs).toMatchObject({ rpcSystem: 'org.apache.pekko', timeoutMs: 10000 });

    const unreachable = parse(failure([
      'org.apache.flink.runtime.rpc.exceptions.RecipientUnreachableException: Could not send message [RemoteRpcInvocation(TaskExecutorGateway.cancelTask(ExecutionAttemptID, Time))] from sender [Actor[akka://flink/temp/taskmanager_0$a]] to recipient [Actor[akka.tcp://flink@tm-7:6122/user/rpc/taskmanager_0#-1]], because the recipient is unreachable. This can either mean that the recipient has been terminated or that the remote RpcService is currently not reachable.',
    ]));
    expect(unreachable.events[1]).toMatchObject({ template: 'RPC-UNREACHABLE', kind: 'rpc.timeout' });
    expect(unreachable.events[1]!.attrs).toMatchObject({ unreachable: true, recipient: 'Actor[akka.tcp://flink@tm-7:6122/user/rpc/taskmanager_0#-1]' });
  });

  it('classifies OutOfMemoryErrors, plain and enriched (O6)', () => {
    const cases: Array<[string, string, string]> = [
      ['java.lang.OutOfMemoryError: Java heap space', 'OOM', 'heap'],
      ['java.lang.OutOfMemoryError: GC overhead limit exceeded', 'OOM', 'gc-overhead'],
      ['Caused by: java.lang.OutOfMemoryError: Metaspace', 'OOM', 'metaspace'],
      ['java.lang.OutOfMemoryError: unable to create new native thread', 'OOM', 'native-thread'],
      [
        'java.lang.OutOfMemoryError: Direct buffer memory. The direct out-of-memory error has occurred. This can mean two things: either job(s) require(s) a larger size of JVM direct memory or there is a direct memory leak.',
        'O6',
        'direct',
      ],
      [
        'java.lang.OutOfMemoryError: Metaspace. The metaspace out-of-memory error has occurred. This can mean two things: either the job requires a larger size of JVM metaspace to load classes or there is a class loading leak.',
        'O6',
        'metaspace',
      ],
      ['java.lang.OutOfMemoryError: Java heap space. A heap space-related out-of-memory error has occurred. This can mean two things: …', 'O6', 'heap'],
    ];
    for (const [text, template, oomType] of cases) {
      const oom = parse(failure([text])).events.find((e) => e.kind === 'oom');
      expect(oom, text).toMatchObject({ template });
      expect(oom!.attrs, text).toMatchObject({ oomType });
    }
  });

  it('completes an OOM seen first without a message (O1) from the stack', () => {
    const { events } = parse([
      at(STAMP, 'ERROR', TASK, 'Encountered fatal error java.lang.OutOfMemoryError - terminating the JVM'),
      'java.lang.OutOfMemoryError: Java heap space',
      '\tat java.util.Arrays.copyOf(Arrays.java:3236) ~[?:1.8.0_261]',
    ]);
    expect(events.map((e) => e.template)).toEqual(['O1', 'OOM']);
    expect(events[1]!.attrs).toMatchObject({ oomType: 'heap', oomText: 'Java heap space' });
  });
});

describe('Slf4jReporter records (flink-formats §4.3)', () => {
  it('passes the report body to parseSlf4jReport and emits metrics.report', () => {
    reports.length = 0;
    const body = [
      '=========================== Starting metrics report ===========================',
      '',
      '-- Gauges ---------------------------------------------------------------------',
      'tm-7.taskmanager.10.42.7.19:6122-4c8e2a.orders-enrichment.Map -> Sink: Unnamed.2.backPressuredTimeMsPerSecond: 873',
      'tm-7.taskmanager.10.42.7.19:6122-4c8e2a.orders-enrichment.Map -> Sink: Unnamed.2.Shuffle.Netty.Output.Buffers.outPoolUsage: 1.0',
      'jm-0.jobmanager.orders-enrichment.lastCheckpointDuration: 2566',
      '',
      '-- Meters ---------------------------------------------------------------------',
      'tm-7.taskmanager.10.42.7.19:6122-4c8e2a.orders-enrichment.Map -> Sink: Unnamed.2.numRecordsInPerSecond: 1520.4',
      '',
      '=========================== Finished metrics report ===========================',
    ];
    const { events } = parse([
      '2023-06-14 09:13:00,000 INFO  org.apache.flink.metrics.slf4j.Slf4jReporter                 [] - ',
      ...body,
      '2023-06-14 09:13:00,005 INFO  org.apache.Foo [] - next',
    ]);
    expect(reports).toEqual([{ body, ts: utc('2023-06-14 09:13:00,000'), firstLine: 2 }]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'metrics.report', template: 'SLF4J', line: 1, lineCount: body.length + 1, attrs: { bodyLines: body.length } });
  });

  it('keeps report bodies longer than the stack retention cap whole', () => {
    reports.length = 0;
    const metrics = Array.from({ length: MAX_RETAINED_LINES * 3 }, (_, i) => `jm-0.jobmanager.metric${i}: ${i}`);
    parse(['2023-06-14 09:13:00,000 INFO  org.apache.flink.metrics.slf4j.Slf4jReporter                 [] - ', ...metrics]);
    expect(reports[0]!.body).toHaveLength(metrics.length);
  });

  it('passes an inline message (2.0 "Skipping metrics report") as the body with its own line', () => {
    reports.length = 0;
    const { events } = parse(['2023-06-14 09:13:00,000 INFO  org.apache.flink.metrics.slf4j.Slf4jReporter                 [] - Skipping metrics report because no metrics are registered.']);
    expect(reports).toEqual([{ body: ['Skipping metrics report because no metrics are registered.'], ts: utc('2023-06-14 09:13:00,000'), firstLine: 1 }]);
    expect(events[0]).toMatchObject({ kind: 'metrics.report' });
  });
});

describe('bad input never throws', () => {
  it('survives garbage, NUL characters, U+FFFD, 1 MB lines and adversarial near-matches', () => {
    const megabyte = 'x'.repeat(1024 * 1024);
    const lines = [
      '\u0000\u0000\u0000',
      '\uFFFD\uFFFD 2023 \uFFFD',
      `2023-06-14 09:12:40,117 INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - ${megabyte}`,
      `2023-06-14 09:12:40,118 INFO  org.apache.flink.runtime.executiongraph.ExecutionGraph       [] - ${'a (b) '.repeat(150_000)} switched from ${'A'.repeat(10_000)}`,
      `2023-06-14 09:12:40,119 DEBUG org.apache.flink.runtime.state.SnapshotStrategyRunner        [] - ${'x ('.repeat(100_000)}, synchronous part) in thread ${'T'.repeat(1000)}`,
      `2023-06-14 09:12:40,120 WARN  ${'o.'.repeat(200_000)}Foo [] - msg`,
      `2023-06-14 09:12:40,121 ERROR org.apache.Foo [] - boom\u0000`,
      `java.lang.OutOfMemoryError${'.x'.repeat(100_000)}`,
      `${'a.'.repeat(300_000)}: message`,
      `\tat ${megabyte}`,
      megabyte,
      '2023-06-14 09:12:40,122 [unterminated thread INFO org.apache.Foo - x',
      `2023-06-14 09:12:40,123 [${'['.repeat(100_000)}] INFO  org.apache.Foo - x`,
      `09:12:40,124 [${'x] '.repeat(100_000)}`,
      '2023-06-14 09:12:40,125 INFO  org.apache.flink.runtime.taskmanager.Task [] - \uFFFD (\uFFFD) switched from RUNNING to FAILED.',
    ];
    const started = Date.now();
    const { events } = parse(lines);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(events.some((e) => e.kind === 'exception' && e.level === Level.Error)).toBe(true);
    for (const event of events) {
      for (const value of Object.values(event.attrs ?? {})) {
        if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(2001);
      }
    }
  });
});
