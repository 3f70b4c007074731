import type { Db } from '../store/database.js';

/**
 * Builds the checkpoint model from whatever evidence the incident holds:
 *   task_attempt        ← deployment lines, state transitions, TM "Received task", 1.16+ composite attempt ids
 *   checkpoint          ← JM lifecycle lines (trigger / complete / expire / decline / fail), reconciled with REST
 *   subtask_checkpoint  ← REST subtask stats (authoritative for phases), late messages, declines, DEBUG acks,
 *                         TM DEBUG phase lines and barrier lines
 * Missing evidence stays NULL, never 0. Every derived table is rebuilt from scratch: the raw records are the
 * truth, the derivation is cheap (a few queries over the event table's checkpoint rows).
 */
export function rebuildCheckpointModel(db: Db): void {
  db.transaction(() => {
    db.exec('DELETE FROM task_attempt; DELETE FROM taskmanager; DELETE FROM subtask_checkpoint; DELETE FROM checkpoint;');
    rebuildJobs(db);
    rebuildTaskManagers(db);
    rebuildAttempts(db);
    rebuildCheckpoints(db);
    rebuildSubtasks(db);
  })();
}

interface EventRow {
  id: number;
  source_id: number;
  ts_us: number;
  kind: string;
  template: string;
  job: string | null;
  checkpoint_id: number | null;
  vertex_id: string | null;
  vertex_name: string | null;
  subtask: number | null;
  attempt: string | null;
  tm: string | null;
  host: string | null;
  attrs: string | null;
  source_tm: string | null;
  source_host: string | null;
}

type Attrs = Record<string, string | number | boolean | null>;

