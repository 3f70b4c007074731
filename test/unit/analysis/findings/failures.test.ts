import { afterEach, describe, expect, it } from 'vitest';
import { failures } from '../../../../src-main/core/analysis/findings/rules/failures.js';
import { byRule, healthyJob, IncidentBuilder, windowBottleneck } from './builder.js';

let b: IncidentBuilder;
afterEach(() => b.close());

function taskFailed(builder: IncidentBuilder, sec: number, vertexName: string, subtask: number, tm: string, exceptionClass: string, exceptionMessage: string): void {
  builder.event(builder.jm(), {
    sec, kind: 'task.state', vertexName, subtask, attempt: builder.attempt(vertexName, subtask), tm, host: tm, level: 3,
    attrs: { from: 'RUNNING', to: 'FAILED', exceptionClass, exceptionMessage },
  });
}

function restarting(builder: IncidentBuilder, sec: number): void {
  builder.event(builder.jm(), { sec, kind: 'job.state', attrs: { from: 'RUNNING', to: 'RESTARTING', jobName: 'orders-enrichment' } });
}

describe('failures and infrastructure', () => {
  it('names the first failure of a restart loop as the root cause, not the latest', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    taskFailed(b, 1000, 'Sink: Unnamed', 1, 'tm-2', 'java.io.IOException', 'Connection reset by peer');
    restarting(b, 1000.1);
    for (const sec of [1100, 1200, 1300]) {
      taskFailed(b, sec, 'Map -> Filter', 0, 'tm-1', 'java.lang.IllegalStateException', 'Buffer pool is destroyed.');
      restarting(b, sec + 0.1);
    }
    const [f] = byRule(b.finish().findings([failures]), 'failures.restart-loop');
    expect(f).toBeDefined();
    expect(f!.title).toBe('Restart loop: orders-enrichment restarted 4 times; the first failure was Sink: Unnamed (2/4) on tm-2 at 10:16:40: java.io.IOException: Connection reset by peer');
    expect(f!.explanation).toContain('The failing task is a sink');
    expect(f!.evidence[0]).toMatchObject({ type: 'event', label: 'first failure' });
    expect(f!.tm).toBe('tm-2');
  });

  it('explains a lost TaskManager by the long GC pause before its heartbeat timeout', () => {
    b = new IncidentBuilder();
    healthyJob(b, 30);
    b.gcPause('tm-2', 1740, 55_000, { kind: 'full' });
    b.event(b.jm(), { sec: 1800, kind: 'tm.heartbeat-timeout', tm: 'tm-2' });
    const [f] = byRule(b.finish().findings([failures]), 'failures.tm-lost');
    expect(f!.title).toBe('TaskManager tm-2 was lost at 10:30:00 (heartbeat timed out) after a 55.0 s GC pause');
    expect(f!.explanation).toContain('started 10:29:00, 60.0 s before; it is longer than the 50.0 s heartbeat timeout');
    expect(f!.evidence).toContainEqual(expect.objectContaining({ type: 'gc' }));
  });

  it('says when the lost TaskManager had no GC log, and when its own log stops early', () => {
    b = new IncidentBuilder();
    healthyJob(b, 30);
    b.event(b.tmLog('tm-1'), { sec: 1700, kind: 'task.state', job: null, attrs: { from: 'DEPLOYING', to: 'RUNNING' } });
    b.event(b.jm(), { sec: 1800, kind: 'tm.heartbeat-timeout', tm: 'tm-1' });
    const [f] = byRule(b.finish().findings([failures]), 'failures.tm-lost');
    expect(f!.explanation).toContain('No GC log for tm-1');
    expect(f!.explanation).toContain('Its own log ends at 10:28:20, 100 s before');
    expect(f!.missing.join(' ')).toContain('env.java.opts.taskmanager');
  });

  it('is quiet on a TaskManager that shut down cleanly', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    b.event(b.jm(), { sec: 900, kind: 'tm.disconnect', tm: 'tm-2', attrs: { reason: 'The TaskExecutor is shutting down.' } });
    expect(b.finish().findings([failures])).toEqual([]);
  });

  it('a failover on the tolerable-failure threshold is a consequence, ranked below the backpressure that failed the checkpoints', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    b.expired(11, 700);
    windowBottleneck(b);
    b.event(b.jm(), {
      sec: 1300, kind: 'job.state',
      attrs: { from: 'RUNNING', to: 'RESTARTING', exceptionClass: 'org.apache.flink.util.FlinkRuntimeException', exceptionMessage: 'Exceeded checkpoint tolerable failure threshold.' },
    });
    const found = b.finish().findings();
    const failover = found.findIndex((f) => f.rule === 'failures.checkpoint-failover');
    expect(failover).toBeGreaterThan(found.findIndex((f) => f.rule === 'backpressure.origin'));
    expect(found[failover]).toMatchObject({ role: 'symptom', severity: 'error' });
    expect(found[failover]!.title).toBe('orders-enrichment failed over at 10:21:40 because checkpoints kept failing: it exceeded the checkpoint tolerable failure threshold');
    expect(byRule(found, 'failures.job-failure')).toEqual([]);
  });

  it('blames neither the sink nor the JobManager for what a TaskManager\'s own GC pause did', () => {
    b = new IncidentBuilder();
    healthyJob(b, 30);
    b.gcPause('tm-2', 1740, 55_000, { kind: 'full' });
    b.event(b.jm(), { sec: 1790, kind: 'tm.heartbeat-timeout', tm: 'tm-2' });
    taskFailed(b, 1790, 'Sink: Unnamed', 1, 'tm-2', 'java.util.concurrent.TimeoutException', 'Heartbeat of TaskManager with id tm-2 timed out.');
    restarting(b, 1790.1);
    // Awake again, the TaskManager finds the JobManager's heartbeat overdue and fails what it still runs.
    b.event(b.tmLog('tm-2'), { sec: 1796, kind: 'jm.heartbeat-timeout', job: null, attrs: { jm: 'jm-0' } });
    taskFailed(b, 1796, 'Sink: Unnamed', 3, 'tm-2', 'org.apache.flink.util.FlinkException', 'Disconnect from JobManager responsible for 3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b.');
    const found = b.finish().findings([failures]);
    expect(found.map((f) => f.rule).sort()).toEqual(['failures.tm-lost', 'failures.tm-lost-failover']);
    expect(byRule(found, 'failures.tm-lost-failover')[0]!.role).toBe('symptom');
    expect(byRule(found, 'failures.tm-lost')[0]!.explanation).toContain("tm-2 itself reported the JobManager's heartbeat as timed out");
  });

  it('REST asks to the local Dispatcher time out quietly; asks between processes are a warning', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    for (const sec of [100, 300, 500]) {
      b.event(b.jm(), { sec, kind: 'rpc.timeout', job: null, attrs: { rpcSystem: 'akka', recipient: 'Actor[akka://flink/user/rpc/dispatcher_1#388183408]', timeoutMs: 10000, messageType: 'org.apache.flink.runtime.rpc.messages.LocalFencedMessage' } });
    }
    b.event(b.jm(), { sec: 700, kind: 'rpc.timeout', job: null, attrs: { rpcSystem: 'akka', recipient: 'Actor[akka.tcp://flink@10.0.0.7:6122/user/rpc/taskmanager_0#1]', timeoutMs: 10000 } });
    const found = b.finish().findings([failures]);
    expect(found.map((f) => [f.rule, f.severity])).toEqual([['failures.rpc-timeout', 'warning'], ['failures.rest-rpc-timeout', 'info']]);
    expect(byRule(found, 'failures.rest-rpc-timeout')[0]!.title).toBe('3 REST requests to the Dispatcher timed out from 10:01:40 (web UI, metric fetcher)');
  });

  it('keeps the end of a long failure message, where the reason is', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    const path = `/tmp/flink-io-9acf5515-4dc8/job_${'0'.repeat(32)}_op_WindowOperator_4dc80a64f1cbf3ca3d37cfc30556e7eb__3_4__uuid_5f0fff84/db/000124.log`;
    taskFailed(b, 900, 'Map -> Filter', 2, 'tm-1', 'org.rocksdb.RocksDBException', `While appending to file: ${path}: No space left on device`);
    restarting(b, 900.1);
    const [f] = byRule(b.finish().findings([failures]), 'failures.job-failure');
    expect(f!.title).toMatch(/^orders-enrichment failed over at 10:15:00 because Map -> Filter \(3\/4\) on tm-1 failed: org\.rocksdb\.RocksDBException: While appending.*….*: No space left on device$/);
  });

  it('reports ZooKeeper connection loss and direct-memory OOMs', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    b.event(b.jm(), { sec: 500, kind: 'ha.zk-suspended', job: null });
    b.event(b.jm(), { sec: 510, kind: 'ha.zk-lost', job: null });
    b.event(b.tmLog('tm-1'), { sec: 700, kind: 'oom', job: null, level: 5, attrs: { exceptionClass: 'java.lang.OutOfMemoryError', exceptionMessage: 'Direct buffer memory. The direct out-of-memory error has occurred.' } });
    const found = b.finish().findings([failures]);
    expect(byRule(found, 'failures.ha-loss')[0]!.title).toBe('ZooKeeper / HA connection lost at 10:08:20');
    expect(byRule(found, 'failures.oom-direct')[0]!.title).toBe('Direct buffer memory OutOfMemoryError on tm-1 at 10:11:40');
  });
});
