import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIncident, type Db } from '../../../../src-main/core/store/database.js';
import { rebuildCheckpointModel } from '../../../../src-main/core/analysis/checkpoints.js';
import { evaluateRules } from '../../../../src-main/core/analysis/findings/engine.js';
import type { Finding, Rule } from '../../../../src-main/core/analysis/findings/types.js';

/**
 * Hand-built incident content for rule tests: rows go straight into a temporary incident file in the shapes the
 * parsers and the checkpoint model produce. Times are seconds after T0 (2021-07-19 10:00:00 UTC).
 */
export const T0_US = Date.UTC(2021, 6, 19, 10, 0, 0) * 1000;
export const JOB = '3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b';

export const at = (seconds: number): number => T0_US + Math.round(seconds * 1_000_000);

type Attr = string | number | boolean | null;

export interface EventInput {
  sec: number;
  kind: string;
  job?: string | null;
  checkpointId?: number;
  vertexId?: string;
  vertexName?: string;
  subtask?: number;
  attempt?: string;
  tm?: string;
  host?: string;
  level?: number;
  attrs?: Record<string, Attr>;
}

export class IncidentBuilder {
  readonly db: Db;
  private readonly dir: string;
  private jmSource: number | undefined;
  private readonly tmSources = new Map<string, number>();
  private readonly gcSources = new Map<string, number>();
  private otherSources = new Map<string, number>();
  private lines = new Map<number, number>();
  private attemptSeq = 0;
  private readonly attempts = new Map<string, string>();

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'sluice-findings-'));
    this.db = openIncident(join(this.dir, 'test.sluice'), { create: true });
    this.db.prepare('INSERT INTO job (job_id, name) VALUES (?, ?)').run(JOB, 'orders-enrichment');
  }

  close(): void {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private source(path: string, kind: string, component: string | null, tm: string | null, host: string | null): number {
    const info = this.db
      .prepare(
        `INSERT INTO source (path, kind, format, reason, sha256, bytes, status, host, component, tm_id, ingested_at)
         VALUES (?, ?, 'test', 'test', ?, 0, 'done', ?, ?, ?, '2021-07-19T12:00:00Z')`,
      )
      .run(path, kind, `sha-${path}`, host, component, tm);
    return Number(info.lastInsertRowid);
  }

  jm(): number {
    this.jmSource ??= this.source('logs/jobmanager.log', 'flink-jm-log', 'jobmanager', null, 'jm-0');
    return this.jmSource;
  }

  tmLog(tm: string): number {
    let id = this.tmSources.get(tm);
    if (id === undefined) {
      id = this.source(`logs/taskmanager-${tm}.log`, 'flink-tm-log', 'taskmanager', tm, tm);
      this.tmSources.set(tm, id);
    }
    return id;
  }

  gcLog(tm: string): number {
    let id = this.gcSources.get(tm);
    if (id === undefined) {
      id = this.source(`gc/gc-${tm}.log`, 'gc-log', null, tm, tm);
      this.gcSources.set(tm, id);
    }
    return id;
  }

  other(kind: 'metrics' | 'rest-json'): number {
    let id = this.otherSources.get(kind);
    if (id === undefined) {
      id = this.source(`${kind}/dump`, kind, null, null, null);
      this.otherSources.set(kind, id);
    }
    return id;
  }

  private nextLine(sourceId: number): number {
    const line = (this.lines.get(sourceId) ?? 0) + 1;
    this.lines.set(sourceId, line);
    return line;
  }

  event(sourceId: number, e: EventInput): number {
    const info = this.db
      .prepare(
        `INSERT INTO event (source_id, line, line_count, ts_us, kind, template, level, job, checkpoint_id, vertex_id, vertex_name, subtask,
           attempt, tm, host, attrs) VALUES (?,?,1,?,?,'T',?,?,?,?,?,?,?,?,?,?)`,
      )
      .run(
        sourceId, this.nextLine(sourceId), at(e.sec), e.kind, e.level ?? 3, e.job === undefined ? JOB : e.job, e.checkpointId ?? null,
        e.vertexId ?? null, e.vertexName ?? null, e.subtask ?? null, e.attempt ?? null, e.tm ?? null, e.host ?? null,
        e.attrs === undefined ? null : JSON.stringify(e.attrs),
      );
    return Number(info.lastInsertRowid);
  }

  /** A JM deployment line: the attempt id that later lines (late messages, declines, failures) refer to. */
  deploy(vertexName: string, subtask: number, parallelism: number, tm: string, sec = 0): string {
    const attempt = (++this.attemptSeq).toString(16).padStart(32, 'a');
    this.attempts.set(`${vertexName}\u0000${subtask}`, attempt);
    this.event(this.jm(), { sec, kind: 'task.deploy', vertexName, subtask, attempt, tm, host: tm, attrs: { parallelism, attemptNumber: 0 } });
    return attempt;
  }

  /** Deploys every vertex with `parallelism` subtasks, subtask i on `tms[i % tms.length]`. */
  deployJob(vertices: readonly string[], parallelism: number, tms: readonly string[]): void {
    for (const v of vertices) for (let s = 0; s < parallelism; s++) this.deploy(v, s, parallelism, tms[s % tms.length]!);
  }

  attempt(vertexName: string, subtask: number): string {
    const a = this.attempts.get(`${vertexName}\u0000${subtask}`);
    if (a === undefined) throw new Error(`no deployment of ${vertexName} ${subtask}`);
    return a;
  }

  trigger(id: number, sec: number): void {
    this.event(this.jm(), { sec, kind: 'checkpoint.triggered', checkpointId: id, attrs: { triggerEpochMs: at(sec) / 1000, checkpointType: 'CHECKPOINT' } });
  }

  completed(id: number, triggerSec: number, durationMs: number, bytes = 1_000_000): void {
    this.trigger(id, triggerSec);
    this.event(this.jm(), { sec: triggerSec + durationMs / 1000, kind: 'checkpoint.completed', checkpointId: id, attrs: { bytes, durationMs, finalizationMs: 1 } });
  }

  expired(id: number, triggerSec: number, timeoutSec = 600): void {
    this.trigger(id, triggerSec);
    this.event(this.jm(), { sec: triggerSec + timeoutSec, kind: 'checkpoint.expired', checkpointId: id });
  }

  late(id: number, vertexName: string, subtask: number, sec: number, tm: string): void {
    this.event(this.jm(), { sec, kind: 'checkpoint.late-message', checkpointId: id, attempt: this.attempt(vertexName, subtask), tm, host: tm });
  }

  declined(id: number, triggerSec: number, sec: number, vertexName: string, subtask: number, tm: string, reason: string): void {
    this.trigger(id, triggerSec);
    this.event(this.jm(), { sec, kind: 'checkpoint.declined', checkpointId: id, attempt: this.attempt(vertexName, subtask), tm, host: tm, attrs: { reason } });
  }

  /** TM-side DEBUG phase line (S1/S2b/S4/S5, barrier lines) for a subtask, in that TM's own log. */
  tmDebug(tm: string, kind: string, id: number, vertexName: string, subtask: number, sec: number, attrs?: Record<string, Attr>): void {
    this.event(this.tmLog(tm), { sec, kind, job: null, checkpointId: id, vertexName, subtask, attempt: this.attempt(vertexName, subtask), level: 2, attrs });
  }

  gcPause(tm: string, startSec: number, durationMs: number, options: { kind?: string; heapAfter?: number; heapMax?: number; cause?: string } = {}): number {
    const sourceId = this.gcLog(tm);
    const info = this.db
      .prepare(
        `INSERT INTO gc_event (source_id, jvm, line, line_count, start_us, duration_us, class, kind, name, cause, heap_after, heap_max,
           time_confidence, time_basis) VALUES (?,?,?,1,?,?,'pause',?,?,?,?,?,'exact','logged-start')`,
      )
      .run(
        sourceId, tm, this.nextLine(sourceId), at(startSec), Math.round(durationMs * 1000), options.kind ?? 'young',
        options.kind === 'full' ? 'Pause Full' : 'Pause Young', options.cause ?? null, options.heapAfter === undefined ? null : Math.round(options.heapAfter), options.heapMax === undefined ? null : Math.round(options.heapMax),
      );
    return Number(info.lastInsertRowid);
  }

  bp(sec: number, vertexName: string, subtask: number, ratio: number, busy: number | null, idle: number | null, vertexId: string | null = null): number {
    const info = this.db
      .prepare(
        `INSERT INTO bp_sample (source_id, ts_us, job, vertex_id, vertex_name, subtask, ratio, busy, idle, level, origin) VALUES (?,?,?,?,?,?,?,?,?,?, 'metric')`,
      )
      .run(this.other('metrics'), at(sec), JOB, vertexId, vertexName, subtask, ratio, busy, idle, ratio > 0.5 ? 'high' : ratio > 0.1 ? 'low' : 'ok');
    return Number(info.lastInsertRowid);
  }

  metric(sec: number, name: string, value: number, taskName: string | null, subtask: number | null, tm: string | null = null): number {
    const info = this.db
      .prepare('INSERT INTO metric_sample (source_id, ts_us, scope, name, value, host, tm, job, task_name, subtask) VALUES (?,?,?,?,?,?,?,?,?,?)')
      .run(this.other('metrics'), at(sec), `scope.${taskName ?? 'tm'}`, name, value, tm, tm, JOB, taskName, subtask);
    return Number(info.lastInsertRowid);
  }

  config(key: string, value: string): void {
    const sourceId = this.jm();
    this.db.prepare('INSERT OR REPLACE INTO config (source_id, key, value) VALUES (?,?,?)').run(sourceId, key, value);
    this.event(sourceId, { sec: 0, kind: 'config.property', job: null, attrs: { key, value } });
  }

  vertex(vertexId: string, name: string, parallelism: number): void {
    this.db.prepare('INSERT OR REPLACE INTO vertex (job, vertex_id, name, parallelism) VALUES (?,?,?,?)').run(JOB, vertexId, name, parallelism);
  }

  edge(from: string, to: string): void {
    this.db.prepare('INSERT INTO plan_edge (job, from_vertex, to_vertex) VALUES (?,?,?)').run(JOB, from, to);
  }

  /** A REST subtask statistics row (`…/checkpoints/details/:id/subtasks/:vertexid`). */
  restSubtask(id: number, vertexId: string, subtask: number, stats: { stateSize?: number; endToEndMs?: number; ackSec?: number; completed?: boolean; syncMs?: number; asyncMs?: number; alignmentMs?: number; startDelayMs?: number }): void {
    this.db
      .prepare(
        `INSERT INTO rest_subtask (job, checkpoint_id, vertex_id, subtask, source_id, status, ack_us, end_to_end_ms, state_size, sync_ms, async_ms,
           alignment_ms, start_delay_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      )
      .run(
        JOB, id, vertexId, subtask, this.other('rest-json'), stats.completed === false ? 'pending_or_failed' : 'completed',
        stats.ackSec === undefined ? null : at(stats.ackSec), stats.endToEndMs ?? null, stats.stateSize ?? null, stats.syncMs ?? null,
        stats.asyncMs ?? null, stats.alignmentMs ?? null, stats.startDelayMs ?? null,
      );
  }

  /** Sets each source's time range from its rows and derives the checkpoint model, as an ingest would. */
  finish(): this {
    this.db.exec(`
      UPDATE source SET
        time_from_us = coalesce((SELECT min(ts_us) FROM event WHERE source_id = source.id), (SELECT min(start_us) FROM gc_event WHERE source_id = source.id),
                                (SELECT min(ts_us) FROM bp_sample WHERE source_id = source.id), (SELECT min(ts_us) FROM metric_sample WHERE source_id = source.id)),
        time_to_us = coalesce((SELECT max(ts_us) FROM event WHERE source_id = source.id), (SELECT max(start_us) FROM gc_event WHERE source_id = source.id),
                              (SELECT max(ts_us) FROM bp_sample WHERE source_id = source.id), (SELECT max(ts_us) FROM metric_sample WHERE source_id = source.id)),
        lines = coalesce((SELECT max(line) FROM event WHERE source_id = source.id), 0)`);
    rebuildCheckpointModel(this.db);
    return this;
  }

  findings(rules?: readonly Rule[]): Finding[] {
    const run = evaluateRules(this.db, rules);
    if (run.failedRules.length > 0) throw new Error(`rules failed: ${JSON.stringify(run.failedRules)}`);
    return run.findings;
  }
}

export const VERTICES = ['Source: orders', 'Map -> Filter', 'Window(TumblingEventTimeWindows(60000), EventTimeTrigger, Agg)', 'Sink: Unnamed'] as const;
export const TMS = ['tm-1', 'tm-2'] as const;

/** A job that checkpoints every 60 s in about 2 s, from t = 60 s. */
export function healthyJob(b: IncidentBuilder, checkpoints = 20, firstId = 1): void {
  b.deployJob(VERTICES, 4, TMS);
  for (let i = 0; i < checkpoints; i++) b.completed(firstId + i, 60 + i * 60, 1900 + ((i * 37) % 400), 50_000_000 + i * 1000);
}

export function warningsOrErrors(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity !== 'info');
}

export function byRule(findings: readonly Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}

/** Every 30 s from 0 to 1500 s: calm until `fromSec`, then Source and Map back-pressured by a busy Window. */
export function windowBottleneck(builder: IncidentBuilder, fromSec = 600, sourceRatio = 0.9): void {
  for (let sec = 0; sec <= 1500; sec += 30) {
    const hot = sec >= fromSec;
    for (let s = 0; s < 4; s++) {
      builder.bp(sec, VERTICES[0], s, hot ? sourceRatio : 0, hot ? 0.1 : 0.2, hot ? 0 : 0.8);
      builder.bp(sec, VERTICES[1], s, hot ? Math.min(sourceRatio, 0.85) : 0, hot ? 0.15 : 0.2, hot ? 0 : 0.8);
      builder.bp(sec, VERTICES[2], s, hot ? 0.02 : 0, hot ? 0.96 : 0.3, hot ? 0.02 : 0.7);
      builder.bp(sec, VERTICES[3], s, 0, 0.1, 0.9);
    }
  }
}

