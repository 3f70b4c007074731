import type { CheckpointFact, DiagnosisContext } from '../context.js';
import { fmtBytes, fmtDurationMs, fmtDurationUs, fmtPercent, linearFit, listText, quantile } from '../format.js';
import { clampConfidence, type EvidenceRef, type Finding, type Rule } from '../types.js';

/** Checkpoints considered for a trend: the newest of a job. */
const TREND_WINDOW = 30;
const MIN_POINTS = 5;
/** Near the timeout: the slowest recent checkpoint took at least this share of it… */
const NEAR_TIMEOUT_SHARE = 0.5;
/** …or the fitted line reaches the timeout within this horizon after the last checkpoint. */
const PREDICTION_HORIZON_US = 2 * 3_600_000_000;
/** Steady growth: size grew by this share over the window with a good linear fit. */
const SIZE_GROWTH_SHARE = 0.5;

export const trends: Rule = {
  id: 'trend',
  title: 'Trends: checkpoint duration approaching the timeout, steadily growing checkpoint size, consecutive failures vs tolerance',
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const { jobId } of jobsWithCheckpoints(ctx)) {
      const all = ctx.checkpoints().filter((c) => c.job === jobId && c.type !== 'savepoint' && c.triggerUs !== null);
      const completed = all.filter((c) => c.outcome === 'completed' && c.durationMs !== null).slice(-TREND_WINDOW);
      findings.push(...durationTrend(ctx, jobId, completed), ...sizeTrend(ctx, jobId, completed), ...consecutiveFailures(ctx, jobId, all));
    }
    return findings;
  },
};

function jobsWithCheckpoints(ctx: DiagnosisContext): Array<{ jobId: string }> {
  return [...new Set(ctx.checkpoints().map((c) => c.job))].map((jobId) => ({ jobId }));
}

function durationTrend(ctx: DiagnosisContext, job: string, completed: CheckpointFact[]): Finding[] {
  if (completed.length < MIN_POINTS) return [];
  const timeout = ctx.checkpointTimeoutMs();
  const xs = completed.map((c) => c.triggerUs!);
  const ys = completed.map((c) => c.durationMs!);
  const fit = linearFit(xs, ys);
  const recent = ys.slice(-MIN_POINTS);
  const slowest = Math.max(...recent);
  const last = completed[completed.length - 1]!;
  const crossing = fit.slope > 0 ? (timeout.value - fit.intercept) / fit.slope : Infinity;
  const predicted = fit.slope > 0 && fit.r2 >= 0.5 && crossing > last.triggerUs! && crossing - last.triggerUs! <= PREDICTION_HORIZON_US;
  const near = slowest >= NEAR_TIMEOUT_SHARE * timeout.value;
  if (!near && !(predicted && quantile(recent, 0.9) >= 0.2 * timeout.value)) return [];
  const perHour = fit.slope * 3_600_000_000;
  const evidence: EvidenceRef[] = [
    ...completed.slice(-3).map((c) => ctx.checkpointRef(c, `checkpoint ${c.id} took ${fmtDurationMs(c.durationMs!)}`)),
    ...(timeout.ref !== undefined ? [timeout.ref] : []),
  ];
  return [{
    rule: 'trend.duration-near-timeout',
    role: 'risk',
    severity: 'warning',
    confidence: clampConfidence(near ? 0.6 + 0.3 * Math.min(1, slowest / timeout.value) : 0.4 + 0.3 * fit.r2),
    fromUs: completed[0]!.triggerUs,
    toUs: last.endUs ?? last.triggerUs,
    title: predicted
      ? `Checkpoint durations are rising ${fmtDurationMs(perHour)}/h and would reach the ${fmtDurationMs(timeout.value)} timeout around ${ctx.time(crossing)}`
      : `Checkpoints take up to ${fmtDurationMs(slowest)}, ${fmtPercent(slowest / timeout.value)} of the ${fmtDurationMs(timeout.value)} timeout`,
    explanation:
      `The last ${completed.length} completed checkpoints of ${ctx.jobLabel(job)} took ${fmtDurationMs(Math.min(...ys))}–${fmtDurationMs(Math.max(...ys))} (the last ${MIN_POINTS}: up to ${fmtDurationMs(slowest)}); ` +
      `checkpoint timeout: ${ctx.describeSetting(timeout, fmtDurationMs)}. ` +
      (fit.slope > 0
        ? `A linear fit of duration over time rises ${fmtDurationMs(perHour)} per hour (R² = ${fit.r2.toFixed(2)})${predicted ? `: at this rate a checkpoint expires around ${ctx.time(crossing)}, ${fmtDurationUs(crossing - last.triggerUs!)} after checkpoint ${last.id}` : ''}. `
        : '') +
      'Checkpoints this close to the timeout expire on the next hiccup (GC pause, backpressure burst, slow storage).',
    evidence,
    actions: ['Find what makes checkpoints slow before raising execution.checkpointing.timeout (see the backpressure, GC and phase findings).'],
    missing: timeout.source === 'default' ? ['The checkpoint timeout is not in the bundle (Flink default 10 min assumed): capture the JobManager log with its configuration or REST `…/checkpoints/config`.'] : [],
    job,
    checkpointId: last.id,
    tm: null,
  }];
}

