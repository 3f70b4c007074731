import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIncident, type Db } from '../../../src-main/core/store/database.js';
import { LogBlockBuilder } from '../../../src-main/core/store/log-blocks.js';
import { IncidentWriter } from '../../../src-main/core/store/writer.js';
import { Level } from '../../../src-main/core/model/records.js';
import type { SourceKind } from '../../../src-main/core/model/source.js';

/** 2024-03-01T10:00:00Z, the fixture incident's first second. */
export const T0 = Date.UTC(2024, 2, 1, 10, 0, 0) * 1000;
export const SECOND = 1_000_000;
export const JOB = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const MAP_VERTEX = 'bc764cd8ddf7a0cff126f51c16239658';
export const FAILED_CHECKPOINT = 7;
export const JM_LINES = 3000;

export interface Fixture {
  dir: string;
  path: string;
  db: Db;
  jmSource: number;
  tmSource: number;
}

function source(writer: IncidentWriter, path: string, kind: SourceKind, sha: string): number {
  return writer.beginSource({ path, detection: { kind, format: 'test', reason: `fixture ${kind}` }, sha256: sha, bytes: 1000, tz: 'UTC', clockOffsetUs: 0 });
}

function done(writer: IncidentWriter, sha: string, lines: number, from: number, to: number): void {
  writer.commitSource({ sha256: sha, bytes: 1000, lines, events: 0, warnings: 0, timeFromUs: from, timeToUs: to });
}

/**
 * A small but complete incident: a JobManager log of 3000 lines (one every 100 ms, some ERROR records with
 * stack traces), a TaskManager log, a GC log for tm-1 (young pauses every second, one 5 s full GC at +183 s, inside checkpoint 7),
 * backpressure on Map, ten checkpoints every 30 s of which #7 expired with Map (2/2) on tm-1 never
 * acknowledging, a finding and a configured timeout.
 */
