import type { JavaThrowable, LineLayout } from './layout.js';
import { subtaskLoad } from './metrics.js';
import type { Subtask } from './model.js';
import { jmTaskName } from './model.js';
import type { CheckpointPlan, Plan, SubtaskCheckpoint } from './plan.js';
import type { Prng } from './prng.js';
import type { Templates } from './templates.js';
import { rocksDbPath, rocksDbWriteFailure } from './templates.js';

/**
 * REST dumps as `curl` would have saved them at the end of the bundle (flink-formats.md §3), in the folder
 * layout `rest/jobs/<jid>/…`. Shapes follow the version: `@class` vs `className`, min/max/avg vs percentiles,
 * fields added over time, `backpressure-level` vs `backpressureLevel`.
 */
export function restFiles(plan: Plan, templates: Templates, layout: LineLayout, rng: Prng): Map<string, unknown> {
  return new RestBuilder(plan, templates, layout, rng).build();
}

type Json = Record<string, unknown>;

const HISTORY_SIZE = 10;

class RestBuilder {
  private readonly v: number;
  private readonly now: number;

  constructor(private readonly plan: Plan, private readonly t: Templates, private readonly layout: LineLayout, private readonly rng: Prng) {
    this.v = plan.cluster.profile.minor;
    this.now = plan.endMs;
  }

  build(): Map<string, unknown> {
    const { cluster } = this.plan;
    const base = `rest/jobs/${cluster.jobId}`;
    const files = new Map<string, unknown>();
    const history = [...this.plan.checkpoints].filter((c) => c.endMs <= this.now).reverse().slice(0, HISTORY_SIZE);
    files.set(`${base}.json`, this.job());
    files.set(`${base}/checkpoints.json`, this.checkpoints(history));
    files.set(`${base}/checkpoints/config.json`, this.config());
    for (const cp of history) {
      files.set(`${base}/checkpoints/details/${cp.id}.json`, this.details(cp));
      for (const vertex of cluster.vertices) {
        files.set(`${base}/checkpoints/details/${cp.id}/subtasks/${vertex.id}.json`, this.subtaskDetails(cp, cp.subtasks.filter((s) => s.subtask.vertex === vertex)));
      }
    }
    for (const vertex of cluster.vertices) {
      files.set(`${base}/vertices/${vertex.id}/backpressure.json`, this.backpressure(cluster.subtasks.filter((s) => s.vertex === vertex)));
    }
    files.set(`${base}/exceptions.json`, this.exceptions());
    return files;
  }

  private job(): Json {
    const { cluster } = this.plan;
    const start = this.plan.submitMs + 45;
    const attempt = this.plan.deployments[this.plan.deployments.length - 1];
    const vertices = cluster.vertices.map((vertex) => {
      const json: Json = { id: vertex.id, name: vertex.name };
      if (this.v >= 13) json.maxParallelism = 128;
      Object.assign(json, {
        parallelism: vertex.parallelism, status: 'RUNNING', 'start-time': attempt.runningMs, 'end-time': -1, duration: this.now - attempt.runningMs,
        tasks: { CREATED: 0, SCHEDULED: 0, DEPLOYING: 0, RUNNING: vertex.parallelism, FINISHED: 0, CANCELING: 0, CANCELED: 0, FAILED: 0, RECONCILING: 0, ...(this.v >= 13 ? { INITIALIZING: 0 } : {}) },
      });
      const records = Math.round((this.now - attempt.runningMs) * 1.6 * vertex.parallelism);
      const metrics: Json = {
        'read-bytes': vertex.index === 0 ? 0 : records * 180, 'read-bytes-complete': true, 'write-bytes': records * 180, 'write-bytes-complete': true,
        'read-records': vertex.index === 0 ? 0 : records, 'read-records-complete': true, 'write-records': records, 'write-records-complete': true,
      };
      if (this.v >= 16) Object.assign(metrics, { 'accumulated-backpressured-time': 0, 'accumulated-idle-time': 0, 'accumulated-busy-time': 0 });
      json.metrics = metrics;
      return json;
    });
    const timestamps: Json = { CREATED: start, RUNNING: start + 600 };
    for (const f of this.plan.failovers) {
      timestamps.RESTARTING = f.atMs + 6;
      timestamps.RUNNING = f.restartMs;
    }
    const job: Json = { jid: cluster.jobId, name: cluster.jobName, isStoppable: false, state: 'RUNNING', 'start-time': start, 'end-time': -1, duration: this.now - start };
    if (this.v >= 13) job.maxParallelism = -1;
    Object.assign(job, {
      now: this.now, timestamps, vertices, 'status-counts': { RUNNING: vertices.length },
      plan: {
        jid: cluster.jobId, name: cluster.jobName,
        ...(this.v >= 17 ? { type: 'STREAMING' } : {}),
        nodes: cluster.vertices.map((vertex) => {
          const node: Json = {
            id: vertex.id, parallelism: vertex.parallelism, operator: '', operator_strategy: '', description: vertex.name.replace(/ -> /g, ' -&gt; '),
          };
          const upstream = cluster.vertices[vertex.index - 1];
          if (upstream !== undefined && vertex.inputStrategy !== null) {
            node.inputs = [{ num: 0, id: upstream.id, ship_strategy: vertex.inputStrategy, exchange: 'pipelined_bounded' }];
          }
          node.optimizer_properties = {};
          return node;
        }),
      },
    });
    return job;
  }