function sizeTrend(ctx: DiagnosisContext, job: string, completed: CheckpointFact[]): Finding[] {
  const sized = completed.filter((c) => c.stateSize !== null && c.stateSize > 0);
  if (sized.length < MIN_POINTS + 1) return [];
  const xs = sized.map((c) => c.triggerUs!);
  const ys = sized.map((c) => c.stateSize!);
  const fit = linearFit(xs, ys);
  const first = sized[0]!;
  const last = sized[sized.length - 1]!;
  const steps = ys.slice(1).filter((y, i) => y >= ys[i]!).length / (ys.length - 1);
  const grown = fit.slope * (last.triggerUs! - first.triggerUs!);
  if (fit.slope <= 0 || fit.r2 < 0.8 || steps < 0.7 || grown < SIZE_GROWTH_SHARE * first.stateSize!) return [];
  const perHour = fit.slope * 3_600_000_000;
  const backend = ctx.stateBackend();
  const heapBackend = backend.value === null || /hashmap|heap|filesystem|memory|jobmanager/i.test(backend.value);
  return [{
    rule: 'trend.state-growing',
    role: 'risk',
    severity: 'warning',
    confidence: clampConfidence(0.45 + fit.r2 * 0.4),
    fromUs: first.triggerUs,
    toUs: last.endUs ?? last.triggerUs,
    title: `Checkpoint size grew steadily from ${fmtBytes(first.stateSize!)} to ${fmtBytes(last.stateSize!)} (${fmtBytes(perHour)}/h)`,
    explanation:
      `Over ${sized.length} completed checkpoints (${first.id}–${last.id}, ${fmtDurationUs(last.triggerUs! - first.triggerUs!)}) the state size grew in ${fmtPercent(steps)} of steps; linear fit ${fmtBytes(perHour)}/h, R² = ${fit.r2.toFixed(2)} ` +
      `(flagged when it grows by more than ${fmtPercent(SIZE_GROWTH_SHARE)} with R² ≥ 0.8). State that only grows is a state leak: no state TTL, keys that never expire, windows that never fire. ` +
      (heapBackend
        ? `With a heap state backend (${backend.value === null ? 'state backend not in the bundle; heap is the default' : backend.value}) this ends in long GCs and a heap OutOfMemoryError.`
        : `With ${backend.value} it ends in growing checkpoint and recovery times and disk use.`),
    evidence: [first, sized[sized.length >> 1]!, last].map((c) => ctx.checkpointRef(c, `checkpoint ${c.id}: ${fmtBytes(c.stateSize!)}`)).concat(backend.ref !== undefined ? [backend.ref] : []),
    actions: ['Configure state TTL (StateTtlConfig) or clean up state in the functions; check the key space for unbounded growth.'],
    missing: [],
    job,
    checkpointId: last.id,
    tm: null,
  }];
}

