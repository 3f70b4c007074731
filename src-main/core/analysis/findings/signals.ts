import type { BpPoint, CheckpointFact, DiagnosisContext } from './context.js';
import { median } from './format.js';

/**
 * Derived signals several rules reason about (backpressure periods, when checkpoint durations started to rise,
 * the phase that held a straggler up). Pure functions over the context.
 */

/** REST thresholds (flink-formats §5): ratio > 0.5 is HIGH, ≤ 0.1 is OK. */
export const BP_HIGH = 0.5;
export const BP_OK = 0.1;
/** HIGH samples further apart than this (or with an OK/LOW sample between) belong to separate periods. */
const BP_RUN_GAP_US = 150_000_000;
/** A period this long (or spanning several reports) is "sustained". */
export const BP_SUSTAINED_US = 60_000_000;
/** How far from a period of gauge readings a measured ratio still says how strong that backpressure was. */
const GAUGE_CHECK_US = 300_000_000;

export interface BackpressurePeriod {
  job: string | null;
  vertexKey: string;
  vertexName: string;
  fromUs: number;
  toUs: number;
  points: number;
  maxRatio: number;
  firstSampleId: number;
  peakSampleId: number;
  origin: string;
  sustained: boolean;
  /** HIGH samples in the period that are measured ratios, not `isBackPressured` gauge readings. */
  measuredPoints: number;
  /**
   * When the backpressure began: the first of the unbroken run of samples above OK that led into the HIGH
   * period (pressure builds up; the HIGH threshold is crossed later), and that sample's id.
   */
  onsetUs: number;
  onsetSampleId: number;
  /** Time between this vertex's samples: a change is only known to within one interval. */
  sampleIntervalUs: number;
}

/** Periods per diagnosis run: several rules ask for them. */
const periodsByRun = new WeakMap<DiagnosisContext, readonly BackpressurePeriod[]>();

export function backpressurePeriods(ctx: DiagnosisContext): readonly BackpressurePeriod[] {
  let periods = periodsByRun.get(ctx);
  if (periods === undefined) periodsByRun.set(ctx, (periods = findBackpressurePeriods(ctx)));
  return periods;
}

function findBackpressurePeriods(ctx: DiagnosisContext): BackpressurePeriod[] {
  const byVertex = new Map<string, BpPoint[]>();
  for (const p of ctx.backpressure()) {
    const key = `${p.job ?? ''}\u0000${p.vertexKey}`;
    const list = byVertex.get(key) ?? [];
    list.push(p);
    byVertex.set(key, list);
  }
  const periods: BackpressurePeriod[] = [];
  for (const points of byVertex.values()) {
    let run: BackpressurePeriod | null = null;
    let leadIn: BpPoint | null = null;
    let previous: BpPoint | null = null;
    const interval = median(points.slice(1).map((p, i) => p.ts - points[i]!.ts)) || BP_RUN_GAP_US;
    const measured = measuredCounts(points);
    const close = (): void => {
      if (run === null) return;
      run.sustained = run.toUs - run.fromUs >= BP_SUSTAINED_US || (run.points >= 3 && run.origin !== 'rest');
      // A gauge reads 1 whenever an output buffer was unavailable at that instant, under LOW backpressure too:
      // a period seen only through gauges is HIGH unless a measured ratio around it says otherwise.
      const around = run.measuredPoints === 0 ? measured.between(run.fromUs - GAUGE_CHECK_US, run.toUs + GAUGE_CHECK_US) : undefined;
      const contradicted = around !== undefined && around.low > 0 && around.high === 0;
      if (!contradicted) periods.push(run);
      run = null;
    };
    for (const p of points) {
      if (p.maxRatio === null) continue;
      const gap = previous !== null && p.ts - previous.ts > BP_RUN_GAP_US;
      previous = p;
      if (p.maxRatio <= BP_OK || gap) leadIn = null;
      if (p.maxRatio > BP_OK && leadIn === null) leadIn = p;
      if (p.maxRatio > BP_HIGH) {
        if (run !== null && p.ts - run.toUs <= BP_RUN_GAP_US) {
          run.toUs = p.ts;
          run.points++;
          if (p.measured) run.measuredPoints++;
          if (p.maxRatio > run.maxRatio) {
            run.maxRatio = p.maxRatio;
            run.peakSampleId = p.sampleId;
          }
        } else {
          close();
          const onset = leadIn ?? p;
          run = {
            job: p.job, vertexKey: p.vertexKey, vertexName: p.vertexName, fromUs: p.ts, toUs: p.ts, points: 1, maxRatio: p.maxRatio,
            firstSampleId: p.sampleId, peakSampleId: p.sampleId, origin: p.origin, sustained: false, measuredPoints: p.measured ? 1 : 0,
            onsetUs: onset.ts, onsetSampleId: onset.sampleId, sampleIntervalUs: interval,
          };
        }
      } else {
        close();
      }
    }
    close();
  }
  return periods.sort((a, b) => a.fromUs - b.fromUs);
}