  private get discriminator(): string {
    return this.v <= 14 ? '@class' : 'className';
  }

  private stats(values: number[]): Json {
    const sorted = [...values].sort((a, b) => a - b);
    if (sorted.length === 0) sorted.push(0);
    const min = sorted[0];
    const max = sorted[sorted.length - 1];
    const avg = Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length);
    if (this.v <= 14) return { min, max, avg };
    const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    return { min, max, avg, p50: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99), p999: q(0.999) };
  }

  private acked(cp: CheckpointPlan): SubtaskCheckpoint[] {
    return cp.subtasks.filter((s) => s.ackMs !== null);
  }

  /** A `CheckpointStatistics` entry (§3.1). */
  private checkpointStats(cp: CheckpointPlan, withTasks: boolean): Json {
    const acked = this.acked(cp);
    const status = cp.outcome === 'COMPLETED' ? 'COMPLETED' : 'FAILED';
    const latestAck = acked.length === 0 ? -1 : Math.max(...acked.map((s) => s.ackMs as number));
    const stats: Json = {
      [this.discriminator]: status === 'COMPLETED' ? 'completed' : 'failed',
      id: cp.id, status, is_savepoint: false,
    };
    if (this.v >= 17) stats.savepointFormat = null;
    stats.trigger_timestamp = cp.triggerMs;
    stats.latest_ack_timestamp = latestAck;
    if (this.v >= 15) stats.checkpointed_size = Math.round(cp.stateSize * 0.08);
    stats.state_size = cp.stateSize;
    stats.end_to_end_duration = status === 'COMPLETED' ? cp.endMs - cp.triggerMs : latestAck === -1 ? -1 : latestAck - cp.triggerMs;
    stats.alignment_buffered = 0;
    if (this.v >= 12) {
      stats.processed_data = 0;
      stats.persisted_data = 0;
    }
    stats.num_subtasks = cp.subtasks.length;
    stats.num_acknowledged_subtasks = acked.length;
    if (this.v >= 12) stats.checkpoint_type = 'CHECKPOINT';
    stats.tasks = withTasks ? this.taskStats(cp) : {};
    if (status === 'COMPLETED') {
      stats.external_path = `${this.plan.cluster.checkpointDir}/chk-${cp.id}`;
      stats.discarded = this.plan.checkpoints.some((c) => c.outcome === 'COMPLETED' && c.id > cp.id);
    } else {
      stats.failure_timestamp = cp.endMs;
      stats.failure_message = cp.failureReason;
    }
    return stats;
  }

  private taskStats(cp: CheckpointPlan): Json {
    const tasks: Json = {};
    for (const vertex of this.plan.cluster.vertices) {
      const subtasks = cp.subtasks.filter((s) => s.subtask.vertex === vertex);
      const acked = subtasks.filter((s) => s.ackMs !== null);
      const latestAck = acked.length === 0 ? -1 : Math.max(...acked.map((s) => s.ackMs as number));
      const task: Json = {
        id: cp.id, status: acked.length === subtasks.length ? 'COMPLETED' : cp.outcome === 'COMPLETED' ? 'IN_PROGRESS' : 'FAILED',
        latest_ack_timestamp: latestAck,
      };
      const size = acked.reduce((sum, s) => sum + s.stateSize, 0);
      if (this.v >= 15) task.checkpointed_size = Math.round(size * 0.08);
      task.state_size = size;
      task.end_to_end_duration = latestAck === -1 ? -1 : latestAck - cp.triggerMs;
      task.alignment_buffered = 0;
      if (this.v >= 12) {
        task.processed_data = 0;
        task.persisted_data = 0;
      }
      task.num_subtasks = subtasks.length;
      task.num_acknowledged_subtasks = acked.length;
      tasks[vertex.id] = task;
    }
    return tasks;
  }

  private checkpoints(history: CheckpointPlan[]): Json {
    const all = this.plan.checkpoints.filter((c) => c.endMs <= this.now);
    const completed = all.filter((c) => c.outcome === 'COMPLETED');
    const failed = all.filter((c) => c.outcome !== 'COMPLETED');
    const durations = completed.map((c) => c.endMs - c.triggerMs);
    const summary: Json = {};
    if (this.v >= 15) summary.checkpointed_size = this.stats(completed.map((c) => Math.round(c.stateSize * 0.08)));
    summary.state_size = this.stats(completed.map((c) => c.stateSize));
    summary.end_to_end_duration = this.stats(durations);
    summary.alignment_buffered = this.stats([0]);
    if (this.v >= 12) {
      summary.processed_data = this.stats([0]);
      summary.persisted_data = this.stats([0]);
    }
    const restoredFrom = this.plan.failovers.length === 0 ? null : this.plan.failovers[this.plan.failovers.length - 1];
    const restored = restoredFrom === null || restoredFrom.restoredCheckpointId === null ? null : {
      id: restoredFrom.restoredCheckpointId, restore_timestamp: restoredFrom.restartMs + 6, is_savepoint: false,
      external_path: `${this.plan.cluster.checkpointDir}/chk-${restoredFrom.restoredCheckpointId}`,
    };
    const last = <T>(list: T[]): T | undefined => list[list.length - 1];
    const lastCompleted = last(completed);
    const lastFailed = last(failed);
    return {
      counts: { restored: this.plan.failovers.filter((f) => f.restoredCheckpointId !== null).length, total: all.length, in_progress: 0, completed: completed.length, failed: failed.length },
      summary,
      latest: {
        completed: lastCompleted === undefined ? null : this.checkpointStats(lastCompleted, false),
        savepoint: null,
        failed: lastFailed === undefined ? null : this.checkpointStats(lastFailed, false),
        restored,
      },
      history: history.map((cp) => this.checkpointStats(cp, false)),
    };
  }

  private config(): Json {
    const { config } = this.plan;
    const json: Json = {
      mode: 'exactly_once', interval: config.intervalMs, timeout: config.timeoutMs, min_pause: config.minPauseMs, max_concurrent: 1,
      externalization: { enabled: true, delete_on_cancellation: false },
      state_backend: this.v <= 12 ? 'RocksDBStateBackend' : 'EmbeddedRocksDBStateBackend',
    };
    if (this.v >= 13) {
      json.checkpoint_storage = 'FileSystemCheckpointStorage';
      json.unaligned_checkpoints = false;
    }
    if (this.v >= 17) {
      json.tolerable_failed_checkpoints = config.tolerableFailures;
      json.aligned_checkpoint_timeout = 0;
      json.checkpoints_after_tasks_finish = true;
      json.state_changelog_enabled = false;
      json.changelog_periodic_materialization_interval = 600000;
      json.changelog_storage = 'memory';
    }
    return json;
  }

  private details(cp: CheckpointPlan): Json {
    return this.checkpointStats(cp, true);
  }

  private subtaskDetails(cp: CheckpointPlan, subtasks: SubtaskCheckpoint[]): Json {
    const acked = subtasks.filter((s) => s.ackMs !== null);
    const latestAck = acked.length === 0 ? -1 : Math.max(...acked.map((s) => s.ackMs as number));
    const size = acked.reduce((sum, s) => sum + s.stateSize, 0);
    const json: Json = {
      id: cp.id, status: acked.length === subtasks.length ? 'COMPLETED' : 'FAILED', latest_ack_timestamp: latestAck,
    };
    if (this.v >= 15) json.checkpointed_size = Math.round(size * 0.08);
    json.state_size = size;
    json.end_to_end_duration = latestAck === -1 ? -1 : latestAck - cp.triggerMs;
    json.alignment_buffered = 0;
    if (this.v >= 12) {
      json.processed_data = 0;
      json.persisted_data = 0;
    }
    json.num_subtasks = subtasks.length;
    json.num_acknowledged_subtasks = acked.length;
    const summary: Json = {};
    if (this.v >= 15) summary.checkpointed_size = this.stats(acked.map((s) => Math.round(s.stateSize * 0.08)));
    summary.state_size = this.stats(acked.map((s) => s.stateSize));
    summary.end_to_end_duration = this.stats(acked.map((s) => (s.ackMs as number) - cp.triggerMs));
    summary.checkpoint_duration = { sync: this.stats(acked.map((s) => s.syncMs)), async: this.stats(acked.map((s) => s.asyncMs)) };
    const alignment: Json = { buffered: this.stats([0]) };
    if (this.v >= 12) {
      alignment.processed = this.stats([0]);
      alignment.persisted = this.stats([0]);
    }
    alignment.duration = this.stats(acked.map((s) => s.alignmentMs));
    summary.alignment = alignment;
    if (this.v >= 12) summary.start_delay = this.stats(acked.map((s) => s.firstBarrierMs - cp.triggerMs));
    json.summary = summary;
    json.subtasks = subtasks.map((s) => this.subtask(cp, s));
    return json;
  }

  private subtask(cp: CheckpointPlan, s: SubtaskCheckpoint): Json {
    if (s.ackMs === null) return { [this.discriminator]: 'pending', index: s.subtask.index, status: 'pending_or_failed' };
    const json: Json = {
      [this.discriminator]: 'completed', index: s.subtask.index, status: 'completed', ack_timestamp: s.ackMs, end_to_end_duration: s.ackMs - cp.triggerMs,
    };
    if (this.v >= 15) json.checkpointed_size = Math.round(s.stateSize * 0.08);
    json.state_size = s.stateSize;
    json.checkpoint = { sync: s.syncMs, async: s.asyncMs };
    json.alignment = this.v >= 12 ? { buffered: 0, processed: 0, persisted: 0, duration: s.alignmentMs } : { buffered: 0, duration: s.alignmentMs };
    if (this.v >= 12) json.start_delay = s.firstBarrierMs - cp.triggerMs;
    if (this.v >= 13) {
      json.unaligned_checkpoint = false;
      json.aborted = false;
    }
    return json;
  }

  private backpressure(subtasks: Subtask[]): Json {
    const levelOf = (ratio: number): string => (ratio <= 0.1 ? 'ok' : ratio <= 0.5 ? 'low' : 'high');
    const key = this.v >= 16 ? 'backpressureLevel' : 'backpressure-level';
    const sampledAt = this.now - this.rng.int(1000, 20_000);
    const rows = subtasks.map((s) => {
      const load = subtaskLoad(this.plan, s, sampledAt, this.rng);
      const ratio = Math.round(load.backPressuredMs) / 1000;
      const row: Json = { subtask: s.index, [key]: levelOf(ratio), ratio };
      if (this.v >= 13) {
        row.idleRatio = load.idleMs / 1000;
        row.busyRatio = load.busyMs / 1000;
      }
      return row;
    });
    const max = Math.max(...rows.map((r) => r.ratio as number));
    return { status: 'ok', [key]: levelOf(max), 'end-timestamp': sampledAt, subtasks: rows };
  }

  private failures(): Array<{ at: number; throwable: JavaThrowable; subtask: Subtask | null }> {
    return this.plan.failovers.map((f) => {
      if (f.kind === 'checkpoint-tolerance') return { at: f.atMs, throwable: this.t.tolerableFailure('Checkpoint expired before completing.'), subtask: null };
      if (f.kind === 'tm-lost' && this.plan.outage !== null) return { at: f.atMs, throwable: this.t.heartbeatTimeout(this.plan.outage.tm), subtask: f.failed };
      return { at: f.atMs, throwable: rocksDbWriteFailure(rocksDbPath(this.plan.cluster, f.failed as Subtask)), subtask: f.failed };
    });
  }

  private exceptions(): Json {
    const failures = this.failures();
    const last = failures[failures.length - 1];
    const stack = (f: (typeof failures)[number]): string => `${this.layout.embeddedStack(f.throwable)}\n`;
    const hostPort = (s: Subtask): string => `${s.tm.host}:${s.tm.dataPort}`;
    const json: Json = {
      'root-exception': last === undefined ? null : stack(last),
      timestamp: last === undefined ? null : last.at,
      'all-exceptions': failures.filter((f) => f.subtask !== null).map((f) => ({
        exception: stack(f), task: jmTaskName(f.subtask as Subtask), location: hostPort(f.subtask as Subtask), timestamp: f.at,
      })),
      truncated: false,
    };
    if (this.v >= 13) {
      json.exceptionHistory = {
        truncated: false,
        entries: [...failures].reverse().map((f) => {
          const entry: Json = {
            exceptionName: f.throwable.header.split(':')[0], stacktrace: stack(f), timestamp: f.at,
            taskName: f.subtask === null ? null : jmTaskName(f.subtask),
          };
          if (this.v >= 19) entry.endpoint = f.subtask === null ? null : hostPort(f.subtask);
          else entry.location = f.subtask === null ? null : hostPort(f.subtask);
          if (this.v >= 17) entry.taskManagerId = f.subtask === null ? null : f.subtask.tm.resourceId;
          if (this.v >= 18) entry.failureLabels = {};
          entry.concurrentExceptions = [];
          return entry;
        }),
      };
    }
    return json;
  }
}