function consecutiveFailures(ctx: DiagnosisContext, job: string, all: CheckpointFact[]): Finding[] {
  const tolerable = ctx.tolerableFailures();
  // Only what CheckpointFailureManager counts: expiries, declines, task-side snapshot failures — not aborts caused by a failover.
  const countable = all.filter(
    (c) => c.outcome === 'completed' || c.outcome === 'expired' || c.outcome === 'declined' ||
      (c.outcome === 'failed' && !ctx.isPreFlight(c) && c.inferred !== 'job-state' && !/job has failed|Task has failed|FailoverRegion|subsumed/i.test(c.failureReason ?? '')),
  );
  let best: CheckpointFact[] = [];
  let run: CheckpointFact[] = [];
  for (const c of countable) {
    if (c.outcome === 'completed') run = [];
    else {
      run.push(c);
      if (run.length > best.length) best = [...run];
    }
  }
  if (best.length < 2 && !(best.length === 1 && tolerable.value === 0)) return [];
  const exceeded = best.length > tolerable.value;
  const failAt = exceeded ? best[tolerable.value]! : undefined;
  const restart = failAt !== undefined
    ? ctx.events('job.state', 'restart.global').find((e) => (e.job === null || e.job === job) && e.ts >= (failAt.endUs ?? failAt.triggerUs!) && e.ts <= (failAt.endUs ?? failAt.triggerUs!) + 60_000_000 && (e.kind === 'restart.global' || e.attrs.to === 'RESTARTING' || e.attrs.to === 'FAILING' || e.attrs.to === 'FAILED'))
    : undefined;
  if (!exceeded && best.length < Math.max(2, Math.ceil(tolerable.value / 2))) return [];
  const ids = best.map((c) => String(c.id));
  const evidence: EvidenceRef[] = best.slice(0, 6).map((c) => ctx.checkpointRef(c));
  if (tolerable.ref !== undefined) evidence.push(tolerable.ref);
  if (restart !== undefined) evidence.push(ctx.eventRef(restart, `job ${String(restart.attrs.to ?? 'restart')}`));
  // A limit exceeded without a logged failover means the job configured a higher tolerance than the bundle shows.
  const confirmed = exceeded && (restart !== undefined || tolerable.source !== 'default');
  const ran = best.length === 1 ? `Checkpoint ${ids[0]} failed` : `${best.length} consecutive checkpoints failed (${listText(ids, 4)})`;
  const failedOver = restart !== undefined ? `: the job failed over at ${ctx.time(restart.ts)}` : '';
  return [{
    rule: 'trend.consecutive-failures',
    role: 'risk',
    severity: confirmed ? 'error' : 'warning',
    confidence: confirmed ? 0.85 : 0.5,
    fromUs: best[0]!.triggerUs,
    toUs: best[best.length - 1]!.endUs ?? best[best.length - 1]!.triggerUs,
    title: exceeded
      ? `${ran}, more than the ${tolerable.value} tolerated${failedOver}`
      : `${ran}, close to the ${tolerable.value} tolerated`,
    explanation:
      `${ctx.describeSetting(tolerable, String)}. ` +
      (exceeded
        ? restart !== undefined
          ? `The failure of checkpoint ${failAt!.id} went over the limit, and Flink fails the job with "Exceeded checkpoint tolerable failure threshold"; ${ctx.jobLabel(job)} switched to ${String(restart.attrs.to ?? 'a restart')} at ${ctx.time(restart.ts)}. The restart is a consequence: the cause is why the checkpoints failed.`
          : `Checkpoint ${failAt!.id} went over that limit but no failover is logged after it${tolerable.source === 'default' ? ': the job probably sets a higher tolerance in code (CheckpointConfig#setTolerableCheckpointFailureNumber)' : ''}.`
        : `Another ${tolerable.value - best.length + 1} failure${tolerable.value - best.length + 1 > 1 ? 's' : ''} in a row fail${tolerable.value - best.length + 1 > 1 ? '' : 's'} the job.`),
    evidence,
    actions: ['Fix why checkpoints fail (see the checkpoint findings); raise execution.checkpointing.tolerable-failed-checkpoints only to ride out known transient failures.'],
    missing: tolerable.source === 'default' ? ['The tolerable-failed-checkpoints setting is not in the bundle (set in code or not logged): REST `…/checkpoints/config` shows it.'] : [],
    job,
    checkpointId: best[best.length - 1]!.id,
    tm: null,
  }];
}
