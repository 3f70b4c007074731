import type { CheckpointFact, DiagnosisContext, SubtaskFact } from '../context.js';
import { CAPTURE_PHASE_DEBUG, captureGcLog, captureRest } from '../capture.js';
import { fmtBytes, fmtDurationMs, fmtDurationUs, listText, plural } from '../format.js';
import { BP_HIGH, backpressurePeriods, dominantPhase, PHASE_WORDS, type Phase } from '../signals.js';
import { clampConfidence, dedupe, type EvidenceRef, type Finding, type Rule } from '../types.js';

/** Failed checkpoints explained one by one; beyond this many, the rest are summarised in one finding. */
const DETAILED_LIMIT = 20;
/** GC pauses shorter than this inside a barrier window do not explain a straggler. */
const RELEVANT_PAUSE_US = 1_000_000;

interface Straggler {
  fact: SubtaskFact | null;
  job: string;
  vertexId: string;
  vertexName: string | null;
  subtask: number;
  tm: string | null;
  host: string | null;
  how: 'declined' | 'never acknowledged' | 'acknowledged late' | 'acknowledged last';
  /** The phase that held it up, when known from REST / DEBUG, or inferred from the DEBUG lines it did write. */
  phase: { phase: Phase; ms: number | null; inferred: boolean } | undefined;
}

export const checkpointAnatomy: Rule = {
  id: 'checkpoint',
  title: 'Checkpoint anatomy: which subtasks held each failed checkpoint up, where, and in which phase',
  evaluate(ctx) {
    const failed = ctx.failedCheckpoints();
    const findings = failed.slice(0, DETAILED_LIMIT).map((c) => explain(ctx, c));
    if (failed.length > DETAILED_LIMIT) findings.push(rollUp(ctx, failed.slice(DETAILED_LIMIT)));
    return findings;
  },
};