function attrsOf(row: EventRow): Attrs {
  return row.attrs === null ? {} : (JSON.parse(row.attrs) as Attrs);
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

function eventsOfKinds(db: Db, kinds: readonly string[]): EventRow[] {
  const placeholders = kinds.map(() => '?').join(',');
  return db
    .prepare(
      `SELECT e.id, e.source_id, e.ts_us, e.kind, e.template, e.job, e.checkpoint_id, e.vertex_id, e.vertex_name, e.subtask,
              e.attempt, e.tm, e.host, e.attrs, s.tm_id AS source_tm, s.host AS source_host
         FROM event e JOIN source s ON s.id = e.source_id
        WHERE e.kind IN (${placeholders}) ORDER BY e.ts_us, e.id`,
    )
    .all(...kinds) as EventRow[];
}

/** Source columns events borrow (the TaskManager and host of the log an event came from), by source id. */
function sourceFacts(db: Db): Map<number, { tm: string | null; host: string | null; component: string | null }> {
  const rows = db.prepare('SELECT id, tm_id, host, component FROM source').all() as Array<{ id: number; tm_id: string | null; host: string | null; component: string | null }>;
  return new Map(rows.map((r) => [r.id, { tm: r.tm_id, host: r.host, component: r.component }]));
}

/** SQL for a numeric attribute of `e.attrs`, NULL when absent or not a number (what `num(attrs[name])` keeps). */
const numberAttr = (name: string): string =>
  `CASE WHEN json_type(e.attrs, '$.${name}') IN ('integer', 'real') THEN json_extract(e.attrs, '$.${name}') END`;

/**
 * FROM and WHERE for events of these kinds (as `e`): the table is read straight through when they are a large
 * share of it, since walking an index then costs a random row lookup per event (DEBUG-heavy incidents hold
 * millions); otherwise the kind index finds them.
 */
function eventsOfKindsClause(db: Db, kinds: readonly string[]): string {
  const list = kinds.map((k) => `'${k.replace(/'/g, "''")}'`).join(', ');
  const matching = (db.prepare(`SELECT count(*) AS n FROM event WHERE kind IN (${list})`).get() as { n: number }).n;
  const total = (db.prepare('SELECT count(*) AS n FROM event').get() as { n: number }).n;
  return matching * 8 > total ? `event e NOT INDEXED WHERE e.kind IN (${list})` : `event e WHERE e.kind IN (${list})`;
}

/**
 * The value offered by the earliest row, by time then id. Large row sets are read in table order, which costs far
 * less than sorting them; a field kept this way ends up as it would have if the rows were read in time order
 * and the first one offering a value had won.
 */
class Earliest<T> {
  ts = Infinity;
  id = Infinity;
  constructor(public value: T) {}

  static offer<T>(current: Earliest<T> | undefined, ts: number, id: number, value: T): Earliest<T> {
    if (current === undefined) {
      const first = new Earliest(value);
      first.ts = ts;
      first.id = id;
      return first;
    }
    if (ts < current.ts || (ts === current.ts && id < current.id)) {
      current.ts = ts;
      current.id = id;
      current.value = value;
    }
    return current;
  }
}

function rebuildJobs(db: Db): void {
  db.prepare(`INSERT OR IGNORE INTO job (job_id, name) SELECT DISTINCT job, NULL FROM event WHERE job IS NOT NULL`).run();
  const setName = db.prepare('UPDATE job SET name = coalesce(name, ?) WHERE job_id = ?');
  for (const row of eventsOfKinds(db, ['job.state'])) {
    const name = str(attrsOf(row).jobName);
    if (row.job !== null && name !== undefined) setName.run(name, row.job);
  }
}

function rebuildTaskManagers(db: Db): void {
  db.prepare(
    `INSERT OR IGNORE INTO taskmanager (tm_id, host, source_id)
     SELECT tm_id, host, min(id) FROM source WHERE tm_id IS NOT NULL AND component = 'taskmanager' GROUP BY tm_id`,
  ).run();
  // One pass over the events for both uses of "the host an event names for this TaskManager" (max ignores NULLs),
  // instead of a scan of the event table per TaskManager without a host.
  db.exec(`CREATE TEMP TABLE tm_host AS SELECT tm, max(host) AS host FROM event WHERE tm IS NOT NULL GROUP BY tm`);
  try {
    db.prepare('INSERT OR IGNORE INTO taskmanager (tm_id, host, source_id) SELECT tm, host, NULL FROM temp.tm_host').run();
    db.prepare('UPDATE taskmanager SET host = (SELECT t.host FROM temp.tm_host t WHERE t.tm = taskmanager.tm_id) WHERE host IS NULL').run();
  } finally {
    db.exec('DROP TABLE temp.tm_host');
  }
}

/** Vertex name → JobVertexID from REST job dumps and 1.16+ attempt ids; logs ≤1.15 only know names. */
function vertexIdResolver(db: Db): (job: string | null, name: string | null, known: string | null) => string | null {
  const byJobAndName = new Map<string, Map<string, string>>();
  // State-transition lines name the task but not the job: a name shared by no other job still resolves.
  const byNameAnyJob = new Map<string, string | null>();
  for (const row of db.prepare('SELECT job, vertex_id, name FROM vertex').all() as Array<{ job: string; vertex_id: string; name: string }>) {
    if (row.vertex_id.startsWith('name:')) continue;
    getOrAdd(byJobAndName, row.job, () => new Map<string, string>()).set(row.name, row.vertex_id);
    byNameAnyJob.set(row.name, byNameAnyJob.has(row.name) ? null : row.vertex_id);
  }
  return (job, name, known) => {
    if (known !== null) return known;
    if (name === null) return null;
    const id = job === null ? byNameAnyJob.get(name) : byJobAndName.get(job)?.get(name);
    return id ?? `name:${name}`;
  };
}

function rebuildAttempts(db: Db): void {
  const resolveVertex = vertexIdResolver(db);
  const attempts = new Map<string, {
    job: string | null; vertexId: string | null; taskName: string | null; subtask: number | null; parallelism: number | null;
    attemptNumber: number | null; tm: string | null; host: string | null; firstSeen: number;
  }>();
  const sources = sourceFacts(db);
  // `+e.ts_us`: sorting the attempt rows beats walking the time index over every event with a row lookup each.
  // Rows are streamed, as arrays (see PhaseRow): a DEBUG-heavy incident has hundreds of thousands.
  const rows = db
    .prepare(
      `SELECT e.ts_us, e.source_id, e.job, e.vertex_id, e.vertex_name, e.subtask, e.attempt, e.tm, e.host,
              ${numberAttr('parallelism')} AS parallelism, ${numberAttr('attemptNumber')} AS attempt_number
         FROM event e WHERE e.attempt IS NOT NULL ORDER BY +e.ts_us, e.id`,
    )
    .raw()
    .iterate() as IterableIterator<[
      ts: number, sourceId: number, job: string | null, vertexId: string | null, vertexName: string | null, subtask: number | null,
      attempt: string, tm: string | null, host: string | null, parallelism: number | null, attemptNumber: number | null,
    ]>;
  for (const [ts, sourceId, job, vertexId, vertexName, subtask, attempt, rowTm, rowHost, parallelism, attemptNumber] of rows) {
    const source = sources.get(sourceId);
    if (source === undefined) continue;
    const known = attempts.get(attempt) ?? {
      job: null, vertexId: null, taskName: null, subtask: null, parallelism: null, attemptNumber: null, tm: null, host: null, firstSeen: ts,
    };
    known.job ??= job;
    known.taskName ??= vertexName;
    known.vertexId ??= vertexId;
    known.subtask ??= subtask;
    known.parallelism ??= parallelism;
    known.attemptNumber ??= attemptNumber;
    // A TaskManager's own log names the TM it runs on; JM lines name it in the location.
    const tm = source.component === 'taskmanager' ? source.tm : rowTm;
    const host = source.component === 'taskmanager' ? source.host : rowHost;
    if (tm !== null && known.tm === null) known.tm = tm;
    if (host !== null && known.host === null) known.host = host;
    attempts.set(attempt, known);
  }
  const insert = db.prepare(
    `INSERT INTO task_attempt (attempt_id, job, vertex_id, task_name, subtask, parallelism, attempt_number, tm, host, first_seen_us)
     VALUES (?,?,?,?,?,?,?,?,?,?)`,
  );
  for (const [id, a] of attempts) {
    const vertexId = resolveVertex(a.job, a.taskName, a.vertexId);
    insert.run(id, a.job, vertexId, a.taskName, a.subtask, a.parallelism, a.attemptNumber, a.tm, a.host, a.firstSeen);
  }
  // State-transition and deployment lines do not name the job: the vertex (REST) or a single job tells it.
  db.prepare('UPDATE task_attempt SET job = (SELECT v.job FROM vertex v WHERE v.vertex_id = task_attempt.vertex_id) WHERE job IS NULL').run();
  db.prepare('UPDATE task_attempt SET job = (SELECT job_id FROM job) WHERE job IS NULL AND (SELECT count(*) FROM job) = 1').run();
}

type Outcome = 'completed' | 'expired' | 'declined' | 'failed' | 'in_progress' | 'unknown';

interface CheckpointDraft {
  job: string;
  id: number;
  triggerUs: number | null;
  endUs: number | null;
  outcome: Outcome;
  durationMs: number | null;
  stateSize: number | null;
  checkpointedSize: number | null;
  type: string | null;
  typeRaw: string | null;
  failureReason: string | null;
  total: number | null;
  acked: number | null;
  evidence: { events: number[]; rest: boolean; inferred?: string };
  /** What a decline said (exception message and root cause), kept apart from the reason category. */
  declineCause: string | null;
  declineReasonCode: string | null;
  /** The CheckpointException message of a later failure line (1.15+ E2), which names the category exactly. */
  failureMessage: string | null;
  flinkVersion: string | null;
}

/** Precedence when several lines speak about one checkpoint: a completion wins, then the specific failure. */
const OUTCOME_RANK: Record<Outcome, number> = { completed: 5, expired: 4, declined: 3, failed: 2, in_progress: 1, unknown: 0 };

function outcomeFromReason(reason: string | undefined, reasonCode: string | undefined): Outcome {
  const code = reasonCode ?? '';
  const text = reason ?? '';
  if (code === 'CHECKPOINT_EXPIRED' || /expired before completing/i.test(text)) return 'expired';
  if (code.startsWith('CHECKPOINT_DECLINED') || code === 'TASK_CHECKPOINT_FAILURE' || code === 'CHECKPOINT_ASYNC_EXCEPTION' || /declined/i.test(text)) {
    return 'declined';
  }
  return 'failed';
}

function checkpointTypeOf(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (/savepoint/i.test(raw)) return 'savepoint';
  if (/unaligned/i.test(raw)) return 'unaligned';
  return 'checkpoint';
}

function rebuildCheckpoints(db: Db): void {
  const drafts = new Map<string, CheckpointDraft>();
  const draft = (job: string, id: number): CheckpointDraft => {
    const key = `${job}\u0000${id}`;
    let d = drafts.get(key);
    if (d === undefined) {
      d = {
        job, id, triggerUs: null, endUs: null, outcome: 'unknown', durationMs: null, stateSize: null, checkpointedSize: null,
        type: null, typeRaw: null, failureReason: null, total: null, acked: null, evidence: { events: [], rest: false },
        declineCause: null, declineReasonCode: null, failureMessage: null, flinkVersion: null,
      };
      drafts.set(key, d);
    }
    return d;
  };
  const settle = (d: CheckpointDraft, outcome: Outcome, endUs: number, reason?: string): void => {
    if (OUTCOME_RANK[outcome] < OUTCOME_RANK[d.outcome]) return;
    if (OUTCOME_RANK[outcome] === OUTCOME_RANK[d.outcome] && d.endUs !== null) return;
    d.outcome = outcome;
    d.endUs = endUs;
    if (reason !== undefined) d.failureReason = reason;
  };

  const lifecycle = eventsOfKinds(db, [
    'checkpoint.triggered', 'checkpoint.completed', 'checkpoint.expired', 'checkpoint.declined', 'checkpoint.failed',
    'checkpoint.trigger-failed', 'checkpoint.stats', 'checkpoint.discarded',
  ]);
  const versionOf = new Map((db.prepare('SELECT id, flink_version FROM source').all() as Array<{ id: number; flink_version: string | null }>).map((r) => [r.id, r.flink_version]));
  for (const row of lifecycle) {
    if (row.job === null || row.checkpoint_id === null) continue;
    const d = draft(row.job, row.checkpoint_id);
    d.evidence.events.push(row.id);
    d.flinkVersion ??= versionOf.get(row.source_id) ?? null;
    const attrs = attrsOf(row);
    const reason = str(attrs.reason);
    const reasonCode = str(attrs.reasonCode);
    switch (row.kind) {
      case 'checkpoint.triggered': {
        const epochMs = num(attrs.triggerEpochMs);
        d.triggerUs = epochMs !== undefined ? epochMs * 1000 : row.ts_us;
        d.typeRaw = str(attrs.checkpointType) ?? d.typeRaw;
        d.type = checkpointTypeOf(d.typeRaw ?? undefined) ?? 'checkpoint';
        break;
      }
      case 'checkpoint.completed':
        d.durationMs = num(attrs.durationMs) ?? d.durationMs;
        d.stateSize = num(attrs.bytes) ?? d.stateSize;
        settle(d, 'completed', row.ts_us);
        break;
      case 'checkpoint.expired':
        settle(d, 'expired', row.ts_us, reason ?? 'Checkpoint expired before completing.');
        break;
      case 'checkpoint.declined':
      case 'checkpoint.discarded': // ≤1.10: "Discarding checkpoint" carries the decline's cause
        if (row.kind === 'checkpoint.declined') settle(d, 'declined', row.ts_us);
        d.declineCause ??= causeText(attrs);
        d.declineReasonCode ??= reasonCode ?? null;
        break;
      case 'checkpoint.failed':
      case 'checkpoint.trigger-failed':
        settle(d, outcomeFromReason(reason, reasonCode), row.ts_us, reason);
        if (d.failureReason === null && reason !== undefined) d.failureReason = reason;
        if (row.kind === 'checkpoint.failed') d.failureMessage ??= str(attrs.message) ?? reason ?? null;
        break;
      case 'checkpoint.stats':
        d.stateSize ??= num(attrs.bytes) ?? null;
        break;
    }
  }

  for (const rest of db.prepare('SELECT * FROM rest_checkpoint ORDER BY source_id').all() as Array<{
    job: string; checkpoint_id: number; status: string; is_savepoint: number | null; checkpoint_type: string | null;
    trigger_us: number | null; latest_ack_us: number | null; failure_us: number | null; failure_message: string | null;
    end_to_end_ms: number | null; state_size: number | null; checkpointed_size: number | null; num_subtasks: number | null;
    num_acknowledged: number | null;
  }>) {
    const d = draft(rest.job, rest.checkpoint_id);
    d.evidence.rest = true;
    d.triggerUs ??= rest.trigger_us;
    d.total = rest.num_subtasks ?? d.total;
    d.acked = rest.num_acknowledged ?? d.acked;
    d.stateSize ??= rest.state_size;
    d.checkpointedSize = rest.checkpointed_size ?? d.checkpointedSize;
    if (rest.checkpoint_type !== null) {
      d.typeRaw ??= rest.checkpoint_type;
      d.type = rest.checkpoint_type === 'UNALIGNED_CHECKPOINT' ? 'unaligned' : checkpointTypeOf(rest.checkpoint_type);
    }
    if (rest.is_savepoint === 1) d.type = 'savepoint';
    if (rest.status === 'COMPLETED') {
      d.durationMs ??= rest.end_to_end_ms;
      settle(d, 'completed', rest.latest_ack_us ?? (d.triggerUs !== null && rest.end_to_end_ms !== null ? d.triggerUs + rest.end_to_end_ms * 1000 : 0));
    } else if (rest.status === 'FAILED') {
      const message = rest.failure_message ?? undefined;
      settle(d, outcomeFromReason(message, undefined), rest.failure_us ?? rest.latest_ack_us ?? 0, message);
      d.failureReason ??= message ?? null;
    } else if (d.outcome === 'unknown') {
      d.outcome = 'in_progress';
    }
  }

  inferUnsettled(db, drafts);
  for (const d of drafts.values()) if (d.outcome === 'declined') d.failureReason = declineReason(d);

  // Total subtasks when REST is absent: the job's parallelism summed over its vertices, from task names.
  const parallelismByJob = new Map<string, number>();
  for (const row of db
    .prepare(
      `SELECT job, sum(p) AS total FROM (SELECT job, vertex_id, max(parallelism) AS p FROM task_attempt
        WHERE job IS NOT NULL AND parallelism IS NOT NULL GROUP BY job, vertex_id) GROUP BY job`,
    )
    .all() as Array<{ job: string; total: number }>) {
    parallelismByJob.set(row.job, row.total);
  }

  const insert = db.prepare(
    `INSERT INTO checkpoint (job, checkpoint_id, trigger_us, end_us, outcome, duration_ms, state_size, checkpointed_size, type,
       type_raw, failure_reason, subtasks_total, subtasks_acked, evidence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  for (const d of drafts.values()) {
    if (d.endUs === 0) d.endUs = null;
    if (d.durationMs === null && d.triggerUs !== null && d.endUs !== null) d.durationMs = Math.round((d.endUs - d.triggerUs) / 1000);
    const total = d.total ?? parallelismByJob.get(d.job) ?? null;
    insert.run(
      d.job, d.id, d.triggerUs, d.endUs, d.outcome, d.durationMs, d.stateSize, d.checkpointedSize, d.type, d.typeRaw,
      // A checkpoint completes only once every subtask acknowledged it.
      d.failureReason, total, d.acked ?? (d.outcome === 'completed' ? total : null), JSON.stringify(d.evidence),
    );
  }
}

function causeText(attrs: Attrs): string | null {
  const message = str(attrs.message) ?? str(attrs.reason);
  if (message === undefined) return null;
  const root = str(attrs.rootCauseMessage);
  const rootClass = str(attrs.rootCauseClass);
  return root === undefined ? message : `${message} Caused by ${rootClass ?? 'exception'}: ${root}`;
}

/** Flink ≥ 1.12 reports async-phase declines as CHECKPOINT_ASYNC_EXCEPTION; older versions as CHECKPOINT_DECLINED. */
function declineReason(d: CheckpointDraft): string {
  const [major, minor] = (d.flinkVersion ?? '99.99').split('.').map(Number);
  const asyncCategory = (major ?? 99) > 1 || (minor ?? 99) >= 12;
  const category = d.failureMessage
    ?? (d.declineReasonCode === 'CHECKPOINT_ASYNC_EXCEPTION' && asyncCategory ? 'Asynchronous task checkpoint failed.' : 'Checkpoint was declined.');
  return d.declineCause === null || d.declineCause === category ? category : `${category} (${d.declineCause})`;
}

/**
 * Checkpoints with no terminal line: ≤1.14 Flink logs nothing when a failover aborts a pending checkpoint, so a
 * job restart after the trigger means "failed (aborted by restart)"; one still open when its JobManager log
 * ends is "in progress"; otherwise the outcome stays unknown.
 */
function inferUnsettled(db: Db, drafts: Map<string, CheckpointDraft>): void {
  const restarts = db
    .prepare(`SELECT job, ts_us, attrs FROM event WHERE kind = 'job.state' ORDER BY ts_us`)
    .all() as Array<{ job: string | null; ts_us: number; attrs: string | null }>;
  const logEnd = db
    .prepare(`SELECT max(time_to_us) AS t FROM source WHERE kind IN ('flink-jm-log', 'flink-log')`)
    .get() as { t: number | null };
  // Per job, in time order; whether a transition left RUNNING is read once, when first asked.
  const restartsByJob = new Map<string | null, Array<{ ts_us: number; attrs: string | null; leftRunning?: boolean }>>();
  for (const r of restarts) {
    let list = restartsByJob.get(r.job);
    if (list === undefined) restartsByJob.set(r.job, (list = []));
    list.push({ ts_us: r.ts_us, attrs: r.attrs });
  }
  const leftRunning = (r: { attrs: string | null; leftRunning?: boolean }): boolean => {
    if (r.leftRunning === undefined) {
      const to = r.attrs === null ? undefined : (JSON.parse(r.attrs) as Attrs).to;
      r.leftRunning = to === 'RESTARTING' || to === 'FAILING' || to === 'FAILED' || to === 'CANCELED' || to === 'SUSPENDED';
    }
    return r.leftRunning;
  };
  // Outcomes only change from 'unknown' below, never to 'completed': the last completed id per job is fixed.
  const lastCompleted = new Map<string, number>();
  for (const o of drafts.values()) {
    if (o.outcome === 'completed' && o.id > (lastCompleted.get(o.job) ?? -Infinity)) lastCompleted.set(o.job, o.id);
  }
  for (const d of drafts.values()) {
    if (d.outcome !== 'unknown' || d.triggerUs === null) continue;
    const triggerUs = d.triggerUs;
    const candidates = restartsByJob.get(d.job) ?? [];
    let from = 0;
    let to = candidates.length;
    while (from < to) {
      const mid = (from + to) >> 1;
      if (candidates[mid]!.ts_us < triggerUs) from = mid + 1;
      else to = mid;
    }
    const restart = candidates.slice(from).find(leftRunning);
    if (restart !== undefined) {
      d.outcome = 'failed';
      d.endUs = restart.ts_us;
      d.failureReason ??= 'Aborted: the job left RUNNING before the checkpoint completed (no failure line logged)';
      d.evidence.inferred = 'job-state';
    } else if (logEnd.t !== null && d.triggerUs <= logEnd.t) {
      const later = (lastCompleted.get(d.job) ?? -Infinity) > d.id;
      if (!later) {
        d.outcome = 'in_progress';
        d.evidence.inferred = 'log-end';
      }
    }
  }
}

interface SubtaskDraft {
  job: string;
  checkpointId: number;
  vertexId: string;
  vertexName: string | null;
  subtask: number;
  status: 'acknowledged' | 'late' | 'declined' | 'pending' | 'unknown';
  ackUs: number | null;
  endToEndMs: number | null;
  startDelayMs: number | null;
  alignmentMs: number | null;
  syncMs: number | null;
  asyncMs: number | null;
  stateSize: number | null;
  checkpointedSize: number | null;
  unaligned: number | null;
  late: number;
  declined: number;
  tm: string | null;
  host: string | null;
  attempt: string | null;
  phaseSources: Set<string>;
  evidence: number[];
}

const STATUS_RANK = { unknown: 0, pending: 1, acknowledged: 2, late: 3, declined: 4 } as const;

/**
 * A phase row as read: raw, in SELECT order. A DEBUG-heavy incident has millions, and better-sqlite3 builds an
 * array for a row in about half the time it takes to build an object with named properties.
 */
type PhaseRow = [
  id: number, sourceId: number, ts: number, kind: string, job: string | null, checkpointId: number, vertexId: string | null,
  vertexName: string | null, subtask: number | null, attempt: string | null, tm: string | null, host: string | null,
  /** Only for the kinds whose attributes are read: checkpoint.subtask-stats, subtask.sync-done, subtask.async-done. */
  attrs: string | null,
];

/** What the log rows of one subtask × checkpoint offer, each field from its earliest row (see Earliest). */
interface LogPhases {
  created: Earliest<true>;
  /** (ts, id) pairs of every row, flattened. */
  evidence: number[];
  vertexName?: Earliest<string>;
  attempt?: Earliest<string>;
  tm?: Earliest<string>;
  host?: Earliest<string>;
  ack?: Earliest<number>;
  stateSize?: Earliest<number>;
  unaligned?: Earliest<number>;
  syncMs?: Earliest<{ value: number; source: string }>;
  asyncMs?: Earliest<{ value: number; source: string }>;
  alignmentMs?: Earliest<{ value: number; source: string }>;
  /** The kind of the first barrier or snapshot-start row; its time is the Earliest's ts. */
  firstBarrier?: Earliest<string>;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

function idsInTimeOrder(pairs: readonly number[]): number[] {
  const order: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) order.push(i);
  order.sort((a, b) => pairs[a]! - pairs[b]! || pairs[a + 1]! - pairs[b + 1]!);
  return order.map((i) => pairs[i + 1]!);
}

function rebuildSubtasks(db: Db): void {
  const resolveVertex = vertexIdResolver(db);
  const attemptInfo = new Map<string, { job: string | null; vertex_id: string | null; task_name: string | null; subtask: number | null; tm: string | null; host: string | null }>();
  for (const row of db.prepare('SELECT attempt_id, job, vertex_id, task_name, subtask, tm, host FROM task_attempt').all() as Array<{
    attempt_id: string; job: string | null; vertex_id: string | null; task_name: string | null; subtask: number | null; tm: string | null; host: string | null;
  }>) {
    attemptInfo.set(row.attempt_id, row);
  }
  // REST names subtasks by vertex and index only: the attempt running at trigger time says where it ran.
  // JobVertexIDs are unique across jobs, and JM state-transition lines do not name the job, so the key is
  // vertex + subtask.
  const attemptsBySubtask = new Map<string, Array<{ firstSeen: number; tm: string | null; host: string | null; attempt: string }>>();
  for (const row of db.prepare('SELECT attempt_id, job, vertex_id, subtask, tm, host, first_seen_us FROM task_attempt WHERE vertex_id IS NOT NULL AND subtask IS NOT NULL ORDER BY first_seen_us').all() as Array<{
    attempt_id: string; job: string | null; vertex_id: string; subtask: number; tm: string | null; host: string | null; first_seen_us: number;
  }>) {
    const key = `${row.vertex_id}\u0000${row.subtask}`;
    let list = attemptsBySubtask.get(key);
    if (list === undefined) attemptsBySubtask.set(key, (list = []));
    list.push({ firstSeen: row.first_seen_us, tm: row.tm, host: row.host, attempt: row.attempt_id });
  }
  const runningAttempt = (vertexId: string, subtask: number, at: number | null): { tm: string | null; host: string | null; attempt: string } | undefined => {
    const candidates = attemptsBySubtask.get(`${vertexId}\u0000${subtask}`) ?? [];
    if (at === null) return candidates.at(-1);
    // Candidates are in first-seen order: the last one seen by `at` is found by bisection.
    let lo = 0;
    let hi = candidates.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (candidates[mid]!.firstSeen <= at) lo = mid + 1;
      else hi = mid;
    }
    return candidates[lo - 1] ?? candidates[0];
  };
  const checkpoints = new Map<string, { job: string; trigger_us: number | null }>();
  const checkpointsById = new Map<number, string[]>();
  for (const row of db.prepare('SELECT job, checkpoint_id, trigger_us FROM checkpoint').all() as Array<{ job: string; checkpoint_id: number; trigger_us: number | null }>) {
    checkpoints.set(`${row.job}\u0000${row.checkpoint_id}`, row);
    const jobs = checkpointsById.get(row.checkpoint_id);
    if (jobs === undefined) checkpointsById.set(row.checkpoint_id, [row.job]);
    else jobs.push(row.job);
  }
  /** TM-side lines do not name the job; a checkpoint id shared by several jobs is resolved by the task's attempt. */
  const jobOf = (checkpointId: number, hint: string | null): string | null => {
    if (hint !== null) return hint;
    const jobs = checkpointsById.get(checkpointId);
    return jobs !== undefined && jobs.length === 1 ? jobs[0]! : null;
  };

  // Drafts in the order first seen, found by job, checkpoint, vertex and subtask: nested maps, since a key string
  // made of the four would be built for every phase row (millions in a DEBUG-heavy incident).
  const drafts: SubtaskDraft[] = [];
  const draftsByKey = new Map<string, Map<number, Map<string, Map<number, SubtaskDraft>>>>();
  const draft = (job: string, checkpointId: number, vertexId: string, vertexName: string | null, subtask: number): SubtaskDraft => {
    const byCheckpoint = getOrAdd(draftsByKey, job, () => new Map<number, Map<string, Map<number, SubtaskDraft>>>());
    const byVertex = getOrAdd(byCheckpoint, checkpointId, () => new Map<string, Map<number, SubtaskDraft>>());
    const bySubtask = getOrAdd(byVertex, vertexId, () => new Map<number, SubtaskDraft>());
    let d = bySubtask.get(subtask);
    if (d === undefined) {
      d = {
        job, checkpointId, vertexId, vertexName, subtask, status: 'unknown', ackUs: null, endToEndMs: null, startDelayMs: null,
        alignmentMs: null, syncMs: null, asyncMs: null, stateSize: null, checkpointedSize: null, unaligned: null, late: 0,
        declined: 0, tm: null, host: null, attempt: null, phaseSources: new Set(), evidence: [],
      };
      bySubtask.set(subtask, d);
      drafts.push(d);
    }
    d.vertexName ??= vertexName;
    return d;
  };
  const promote = (d: SubtaskDraft, status: SubtaskDraft['status']): void => {
    if (STATUS_RANK[status] > STATUS_RANK[d.status]) d.status = status;
  };

  // REST first: authoritative for phases.
  const vertexNames = new Map<string, string>();
  for (const v of db.prepare('SELECT job, vertex_id, name FROM vertex').all() as Array<{ job: string; vertex_id: string; name: string }>) {
    vertexNames.set(`${v.job}\u0000${v.vertex_id}`, v.name);
  }
  for (const r of db.prepare('SELECT * FROM rest_subtask ORDER BY source_id').all() as Array<{
    job: string; checkpoint_id: number; vertex_id: string; subtask: number; status: string; ack_us: number | null;
    end_to_end_ms: number | null; state_size: number | null; checkpointed_size: number | null; sync_ms: number | null;
    async_ms: number | null; alignment_ms: number | null; start_delay_ms: number | null; unaligned: number | null;
  }>) {
    const d = draft(r.job, r.checkpoint_id, r.vertex_id, vertexNames.get(`${r.job}\u0000${r.vertex_id}`) ?? null, r.subtask);
    promote(d, r.status === 'completed' ? 'acknowledged' : 'pending');
    d.ackUs = r.ack_us ?? d.ackUs;
    d.endToEndMs = r.end_to_end_ms ?? d.endToEndMs;
    d.stateSize = r.state_size ?? d.stateSize;
    d.checkpointedSize = r.checkpointed_size ?? d.checkpointedSize;
    d.syncMs = r.sync_ms ?? d.syncMs;
    d.asyncMs = r.async_ms ?? d.asyncMs;
    d.alignmentMs = r.alignment_ms ?? d.alignmentMs;
    d.startDelayMs = r.start_delay_ms ?? d.startDelayMs;
    d.unaligned = r.unaligned ?? d.unaligned;
    d.phaseSources.add('rest');
  }

  const phaseKinds = [
    'checkpoint.late-message', 'checkpoint.declined', 'checkpoint.ack', 'checkpoint.subtask-stats', 'subtask.checkpoint-start',
    'subtask.sync-done', 'subtask.async-start', 'subtask.async-done', 'subtask.sync-failed', 'subtask.async-failed',
    'subtask.snapshot-failed', 'barrier.received', 'barrier.alignment-start', 'barrier.triggered', 'barrier.aligned',
  ];
  const restDrafts = drafts.length;
  const sources = sourceFacts(db);
  const phases = new Map<SubtaskDraft, LogPhases>();
  const rows = db
    .prepare(
      `SELECT e.id, e.source_id, e.ts_us, e.kind, e.job, e.checkpoint_id, e.vertex_id, e.vertex_name, e.subtask, e.attempt, e.tm, e.host,
              CASE WHEN e.kind IN ('checkpoint.subtask-stats', 'subtask.sync-done', 'subtask.async-done') THEN e.attrs END AS attrs
         FROM ${eventsOfKindsClause(db, phaseKinds)} AND +e.checkpoint_id IS NOT NULL`,
    )
    .raw()
    .iterate() as IterableIterator<PhaseRow>;
  for (const [id, sourceId, ts, kind, rowJob, checkpointId, rowVertexId, rowVertexName, rowSubtask, rowAttempt, rowTm, rowHost, attrsText] of rows) {
    const source = sources.get(sourceId);
    if (source === undefined) continue;
    const attempt = rowAttempt !== null ? attemptInfo.get(rowAttempt) : undefined;
    const job = jobOf(checkpointId, rowJob ?? attempt?.job ?? null);
    if (job === null) continue;
    const vertexName = rowVertexName ?? attempt?.task_name ?? null;
    const subtask = rowSubtask ?? attempt?.subtask ?? null;
    const vertexId = resolveVertex(job, vertexName, rowVertexId ?? attempt?.vertex_id ?? null);
    if (vertexId === null || subtask === null) continue;
    const d = draft(job, checkpointId, vertexId, null, subtask);
    let p = phases.get(d);
    if (p === undefined) {
      p = { created: Earliest.offer(undefined, ts, id, true), evidence: [] };
      phases.set(d, p);
    } else {
      p.created = Earliest.offer(p.created, ts, id, true);
    }
    // Parsed here, once per row: SQL's JSON functions would parse the text once per attribute.
    const attrs = attrsText === null ? undefined : (JSON.parse(attrsText) as Attrs);
    p.evidence.push(ts, id);
    if (vertexName !== null) p.vertexName = Earliest.offer(p.vertexName, ts, id, vertexName);
    if (rowAttempt !== null) p.attempt = Earliest.offer(p.attempt, ts, id, rowAttempt);
    const fromTmLog = source.tm !== null && rowTm === null;
    const tm = (fromTmLog ? source.tm : rowTm) ?? attempt?.tm ?? null;
    const host = (fromTmLog ? source.host : rowHost) ?? attempt?.host ?? null;
    if (tm !== null) p.tm = Earliest.offer(p.tm, ts, id, tm);
    if (host !== null) p.host = Earliest.offer(p.host, ts, id, host);
    switch (kind) {
      case 'checkpoint.late-message':
        d.late = 1;
        p.ack = Earliest.offer(p.ack, ts, id, ts);
        promote(d, 'late');
        break;
      case 'checkpoint.declined':
        d.declined = 1;
        promote(d, 'declined');
        break;
      case 'checkpoint.ack':
        p.ack = Earliest.offer(p.ack, ts, id, ts);
        promote(d, 'acknowledged');
        break;
      case 'checkpoint.subtask-stats': {
        const syncMs = num(attrs?.syncMs);
        const asyncMs = num(attrs?.asyncMs);
        const sizeKb = num(attrs?.sizeKb);
        if (syncMs !== undefined) p.syncMs = Earliest.offer(p.syncMs, ts, id, { value: syncMs, source: 'log-trace' });
        if (asyncMs !== undefined) p.asyncMs = Earliest.offer(p.asyncMs, ts, id, { value: asyncMs, source: 'log-trace' });
        if (sizeKb !== undefined) p.stateSize = Earliest.offer(p.stateSize, ts, id, sizeKb * 1024);
        promote(d, 'acknowledged');
        break;
      }
      case 'subtask.sync-done': {
        const alignmentMs = num(attrs?.alignmentMs);
        const syncMs = num(attrs?.syncMs);
        const unaligned = attrs?.unaligned;
        if (alignmentMs !== undefined) p.alignmentMs = Earliest.offer(p.alignmentMs, ts, id, { value: alignmentMs, source: 'log-debug' });
        if (syncMs !== undefined) p.syncMs = Earliest.offer(p.syncMs, ts, id, { value: syncMs, source: 'log-debug' });
        if (typeof unaligned === 'boolean') p.unaligned = Earliest.offer(p.unaligned, ts, id, unaligned ? 1 : 0);
        break;
      }
      case 'subtask.async-done': {
        const asyncMs = num(attrs?.asyncMs);
        if (asyncMs !== undefined) p.asyncMs = Earliest.offer(p.asyncMs, ts, id, { value: asyncMs, source: 'log-debug' });
        break;
      }
      case 'subtask.sync-failed':
      case 'subtask.async-failed':
      case 'subtask.snapshot-failed':
        d.declined = 1;
        promote(d, 'declined');
        break;
      case 'subtask.checkpoint-start':
      case 'barrier.received':
      case 'barrier.alignment-start':
      case 'barrier.triggered':
      case 'barrier.aligned':
        p.firstBarrier = Earliest.offer(p.firstBarrier, ts, id, kind);
        break;
    }
  }
  for (const [d, p] of phases) {
    d.vertexName ??= p.vertexName?.value ?? null;
    d.attempt ??= p.attempt?.value ?? null;
    d.tm ??= p.tm?.value ?? null;
    d.host ??= p.host?.value ?? null;
    d.ackUs ??= p.ack?.value ?? null;
    d.stateSize ??= p.stateSize?.value ?? null;
    if (d.unaligned === null && p.unaligned !== undefined) d.unaligned = p.unaligned.value;
    const fill = (field: 'alignmentMs' | 'syncMs' | 'asyncMs' | 'startDelayMs', offered: { value: number; source: string } | undefined): void => {
      if (offered !== undefined && d[field] === null) {
        d[field] = offered.value;
        d.phaseSources.add(offered.source);
      }
    };
    fill('syncMs', p.syncMs?.value);
    fill('asyncMs', p.asyncMs?.value);
    fill('alignmentMs', p.alignmentMs?.value);
    const trigger = checkpoints.get(`${d.job}\u0000${d.checkpointId}`)?.trigger_us ?? null;
    // S1 comes after alignment; only a barrier line marks the first barrier's arrival.
    if (trigger !== null && p.firstBarrier !== undefined && p.firstBarrier.value !== 'subtask.checkpoint-start') {
      fill('startDelayMs', { value: Math.max(0, Math.round((p.firstBarrier.ts - trigger) / 1000)), source: 'log-debug' });
    }
    d.evidence = idsInTimeOrder(p.evidence);
  }
  // Rows are written in the order drafts were first seen: REST ones, then log ones by their earliest row.
  const ordered = [...drafts];
  const logCreated = ordered.slice(restDrafts).sort((a, b) => {
    const x = phases.get(a)!.created;
    const y = phases.get(b)!.created;
    return x.ts - y.ts || x.id - y.id;
  });
  ordered.splice(restDrafts, logCreated.length, ...logCreated);

  const insert = db.prepare(
    `INSERT INTO subtask_checkpoint (job, checkpoint_id, vertex_id, vertex_name, subtask, status, ack_us, end_to_end_ms, start_delay_ms,
       alignment_ms, sync_ms, async_ms, state_size, checkpointed_size, unaligned, late, declined, tm, host, attempt, phase_source, evidence)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  for (const d of ordered) {
    const trigger = checkpoints.get(`${d.job}\u0000${d.checkpointId}`)?.trigger_us ?? null;
    if (d.endToEndMs === null && d.ackUs !== null && trigger !== null) d.endToEndMs = Math.round((d.ackUs - trigger) / 1000);
    if (d.tm === null && d.attempt !== null) d.tm = attemptInfo.get(d.attempt)?.tm ?? null;
    if (d.tm === null || d.attempt === null) {
      const running = runningAttempt(d.vertexId, d.subtask, trigger);
      d.tm ??= running?.tm ?? null;
      d.host ??= running?.host ?? null;
      d.attempt ??= running?.attempt ?? null;
    }
    const phaseSource = d.phaseSources.size === 0 ? null : d.phaseSources.size === 1 ? [...d.phaseSources][0]! : 'mixed';
    insert.run(
      d.job, d.checkpointId, d.vertexId, d.vertexName, d.subtask, d.status, d.ackUs, d.endToEndMs, d.startDelayMs, d.alignmentMs,
      d.syncMs, d.asyncMs, d.stateSize, d.checkpointedSize, d.unaligned, d.late, d.declined, d.tm, d.host, d.attempt, phaseSource,
      JSON.stringify(d.evidence),
    );
  }
}
