import type { Subtask } from './model.js';
import type { Plan } from './plan.js';
import type { Prng } from './prng.js';

/**
 * Per-subtask task metrics at a point in time, from the plan's pressure curve: the sink is the bottleneck
 * (busy, not back-pressured), everything upstream of it is back-pressured (flink-formats.md §4 and §5).
 */
export interface SubtaskLoad {
  backPressuredMs: number;
  busyMs: number;
  idleMs: number;
  recordsInPerSecond: number;
  outPoolUsage: number;
}

export function subtaskLoad(plan: Plan, subtask: Subtask, ms: number, rng: Prng): SubtaskLoad {
  const pressure = plan.pressureAt(ms);
  const isSink = subtask.vertex.index === plan.cluster.vertices.length - 1;
  const jitter = (n: number): number => n * rng.float(0.95, 1.05);
  let backPressured: number;
  let busy: number;
  if (isSink) {
    backPressured = 0;
    busy = subtask === plan.straggler && pressure > 0 ? 990 : 150 + 800 * pressure;
  } else {
    backPressured = pressure * (870 - 40 * subtask.vertex.index);
    busy = (120 + 60 * subtask.vertex.index) * (1 - 0.6 * pressure);
  }
  const low = plan.nearMiss?.lowBackpressure;
  if (low !== undefined && low !== null && low.vertexId === subtask.vertex.id) backPressured = Math.max(backPressured, 1000 * rng.float(low.ratioMin, low.ratioMax));
  backPressured = Math.min(1000, jitter(backPressured));
  busy = Math.min(1000 - backPressured, jitter(busy));
  let records = subtask.vertex.index === 0 ? 0 : jitter(1600 * (1 - 0.75 * pressure));
  const skew = plan.nearMiss?.skew;
  if (skew !== undefined && skew !== null && skew.vertexId === subtask.vertex.id && skew.subtask === subtask.index) records *= skew.factor;
  return {
    backPressuredMs: Math.round(backPressured),
    busyMs: Math.round(busy),
    idleMs: Math.max(0, Math.round(1000 - backPressured - busy)),
    recordsInPerSecond: Math.round(records * 10) / 10,
    outPoolUsage: isSink ? 0 : Math.min(1, Math.round((0.05 + backPressured / 1000) * 100) / 100),
  };
}

/** Prometheus label values are sanitised like the names: every char outside [a-zA-Z0-9:_] becomes `_`. */
export function promLabel(value: string): string {
  return value.replace(/[^a-zA-Z0-9:_]/g, '_');
}

/** Java's Double.toString for the magnitudes we print: integral values keep a `.0`. */
export function javaDouble(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** One scrape of every TaskManager's and the JobManager's endpoint, concatenated, at `ms`. */
export function prometheusDump(plan: Plan, ms: number, rng: Prng): string {
  const { cluster } = plan;
  const v = cluster.profile.minor;
  const attemptAt = [...plan.deployments].reverse().find((d) => d.deployMs <= ms)?.attempt ?? 0;
  const families = new Map<string, { scope: string; samples: string[] }>();
  const add = (scope: string, metric: string, labels: string, value: string): void => {
    const name = `flink_${scope}_${metric}`;
    let family = families.get(name);
    if (family === undefined) {
      family = { scope, samples: [] };
      families.set(name, family);
    }
    family.samples.push(`${name}{${labels}} ${value}`);
  };
  const down = (tmIndex: number): boolean => plan.silences.get(tmIndex)?.some(([a, b]) => ms >= a && ms < b) ?? false;
  for (const subtask of cluster.subtasks) {
    if (down(subtask.tm.index)) continue;
    const load = subtaskLoad(plan, subtask, ms, rng);
    const labels = `host="${promLabel(subtask.tm.host)}",tm_id="${promLabel(subtask.tm.resourceId)}",job_id="${cluster.jobId}",job_name="${promLabel(cluster.jobName)}",` +
      `task_id="${subtask.vertex.id}",task_name="${promLabel(subtask.vertex.name)}",task_attempt_id="${subtask.attemptIds[attemptAt] ?? ''}",` +
      `task_attempt_num="${attemptAt}",subtask_index="${subtask.index}",`;
    const task = 'taskmanager_job_task';
    add(task, 'numRecordsInPerSecond', labels, javaDouble(load.recordsInPerSecond));
    add(`${task}_Shuffle_Netty_Output_Buffers`, 'outPoolUsage', labels, javaDouble(load.outPoolUsage));
    add(task, 'isBackPressured', labels, load.backPressuredMs > 100 ? '1.0' : '0.0');
    if (v >= 11) add(task, 'idleTimeMsPerSecond', labels, javaDouble(load.idleMs));
    if (v >= 13) {
      add(task, 'backPressuredTimeMsPerSecond', labels, javaDouble(load.backPressuredMs));
      add(task, 'busyTimeMsPerSecond', labels, javaDouble(load.busyMs));
    }
  }
  for (const tm of cluster.tms) {
    if (down(tm.index)) continue;
    const labels = `host="${promLabel(tm.host)}",tm_id="${promLabel(tm.resourceId)}",`;
    const pauses = (plan.gcPauses.get(tm.index) ?? []).filter((p) => p.startMs <= ms);
    const young = pauses.filter((p) => p.kind !== 'full');
    const old = pauses.filter((p) => p.kind === 'full');
    const sum = (list: typeof pauses): number => list.reduce((s, p) => s + p.durationMs, 0);
    add('taskmanager_Status_JVM_GarbageCollector_G1_Young_Generation', 'Count', labels, javaDouble(young.length));
    add('taskmanager_Status_JVM_GarbageCollector_G1_Young_Generation', 'Time', labels, javaDouble(sum(young)));
    add('taskmanager_Status_JVM_GarbageCollector_G1_Old_Generation', 'Count', labels, javaDouble(old.length));
    add('taskmanager_Status_JVM_GarbageCollector_G1_Old_Generation', 'Time', labels, javaDouble(sum(old)));
  }
  const jobLabels = `host="${promLabel(cluster.jmHost)}",job_id="${cluster.jobId}",job_name="${promLabel(cluster.jobName)}",`;
  const done = plan.checkpoints.filter((c) => c.endMs <= ms);
  const lastCompleted = [...done].reverse().find((c) => c.outcome === 'COMPLETED');
  add('jobmanager_job', 'numberOfCompletedCheckpoints', jobLabels, javaDouble(done.filter((c) => c.outcome === 'COMPLETED').length));
  add('jobmanager_job', 'numberOfFailedCheckpoints', jobLabels, javaDouble(done.filter((c) => c.outcome !== 'COMPLETED').length));
  add('jobmanager_job', 'lastCheckpointDuration', jobLabels, javaDouble(lastCompleted === undefined ? 0 : lastCompleted.endMs - lastCompleted.triggerMs));
  add('jobmanager_job', 'lastCheckpointSize', jobLabels, javaDouble(lastCompleted?.stateSize ?? 0));
  add('jobmanager_job', 'numRestarts', jobLabels, javaDouble(plan.failovers.filter((f) => f.atMs <= ms).length));
  let text = '';
  for (const [name, family] of families) {
    const metric = name.slice(`flink_${family.scope}_`.length);
    text += `# HELP ${name} ${metric} (scope: ${family.scope})\n# TYPE ${name} gauge\n${family.samples.join('\n')}\n`;
  }
  return text;
}
