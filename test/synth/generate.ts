import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packTarGz, packZip } from './archive.js';
import { collapsedProfile, flameFileName } from './flame.js';
import { writeGcLog } from './gc-log.js';
import { LineLayout } from './layout.js';
import type { NoiseSpec, WrittenFile } from './log-writer.js';
import { writeFlinkLog } from './log-writer.js';
import { prometheusDump } from './metrics.js';
import type { Cluster, Subtask } from './model.js';
import { buildCluster, jmTaskName } from './model.js';
import { NoiseSource } from './noise.js';
import type { Plan, ScenarioName } from './plan.js';
import { buildPlan } from './plan.js';
import { Prng } from './prng.js';
import { restFiles } from './rest.js';
import type { Scripts } from './scripts.js';
import { buildScripts } from './scripts.js';
import { writeSmallFile } from './sink.js';
import { Templates } from './templates.js';
import type { FlinkLine } from './versions.js';
import { profileFor } from './versions.js';

export interface GenerateOptions {
  scenario: ScenarioName;
  version: FlinkLine;
  tms: number;
  out: string;
  /** Target total bytes of the Flink log files; null = realistic default noise rates. */
  sizeBytes: number | null;
  seed: number;
  archive: 'zip' | 'tgz' | 'none';
  debug: boolean;
  nearMiss: boolean;
  /** Three clusters (1.10, 1.13, 1.17) in one bundle, each under `cluster-<version>/`. */
  mixedVersions: boolean;
  /** Move the JobManager logs into `jobmanager-logs.tar.gz` inside the bundle. */
  nestJmLogs: boolean;
}

export type FileKind = 'flink-jm-log' | 'flink-tm-log' | 'gc-log' | 'rest-json' | 'metrics' | 'flame' | 'expected' | 'archive';

export interface BundleFile extends WrittenFile {
  /** Path relative to the bundle root. */
  path: string;
  kind: FileKind;
}

export interface BundleSummary {
  out: string;
  archive: string | null;
  files: BundleFile[];
  flinkLogBytes: number;
  flinkLogLines: number;
  totalBytes: number;
  expected: ExpectedBundle;
}

export const DEFAULT_SEED = 20230614;
const NESTED_JM_ARCHIVE = 'jobmanager-logs.tar.gz';

