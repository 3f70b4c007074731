import type { DiagnosisContext, SubtaskFact } from '../context.js';
import { fmtBytes, fmtDurationMs, fmtRatio, median, subtaskName } from '../format.js';
import { clampConfidence, type EvidenceRef, type Finding, type Rule } from '../types.js';
import { appendTo } from '../group.js';

/** Skew = the largest subtask above SKEW_FACTOR × the vertex median AND above the median by an absolute floor. */
const SKEW_FACTOR = 2;
const FLOOR = {
  rate: 100, // records/s
  count: 10_000, // records
  state: 16 * 1024 * 1024, // bytes
  ack: 5_000, // ms
};

interface Measure {
  job: string | null;
  vertexKey: string;
  vertexName: string;
  subtask: number;
  value: number;
  ref: EvidenceRef;
}

export const dataSkew: Rule = {
  id: 'skew',
  title: 'Data skew: subtasks with far more records, state or acknowledgement time than their vertex median',
  evaluate(ctx) {
    const stragglers = stragglerKeys(ctx);
    return [...recordsIn(ctx), ...stateSize(ctx), ...ackTime(ctx)]
      .map((group) => judge(ctx, group, stragglers))
      .filter((f): f is Finding => f !== undefined);
  },
};

interface Group {
  kind: 'records-rate' | 'records' | 'state' | 'ack';
  measures: Measure[];
}

function recordsIn(ctx: DiagnosisContext): Group[] {
  const rate = ctx.metricPerSubtask('numRecordsInPerSecond');
  const counter = rate.length > 0 ? [] : ctx.metricPerSubtask('numRecordsIn');
  const rows = rate.length > 0 ? rate : counter;
  const kind = rate.length > 0 ? 'records-rate' : 'records';
  const groups = new Map<string, Measure[]>();
  for (const r of rows) {
    const job = ctx.resolveJob(r.job);
    const vertexKey = ctx.vertexKeyForName(job, r.taskName);
    const value = kind === 'records-rate' ? r.avg : r.max - r.min;
    const list = groups.get(`${job ?? ''}\u0000${vertexKey}`) ?? [];
    list.push({
      job, vertexKey, vertexName: r.taskName, subtask: r.subtask, value,
      ref: { type: 'metric', id: r.sampleId, label: `${r.taskName} (${r.subtask + 1}) ${kind === 'records-rate' ? `numRecordsInPerSecond avg ${r.avg.toFixed(1)}` : `numRecordsIn +${value}`}` },
    });
    groups.set(`${job ?? ''}\u0000${vertexKey}`, list);
  }
  return [...groups.values()].map((measures) => ({ kind, measures }));
}

/** Median of each subtask over the newest checkpoints, so one odd checkpoint is not skew. */
function perSubtaskMedian(ctx: DiagnosisContext, rows: SubtaskFact[], value: (s: SubtaskFact) => number, label: (s: SubtaskFact, v: number) => string): Group['measures'][] {
  const bySubtask = new Map<string, SubtaskFact[]>();
  for (const s of rows) {
    const key = `${s.job}\u0000${s.vertexId}\u0000${s.subtask}`;
    appendTo(bySubtask, key, s);
  }
  const byVertex = new Map<string, Measure[]>();
  for (const list of bySubtask.values()) {
    const s = list[0]!;
    const med = median(list.map(value));
    const representative = list.reduce((a, b) => (Math.abs(value(b) - med) < Math.abs(value(a) - med) ? b : a));
    const key = `${s.job}\u0000${s.vertexId}`;
    byVertex.set(key, [
      ...(byVertex.get(key) ?? []),
      { job: s.job, vertexKey: s.vertexId, vertexName: s.vertexName ?? ctx.vertexName(s.job, s.vertexId), subtask: s.subtask, value: med, ref: ctx.subtaskRef(representative, label(representative, value(representative))) },
    ]);
  }
  return [...byVertex.values()];
}

function stateSize(ctx: DiagnosisContext): Group[] {
  return perSubtaskMedian(ctx, ctx.subtaskSeries('state_size'), (s) => s.stateSize!, (s, v) => `${ctx.subtaskLabel(s)} state ${fmtBytes(v)} in checkpoint ${s.checkpointId}`).map((measures) => ({ kind: 'state' as const, measures }));
}

