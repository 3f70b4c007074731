import type { DiagnosisContext } from '../context.js';
import { CAPTURE_METRICS, CAPTURE_PHASE_DEBUG } from '../capture.js';
import { fmtDurationMs, fmtDurationUs, listText, median } from '../format.js';
import { BP_HIGH, durationRise, sustainedBackpressure, type BackpressurePeriod } from '../signals.js';
import { clampConfidence, dedupe, type EvidenceRef, type Finding, type Rule } from '../types.js';
import { appendTo } from '../group.js';

/** A vertex is back-pressured in an episode when its worst subtask averages above this ratio. */
const BACKPRESSURED_MEAN = 0.5;
/** …and "not back-pressured" below this one. */
const FREE_MEAN = 0.2;
/** Busy at or above this is "busy" (the operator is the bottleneck). */
const BUSY = 0.5;
/** Logs-only inference: a barrier start delay this long at a vertex means its input queue was full. */
const START_DELAY_JUMP_MS = 5_000;

interface VertexStats {
  key: string;
  name: string;
  meanRatio: number | null;
  meanBusy: number | null;
  meanIdle: number | null;
  highShare: number;
  sampleId: number | null;
}

export const backpressureOrigin: Rule = {
  id: 'backpressure',
  title: 'Backpressure origin: the first busy, not back-pressured vertex downstream of back-pressured ones',
  evaluate(ctx) {
    if (ctx.coverage().bpSamples) return fromSamples(ctx);
    return fromStartDelays(ctx);
  },
};