function explain(ctx: DiagnosisContext, c: CheckpointFact): Finding {
  const timeout = ctx.checkpointTimeoutMs();
  const windowFrom = c.triggerUs ?? c.endUs ?? 0;
  const windowTo = c.endUs ?? (c.triggerUs !== null ? c.triggerUs + timeout.value * 1000 : windowFrom);
  const coverage = ctx.coverage();
  const evidence: EvidenceRef[] = [ctx.checkpointRef(c)];
  const lifecycle = ctx.eventsById(c.eventIds);
  const terminal = lifecycle.filter((e) => e.kind !== 'checkpoint.triggered' && e.kind !== 'checkpoint.stats');
  const trigger = lifecycle.find((e) => e.kind === 'checkpoint.triggered');
  if (trigger !== undefined) evidence.push(ctx.eventRef(trigger, `checkpoint ${c.id} triggered`));
  for (const e of terminal.slice(0, 3)) evidence.push(ctx.eventRef(e, `${e.kind.replace('checkpoint.', 'checkpoint ')} ${c.id}`));

  const stragglers = findStragglers(ctx, c);
  for (const s of stragglers.slice(0, 6)) {
    if (s.fact !== null) evidence.push(ctx.subtaskRef(s.fact));
    for (const e of ctx.eventsById(s.fact?.eventIds.slice(-2) ?? [])) evidence.push(ctx.eventRef(e, `${e.kind} for ${ctx.subtaskLabel(s)}`));
  }

  const sentences: string[] = [];
  const missing: string[] = [];
  const actions: string[] = [];
  let confidence = 0.4;

  const what = headline(ctx, c, timeout.value);
  if (stragglers.length > 0) {
    confidence += 0.2;
    const described = stragglers.slice(0, 4).map((s) => `${ctx.subtaskLabel(s)} on ${ctx.tmLabel(s.tm)} ${s.how}`);
    sentences.push(`${capitalise(listText(described))}${stragglers.length > 4 ? ` (${plural(stragglers.length, 'straggler')} in all)` : ''}.`);
    const tms = [...new Set(stragglers.map((s) => s.tm).filter((t): t is string => t !== null))];
    if (tms.length === 1 && stragglers.length > 1) sentences.push(`All stragglers ran on ${ctx.tmLabel(tms[0]!)}: look at that TaskManager first.`);
  } else if (c.outcome === 'expired') {
    sentences.push(
      c.subtasksTotal !== null && c.subtasksAcked !== null
        ? `${c.subtasksAcked} of ${c.subtasksTotal} subtasks acknowledged; which ones did not is not in the bundle.`
        : 'Which subtasks did not acknowledge is not in the bundle: no late-acknowledgement lines, no per-subtask acknowledgements (DEBUG) and no REST checkpoint details.',
    );
  }

  // The phase that held the stragglers up.
  const phased = stragglers.filter((s) => s.phase !== undefined);
  const phaseVotes = new Map<Phase, number>();
  for (const s of phased) phaseVotes.set(s.phase!.phase, (phaseVotes.get(s.phase!.phase) ?? 0) + 1);
  const phase = [...phaseVotes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (phase !== undefined) {
    const example = phased.find((s) => s.phase!.phase === phase)!;
    confidence += example.phase!.inferred ? 0.08 : 0.15;
    sentences.push(phaseSentence(ctx, phase, example, c));
  } else if (stragglers.length > 0 || c.outcome === 'expired') {
    const noDebug = stragglers.length > 0 ? stragglers.every((s) => s.tm === null || !coverage.phaseDebugTms.has(s.tm)) : !coverage.phaseDebugAnywhere;
    if (noDebug && !coverage.restSubtasks) {
      sentences.push('Which phase held it up (start delay, alignment, sync or async) is unknown: DEBUG logging for org.apache.flink.streaming.runtime.tasks was off and no REST checkpoint details were captured.');
      missing.push(`No phase split for checkpoint ${c.id}. ${CAPTURE_PHASE_DEBUG}`);
      missing.push(`No REST checkpoint statistics. ${captureRest(c.job)}`);
    } else if (noDebug && c.outcome === 'expired' && stragglers.length > 0) {
      // REST times only the subtasks that acknowledged in time; a straggler's phases are only in its DEBUG lines.
      const who = ctx.subtaskLabel(stragglers[0]!);
      sentences.push(
        `Which phase held ${who} up (start delay, alignment, sync or async) is unknown: it ${stragglers[0]!.how}, so the REST statistics have no timings for it, ` +
          `and ${ctx.tmLabel(stragglers[0]!.tm)} did not log DEBUG for org.apache.flink.streaming.runtime.tasks.`,
      );
      missing.push(`No phase split for ${who} in checkpoint ${c.id}. ${CAPTURE_PHASE_DEBUG}`);
    }
  }

  // What else happened on the stragglers' TaskManagers and upstream while the barriers were in flight.
  const strTms = [...new Set(stragglers.map((s) => s.tm).filter((t): t is string => t !== null))];
  for (const tm of strTms) {
    const pauses = ctx.pausesOn(tm, windowFrom, windowTo, RELEVANT_PAUSE_US);
    if (pauses.length > 0) {
      const longest = pauses.reduce((a, b) => (b.durationUs > a.durationUs ? b : a));
      const total = pauses.reduce((sum, p) => sum + p.durationUs, 0);
      sentences.push(
        `${ctx.tmLabel(tm)} was in a ${fmtDurationUs(longest.durationUs)} ${longest.kind} GC starting ${ctx.time(longest.startUs)}, inside the barrier window` +
          (pauses.length > 1 ? ` (${plural(pauses.length, 'pause')} ≥ 1 s, ${fmtDurationUs(total)} in all)` : '') + '.',
      );
      for (const p of pauses.slice(0, 3)) evidence.push(ctx.gcRef(p));
      confidence += 0.1;
    } else if (!coverage.gcTms.has(tm)) {
      missing.push(`No GC log for ${ctx.tmLabel(tm)}, so a long GC pause during checkpoint ${c.id} cannot be ruled out. ${captureGcLog(tm)}`);
    }
    const lost = ctx
      .events('tm.heartbeat-timeout', 'tm.unreachable', 'tm.worker-terminated', 'tm.disconnect')
      .find((e) => e.tm === tm && e.ts >= windowFrom && e.ts <= windowTo + 60_000_000);
    if (lost !== undefined) {
      sentences.push(`${ctx.tmLabel(tm)} was lost at ${ctx.time(lost.ts)} (${lost.kind.replace('tm.', '').replace('-', ' ')}).`);
      evidence.push(ctx.eventRef(lost, `${lost.kind} ${tm}`));
      confidence += 0.1;
    }
  }
  const upstream = upstreamBackpressure(ctx, c, stragglers, windowFrom, windowTo);
  if (upstream !== undefined) {
    sentences.push(upstream.sentence);
    evidence.push(...upstream.evidence);
    confidence += 0.1;
  }
  const failures = ctx
    .failedTasks()
    .filter((e) => e.ts >= windowFrom && e.ts <= windowTo && (e.job === null || e.job === c.job));
  if (failures.length > 0 && c.outcome !== 'expired') {
    const f = failures[0]!;
    const cause = ctx.failureText(f);
    sentences.push(
      `${f.vertexName !== null ? ctx.subtaskLabel({ job: c.job, vertexId: f.vertexId ?? `name:${f.vertexName}`, vertexName: f.vertexName, subtask: f.subtask ?? 0 }) : 'A task'} failed at ${ctx.time(f.ts)}${cause !== undefined ? ` with ${cause}` : ''}: the checkpoint was aborted by that failure, which is the thing to explain.`,
    );
    evidence.push(ctx.eventRef(f, 'task failure'));
  }
  if (c.failureReason !== null && c.outcome !== 'expired') sentences.push(`Failure reason: ${c.failureReason}`);

  if (c.outcome === 'expired') {
    actions.push(
      phase === 'async'
        ? 'Speed up the state upload: check checkpoint storage throughput and errors, enable incremental checkpoints (RocksDB), reduce state size (TTL).'
        : phase === 'sync'
          ? 'Find what blocks the task thread during the snapshot (GC, large heap state copy, RocksDB flush); look at a flame graph of the straggler.'
          : 'Remove the backpressure (scale out or fix the slow operator), or let barriers overtake in-flight data: execution.checkpointing.unaligned: true and buffer debloating (taskmanager.network.memory.buffer-debloat.enabled: true).',
    );
  }
  if (!coverage.restCheckpoints && !missing.some((m) => m.startsWith('No REST'))) missing.push(`No REST checkpoint statistics. ${captureRest(c.job)}`);

  return {
    rule: 'checkpoint.anatomy',
    role: 'symptom',
    severity: c.outcome === 'failed' && /job has failed|Task has failed|FailoverRegion|aborted/i.test(c.failureReason ?? '') ? 'warning' : c.inferred === 'job-state' ? 'info' : 'error',
    confidence: clampConfidence(confidence),
    fromUs: windowFrom,
    toUs: windowTo,
    title: `${what}${stragglers.length > 0 ? `: ${ctx.subtaskLabel(stragglers[0]!)} on ${ctx.tmLabel(stragglers[0]!.tm)} ${stragglers[0]!.how}` : ''}`,
    explanation: [`${what}.`, ...sentences].join(' '),
    evidence: dedupe(evidence),
    actions,
    missing,
    job: c.job,
    checkpointId: c.id,
    tm: stragglers[0]?.tm ?? null,
  };
}

function headline(ctx: DiagnosisContext, c: CheckpointFact, timeoutMs: number): string {
  const type = c.type === 'savepoint' ? 'Savepoint' : 'Checkpoint';
  switch (c.outcome) {
    case 'expired':
      return `${type} ${c.id} expired after ${fmtDurationMs(c.durationMs ?? timeoutMs)}`;
    case 'declined':
      return `${type} ${c.id} was declined${c.durationMs !== null ? ` after ${fmtDurationMs(c.durationMs)}` : ''}`;
    default:
      return c.inferred === 'job-state'
        ? `${type} ${c.id} was aborted when ${ctx.jobLabel(c.job)} left RUNNING`
        : `${type} ${c.id} failed${c.durationMs !== null ? ` after ${fmtDurationMs(c.durationMs)}` : ''}`;
  }
}

function findStragglers(ctx: DiagnosisContext, c: CheckpointFact): Straggler[] {
  const subs = ctx.subtasks(c.job, c.id);
  const coverage = ctx.coverage();
  const make = (s: SubtaskFact, how: Straggler['how']): Straggler => ({
    fact: s, job: s.job, vertexId: s.vertexId, vertexName: s.vertexName, subtask: s.subtask, tm: s.tm, host: s.host, how,
    phase: phaseOf(ctx, s, coverage.phaseDebugTms),
  });
  const out: Straggler[] = [
    ...subs.filter((s) => s.declined).map((s) => make(s, 'declined')),
    ...subs.filter((s) => !s.declined && s.status === 'pending').map((s) => make(s, 'never acknowledged')),
    ...subs.filter((s) => !s.declined && s.status !== 'pending' && s.late).sort((a, b) => (b.ackUs ?? 0) - (a.ackUs ?? 0)).map((s) => make(s, 'acknowledged late')),
  ];
  // With per-subtask acknowledgements (DEBUG) but no REST: the deployed subtasks that never acknowledged.
  // Only timely acknowledgements (DEBUG C6 lines) show who did acknowledge; late messages alone do not.
  const timelyAcks = subs.some((s) => s.status === 'acknowledged');
  if (c.outcome === 'expired' && !coverage.restSubtasks && timelyAcks && c.triggerUs !== null) {
    const seen = new Set(subs.map((s) => `${s.vertexId}\u0000${s.subtask}`));
    for (const d of ctx.deployedSubtasks(c.job, c.triggerUs)) {
      const known = subs.find((s) => s.vertexId === d.vertexId && s.subtask === d.subtask);
      if (known !== undefined && known.ackUs !== null) continue;
      if (seen.has(`${d.vertexId}\u0000${d.subtask}`) && known?.status !== 'unknown') continue;
      out.push({
        fact: known ?? null, job: c.job, vertexId: d.vertexId, vertexName: d.vertexName, subtask: d.subtask, tm: d.tm, host: d.host,
        how: 'never acknowledged', phase: known !== undefined ? phaseOf(ctx, known, coverage.phaseDebugTms) : d.tm !== null && coverage.phaseDebugTms.has(d.tm) ? { phase: 'start-delay', ms: null, inferred: true } : undefined,
      });
    }
  }
  if (out.length === 0) {
    // Nothing failed outright: the last acknowledgements are the ones that held the checkpoint up.
    const last = subs.filter((s) => s.ackUs !== null).sort((a, b) => b.ackUs! - a.ackUs!).slice(0, 2);
    out.push(...last.map((s) => make(s, 'acknowledged last')));
  }
  return out;
}

/**
 * Phase of one straggler: measured (REST, DEBUG S2/S5, TRACE C5) when present; otherwise, when its TaskManager
 * logs DEBUG, the last phase line it wrote says where it stopped (no barrier line at all = barrier never arrived).
 */
function phaseOf(ctx: DiagnosisContext, s: SubtaskFact, debugTms: Set<string>): Straggler['phase'] {
  const measured = dominantPhase(s);
  if (measured !== undefined && measured.ms > 0) return { phase: measured.phase, ms: measured.ms, inferred: false };
  if (s.tm === null || !debugTms.has(s.tm) || s.status === 'acknowledged') return undefined;
  const kinds = new Set(ctx.eventsById(s.eventIds).map((e) => e.kind));
  if (kinds.has('subtask.async-start') || kinds.has('subtask.sync-done')) return { phase: 'async', ms: null, inferred: true };
  if (kinds.has('subtask.checkpoint-start')) return { phase: 'sync', ms: null, inferred: true };
  if (kinds.has('barrier.received') || kinds.has('barrier.alignment-start')) return { phase: 'alignment', ms: null, inferred: true };
  return { phase: 'start-delay', ms: null, inferred: true };
}

function phaseSentence(ctx: DiagnosisContext, phase: Phase, s: Straggler, c: CheckpointFact): string {
  const who = ctx.subtaskLabel(s);
  const took = s.phase!.ms !== null ? ` took ${fmtDurationMs(s.phase!.ms)}` : '';
  const inferred = s.phase!.inferred;
  switch (phase) {
    case 'start-delay':
      return inferred
        ? `${who} logged no barrier for checkpoint ${c.id} although its TaskManager logs DEBUG: the barrier never reached it — barriers were held up behind in-flight data by backpressure or a slow upstream.`
        : `The dominant phase is ${PHASE_WORDS[phase]}: the first barrier reached ${who} only after${took.replace(' took', '')} — barriers were queued behind in-flight data (backpressure or a slow upstream).`;
    case 'alignment':
      return inferred
        ? `${who} received a barrier but never finished aligning: it waited for barriers from its other inputs, held up by backpressure or a slow upstream channel.`
        : `The dominant phase is ${PHASE_WORDS[phase]}${took}: ${who} waited for barriers from a slow input channel (backpressure or skew on that channel).`;
    case 'sync':
      return inferred
        ? `${who} started the snapshot but never finished its synchronous part: the task thread was blocked (GC, heap state copy, RocksDB flush, or a long-running user function).`
        : `The dominant phase is the ${PHASE_WORDS[phase]}${took}: the task thread was busy snapshotting (large heap state, RocksDB flush) or blocked (GC).`;
    case 'async':
      return inferred
        ? `${who} finished its synchronous snapshot but not the upload: the asynchronous part (state upload to checkpoint storage) did not complete${s.fact?.stateSize ? ` for ${fmtBytes(s.fact.stateSize)} of state` : ''}.`
        : `The dominant phase is the ${PHASE_WORDS[phase]}${took}${s.fact?.stateSize ? ` for ${fmtBytes(s.fact.stateSize)}` : ''}: checkpoint storage throughput or state size.`;
  }
}

function upstreamBackpressure(
  ctx: DiagnosisContext, c: CheckpointFact, stragglers: Straggler[], fromUs: number, toUs: number,
): { sentence: string; evidence: EvidenceRef[] } | undefined {
  const order = ctx.vertices(c.job).map((v) => v.key);
  const strIdx = Math.max(...stragglers.map((s) => order.indexOf(s.vertexId)), -1);
  const periods = backpressurePeriods(ctx).filter(
    (p) => ctx.resolveJob(p.job) === c.job && p.fromUs <= toUs && p.toUs >= fromUs - 300_000_000 && p.maxRatio > BP_HIGH,
  );
  const relevant = periods.filter((p) => strIdx < 0 || order.indexOf(p.vertexKey) < 0 || order.indexOf(p.vertexKey) <= strIdx);
  if (relevant.length === 0) return undefined;
  const first = relevant[0]!;
  const names = [...new Set(relevant.map((p) => p.vertexName))];
  return {
    sentence: `${strIdx >= 0 ? 'Upstream ' : ''}${listText(names, 3)} ${names.length > 1 ? 'were' : 'was'} HIGH back-pressured (up to ${first.maxRatio.toFixed(2)}) from ${ctx.time(first.fromUs)}.`,
    evidence: relevant.slice(0, 3).map((p) => ({ type: 'bp' as const, id: p.peakSampleId, ts: p.fromUs, label: `${p.vertexName} back-pressured ${p.maxRatio.toFixed(2)}` })),
  };
}

function rollUp(ctx: DiagnosisContext, rest: CheckpointFact[]): Finding {
  const from = rest[0]!.triggerUs ?? rest[0]!.endUs;
  const to = rest[rest.length - 1]!.endUs ?? rest[rest.length - 1]!.triggerUs;
  const byOutcome = new Map<string, number>();
  for (const c of rest) byOutcome.set(c.outcome, (byOutcome.get(c.outcome) ?? 0) + 1);
  return {
    rule: 'checkpoint.anatomy-more',
    role: 'symptom',
    severity: 'warning',
    confidence: 0.9,
    fromUs: from,
    toUs: to,
    title: `${rest.length} more checkpoints failed (${[...byOutcome].map(([o, n]) => `${n} ${o}`).join(', ')}), ${rest[0]!.id}–${rest[rest.length - 1]!.id}`,
    explanation: `Only the first ${DETAILED_LIMIT} failed checkpoints are explained one by one; checkpoints ${listText(rest.map((c) => String(c.id)), 12)} also failed. Open them in the checkpoint table for their stragglers.`,
    evidence: rest.slice(0, 20).map((c) => ctx.checkpointRef(c)),
    actions: [],
    missing: [],
    job: rest[0]!.job,
    checkpointId: null,
    tm: null,
  };
}

function capitalise(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}