function ackTime(ctx: DiagnosisContext): Group[] {
  const rows = ctx.subtaskSeries('end_to_end_ms').filter((s) => s.status === 'acknowledged' || s.late);
  return perSubtaskMedian(ctx, rows, (s) => s.endToEndMs!, (s, v) => `${ctx.subtaskLabel(s)} acknowledged after ${fmtDurationMs(v)} in checkpoint ${s.checkpointId}`).map((measures) => ({ kind: 'ack' as const, measures }));
}

function stragglerKeys(ctx: DiagnosisContext): Map<string, number[]> {
  const keys = new Map<string, number[]>();
  for (const c of ctx.failedCheckpoints().slice(-50)) {
    for (const s of ctx.subtasks(c.job, c.id)) {
      if (!(s.late || s.declined || s.status === 'pending')) continue;
      const key = `${s.job}\u0000${s.vertexId}\u0000${s.subtask}`;
      appendTo(keys, key, c.id);
    }
  }
  return keys;
}

const WHAT: Record<Group['kind'], { noun: string; show: (v: number) => string; floor: number }> = {
  'records-rate': { noun: 'records in', show: (v) => `${v.toFixed(0)} records/s`, floor: FLOOR.rate },
  records: { noun: 'records in', show: (v) => `${Math.round(v)} records`, floor: FLOOR.count },
  state: { noun: 'state size', show: fmtBytes, floor: FLOOR.state },
  ack: { noun: 'checkpoint acknowledgement time', show: fmtDurationMs, floor: FLOOR.ack },
};

function judge(ctx: DiagnosisContext, group: Group, stragglers: Map<string, number[]>): Finding | undefined {
  const { measures, kind } = group;
  if (measures.length < 2) return undefined;
  const what = WHAT[kind];
  const med = median(measures.map((m) => m.value));
  const top = measures.reduce((a, b) => (b.value > a.value ? b : a));
  if (!(top.value > SKEW_FACTOR * med && top.value - med >= what.floor)) return undefined;
  const factor = med > 0 ? top.value / med : Infinity;
  const hot = measures.filter((m) => m.value > SKEW_FACTOR * med && m.value - med >= what.floor);
  const job = top.job;
  const failedBy = job !== null ? stragglers.get(`${job}\u0000${top.vertexKey}\u0000${top.subtask}`) ?? [] : [];
  const who = subtaskName(top.vertexName, top.vertexKey, top.subtask, ctx.parallelismOf(job, top.vertexKey) ?? measures.length);
  const cause =
    kind === 'state' ? 'its keys hold far more state: hot keys or an uneven key distribution; its snapshot and upload take longer than the others\''
      : kind === 'ack' ? 'it is consistently the last to acknowledge: it gets more data, runs on a slower or busier TaskManager, or holds more state'
        : 'it receives far more data than its siblings: hot keys after a keyBy, or an uneven source partitioning';
  return {
    rule: `skew.${kind === 'records-rate' ? 'records' : kind}`,
    role: 'cause',
    severity: failedBy.length > 0 ? 'error' : 'warning',
    confidence: clampConfidence(0.5 + Math.min(0.25, (Math.min(factor, 10) - SKEW_FACTOR) / 16) + (failedBy.length > 0 ? 0.15 : 0)),
    fromUs: null,
    toUs: null,
    title: `${who} has ${Number.isFinite(factor) ? fmtRatio(factor) : 'far more than'} the median ${what.noun} of its vertex (${what.show(top.value)} vs ${what.show(med)})`,
    explanation:
      `Across ${measures.length} subtasks of ${top.vertexName}, ${what.noun} has a median of ${what.show(med)}; ${hot.length === 1 ? who : `${hot.length} subtasks (the largest ${who})`} reach${hot.length === 1 ? 'es' : ''} ${what.show(top.value)} ` +
      `(skew when the maximum exceeds ${SKEW_FACTOR}× the median and the median by at least ${what.show(what.floor)}). ${capitalise(cause)}.` +
      (failedBy.length > 0 ? ` The same subtask held up failed checkpoint${failedBy.length > 1 ? 's' : ''} ${failedBy.slice(0, 5).join(', ')}.` : ''),
    evidence: [top.ref, ...measures.filter((m) => m !== top).sort((a, b) => Math.abs(a.value - med) - Math.abs(b.value - med)).slice(0, 2).map((m) => m.ref)],
    actions: [kind === 'state' || kind === 'records-rate' || kind === 'records'
      ? 'Spread the hot keys (salting / two-phase aggregation), check the key distribution, or rebalance the source partitions.'
      : 'Compare that subtask\'s TaskManager, input and state with its siblings.'],
    missing: [],
    job,
    checkpointId: null,
    tm: null,
  };
}

function capitalise(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}
