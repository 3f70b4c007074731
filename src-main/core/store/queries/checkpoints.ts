import type { Db } from '../database.js';

export interface StragglerRow {
  vertexId: string;
  vertexName: string | null;
  subtask: number;
  status: string;
  tm: string | null;
  host: string | null;
  late: boolean;
  declined: boolean;
  ackUs: number | null;
}

export interface CheckpointRow {
  job: string;
  jobName: string | null;
  checkpointId: number;
  triggerUs: number | null;
  endUs: number | null;
  outcome: string;
  durationMs: number | null;
  stateSize: number | null;
  checkpointedSize: number | null;
  type: string | null;
  failureReason: string | null;
  subtasksTotal: number | null;
  subtasksAcked: number | null;
  /** Late, declined or never-acknowledged subtasks (pending in REST), worst first. */
  stragglers: StragglerRow[];
}

export interface SubtaskPhaseRow extends StragglerRow {
  endToEndMs: number | null;
  startDelayMs: number | null;
  alignmentMs: number | null;
  syncMs: number | null;
  asyncMs: number | null;
  stateSize: number | null;
  unaligned: boolean | null;
  phaseSource: string | null;
  attempt: string | null;
}

interface RawCheckpoint {
  job: string;
  job_name: string | null;
  checkpoint_id: number;
  trigger_us: number | null;
  end_us: number | null;
  outcome: string;
  duration_ms: number | null;
  state_size: number | null;
  checkpointed_size: number | null;
  type: string | null;
  failure_reason: string | null;
  subtasks_total: number | null;
  subtasks_acked: number | null;
}

interface RawSubtask {
  job: string;
  checkpoint_id: number;
  vertex_id: string;
  vertex_name: string | null;
  subtask: number;
  status: string;
  ack_us: number | null;
  end_to_end_ms: number | null;
  start_delay_ms: number | null;
  alignment_ms: number | null;
  sync_ms: number | null;
  async_ms: number | null;
  state_size: number | null;
  unaligned: number | null;
  late: number;
  declined: number;
  tm: string | null;
  host: string | null;
  attempt: string | null;
  phase_source: string | null;
}

const CHECKPOINT_SQL = `SELECT c.*, j.name AS job_name FROM checkpoint c LEFT JOIN job j ON j.job_id = c.job`;

function toStraggler(s: RawSubtask): StragglerRow {
  return {
    vertexId: s.vertex_id, vertexName: s.vertex_name, subtask: s.subtask, status: s.status, tm: s.tm, host: s.host,
    late: s.late === 1, declined: s.declined === 1, ackUs: s.ack_us,
  };
}

function toPhase(s: RawSubtask): SubtaskPhaseRow {
  return {
    ...toStraggler(s), endToEndMs: s.end_to_end_ms, startDelayMs: s.start_delay_ms, alignmentMs: s.alignment_ms,
    syncMs: s.sync_ms, asyncMs: s.async_ms, stateSize: s.state_size, unaligned: s.unaligned === null ? null : s.unaligned === 1,
    phaseSource: s.phase_source, attempt: s.attempt,
  };
}

function toCheckpoint(c: RawCheckpoint, stragglers: StragglerRow[]): CheckpointRow {
  return {
    job: c.job, jobName: c.job_name, checkpointId: c.checkpoint_id, triggerUs: c.trigger_us, endUs: c.end_us, outcome: c.outcome,
    durationMs: c.duration_ms, stateSize: c.state_size, checkpointedSize: c.checkpointed_size, type: c.type,
    failureReason: c.failure_reason, subtasksTotal: c.subtasks_total, subtasksAcked: c.subtasks_acked, stragglers,
  };
}

/** Straggler order: declined, then never acknowledged, then late, latest acknowledgement first. */
const STRAGGLER_ORDER = `ORDER BY declined DESC, (status = 'pending') DESC, late DESC, ack_us DESC`;

export function listCheckpoints(db: Db): CheckpointRow[] {
  const stragglers = new Map<string, StragglerRow[]>();
  for (const s of db
    .prepare(`SELECT * FROM subtask_checkpoint WHERE late = 1 OR declined = 1 OR status = 'pending' ${STRAGGLER_ORDER}`)
    .all() as RawSubtask[]) {
    const key = `${s.job}\u0000${s.checkpoint_id}`;
    stragglers.set(key, [...(stragglers.get(key) ?? []), toStraggler(s)]);
  }
  return (db.prepare(`${CHECKPOINT_SQL} ORDER BY c.trigger_us IS NULL, c.trigger_us, c.checkpoint_id`).all() as RawCheckpoint[]).map((c) =>
    toCheckpoint(c, stragglers.get(`${c.job}\u0000${c.checkpoint_id}`) ?? []),
  );
}

export interface CheckpointDetail {
  checkpoint: CheckpointRow;
  /** Every subtask with evidence, stragglers first, then by end-to-end duration. */
  subtasks: SubtaskPhaseRow[];
  /** Event row ids that speak about this checkpoint (JM lifecycle, late messages, TM phases). */
  eventIds: number[];
}

export function checkpointDetail(db: Db, job: string, checkpointId: number): CheckpointDetail | undefined {
  const c = db.prepare(`${CHECKPOINT_SQL} WHERE c.job = ? AND c.checkpoint_id = ?`).get(job, checkpointId) as RawCheckpoint | undefined;
  if (c === undefined) return undefined;
  const subtasks = (db
    .prepare(`SELECT * FROM subtask_checkpoint WHERE job = ? AND checkpoint_id = ? ${STRAGGLER_ORDER}, end_to_end_ms DESC`)
    .all(job, checkpointId) as RawSubtask[]).map(toPhase);
  const eventIds = (db
    .prepare(`SELECT id FROM event WHERE checkpoint_id = ? AND (job = ? OR job IS NULL) ORDER BY ts_us`)
    .all(checkpointId, job) as Array<{ id: number }>).map((r) => r.id);
  const stragglers = subtasks.filter((s) => s.late || s.declined || s.status === 'pending');
  return { checkpoint: toCheckpoint(c, stragglers), subtasks, eventIds };
}

export interface CheckpointCounts {
  total: number;
  completed: number;
  expired: number;
  declined: number;
  failed: number;
  inProgress: number;
  unknown: number;
}

export function checkpointCounts(db: Db): CheckpointCounts {
  const counts: CheckpointCounts = { total: 0, completed: 0, expired: 0, declined: 0, failed: 0, inProgress: 0, unknown: 0 };
  for (const row of db.prepare('SELECT outcome, count(*) AS n FROM checkpoint GROUP BY outcome').all() as Array<{ outcome: string; n: number }>) {
    counts.total += row.n;
    if (row.outcome === 'in_progress') counts.inProgress += row.n;
    else if (row.outcome in counts) counts[row.outcome as 'completed' | 'expired' | 'declined' | 'failed' | 'unknown'] += row.n;
  }
  return counts;
}