export async function makeFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-api-'));
  const path = join(dir, 'incident.sluice');
  const db = openIncident(path, { create: true });
  const writer = new IncidentWriter(db);

  const jmSource = source(writer, 'bundle/jobmanager.log', 'flink-jm-log', 'sha-jm');
  writer.facts({ component: 'jobmanager', flinkVersion: '1.17.2', host: 'jm-host' });
  const jmBlocks = new LogBlockBuilder((b) => writer.block(b));
  let lineNo = 1;
  for (let i = 0; i < JM_LINES; i++) {
    const ts = T0 + i * 100_000;
    const error = i % 500 === 250;
    const level = error ? Level.Error : i % 10 === 0 ? Level.Warn : Level.Info;
    const name = error ? 'ERROR' : level === Level.Warn ? 'WARN ' : 'INFO ';
    jmBlocks.add(lineNo++, `2024-03-01 10:00:00,000 ${name} org.apache.flink.Test - message ${i}${error ? ' java.io.IOException: boom' : ''}`, ts, level, false);
    if (error) {
      jmBlocks.add(lineNo++, 'java.io.IOException: boom', ts, level, true);
      jmBlocks.add(lineNo++, '\tat org.apache.flink.Foo.bar(Foo.java:42)', ts, level, true);
    }
  }
  jmBlocks.flush();
  await jmBlocks.drain();
  writer.event({ ts: T0 + 60 * SECOND, kind: 'restart.region', template: 'R1', level: Level.Info, line: 603, lineCount: 1, job: JOB });
  writer.event({
    ts: T0 + 61 * SECOND, kind: 'task.state', template: 'T1', level: Level.Warn, line: 613, lineCount: 1, job: JOB, vertexName: 'Map',
    subtask: 1, tm: 'tm-1', attrs: { from: 'RUNNING', to: 'FAILED' },
  });
  writer.event({ ts: T0 + 210 * SECOND, kind: 'checkpoint.expired', template: 'C9', level: Level.Info, line: 2109, lineCount: 1, job: JOB, checkpointId: FAILED_CHECKPOINT });
  writer.job(JOB, 'orders');
  writer.vertex({ job: JOB, vertexId: 'src000000000000000000000000000000', name: 'Source: Kafka', parallelism: 2 });
  writer.vertex({ job: JOB, vertexId: MAP_VERTEX, name: 'Map', parallelism: 2 });
  done(writer, 'sha-jm', lineNo - 1, T0, T0 + (JM_LINES - 1) * 100_000);

  const tmSource = source(writer, 'bundle/taskmanager-1.log', 'flink-tm-log', 'sha-tm');
  writer.facts({ component: 'taskmanager', flinkVersion: '1.17.2', host: 'host-1', tmResourceId: 'tm-1' });
  const tmBlocks = new LogBlockBuilder((b) => writer.block(b));
  for (let i = 0; i < 100; i++) tmBlocks.add(i + 1, `tm line ${i}${i === 42 ? ' needle' : ''}`, T0 + i * 3 * SECOND + 50_000, Level.Info, false);
  tmBlocks.flush();
  await tmBlocks.drain();
  done(writer, 'sha-tm', 100, T0, T0 + 300 * SECOND);

  source(writer, 'bundle/gc-tm-1.log', 'gc-log', 'sha-gc');
  writer.facts({ tmResourceId: 'tm-1', gcCollector: 'G1' });
  for (let i = 0; i < 300; i++) {
    writer.gc({
      start: T0 + i * SECOND, durationUs: 20_000, eventClass: 'pause', kind: 'young', name: 'Pause Young (Normal)', line: i + 1, lineCount: 1,
      timeConfidence: 'exact', timeBasis: 'logged-start', heapBeforeBytes: 900e6, heapAfterBytes: 300e6 + i * 1e6, heapMaxBytes: 2e9,
    }, 'tm-1');
  }
  writer.gc({
    start: T0 + 183 * SECOND, durationUs: 5 * SECOND, eventClass: 'pause', kind: 'full', name: 'Pause Full (G1 Compaction Pause)', line: 400,
    lineCount: 1, timeConfidence: 'exact', timeBasis: 'logged-start', heapBeforeBytes: 1.9e9, heapAfterBytes: 1.5e9, heapMaxBytes: 2e9,
  }, 'tm-1');
  done(writer, 'sha-gc', 301, T0, T0 + 300 * SECOND);

  source(writer, 'bundle/rest/backpressure.json', 'rest-json', 'sha-bp');
  for (let i = 0; i < 60; i++) {
    for (const subtask of [0, 1]) {
      const ratio = subtask === 1 && i > 30 ? 0.9 : 0.05;
      writer.backpressure({ ts: T0 + i * 5 * SECOND, job: JOB, vertexId: MAP_VERTEX, vertexName: 'Map', subtask, ratio, level: ratio > 0.5 ? 'high' : 'ok', origin: 'rest' });
    }
  }
  done(writer, 'sha-bp', 0, T0, T0 + 295 * SECOND);

  const insertCheckpoint = db.prepare(`INSERT INTO checkpoint (job, checkpoint_id, trigger_us, end_us, outcome, duration_ms, type,
    failure_reason, subtasks_total, subtasks_acked) VALUES (?,?,?,?,?,?,?,?,?,?)`);
  const insertSubtask = db.prepare(`INSERT INTO subtask_checkpoint (job, checkpoint_id, vertex_id, vertex_name, subtask, status, ack_us,
    end_to_end_ms, start_delay_ms, alignment_ms, sync_ms, async_ms, late, declined, tm) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  for (let id = 1; id <= 10; id++) {
    const trigger = T0 + (id - 1) * 30 * SECOND;
    const failed = id === FAILED_CHECKPOINT;
    const end = trigger + (failed ? 10 * SECOND : 2 * SECOND);
    insertCheckpoint.run(JOB, id, trigger, end, failed ? 'expired' : 'completed', failed ? 10_000 : 2000, 'checkpoint',
      failed ? 'Checkpoint expired before completing.' : null, 2, failed ? 1 : 2);
    insertSubtask.run(JOB, id, MAP_VERTEX, 'Map', 0, 'acknowledged', trigger + 1_500_000, 1500, 100, 400, 200, 800, 0, 0, 'tm-0');
    if (failed) insertSubtask.run(JOB, id, MAP_VERTEX, 'Map', 1, 'pending', null, null, null, null, null, null, 0, 0, 'tm-1');
    else insertSubtask.run(JOB, id, MAP_VERTEX, 'Map', 1, 'acknowledged', trigger + 1_800_000, 1800, 300, 500, 200, 800, 0, 0, 'tm-1');
  }
  db.prepare(`INSERT INTO finding (rule, severity, confidence, from_us, to_us, title, explanation, evidence, actions, missing, job, checkpoint_id, tm)
    VALUES ('gc.pause-in-barrier-window', 'error', 0.9, ?, ?, 'Checkpoint 7 expired: tm-1 in a 5 s full GC', 'because', '[]', '[]', '[]', ?, 7, 'tm-1')`)
    .run(T0 + 180 * SECOND, T0 + 210 * SECOND, JOB);
  db.prepare("INSERT INTO config (source_id, key, value) VALUES (?, 'execution.checkpointing.timeout', '10 s')").run(jmSource);
  return { dir, path, db, jmSource, tmSource };
}
