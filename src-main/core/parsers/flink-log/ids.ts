import type { AttrValue, EventRecord } from '../../model/records.js';

/** Identifier shapes of flink-formats §1.3. */

const COMPOSITE_ATTEMPT = /^([0-9a-f]{32})_([0-9a-f]{32})_(\d+)_(\d+)$/;
const PLAIN_ATTEMPT = /^[0-9a-f]{32}$/;
const TASK_NAME = /^(.*) \((\d+)\/(\d+)\)(?:#(\d+))?$/;
const LOCATION = /^(.+?) @ (\S+) \(dataPort=(-?\d+)\)$/;
const EXECUTION_VERTEX_ID = /^([0-9a-f]{32})_(\d+)$/;

export function isAttemptId(text: string): boolean {
  return PLAIN_ATTEMPT.test(text) || COMPOSITE_ATTEMPT.test(text);
}

/**
 * ExecutionAttemptID: 32 hex (≤1.15) or `<ExecutionGraphID>_<JobVertexID>_<subtask>_<attempt>` (1.16+), whose
 * parts are filled in directly.
 */
export function applyAttemptId(event: EventRecord, text: string): void {
  event.attempt = text;
  const composite = COMPOSITE_ATTEMPT.exec(text);
  if (composite === null) return;
  event.vertexId = composite[2];
  event.subtask = Number(composite[3]);
  event.attemptNumber = Number(composite[4]);
}

/**
 * Task names: JM `<vertex> (<subtask+1>/<parallelism>)`, TM 1.12+ `<vertex> (2/4)#<attempt>`. The vertex name
 * is kept without the suffix; the subtask becomes 0-based.
 */
export function applyTaskName(event: EventRecord, text: string): void {
  const m = TASK_NAME.exec(text);
  if (m === null) {
    event.vertexName = text;
    return;
  }
  event.vertexName = m[1];
  const oneBased = Number(m[2]);
  if (oneBased >= 1) event.subtask = oneBased - 1;
  event.parallelism = Number(m[3]);
  if (m[4] !== undefined) event.attemptNumber = Number(m[4]);
}

/** `<JobVertexID>_<subtaskIndex>` (restart strategy lines, 1.16+ deployment lines). */
export function applyExecutionVertexId(event: EventRecord, text: string): void {
  const m = EXECUTION_VERTEX_ID.exec(text);
  if (m === null) return;
  event.vertexId = m[1];
  event.subtask = Number(m[2]);
}

/**
 * 1.12+ prints ResourceIDs with metadata as `id(metadata)`, e.g. `container_…_000010(hadoop01:37810)`; the bare
 * id is what TaskManager logs announce about themselves, so it is the join key and the metadata goes to attrs.
 */
export function splitResourceId(text: string): { id: string; metadata: string | undefined } {
  const trimmed = text.trim();
  if (trimmed.endsWith(')')) {
    const open = trimmed.indexOf('(');
    if (open > 0) return { id: trimmed.slice(0, open), metadata: trimmed.slice(open + 1, -1) };
  }
  return { id: trimmed, metadata: undefined };
}

export function applyResourceId(event: EventRecord, attrs: Record<string, AttrValue>, text: string): void {
  const { id, metadata } = splitResourceId(text);
  event.tm = id;
  if (metadata !== undefined) attrs.tmMetadata = metadata;
}

/** TaskManagerLocation `<resourceId> @ <host> (dataPort=<port>)`, `Unknown location`, `[unassigned resource]`. */
export function applyLocation(event: EventRecord, attrs: Record<string, AttrValue>, text: string): void {
  const m = LOCATION.exec(text);
  if (m === null) {
    attrs.location = text;
    return;
  }
  applyResourceId(event, attrs, m[1]);
  event.host = m[2];
  attrs.dataPort = Number(m[3]);
}

const DAEMON_FILE =
  /^flink-.*?-(?:standalonesession|taskexecutor|standalonejob|historyserver|zookeeper|kubernetes-session|kubernetes-application|kubernetes-taskmanager|sql-gateway)-\d+-(.+?)\.(?:log|out|err)(?:\.\d+)?$/;
/** Native Kubernetes TaskManager pods: `<cluster-id>-taskmanager-<attempt>-<index>`. */
const K8S_TM_POD = /^([a-z0-9][a-z0-9.-]*-taskmanager-\d+-\d+)(?:\.(?:log|txt|out))?$/;
/** Deployment pods (JobManager): `<name>-<replicaset hash>-<5 chars>` from Kubernetes' consonant-digit alphabet. */
const K8S_DEPLOYMENT_POD = /^([a-z0-9][a-z0-9-]*-[bcdfghjklmnpqrstvwxz2-9]{6,10}-[bcdfghjklmnpqrstvwxz2-9]{5})(?:\.(?:log|txt|out))?$/;

/**
 * The host a log file came from, when its name says so (flink-formats §1.2): standalone / container daemon
 * files `flink-<user>-<daemon>-<n>-<host>.log[.N]` (user may be empty), or a Kubernetes pod name as the file
 * or one of its folders. YARN container files (`taskmanager.log`) carry no host: undefined.
 */
export function hostFromFileName(path: string): string | undefined {
  const parts = path.split(/[\\/]/).filter((part) => part.length > 0);
  const base = parts[parts.length - 1];
  if (base === undefined) return undefined;
  const daemon = DAEMON_FILE.exec(base);
  if (daemon !== null) return daemon[1];
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i];
    const pod = K8S_TM_POD.exec(part) ?? K8S_DEPLOYMENT_POD.exec(part);
    if (pod !== null) return pod[1];
  }
  return undefined;
}