function fromSamples(ctx: DiagnosisContext): Finding[] {
  const byJob = new Map<string | null, BackpressurePeriod[]>();
  for (const p of sustainedBackpressure(ctx)) {
    const job = ctx.resolveJob(p.job);
    appendTo(byJob, job, p);
  }
  const findings: Finding[] = [];
  for (const [job, periods] of byJob) {
    const fromUs = Math.min(...periods.map((p) => p.fromUs));
    const toUs = Math.max(...periods.map((p) => p.toUs));
    const stats = vertexStats(ctx, job, fromUs, toUs);
    const order = ctx.vertices(job).map((v) => v.key);
    for (const s of stats) if (!order.includes(s.key)) order.push(s.key);
    const statOf = new Map(stats.map((s) => [s.key, s]));
    const pressured = stats.filter((s) => (s.meanRatio ?? 0) > BACKPRESSURED_MEAN || s.highShare >= 0.5);
    if (pressured.length === 0) continue;
    const isFree = (key: string): boolean => {
      const s = statOf.get(key);
      return s !== undefined && s.meanRatio !== null && s.meanRatio <= FREE_MEAN;
    };

    // Downstream of the back-pressured vertices: along plan edges when REST gave them, else in pipeline order.
    const edges = ctx.planEdges(job);
    const pressuredKeys = new Set(pressured.map((s) => s.key));
    let candidates: string[];
    let byPlan = false;
    if (edges.length > 0) {
      byPlan = true;
      candidates = [...new Set(edges.filter((e) => pressuredKeys.has(e.from) && !pressuredKeys.has(e.to)).map((e) => e.to))].filter(isFree);
    } else {
      // Without a plan: the first free vertex after the first back-pressured one, in pipeline order.
      const firstPressured = Math.min(...pressured.map((s) => order.indexOf(s.key)));
      candidates = order.filter((k, i) => i > firstPressured && !pressuredKeys.has(k) && isFree(k)).slice(0, 1);
    }
    const ranked = candidates.map((k) => statOf.get(k)!).sort((a, b) => (b.meanBusy ?? -1) - (a.meanBusy ?? -1));
    const origin = ranked[0];

    const evidence: EvidenceRef[] = [];
    for (const p of periods.slice(0, 4)) {
      evidence.push({ type: 'bp', id: p.firstSampleId, ts: p.fromUs, label: `${p.vertexName} HIGH back-pressure starts (${ctx.time(p.fromUs)})` });
      evidence.push({ type: 'bp', id: p.peakSampleId, label: `${p.vertexName} back-pressured ${p.maxRatio.toFixed(2)} at peak` });
    }
    const sentences: string[] = [];
    const pressuredText = pressured.map((s) => `${s.name} ${fmtRatioLevel(s.meanRatio)}`);
    sentences.push(`Between ${ctx.time(fromUs)} and ${ctx.time(toUs)} (${fmtDurationUs(toUs - fromUs)}), ${listText(pressuredText)} ${pressured.length > 1 ? 'were' : 'was'} back-pressured (mean of the worst subtask's back-pressured time ratio; HIGH > ${BP_HIGH}).`);
    let confidence = 0.45;
    let title: string;
    if (origin !== undefined) {
      if (origin.sampleId !== null) evidence.push({ type: 'bp', id: origin.sampleId, label: `${origin.name} busy ${origin.meanBusy?.toFixed(2) ?? '?'}` });
      const busyKnown = origin.meanBusy !== null;
      const busy = (origin.meanBusy ?? 0) >= BUSY;
      confidence += busyKnown ? (busy ? 0.3 : 0.05) : 0.15;
      if (byPlan) confidence += 0.05;
      title = `Backpressure originates at ${origin.name}: it is ${busyKnown ? `busy ${fmtPct(origin.meanBusy!)}` : 'the first vertex'} but not back-pressured, while ${listText(pressured.map((s) => s.name), 3)} upstream ${pressured.length > 1 ? 'are' : 'is'} back-pressured`;
      sentences.push(
        `${origin.name} is the first ${busy ? 'busy, ' : ''}not back-pressured vertex downstream of them (${byPlan ? 'plan edges from the REST job dump' : 'pipeline order from vertex names — no REST plan in the bundle'}): back-pressured ${fmtPct(origin.meanRatio ?? 0)}, busy ${busyKnown ? fmtPct(origin.meanBusy!) : 'unknown'}, idle ${origin.meanIdle !== null ? fmtPct(origin.meanIdle) : 'unknown'}. ` +
          (busy ? 'It cannot keep up, so everything upstream waits for its buffers.' : busyKnown ? 'It is not busy either, so it is probably waiting on something outside Flink (an external system it calls or writes to).' : 'Busy time is not in the metrics (Flink < 1.13), so this rests on position alone.'),
      );
      const hot = hotSubtask(ctx, origin, fromUs, toUs);
      if (hot !== undefined) {
        sentences.push(hot.sentence);
        evidence.push(hot.ref);
      }
    } else {
      const last = pressured.reduce((a, b) => (order.indexOf(b.key) > order.indexOf(a.key) ? b : a));
      title = `${listText(pressured.map((s) => s.name), 3)} ${pressured.length > 1 ? 'were' : 'was'} back-pressured for ${fmtDurationUs(toUs - fromUs)}; the slow vertex downstream is not in the samples`;
      sentences.push(`No vertex downstream of ${last.name} is both present in the samples and free of backpressure, so the bottleneck is downstream of ${last.name} but not identified.`);
      confidence = 0.35;
    }

    const rise = job !== null ? durationRise(ctx, job) : undefined;
    if (rise !== undefined && rise.checkpoint.triggerUs !== null) {
      const riseAt = rise.checkpoint.triggerUs;
      // Backpressure builds up before it reads HIGH: its onset is where the run of non-OK samples leading into
      // the HIGH period starts, known to within one sampling interval (a sample describes the time before it).
      const first = periods.reduce((a, b) => (b.onsetUs < a.onsetUs ? b : a));
      const onsetUs = first.onsetUs;
      const tolerance = first.sampleIntervalUs;
      evidence.push(ctx.checkpointRef(rise.checkpoint, `checkpoint ${rise.checkpoint.id}: first slow checkpoint`));
      if (onsetUs < fromUs) evidence.push({ type: 'bp', id: first.onsetSampleId, ts: onsetUs, label: `${first.vertexName} back-pressure rising (${ctx.time(onsetUs)})` });
      const rose = `checkpoint ${rise.checkpoint.id} ${rise.checkpoint.outcome === 'expired' ? 'expired' : `took ${fmtDurationMs(rise.checkpoint.durationMs ?? 0)}`} against a ${fmtDurationMs(rise.baselineMs)} baseline`;
      const began = onsetUs < fromUs ? `began at ${ctx.time(onsetUs)} (HIGH from ${ctx.time(fromUs)})` : `began at ${ctx.time(onsetUs)}`;
      if (onsetUs <= riseAt + tolerance) {
        sentences.push(
          onsetUs <= riseAt
            ? `Backpressure ${began}, ${fmtDurationUs(riseAt - onsetUs)} before checkpoint durations rose (${rose}): it came first, as it does when barriers queue behind in-flight data.`
            : `Backpressure ${began}, within one ${fmtDurationUs(tolerance)} sampling interval of the first slow checkpoint (${rose}): it came first or together with it, as it does when barriers queue behind in-flight data.`,
        );
        confidence += 0.1;
      } else {
        sentences.push(`Checkpoint durations rose at ${ctx.time(riseAt)} (${rose}), before the backpressure ${began}: backpressure is not what slowed the first checkpoints down.`);
        confidence -= 0.15;
      }
    }
    const failedInside = ctx.failedCheckpoints().filter((c) => c.job === job && c.triggerUs !== null && c.triggerUs <= toUs && (c.endUs ?? c.triggerUs) >= fromUs);
    const expiredInside = failedInside.filter((c) => c.outcome === 'expired');
    if (expiredInside.length > 0) {
      sentences.push(`Checkpoint${expiredInside.length > 1 ? 's' : ''} ${listText(expiredInside.map((c) => String(c.id)), 6)} expired during it.`);
      for (const c of expiredInside.slice(0, 5)) evidence.push(ctx.checkpointRef(c));
      confidence += 0.05;
      if (origin !== undefined) title += `; checkpoint${expiredInside.length > 1 ? 's' : ''} ${listText(expiredInside.map((c) => String(c.id)), 3)} expired`;
    }
    const unaligned = ctx.unalignedEnabled();
    findings.push({
      rule: 'backpressure.origin',
      role: 'cause',
      severity: expiredInside.length > 0 ? 'error' : 'warning',
      confidence: clampConfidence(confidence),
      fromUs,
      toUs,
      title,
      explanation: sentences.join(' '),
      evidence: dedupe(evidence),
      actions: [
        origin !== undefined
          ? `Make ${origin.name} faster: raise its parallelism, fix hot keys, or look at a flame graph of its busy subtasks (rest.flamegraph.enabled: true).`
          : 'Capture busy/back-pressured time for every vertex to find the bottleneck.',
        ...(unaligned.value ? [] : ['Let barriers overtake buffered data so checkpoints complete under backpressure: execution.checkpointing.unaligned: true, and buffer debloating (taskmanager.network.memory.buffer-debloat.enabled: true).']),
      ],
      missing: byPlan ? [] : ['No job plan (REST `GET /jobs/<jobid>`): downstream order is inferred from vertex names.'],
      job,
      checkpointId: null,
      tm: null,
    });
  }
  return findings;
}