export async function generateBundle(options: GenerateOptions): Promise<BundleSummary> {
  if (options.tms < 1) throw new Error('--tms must be at least 1');
  rmSync(options.out, { recursive: true, force: true });
  mkdirSync(options.out, { recursive: true });
  const lines: FlinkLine[] = options.mixedVersions ? ['1.10', '1.13', '1.17'] : [options.version];
  const clusters = lines.map((line) => {
    const profile = profileFor(line);
    const root = options.mixedVersions ? `cluster-${line}/` : '';
    const cluster = buildCluster(profile, options.tms, options.seed, root);
    const layout = new LineLayout(profile);
    const templates = new Templates(cluster, layout);
    const plan = buildPlan(cluster, { scenario: options.scenario, nearMiss: options.nearMiss, debug: options.debug, seed: options.seed });
    const scripts = buildScripts(plan, templates);
    return { root, cluster, layout, templates, plan, scripts };
  });

  const scriptedBytes = clusters.reduce((sum, c) => sum + scriptBytes(c.layout, c.scripts), 0);
  const noiseBudget = options.sizeBytes === null ? null : Math.max(0, options.sizeBytes - scriptedBytes);
  const files: BundleFile[] = [];
  for (const c of clusters) {
    const perCluster = noiseBudget === null ? null : noiseBudget / clusters.length;
    files.push(...(await writeCluster(options, c.root, c.cluster, c.layout, c.templates, c.plan, c.scripts, perCluster)));
  }

  const expected: ExpectedBundle = {
    generator: 'sluice-synth', seed: options.seed, scenario: options.scenario, nearMiss: options.nearMiss, debug: options.debug,
    mixedVersions: options.mixedVersions, nestedJmArchive: options.nestJmLogs ? NESTED_JM_ARCHIVE : null,
    clusters: clusters.map((c) => clusterTruth(c.root, c.plan, c.scripts, options.nestJmLogs)),
    files: [],
  };

  if (options.nestJmLogs) {
    const jmFiles = files.filter((f) => f.kind === 'flink-jm-log');
    await packTarGz(options.out, jmFiles.map((f) => f.path), join(options.out, NESTED_JM_ARCHIVE));
    for (const f of jmFiles) rmSync(join(options.out, f.path));
  }
  expected.files = files.map((f) => ({ path: f.path, kind: f.kind, bytes: f.bytes, lines: f.lines }));
  const expectedBytes = await writeSmallFile(join(options.out, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
  const allPaths = [...files.filter((f) => !(options.nestJmLogs && f.kind === 'flink-jm-log')).map((f) => f.path), 'expected.json',
    ...(options.nestJmLogs ? [NESTED_JM_ARCHIVE] : [])];

  let archive: string | null = null;
  if (options.archive === 'zip') {
    archive = `${options.out.replace(/\/+$/, '')}.zip`;
    await packZip(options.out, allPaths, archive);
  } else if (options.archive === 'tgz') {
    archive = `${options.out.replace(/\/+$/, '')}.tgz`;
    await packTarGz(options.out, allPaths, archive);
  }
  const flinkLogs = files.filter((f) => f.kind === 'flink-jm-log' || f.kind === 'flink-tm-log');
  return {
    out: options.out, archive, files, expected,
    flinkLogBytes: flinkLogs.reduce((s, f) => s + f.bytes, 0),
    flinkLogLines: flinkLogs.reduce((s, f) => s + f.lines, 0),
    totalBytes: files.reduce((s, f) => s + f.bytes, 0) + expectedBytes,
  };
}

function scriptBytes(layout: LineLayout, scripts: Scripts): number {
  let bytes = 0;
  for (const r of scripts.jm) bytes += layout.render(r).length;
  for (const records of scripts.tms.values()) for (const r of records) bytes += layout.render(r).length;
  return bytes;
}

async function writeCluster(
  options: GenerateOptions, root: string, cluster: Cluster, layout: LineLayout, templates: Templates, plan: Plan, scripts: Scripts, noiseBudget: number | null,
): Promise<BundleFile[]> {
  const files: BundleFile[] = [];
  const at = (rel: string): string => join(options.out, root, rel);
  const jmShare = options.debug ? 0.1 : 0.03;
  const spec = (isJm: boolean): NoiseSpec => {
    if (noiseBudget !== null) return { kind: 'bytes', bytes: isJm ? noiseBudget * jmShare : (noiseBudget * (1 - jmShare)) / cluster.tms.length };
    if (isJm) return { kind: 'rate', linesPerSecond: options.debug ? 2 : 1 / 120 };
    return { kind: 'rate', linesPerSecond: options.debug ? 6 : 0.5 };
  };
  const jmNoiseFrom = Math.max(...cluster.tms.map((tm) => tm.jvmStartMs)) + 4000;
  const jm = await writeFlinkLog({
    path: at(cluster.jmLogFile), layout, scripted: scripts.jm, noise: new NoiseSource(cluster, null, options.debug, Prng.derive(options.seed, `noise-src:${root}jm`), layout),
    spec: spec(true), fromMs: jmNoiseFrom, toMs: plan.endMs, silences: [], rng: Prng.derive(options.seed, `noise-time:${root}jm`),
  });
  files.push({ ...jm, path: `${root}${cluster.jmLogFile}`, kind: 'flink-jm-log' });
  for (const tm of cluster.tms) {
    const written = await writeFlinkLog({
      path: at(tm.logFile), layout, scripted: scripts.tms.get(tm.index) ?? [],
      noise: new NoiseSource(cluster, tm, options.debug, Prng.derive(options.seed, `noise-src:${root}${tm.host}`), layout),
      spec: spec(false), fromMs: tm.jvmStartMs + 3000, toMs: plan.endMs, silences: plan.silences.get(tm.index) ?? [],
      rng: Prng.derive(options.seed, `noise-time:${root}${tm.host}`),
    });
    files.push({ ...written, path: `${root}${tm.logFile}`, kind: 'flink-tm-log' });
    const gc = await writeGcLog(at(tm.gcLogFile), cluster.profile, tm, plan.gcPauses.get(tm.index) ?? [], options.seed);
    files.push({ path: `${root}${tm.gcLogFile}`, kind: 'gc-log', ...gc });
  }
  const restRng = Prng.derive(options.seed, `rest:${root}`);
  for (const [rel, json] of restFiles(plan, templates, layout, restRng)) {
    const text = `${JSON.stringify(json)}\n`;
    files.push({ path: `${root}${rel}`, kind: 'rest-json', bytes: await writeSmallFile(at(rel), text), lines: 1 });
  }
  const metricsRng = Prng.derive(options.seed, `metrics:${root}`);
  for (let ms = plan.deployments[0].runningMs + 60_000; ms <= plan.endMs; ms += 60_000) {
    const rel = `metrics/prometheus-${ms}.txt`;
    const text = prometheusDump(plan, ms, metricsRng);
    files.push({ path: `${root}${rel}`, kind: 'metrics', bytes: await writeSmallFile(at(rel), text), lines: text.split('\n').length - 1 });
  }
  const flameRng = Prng.derive(options.seed, `flame:${root}`);
  const flameTm = plan.gcHeavyTm ?? cluster.tms[0];
  const flameTimes = plan.backpressureFromMs === null
    ? [plan.deployments[0].runningMs + 5 * 60_000]
    : [plan.backpressureFromMs - 120_000, ...plan.checkpoints.filter((c) => c.outcome === 'EXPIRED').slice(0, 2).map((c) => c.triggerMs + 30_000)];
  for (const ms of flameTimes) {
    const rel = flameFileName(flameTm, ms);
    const text = collapsedProfile(plan, cluster, flameTm, ms, flameRng);
    files.push({ path: `${root}${rel}`, kind: 'flame', bytes: await writeSmallFile(at(rel), text), lines: text.split('\n').length - 1 });
  }
  return files;
}

// ---- ground truth -----------------------------------------------------------------------------------------

export interface ExpectedSubtaskRef {
  vertexId: string;
  vertexName: string;
  subtask: number;
  tm: string;
  attemptId: string;
}

export interface ExpectedCheckpoint {
  id: number;
  outcome: string;
  triggerMs: number;
  endMs: number;
  durationMs: number;
  stateSize: number;
  failureReason: string | null;
  acknowledged: number;
  total: number;
  pending: ExpectedSubtaskRef[];
  lateAcks: Array<ExpectedSubtaskRef & { atMs: number }>;
}

export interface ExpectedCluster {
  root: string;
  flinkVersion: string;
  versionLine: FlinkLine;
  logLayout: 'log4j1' | 'log4j2';
  timezone: 'UTC';
  job: { id: string; name: string; vertices: Array<{ id: string; name: string; parallelism: number }> };
  jobManager: { host: string; logFile: string; nestedIn: string | null };
  taskManagers: Array<{ name: string; host: string; resourceId: string; location: string; logFile: string; gcLogFile: string; jvmStartMs: number }>;
  config: Plan['config'];
  checkpoints: ExpectedCheckpoint[];
  stragglers: Array<ExpectedSubtaskRef & { checkpointId: number }>;
  rootCause: Record<string, unknown>;
  gcHeavyTm: string | null;
  notableGcPauses: Array<{ tm: string; startMs: number; durationMs: number; kind: string; insideCheckpoints: number[] }>;
  lostTm: { tm: string; resourceId: string; pauseStartMs: number; pauseEndMs: number; heartbeatTimeoutMs: number } | null;
  failovers: Array<{ kind: string; atMs: number; restartMs: number; runningMs: number; restoredCheckpointId: number | null; failedTask: ExpectedSubtaskRef | null }>;
  jobTransitions: Scripts['jobTransitions'];
  backpressure: { fromMs: number; bottleneckVertexId: string; backpressuredVertexIds: string[] } | null;
  nearMiss: Plan['nearMiss'];
}

export interface ExpectedBundle {
  generator: 'sluice-synth';
  seed: number;
  scenario: ScenarioName;
  nearMiss: boolean;
  debug: boolean;
  mixedVersions: boolean;
  nestedJmArchive: string | null;
  clusters: ExpectedCluster[];
  files: Array<{ path: string; kind: FileKind; bytes: number; lines: number }>;
}

function ref(subtask: Subtask, attempt: number): ExpectedSubtaskRef {
  return { vertexId: subtask.vertex.id, vertexName: subtask.vertex.name, subtask: subtask.index, tm: subtask.tm.host, attemptId: subtask.attemptIds[attempt] };
}

function clusterTruth(root: string, plan: Plan, scripts: Scripts, nested: boolean): ExpectedCluster {
  const { cluster } = plan;
  const checkpoints: ExpectedCheckpoint[] = plan.checkpoints.map((cp) => ({
    id: cp.id, outcome: cp.outcome, triggerMs: cp.triggerMs, endMs: cp.endMs, durationMs: cp.endMs - cp.triggerMs, stateSize: cp.stateSize,
    failureReason: cp.failureReason, acknowledged: cp.subtasks.filter((s) => s.ackMs !== null).length, total: cp.subtasks.length,
    pending: cp.subtasks.filter((s) => s.ackMs === null).map((s) => ref(s.subtask, cp.attempt)),
    lateAcks: cp.subtasks.filter((s) => s.lateAckMs !== null).map((s) => ({ ...ref(s.subtask, cp.attempt), atMs: s.lateAckMs as number })),
  }));
  const stragglers = plan.checkpoints
    .filter((cp) => cp.outcome !== 'COMPLETED' && plan.straggler !== null)
    .map((cp) => ({ checkpointId: cp.id, ...ref(plan.straggler as Subtask, cp.attempt) }));
  const notableGcPauses = [...plan.gcPauses.entries()].flatMap(([tmIndex, pauses]) => pauses
    .filter((p) => p.durationMs >= 1000)
    .map((p) => ({
      tm: cluster.tms[tmIndex - 1].host, startMs: p.startMs, durationMs: p.durationMs, kind: p.kind,
      insideCheckpoints: plan.checkpoints.filter((c) => p.startMs < c.endMs && p.startMs + p.durationMs > c.triggerMs).map((c) => c.id),
    })));
  const sink = cluster.vertices[cluster.vertices.length - 1];
  return {
    root, flinkVersion: cluster.profile.full, versionLine: cluster.profile.line, logLayout: cluster.profile.log4j2 ? 'log4j2' : 'log4j1', timezone: 'UTC',
    job: { id: cluster.jobId, name: cluster.jobName, vertices: cluster.vertices.map((v) => ({ id: v.id, name: v.name, parallelism: v.parallelism })) },
    jobManager: { host: cluster.jmHost, logFile: `${root}${cluster.jmLogFile}`, nestedIn: nested ? NESTED_JM_ARCHIVE : null },
    taskManagers: cluster.tms.map((tm) => ({
      name: tm.host, host: tm.host, resourceId: tm.resourceId, location: tm.location, logFile: `${root}${tm.logFile}`, gcLogFile: `${root}${tm.gcLogFile}`, jvmStartMs: tm.jvmStartMs,
    })),
    config: plan.config,
    checkpoints, stragglers,
    rootCause: rootCause(plan),
    gcHeavyTm: plan.gcHeavyTm?.host ?? null,
    notableGcPauses,
    lostTm: plan.outage === null ? null : {
      tm: plan.outage.tm.host, resourceId: plan.outage.tm.resourceId, pauseStartMs: plan.outage.pauseStartMs, pauseEndMs: plan.outage.pauseEndMs,
      heartbeatTimeoutMs: plan.outage.heartbeatTimeoutMs,
    },
    failovers: plan.failovers.map((f) => ({
      kind: f.kind, atMs: f.atMs, restartMs: f.restartMs, runningMs: f.runningMs, restoredCheckpointId: f.restoredCheckpointId,
      failedTask: f.failed === null ? null : ref(f.failed, f.fromAttempt),
    })),
    jobTransitions: scripts.jobTransitions,
    backpressure: plan.backpressureFromMs === null ? null : {
      fromMs: plan.backpressureFromMs, bottleneckVertexId: sink.id, backpressuredVertexIds: cluster.vertices.filter((v) => v !== sink).map((v) => v.id),
    },
    nearMiss: plan.nearMiss,
  };
}

function rootCause(plan: Plan): Record<string, unknown> {
  const straggler = plan.straggler;
  switch (plan.scenario) {
    case 'healthy':
      return { kind: 'none' };
    case 'backpressure-expired': {
      const s = straggler as Subtask;
      const fullGc = (plan.gcPauses.get(s.tm.index) ?? []).filter((p) => p.kind === 'full').sort((a, b) => b.durationMs - a.durationMs)[0];
      return {
        kind: 'backpressure', summary: `Slow ${s.vertex.name} back-pressures the pipeline; ${jmTaskName(s)} on ${s.tm.host} (GC-heavy) never acknowledges, checkpoints expire until the tolerable-failure threshold fails the job.`,
        bottleneckVertexId: s.vertex.id, straggler: ref(s, 0), gcHeavyTm: s.tm.host,
        longestFullGc: fullGc === undefined ? null : { startMs: fullGc.startMs, durationMs: fullGc.durationMs },
        failure: 'Exceeded checkpoint tolerable failure threshold.',
      };
    }
    case 'declined-task-failure': {
      const s = straggler as Subtask;
      const failover = plan.failovers[0];
      return {
        kind: 'task-failure', summary: `${jmTaskName(s)} on ${s.tm.host} failed: RocksDB could not write (No space left on device); it first declined checkpoint ${plan.checkpoints.find((c) => c.outcome === 'DECLINED')?.id}.`,
        task: ref(s, 0), atMs: failover.atMs, exception: 'org.apache.flink.util.FlinkRuntimeException: Error while adding data to RocksDB', rootMessage: 'No space left on device',
        declinedCheckpointId: plan.checkpoints.find((c) => c.outcome === 'DECLINED')?.id ?? null,
      };
    }
    case 'tm-lost': {
      const outage = plan.outage;
      if (outage === null) return { kind: 'tm-lost' };
      return {
        kind: 'tm-lost', summary: `${outage.tm.host} stopped heartbeating during a ${Math.round((outage.pauseEndMs - outage.pauseStartMs) / 1000)} s Full GC; the JM timed it out and restarted the job.`,
        tm: outage.tm.host, resourceId: outage.tm.resourceId, heartbeatTimeoutMs: outage.heartbeatTimeoutMs,
        gcPause: { startMs: outage.pauseStartMs, durationMs: outage.pauseEndMs - outage.pauseStartMs },
      };
    }
  }
}
