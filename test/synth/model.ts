import { Prng } from './prng.js';
import type { VersionProfile } from './versions.js';

/** The simulated cluster and job: identifiers and placement, in the formats of flink-formats.md §1.3. */
export interface Vertex {
  index: number;
  id: string;
  name: string;
  parallelism: number;
  /** Ship strategy of the edge from the previous vertex (none for the source). */
  inputStrategy: 'REBALANCE' | 'HASH' | null;
  /** Which state the vertex snapshots (drives S17 lines and state sizes). */
  state: 'operator' | 'keyed' | 'none';
}

export interface TaskManager {
  /** 1-based, `tm-1`. */
  index: number;
  host: string;
  ip: string;
  resourceId: string;
  dataPort: number;
  /** `<resourceId> @ <host> (dataPort=<port>)` as TaskManagerLocation.toString prints it. */
  location: string;
  logFile: string;
  gcLogFile: string;
  pid: number;
  jvmStartMs: number;
  slots: number;
}

export interface Subtask {
  vertex: Vertex;
  index: number;
  tm: TaskManager;
  slot: number;
  allocationId: string;
  /** Attempt ids by attempt number; filled on deployment. */
  attemptIds: string[];
}

export interface Cluster {
  profile: VersionProfile;
  jobId: string;
  jobName: string;
  executionGraphId: string;
  jmHost: string;
  jmLogFile: string;
  jmPid: number;
  jmStartMs: number;
  jobMasterId: string;
  resourceManagerId: string;
  vertices: Vertex[];
  tms: TaskManager[];
  subtasks: Subtask[];
  checkpointDir: string;
}

const VERTEX_SHAPES: ReadonlyArray<Omit<Vertex, 'index' | 'id' | 'parallelism'>> = [
  { name: 'Source: orders', inputStrategy: null, state: 'operator' },
  { name: 'Map -> Filter', inputStrategy: 'REBALANCE', state: 'none' },
  { name: 'Window(TumblingEventTimeWindows(60000), EventTimeTrigger, Agg)', inputStrategy: 'HASH', state: 'keyed' },
  { name: 'Sink: Unnamed', inputStrategy: 'REBALANCE', state: 'none' },
];

export const PARALLELISM = 4;

export function buildCluster(profile: VersionProfile, tmCount: number, seed: number, label: string): Cluster {
  const rng = Prng.derive(seed, `cluster:${label}`);
  const jobId = rng.hex(32);
  const jobName = 'orders-enrichment';
  const vertices: Vertex[] = VERTEX_SHAPES.map((shape, index) => ({ ...shape, index, id: rng.hex(32), parallelism: PARALLELISM }));
  const slotsPerTm = Math.max(1, Math.ceil(PARALLELISM / tmCount));
  const jmStartMs = profile.baseTimeMs + rng.int(0, 59_000);
  const tms: TaskManager[] = [];
  for (let i = 1; i <= tmCount; i += 1) {
    const ip = `10.42.7.${10 + i}`;
    const resourceId = profile.minor <= 11 ? rng.hex(32) : `${ip}:6122-${rng.hex(6)}`;
    const dataPort = rng.int(33000, 45999);
    const host = `tm-${i}`;
    tms.push({
      index: i, host, ip, resourceId, dataPort,
      location: `${resourceId} @ ${host} (dataPort=${dataPort})`,
      logFile: `logs/flink-flink-taskexecutor-0-${host}.log`,
      gcLogFile: `gc/gc-${host}.log`,
      pid: rng.int(40, 400),
      jvmStartMs: jmStartMs + 1800 + i * 350 + rng.int(0, 200),
      slots: slotsPerTm,
    });
  }
  // Slot sharing puts subtask i of every vertex into the same slot; slot i lives on TM i mod N.
  const allocationBySlot = Array.from({ length: PARALLELISM }, () => rng.hex(32));
  const subtasks: Subtask[] = [];
  for (const vertex of vertices) {
    for (let s = 0; s < vertex.parallelism; s += 1) {
      subtasks.push({ vertex, index: s, tm: tms[s % tmCount], slot: Math.floor(s / tmCount), allocationId: allocationBySlot[s], attemptIds: [] });
    }
  }
  return {
    profile, jobId, jobName, executionGraphId: rng.hex(32), jmHost: 'jm-0',
    jmLogFile: 'logs/flink-flink-standalonesession-0-jm-0.log', jmPid: rng.int(40, 400), jmStartMs,
    jobMasterId: rng.hex(32), resourceManagerId: rng.hex(32), vertices, tms, subtasks,
    checkpointDir: `s3://flink-checkpoints/${jobName}/${jobId}`,
  };
}

/** Attempt id of a (re)deployment: 32 hex up to 1.15, `<EG id>_<vertex id>_<subtask>_<attempt>` from 1.16. */
export function assignAttemptId(cluster: Cluster, subtask: Subtask, attempt: number, rng: Prng): string {
  const id = cluster.profile.minor >= 16
    ? `${cluster.executionGraphId}_${subtask.vertex.id}_${subtask.index}_${attempt}`
    : rng.hex(32);
  subtask.attemptIds[attempt] = id;
  return id;
}

/** JM-side name (`ExecutionVertex.getTaskNameWithSubtaskIndex`): `<name> (2/4)`. */
export function jmTaskName(subtask: Subtask): string {
  return `${subtask.vertex.name} (${subtask.index + 1}/${subtask.vertex.parallelism})`;
}

/** TM-side name (`TaskInfo.getTaskNameWithSubtasks`): `<name> (2/4)` up to 1.11, `<name> (2/4)#<attempt>` from 1.12. */
export function tmTaskName(cluster: Cluster, subtask: Subtask, attempt: number): string {
  const base = jmTaskName(subtask);
  return cluster.profile.minor >= 12 ? `${base}#${attempt}` : base;
}

export function subtaskKey(subtask: Subtask): string {
  return `${subtask.vertex.index}:${subtask.index}`;
}