function vertexStats(ctx: DiagnosisContext, job: string | null, fromUs: number, toUs: number): VertexStats[] {
  const acc = new Map<string, { name: string; ratios: number[]; busy: number[]; idle: number[]; high: number; n: number; sampleId: number | null }>();
  for (const p of ctx.backpressure()) {
    if (ctx.resolveJob(p.job) !== job || p.ts < fromUs || p.ts > toUs) continue;
    const a = acc.get(p.vertexKey) ?? { name: p.vertexName, ratios: [], busy: [], idle: [], high: 0, n: 0, sampleId: null };
    a.n++;
    if (p.maxRatio !== null) {
      a.ratios.push(p.maxRatio);
      if (p.maxRatio > BP_HIGH) a.high++;
    }
    if (p.avgBusy !== null) a.busy.push(p.avgBusy);
    if (p.avgIdle !== null) a.idle.push(p.avgIdle);
    a.sampleId = p.sampleId;
    acc.set(p.vertexKey, a);
  }
  const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
  return [...acc].map(([key, a]) => ({
    key, name: a.name, meanRatio: mean(a.ratios), meanBusy: mean(a.busy), meanIdle: mean(a.idle), highShare: a.n === 0 ? 0 : a.high / a.n, sampleId: a.sampleId,
  }));
}

