import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { parseSize } from '../../synth/cli.js';
import { cluster, generate, messages, readJson, readLines } from './helpers.js';

/** Evidence files other than the Flink logs, and the bundle as a whole, agree with expected.json. */

function zipEntries(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error !== null || zip === undefined) {
        reject(error ?? new Error('no zip'));
        return;
      }
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const gcTimeMs = (line: string): number => Date.parse(/^\[([^\]]+)\]/.exec(line)?.[1].replace(/\+0000$/, 'Z') ?? '');

describe('backpressure-expired evidence', () => {
  it('puts a multi-second Full GC of the straggler TM inside the window of an expired checkpoint', async () => {
    const summary = await generate({ scenario: 'backpressure-expired', version: '1.17' });
    const truth = cluster(summary);
    expect(truth.gcHeavyTm).toBe('tm-2');
    expect(truth.stragglers.every((s) => s.tm === 'tm-2' && s.vertexName === 'Sink: Unnamed')).toBe(true);
    const expired = truth.checkpoints.filter((c) => c.outcome === 'EXPIRED');
    const gc = readLines(summary, truth.taskManagers[1].gcLogFile);
    const fulls = gc.filter((l) => /\[gc +\] GC\(\d+\) Pause Full \(Allocation Failure\) \d+M->\d+M\(4096M\) \d+\.\d{3}ms$/.test(l));
    const inside = fulls.filter((l) => {
      const durationMs = Number(/ (\d+\.\d{3})ms$/.exec(l)?.[1]);
      const end = gcTimeMs(l);
      return durationMs >= 3000 && expired.some((c) => end - durationMs > c.triggerMs && end < c.endMs);
    });
    expect(inside.length).toBeGreaterThanOrEqual(1);
    // Unified logging decorators: time, uptime, level, tags; uptime counts from the JVM start of the TM banner.
    const first = gc.find((l) => l.includes('Pause Young')) ?? '';
    expect(first).toMatch(/^\[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000\]\[\d+\.\d{3}s\]\[info\]\[gc,start *\] GC\(\d+\) Pause Young \((Normal|Mixed)\) \(G1 [A-Za-z ]+\)$/);
    const uptime = Number(/\]\[(\d+\.\d{3})s\]/.exec(first)?.[1]);
    expect(Math.abs(gcTimeMs(first) - uptime * 1000 - truth.taskManagers[1].jvmStartMs)).toBeLessThanOrEqual(1);
  });

  it('writes REST dumps in the 1.17 shapes with the straggler pending in the failed checkpoints', async () => {
    const summary = await generate({ scenario: 'backpressure-expired', version: '1.17' });
    const truth = cluster(summary);
    const base = `rest/jobs/${truth.job.id}`;
    const overview = readJson(summary, `${base}/checkpoints.json`);
    const history = overview.history as Array<Record<string, unknown>>;
    expect(history[0].className).toBeDefined();
    expect(history.length).toBe(10);
    const failed = history.filter((h) => h.status === 'FAILED');
    expect(failed.map((h) => h.failure_message)).toEqual(failed.map(() => 'Checkpoint expired before completing.'));
    const straggler = truth.stragglers[0];
    const details = readJson(summary, `${base}/checkpoints/details/${straggler.checkpointId}/subtasks/${straggler.vertexId}.json`);
    const subtasks = details.subtasks as Array<Record<string, unknown>>;
    expect(subtasks.find((s) => s.index === straggler.subtask)).toEqual({ className: 'pending', index: straggler.subtask, status: 'pending_or_failed' });
    const done = subtasks.find((s) => s.status === 'completed') as Record<string, unknown>;
    expect(Object.keys(done)).toEqual(expect.arrayContaining(['checkpointed_size', 'start_delay', 'unaligned_checkpoint', 'aborted', 'alignment', 'checkpoint']));
    expect((details.summary as Record<string, Record<string, unknown>>).end_to_end_duration.p99).toBeDefined();
    const sourceBp = readJson(summary, `${base}/vertices/${truth.job.vertices[0].id}/backpressure.json`);
    expect(sourceBp.backpressureLevel).toBe('high');
    const job = readJson(summary, `${base}.json`);
    const nodes = (job.plan as Record<string, unknown>).nodes as Array<Record<string, unknown>>;
    expect((nodes[3].inputs as Array<Record<string, unknown>>)[0].id).toBe(truth.job.vertices[2].id);
    const exceptions = readJson(summary, `${base}/exceptions.json`);
    const entries = (exceptions.exceptionHistory as Record<string, unknown>).entries as Array<Record<string, unknown>>;
    expect(entries[0].exceptionName).toBe('org.apache.flink.util.FlinkRuntimeException');
    expect('taskManagerId' in entries[0]).toBe(true);
  });

  it('dumps Prometheus metrics every minute with back-pressure rising on the upstream vertices', async () => {
    const summary = await generate({ scenario: 'backpressure-expired', version: '1.17' });
    const truth = cluster(summary);
    const dumps = summary.files.filter((f) => f.kind === 'metrics').map((f) => f.path).sort();
    expect(dumps.every((p) => /^metrics\/prometheus-\d{13}\.txt$/.test(p))).toBe(true);
    const at = (p: string): number => Number(/(\d{13})/.exec(p)?.[1]);
    const sourceBp = (p: string): number[] => readLines(summary, p)
      .filter((l) => l.startsWith('flink_taskmanager_job_task_backPressuredTimeMsPerSecond{') && l.includes(`task_id="${truth.job.vertices[0].id}"`))
      .map((l) => Number(l.split(' ').pop()));
    const before = dumps.filter((p) => at(p) < (truth.backpressure?.fromMs ?? 0));
    const during = dumps.filter((p) => at(p) > (truth.checkpoints.find((c) => c.outcome === 'EXPIRED')?.triggerMs ?? 0) && at(p) < truth.failovers[0].atMs);
    expect(Math.max(...sourceBp(before[before.length - 1]))).toBeLessThan(100);
    expect(Math.min(...sourceBp(during[0]))).toBeGreaterThan(500);
    const text = readLines(summary, dumps[0]);
    expect(text).toContain('# TYPE flink_taskmanager_job_task_busyTimeMsPerSecond gauge');
    expect(text.find((l) => l.startsWith('flink_taskmanager_job_task_Shuffle_Netty_Output_Buffers_outPoolUsage{host="tm_1",tm_id="10_42_7_11:6122_'))).toBeDefined();
    const flames = summary.files.filter((f) => f.kind === 'flame').map((f) => f.path);
    expect(flames.length).toBe(3);
    expect(flames.every((p) => /^flame\/tm-2-\d{8}-\d{6}\.collapsed$/.test(p))).toBe(true);
    expect(readLines(summary, flames[0]).every((l) => /^\[[^\]]+\](;[^;]+)+ \d+$/.test(l))).toBe(true);
  });
});

