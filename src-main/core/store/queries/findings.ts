import type { Db } from '../database.js';

/**
 * A pointer from a finding to the rows behind it, enough for a UI to jump there:
 *   event      → event.id (+ sourceId/line of its log record)
 *   line       → a log line: sourceId + line
 *   gc         → gc_event.id (+ sourceId/line in the GC log)
 *   bp         → bp_sample.id
 *   metric     → metric_sample.id
 *   subtask    → key `<job>/<checkpointId>/<vertexId>/<subtask>` (a subtask_checkpoint row)
 *   checkpoint → key `<job>/<checkpointId>`
 *   source     → source.id; with `key` = a configuration key when it points at a config row of that source
 */
export type EvidenceType = 'event' | 'line' | 'gc' | 'bp' | 'metric' | 'subtask' | 'checkpoint' | 'source';

export interface EvidenceRef {
  type: EvidenceType;
  id?: number;
  key?: string;
  sourceId?: number;
  line?: number;
  ts?: number;
  label: string;
}

export type Severity = 'info' | 'warning' | 'error';

export interface FindingRow {
  id: number;
  /** `<rule group>.<check>`, e.g. `gc.pause-in-barrier-window`. */
  rule: string;
  severity: Severity;
  /** 0..1: how sure the claim is given the evidence present. */
  confidence: number;
  fromUs: number | null;
  toUs: number | null;
  /** One sentence: the claim. */
  title: string;
  /** The reasoning with its facts (ids, TaskManagers, numbers, thresholds). */
  explanation: string;
  evidence: EvidenceRef[];
  actions: string[];
  missing: string[];
  job: string | null;
  checkpointId: number | null;
  tm: string | null;
}

export interface FindingFilter {
  job?: string;
  checkpointId?: number;
  tm?: string;
  /** Findings whose time range overlaps [fromUs, toUs]. */
  fromUs?: number;
  toUs?: number;
  minSeverity?: Severity;
}

interface RawFinding {
  id: number;
  rule: string;
  severity: string;
  confidence: number;
  from_us: number | null;
  to_us: number | null;
  title: string;
  explanation: string;
  evidence: string;
  actions: string;
  missing: string;
  job: string | null;
  checkpoint_id: number | null;
  tm: string | null;
}

const SEVERITY_ORDER: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function severityRank(severity: string): number {
  return severity === 'error' || severity === 'warning' || severity === 'info' ? SEVERITY_ORDER[severity] : -1;
}

function toFinding(r: RawFinding): FindingRow {
  return {
    id: r.id, rule: r.rule, severity: (severityRank(r.severity) >= 0 ? r.severity : 'info') as Severity, confidence: r.confidence,
    fromUs: r.from_us, toUs: r.to_us, title: r.title, explanation: r.explanation,
    evidence: JSON.parse(r.evidence) as EvidenceRef[], actions: JSON.parse(r.actions) as string[], missing: JSON.parse(r.missing) as string[],
    job: r.job, checkpointId: r.checkpoint_id, tm: r.tm,
  };
}

/**
 * Findings in rank order (the diagnosis stores them ranked: most severe first, root-cause hypotheses before the
 * symptoms they explain, then by confidence), so `id` order is rank order.
 */
export function listFindings(db: Db, filter: FindingFilter = {}): FindingRow[] {
  const where: string[] = [];
  const params: Array<string | number> = [];
  if (filter.job !== undefined) {
    where.push('(job = ? OR job IS NULL)');
    params.push(filter.job);
  }
  if (filter.checkpointId !== undefined) {
    where.push('checkpoint_id = ?');
    params.push(filter.checkpointId);
  }
  if (filter.tm !== undefined) {
    where.push('tm = ?');
    params.push(filter.tm);
  }
  if (filter.fromUs !== undefined) {
    where.push('(to_us IS NULL OR to_us >= ?)');
    params.push(filter.fromUs);
  }
  if (filter.toUs !== undefined) {
    where.push('(from_us IS NULL OR from_us <= ?)');
    params.push(filter.toUs);
  }
  const rows = db
    .prepare(`SELECT * FROM finding ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`)
    .all(...params) as RawFinding[];
  const minRank = filter.minSeverity === undefined ? 0 : SEVERITY_ORDER[filter.minSeverity];
  return rows.map(toFinding).filter((f) => severityRank(f.severity) >= minRank);
}

/** One line per root-cause hypothesis in the incident summary. */
export interface Hypothesis {
  findingId: number;
  rule: string;
  severity: Severity;
  confidence: number;
  /** One sentence, in the words of an experienced Flink engineer. */
  sentence: string;
}

export interface IncidentSummary {
  timeSpan: { fromUs: number | null; toUs: number | null };
  jobs: Array<{ jobId: string; name: string | null; restarts: number; finalState: string | null }>;
  taskManagers: number;
  firstFailure: { ts: number; what: string; evidence: EvidenceRef } | null;
  checkpoints: { total: number; completed: number; expired: number; declined: number; failed: number; inProgress: number; unknown: number };
  hypotheses: Hypothesis[];
  /** Evidence the bundle lacks, one short phrase each (details are in the coverage findings). */
  missingEvidence: string[];
  findingCounts: { error: number; warning: number; info: number };
}