function hotSubtask(ctx: DiagnosisContext, v: VertexStats, fromUs: number, toUs: number): { sentence: string; ref: EvidenceRef } | undefined {
  const per = ctx.subtaskBusy(v.key, v.name, fromUs, toUs);
  if (per.length < 2) return undefined;
  const top = per.reduce((a, b) => (b.avgBusy > a.avgBusy ? b : a));
  const med = median(per.map((p) => p.avgBusy));
  if (top.avgBusy < 0.8 || med > 0.5 || top.avgBusy < 2 * med) return undefined;
  return {
    sentence: `Only subtask ${top.subtask + 1} of ${v.name} is busy (${fmtPct(top.avgBusy)} against a median of ${fmtPct(med)}): a hot key or skewed partitioning, not the operator as a whole.`,
    ref: { type: 'bp', id: top.sampleId, label: `${v.name} (${top.subtask + 1}) busy ${top.avgBusy.toFixed(2)}` },
  };
}

/**
 * Without backpressure metrics: barriers queue behind in-flight data, so along a back-pressured chain each
 * vertex's barrier start delay grows, and stops growing after the slow vertex. The most downstream vertex whose
 * start delay jumps above its upstream's is the likely bottleneck.
 */
function fromStartDelays(ctx: DiagnosisContext): Finding[] {
  const findings: Finding[] = [];
  const slow = ctx.checkpoints().filter((c) => c.outcome === 'expired' || (c.durationMs !== null && c.durationMs > 30_000));
  const byJob = new Map<string, typeof slow>();
  for (const c of slow) appendTo(byJob, c.job, c);
  for (const [job, checkpoints] of byJob) {
    const delays = new Map<string, { values: number[]; refs: EvidenceRef[] }>();
    for (const c of checkpoints.slice(-20)) {
      for (const s of ctx.subtasks(job, c.id)) {
        if (s.startDelayMs === null) continue;
        const d = delays.get(s.vertexId) ?? { values: [], refs: [] };
        d.values.push(s.startDelayMs);
        if (d.refs.length < 2) d.refs.push(ctx.subtaskRef(s, `${ctx.subtaskLabel(s)} start delay ${fmtDurationMs(s.startDelayMs)} in checkpoint ${c.id}`));
        delays.set(s.vertexId, d);
      }
    }
    if (delays.size < 2) continue;
    const order = ctx.vertices(job).map((v) => v.key).filter((k) => delays.has(k));
    if (order.length < 2) continue;
    const med = order.map((k) => median(delays.get(k)!.values));
    let origin = -1;
    for (let i = 1; i < order.length; i++) if (med[i]! - med[i - 1]! >= START_DELAY_JUMP_MS) origin = i;
    if (origin < 0) continue;
    const name = ctx.vertexName(job, order[origin]!);
    const upstream = order.slice(0, origin).map((k) => ctx.vertexName(job, k));
    findings.push({
      rule: 'backpressure.origin-from-barriers',
      role: 'cause',
      severity: checkpoints.some((c) => c.outcome === 'expired') ? 'error' : 'warning',
      confidence: 0.35,
      fromUs: checkpoints[0]!.triggerUs,
      toUs: checkpoints[checkpoints.length - 1]!.endUs,
      title: `Barriers reached ${name} ${fmtDurationMs(med[origin]!)} after the trigger (median over slow checkpoints): backpressure probably originates at ${name}`,
      explanation:
        `No backpressure metrics are in the bundle, so this is inferred from barrier start delays: ${order.map((k, i) => `${ctx.vertexName(job, k)} ${fmtDurationMs(med[i]!)}`).join(', ')}. ` +
        `The delay grows along ${listText(upstream, 3)} and jumps at ${name}, whose input queues were full: barriers waited behind in-flight data for ${name} to process it. ` +
        'Start delays grow like this under backpressure; a vertex that is slow for other reasons (skew, an external call) looks the same.',
      evidence: dedupe([...order.flatMap((k) => delays.get(k)!.refs), ...checkpoints.slice(0, 3).map((c) => ctx.checkpointRef(c))]),
      actions: [`Check ${name}: its parallelism, hot keys, external calls.`],
      missing: [`No backpressure / busy time metrics. ${CAPTURE_METRICS}`, ...(ctx.coverage().phaseDebugAnywhere ? [] : [CAPTURE_PHASE_DEBUG])],
      job,
      checkpointId: null,
      tm: null,
    });
  }
  return findings;
}

function fmtPct(x: number): string {
  return `${Math.round(x * 100)} %`;
}

function fmtRatioLevel(ratio: number | null): string {
  return ratio === null ? '(ratio unknown)' : `${ratio.toFixed(2)}${ratio > BP_HIGH ? ' HIGH' : ratio > 0.1 ? ' LOW' : ''}`;
}