/**
 * Counts of measured points at or below BP_HIGH (`low`) and above it (`high`) in a time range, for points in time
 * order: prefix sums and two bisections, since a vertex of a long incident has thousands of points and runs.
 */
function measuredCounts(points: readonly BpPoint[]): { between(fromUs: number, toUs: number): { low: number; high: number } } {
  const lowBefore = new Int32Array(points.length + 1);
  const highBefore = new Int32Array(points.length + 1);
  points.forEach((p, i) => {
    const isMeasured = p.measured && p.maxRatio !== null;
    lowBefore[i + 1] = lowBefore[i]! + (isMeasured && p.maxRatio! <= BP_HIGH ? 1 : 0);
    highBefore[i + 1] = highBefore[i]! + (isMeasured && p.maxRatio! > BP_HIGH ? 1 : 0);
  });
  /** Index of the first point after `ts` (`inclusive`: at or after it). */
  const firstPast = (ts: number, inclusive: boolean): number => {
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (inclusive ? points[mid]!.ts < ts : points[mid]!.ts <= ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    between(fromUs, toUs) {
      const lo = firstPast(fromUs, true);
      const hi = Math.max(lo, firstPast(toUs, false));
      return { low: lowBefore[hi]! - lowBefore[lo]!, high: highBefore[hi]! - highBefore[lo]! };
    },
  };
}

export function sustainedBackpressure(ctx: DiagnosisContext): BackpressurePeriod[] {
  return backpressurePeriods(ctx).filter((p) => p.sustained);
}

/**
 * When checkpoint durations started to rise above their baseline (median of the first completed checkpoints):
 * the first checkpoint that took over twice the baseline and 10 s more, or that expired.
 */
export function durationRise(ctx: DiagnosisContext, job: string): { checkpoint: CheckpointFact; baselineMs: number } | undefined {
  const all = ctx.checkpoints().filter((c) => c.job === job && c.triggerUs !== null && c.type !== 'savepoint');
  const completed = all.filter((c) => c.outcome === 'completed' && c.durationMs !== null);
  if (completed.length < 3) {
    const firstExpired = all.find((c) => c.outcome === 'expired');
    return firstExpired !== undefined && completed.length > 0
      ? { checkpoint: firstExpired, baselineMs: median(completed.map((c) => c.durationMs!)) }
      : undefined;
  }
  const baseline = median(completed.slice(0, Math.max(3, Math.floor(completed.length / 3))).map((c) => c.durationMs!));
  const risen = all.find(
    (c) => c.outcome === 'expired' || (c.durationMs !== null && c.durationMs > 2 * baseline && c.durationMs > baseline + 10_000),
  );
  return risen === undefined ? undefined : { checkpoint: risen, baselineMs: baseline };
}

export type Phase = 'start-delay' | 'alignment' | 'sync' | 'async';

export const PHASE_WORDS: Record<Phase, string> = {
  'start-delay': 'start delay (waiting for the first barrier)',
  alignment: 'alignment (waiting for barriers from all inputs)',
  sync: 'synchronous snapshot on the task thread',
  async: 'asynchronous state upload',
};

/** The phase with the most time, when any phase is known. */
export function dominantPhase(s: { startDelayMs: number | null; alignmentMs: number | null; syncMs: number | null; asyncMs: number | null }): { phase: Phase; ms: number } | undefined {
  const phases: Array<[Phase, number | null]> = [
    ['start-delay', s.startDelayMs], ['alignment', s.alignmentMs], ['sync', s.syncMs], ['async', s.asyncMs],
  ];
  let best: { phase: Phase; ms: number } | undefined;
  for (const [phase, ms] of phases) if (ms !== null && (best === undefined || ms > best.ms)) best = { phase, ms };
  return best;
}