describe('Flink 1.10 evidence', () => {
  it('writes JDK 8 G1 GC logs, log4j 1 stacks without packaging data, and sampling-era REST shapes', async () => {
    const summary = await generate({ scenario: 'declined-task-failure', version: '1.10' });
    const truth = cluster(summary);
    const gc = readLines(summary, truth.taskManagers[0].gcLogFile);
    expect(gc[2]).toMatch(/^CommandLine flags: .*-XX:\+PrintGCDateStamps -XX:\+PrintGCDetails .*-XX:\+UseG1GC $/);
    expect(gc.find((l) => l.includes('[GC pause'))).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000: \[GC pause \(G1 [A-Za-z ]+\) \((young|mixed)\)( \(to-space exhausted\))?, \d+\.\d{7} secs\]$/);
    const jm = readLines(summary, truth.jobManager.logFile);
    expect(jm.filter((l) => l.startsWith('\tat ')).every((l) => /\)$/.test(l))).toBe(true);
    expect(jm.some((l) => l.startsWith('\tat java.lang.Thread.run(Thread.java:748)'))).toBe(true);
    const base = `rest/jobs/${truth.job.id}`;
    const history = readJson(summary, `${base}/checkpoints.json`).history as Array<Record<string, unknown>>;
    expect(history[0]['@class']).toBeDefined();
    expect('processed_data' in history[0]).toBe(false);
    const bp = readJson(summary, `${base}/vertices/${truth.job.vertices[0].id}/backpressure.json`);
    expect(bp['backpressure-level']).toBe('ok');
    const metrics = readLines(summary, summary.files.find((f) => f.kind === 'metrics')?.path ?? '');
    expect(metrics.some((l) => l.includes('backPressuredTimeMsPerSecond'))).toBe(false);
    const declined = truth.checkpoints.find((c) => c.outcome === 'DECLINED');
    expect(declined?.failureReason).toBe('Checkpoint was declined.');
    expect(truth.rootCause.kind).toBe('task-failure');
    const restored = messages(jm, /^Restoring job /);
    expect(restored[0]).toContain(`Checkpoint ${truth.failovers[0].restoredCheckpointId} @ `);
  });
});

describe('bundle options', () => {
  it('is deterministic for a seed and different for another', async () => {
    const hash = (s: Awaited<ReturnType<typeof generate>>): string =>
      createHash('sha256').update(readFileSync(join(s.out, cluster(s).taskManagers[1].logFile))).update(readFileSync(join(s.out, cluster(s).jobManager.logFile))).digest('hex');
    const a = await generate({ scenario: 'tm-lost', version: '1.20', seed: 11 });
    const b = await generate({ scenario: 'tm-lost', version: '1.20', seed: 11 });
    const c = await generate({ scenario: 'tm-lost', version: '1.20', seed: 12 });
    expect(hash(a)).toBe(hash(b));
    expect(hash(a)).not.toBe(hash(c));
  });

  it('scales the noise so the Flink logs reach --size', async () => {
    const target = parseSize('6MB');
    const summary = await generate({ scenario: 'healthy', version: '1.17', sizeBytes: target, tms: 4 });
    expect(Math.abs(summary.flinkLogBytes - target) / target).toBeLessThan(0.02);
    const truth = cluster(summary);
    const jm = readLines(summary, truth.jobManager.logFile);
    expect(messages(jm, /^Completed checkpoint /).length).toBe(truth.checkpoints.length);
    const tm = readLines(summary, truth.taskManagers[0].logFile);
    const checkpointLines = tm.filter((l) => /checkpoint/i.test(l)).length;
    expect(checkpointLines / tm.length).toBeLessThan(0.05);
  });

  it('packs a mixed-version bundle into a zip with the JobManager logs in a nested tar.gz', async () => {
    const summary = await generate({ scenario: 'backpressure-expired', version: '1.17', mixedVersions: true, nestJmLogs: true, archive: 'zip', tms: 2 });
    expect(summary.expected.clusters.map((c) => c.flinkVersion)).toEqual(['1.10.3', '1.13.6', '1.17.2']);
    expect(summary.archive).not.toBeNull();
    const names = await zipEntries(summary.archive ?? '');
    expect(names).toContain('jobmanager-logs.tar.gz');
    expect(names).toContain('expected.json');
    expect(names).toContain('cluster-1.10/logs/flink-flink-taskexecutor-0-tm-2.log');
    expect(names.some((n) => n.endsWith('standalonesession-0-jm-0.log'))).toBe(false);
    expect(summary.expected.clusters.every((c) => c.jobManager.nestedIn === 'jobmanager-logs.tar.gz')).toBe(true);
    const jobIds = new Set(summary.expected.clusters.map((c) => c.job.id));
    expect(jobIds.size).toBe(3);
  });

  it('records near-miss evidence that stays under the diagnosis thresholds', async () => {
    const summary = await generate({ scenario: 'healthy', version: '1.17', nearMiss: true });
    const truth = cluster(summary);
    const nearMiss = truth.nearMiss;
    expect(nearMiss?.gcPause?.durationMs).toBeLessThan(2000);
    const pause = truth.notableGcPauses.find((p) => p.startMs === nearMiss?.gcPause?.startMs);
    expect(pause?.insideCheckpoints).toEqual([]);
    expect(truth.checkpoints.every((c) => c.outcome === 'COMPLETED')).toBe(true);
    const bp = readJson(summary, `rest/jobs/${truth.job.id}/vertices/${nearMiss?.lowBackpressure?.vertexId}/backpressure.json`);
    expect(bp.backpressureLevel).toBe('low');
  });
});
