import type { DiagnosisContext, EventFact, GcPause } from '../context.js';
import { captureGcLog } from '../capture.js';
import { fmtBytes, fmtDurationMs, fmtDurationUs, fmtPercent, linearFit, listText, plural } from '../format.js';
import { clampConfidence, dedupe, type EvidenceRef, type Finding, type Rule } from '../types.js';
import { appendTo } from '../group.js';

/** Tencent Cloud's "Full GC too long" event: more than 30 % of a 5-minute window paused. */
const SHARE_WINDOW_US = 300_000_000;
const SHARE_LIMIT = 0.3;
/** A pause this long inside a straggler's barrier window is worth naming. */
const BARRIER_PAUSE_US = 1_000_000;
/** A single pause this long inside the window of a checkpoint that failed is an error: seconds without barriers or acks. */
const BARRIER_PAUSE_ERROR_US = 5_000_000;
/** …as is the JVM stopped for this share of the window in all. */
const BARRIER_SHARE_ERROR = 0.1;
/** Full GCs shorter than this, and fewer than FULL_GC_COUNT of them, are not pressure. */
const FULL_GC_LONG_US = 1_000_000;
const FULL_GC_COUNT = 3;
/** Heap-after-GC rising: floor grows by this share of the heap over at least this long. */
const HEAP_RISE_SHARE = 0.2;
const HEAP_RISE_SPAN_US = 1_800_000_000;

export const gcPressure: Rule = {
  id: 'gc',
  title: 'GC pressure: pause share, long pauses, pauses inside barrier windows, full GCs, heap OOM, heap-after-GC rising',
  evaluate(ctx) {
    return [
      ...pauseShare(ctx),
      ...longerThanHeartbeat(ctx),
      ...insideBarrierWindows(ctx),
      ...fullGcs(ctx),
      ...heapOom(ctx),
      ...heapRising(ctx),
      ...gcTimeFromMetrics(ctx),
    ];
  },
};

function tmOfJvm(ctx: DiagnosisContext, jvm: string): string | null {
  return ctx.gcJvms().find((j) => j.jvm === jvm)?.tm ?? null;
}

function pauseShare(ctx: DiagnosisContext): Finding[] {
  // Two grids half a window apart approximate a sliding window.
  const windows = [...ctx.pauseShare(SHARE_WINDOW_US, 0), ...ctx.pauseShare(SHARE_WINDOW_US, SHARE_WINDOW_US / 2)];
  const worstByJvm = new Map<string, (typeof windows)[number] & { count: number }>();
  for (const w of windows) {
    if (w.pausedUs / SHARE_WINDOW_US <= SHARE_LIMIT) continue;
    const worst = worstByJvm.get(w.jvm);
    if (worst === undefined) worstByJvm.set(w.jvm, { ...w, count: 1 });
    else {
      worst.count++;
      if (w.pausedUs > worst.pausedUs) Object.assign(worst, w, { count: worst.count });
    }
  }
  return [...worstByJvm.values()].map((w) => {
    const tm = tmOfJvm(ctx, w.jvm);
    const share = w.pausedUs / SHARE_WINDOW_US;
    const longest = ctx.pausesOn(tm ?? w.jvm, w.windowStartUs, w.windowStartUs + SHARE_WINDOW_US).sort((a, b) => b.durationUs - a.durationUs);
    return {
      rule: 'gc.pause-share',
      role: 'cause',
      severity: 'error',
      confidence: clampConfidence(0.75 + Math.min(0.2, share - SHARE_LIMIT)),
      fromUs: w.windowStartUs,
      toUs: w.windowStartUs + SHARE_WINDOW_US,
      title: `${tm !== null ? ctx.tmLabel(tm) : w.jvm} spent ${fmtPercent(share)} of 5 minutes in GC pauses from ${ctx.time(w.windowStartUs)}`,
      explanation:
        `${plural(w.pauses, 'pause')} took ${fmtDurationUs(w.pausedUs)} of the 5 minutes from ${ctx.time(w.windowStartUs)} (threshold: more than ${fmtPercent(SHARE_LIMIT)} of any 5-minute window). ` +
        `The JVM did little else: task threads stall, barriers and heartbeats wait.` +
        (w.count > 1 ? ` ${w.count} overlapping windows were over the limit.` : '') +
        (longest[0] !== undefined ? ` Longest pause: ${fmtDurationUs(longest[0].durationUs)} ${longest[0].kind} at ${ctx.time(longest[0].startUs)}.` : ''),
      evidence: dedupe(longest.slice(0, 5).map((p) => ctx.gcRef(p))),
      actions: ['Give the TaskManager more heap (taskmanager.memory.task.heap.size) or move state off-heap (RocksDB); look for heap state growth (see heap-after-GC).'],
      missing: [],
      job: null,
      checkpointId: null,
      tm,
    } satisfies Finding;
  });
}

function heartbeatEvents(ctx: DiagnosisContext): EventFact[] {
  return ctx.events('tm.heartbeat-timeout', 'tm.unreachable', 'jm.heartbeat-timeout');
}

function longerThanHeartbeat(ctx: DiagnosisContext): Finding[] {
  const hb = ctx.heartbeatTimeoutMs();
  const pauses = ctx.longPauses(hb.value * 1000);
  return pauses.map((p) => {
    const followed = heartbeatEvents(ctx).find((e) => e.tm === p.tm && e.ts >= p.startUs && e.ts <= p.startUs + p.durationUs + hb.value * 1000);
    const evidence: EvidenceRef[] = [ctx.gcRef(p)];
    if (hb.ref !== undefined) evidence.push(hb.ref);
    if (followed !== undefined) evidence.push(ctx.eventRef(followed, `heartbeat of ${p.tm} timed out`));
    return {
      rule: 'gc.pause-over-heartbeat',
      role: 'cause',
      severity: 'error',
      confidence: followed !== undefined ? 0.9 : 0.75,
      fromUs: p.startUs,
      toUs: p.startUs + p.durationUs,
      title: `${ctx.tmLabel(p.tm)} paused ${fmtDurationUs(p.durationUs)} in a ${p.kind} GC at ${ctx.time(p.startUs)}, longer than the ${fmtDurationMs(hb.value)} heartbeat timeout`,
      explanation:
        `A stop-the-world pause of ${fmtDurationUs(p.durationUs)} (${p.name}${p.cause !== null ? `, cause: ${p.cause}` : ''}) exceeds ${ctx.describeSetting(hb, fmtDurationMs)}: ` +
        'no heartbeat can be answered while the JVM is stopped, so the JobManager declares the TaskManager lost and fails its tasks.' +
        (followed !== undefined ? ` It did: heartbeat timeout for ${ctx.tmLabel(p.tm)} at ${ctx.time(followed.ts)}.` : ''),
      evidence,
      actions: ['Fix the heap pressure behind the pause (heap size, state on heap, leaks); raising heartbeat.timeout only hides it.'],
      missing: [],
      job: null,
      checkpointId: null,
      tm: p.tm,
    } satisfies Finding;
  });
}

/** Pauses on a straggler's TaskManager between the checkpoint's trigger and its end. */
function insideBarrierWindows(ctx: DiagnosisContext): Finding[] {
  const findings: Finding[] = [];
  const timeout = ctx.checkpointTimeoutMs().value * 1000;
  for (const c of ctx.failedCheckpoints().slice(0, 50)) {
    if (c.triggerUs === null) continue;
    const from = c.triggerUs;
    const to = c.endUs ?? from + timeout;
    const stragglers = ctx.subtasks(c.job, c.id).filter((s) => s.declined || s.late || s.status === 'pending');
    const tms = [...new Set(stragglers.map((s) => s.tm).filter((t): t is string => t !== null))];
    for (const tm of tms) {
      const pauses = ctx.pausesOn(tm, from, to, BARRIER_PAUSE_US);
      if (pauses.length === 0) continue;
      const total = pauses.reduce((sum, p) => sum + Math.min(p.startUs + p.durationUs, to) - Math.max(p.startUs, from), 0);
      const share = total / Math.max(1, to - from);
      const longest = pauses.reduce((a, b) => (b.durationUs > a.durationUs ? b : a));
      const onTm = stragglers.filter((s) => s.tm === tm);
      findings.push({
        rule: 'gc.pause-in-barrier-window',
        role: 'cause',
        severity: share >= BARRIER_SHARE_ERROR || longest.durationUs >= BARRIER_PAUSE_ERROR_US ? 'error' : 'warning',
        confidence: clampConfidence(0.55 + Math.min(0.35, share * 2 + longest.durationUs / 100_000_000)),
        fromUs: from,
        toUs: to,
        title: `${ctx.tmLabel(tm)} was in a ${fmtDurationUs(longest.durationUs)} ${longest.kind} GC at ${ctx.time(longest.startUs)} while checkpoint ${c.id} waited for ${ctx.subtaskLabel(onTm[0]!)}`,
        explanation:
          `Checkpoint ${c.id} (${c.outcome}) was in flight from ${ctx.time(from)} to ${ctx.time(to)}. ${listText(onTm.map((s) => ctx.subtaskLabel(s)), 3)} on ${ctx.tmLabel(tm)} ` +
          `${onTm.every((s) => s.status === 'pending') ? 'never acknowledged' : onTm.some((s) => s.declined) ? 'declined' : 'acknowledged late'}; ` +
          `that JVM was stopped for ${fmtDurationUs(total)} (${fmtPercent(share)} of the window) in ${plural(pauses.length, 'pause')} of at least ${fmtDurationUs(BARRIER_PAUSE_US)}, the longest ${fmtDurationUs(longest.durationUs)} starting ${ctx.time(longest.startUs)}. ` +
          'While stopped, the subtask neither processes barriers nor snapshots.',
        evidence: dedupe([ctx.checkpointRef(c), ...onTm.slice(0, 3).map((s) => ctx.subtaskRef(s)), ...pauses.slice(0, 5).map((p) => ctx.gcRef(p))]),
        actions: ['Reduce heap pressure on that TaskManager (heap size, state on heap, large records); see the GC log around the pause.'],
        missing: [],
        job: c.job,
        checkpointId: c.id,
        tm,
      });
    }
  }
  return findings;
}

function fullGcs(ctx: DiagnosisContext): Finding[] {
  const byJvm = new Map<string, GcPause[]>();
  for (const p of ctx.fullPauses()) appendTo(byJvm, p.jvm, p);
  const findings: Finding[] = [];
  for (const [jvm, pauses] of byJvm) {
    const long = pauses.filter((p) => p.durationUs >= FULL_GC_LONG_US);
    if (long.length === 0 && pauses.length < FULL_GC_COUNT) continue;
    const total = pauses.reduce((s, p) => s + p.durationUs, 0);
    const tm = pauses[0]!.tm;
    const longest = pauses.reduce((a, b) => (b.durationUs > a.durationUs ? b : a));
    findings.push({
      rule: 'gc.full-gc',
      role: 'cause',
      severity: 'warning',
      confidence: clampConfidence(0.5 + Math.min(0.3, pauses.length * 0.05)),
      fromUs: pauses[0]!.startUs,
      toUs: pauses[pauses.length - 1]!.startUs + pauses[pauses.length - 1]!.durationUs,
      title: `${plural(pauses.length, 'full GC')} on ${tm !== null ? ctx.tmLabel(tm) : jvm} (${fmtDurationUs(total)} stopped, longest ${fmtDurationUs(longest.durationUs)})`,
      explanation:
        `Full collections ran at ${listText(pauses.slice(0, 5).map((p) => `${ctx.time(p.startUs)} (${fmtDurationUs(p.durationUs)}${p.cause !== null ? `, ${p.cause}` : ''})`), 5)}. ` +
        'A full GC means the collector could not keep up (heap nearly full, humongous allocations or promotion failure); the whole JVM stops for it.' +
        (longest.heapAfter !== null && longest.heapMax !== null ? ` After the longest one the heap still held ${fmtBytes(longest.heapAfter)} of ${fmtBytes(longest.heapMax)}.` : ''),
      evidence: pauses.slice(0, 6).map((p) => ctx.gcRef(p)),
      actions: ['Size the heap for the live data (taskmanager.memory.task.heap.size), or keep large state in RocksDB instead of the heap.'],
      missing: [],
      job: null,
      checkpointId: null,
      tm,
    });
  }
  return findings;
}

/** Heap OOM and `GC overhead limit exceeded` (other OOM kinds are infrastructure: see the failures rule). */
function heapOom(ctx: DiagnosisContext): Finding[] {
  const ooms = ctx.oomEvents().filter((e) => oomKind(ctx, e) === 'heap' || oomKind(ctx, e) === 'gc-overhead');
  const byTm = new Map<string, EventFact[]>();
  for (const e of ooms) appendTo(byTm, e.tm ?? '', e);
  return [...byTm].map(([tmKey, events]) => {
    const tm = tmKey === '' ? null : tmKey;
    const first = events[0]!;
    const overhead = events.some((e) => oomKind(ctx, e) === 'gc-overhead');
    const before = tm !== null ? ctx.pausesOn(tm, first.ts - SHARE_WINDOW_US, first.ts, 0) : [];
    const paused = before.reduce((s, p) => s + p.durationUs, 0);
    return {
      rule: 'gc.heap-oom',
      role: 'cause',
      severity: 'error',
      confidence: 0.9,
      fromUs: first.ts,
      toUs: events[events.length - 1]!.ts,
      title: `${overhead ? 'GC overhead limit exceeded' : 'Java heap space OutOfMemoryError'} on ${tm !== null ? ctx.tmLabel(tm) : 'the JobManager or an unidentified JVM'} at ${ctx.time(first.ts)}`,
      explanation:
        `${overhead ? 'The JVM spent over 98 % of its time in GC recovering under 2 % of the heap' : 'The heap was exhausted'} (${ctx.failureText(first) ?? first.kind}). ` +
        (before.length > 0 ? `In the 5 minutes before, the GC log shows ${plural(before.length, 'pause')} totalling ${fmtDurationUs(paused)}. ` : '') +
        'Typical causes: state on the heap (HashMapStateBackend) that outgrew it, large windows or buffers in user code, or a leak.',
      evidence: events.slice(0, 4).map((e) => ctx.eventRef(e, 'OutOfMemoryError')).concat(before.slice(-3).map((p) => ctx.gcRef(p))),
      actions: ['Raise taskmanager.memory.task.heap.size or move state to RocksDB (state.backend.type: rocksdb); take a heap dump on OOM (-XX:+HeapDumpOnOutOfMemoryError) to find what fills it.'],
      missing: tm !== null && !ctx.coverage().gcTms.has(tm) ? [`No GC log for ${ctx.tmLabel(tm)}. ${captureGcLog(tm)}`] : [],
      job: first.job,
      checkpointId: null,
      tm,
    } satisfies Finding;
  });
}

export type OomKind = 'heap' | 'gc-overhead' | 'direct' | 'metaspace' | 'oom-killed' | 'native-thread' | 'other';

/** The kind of an out-of-memory event, from the attributes the log parser extracted. */
export function oomKind(ctx: DiagnosisContext, e: EventFact): OomKind | undefined {
  const a = e.attrs;
  const explicit = typeof a.oomType === 'string' && a.oomType !== 'other' ? a.oomType : typeof a.oomKind === 'string' ? a.oomKind : undefined;
  const text = [explicit, ctx.failureText(e), a.oomText, a.diagnostics, a.terminationReason, a.exitCode === 137 ? 'exitCode=137' : undefined]
    .filter((x) => typeof x === 'string')
    .join(' ');
  if (/OOMKilled|exitCode=137|oom-?killed/i.test(text)) return 'oom-killed';
  if (/GC overhead limit|gc-overhead/i.test(text)) return 'gc-overhead';
  if (/Direct buffer memory|Cannot allocate direct memory|\bdirect\b/i.test(text)) return 'direct';
  if (/Metaspace/i.test(text)) return 'metaspace';
  if (/unable to create (?:new )?native thread|native-thread/i.test(text)) return 'native-thread';
  if (/Java heap space|\bheap\b/i.test(text)) return 'heap';
  if (e.kind === 'oom' || /OutOfMemoryError/.test(text)) return 'other';
  return undefined;
}

function heapRising(ctx: DiagnosisContext): Finding[] {
  const findings: Finding[] = [];
  for (const j of ctx.gcJvms()) {
    const points = ctx.heapFloor(j.jvm, SHARE_WINDOW_US);
    if (points.reduce((n, p) => n + p.pauses, 0) < 6 || points.length < 4) continue;
    const span = points[points.length - 1]!.ts - points[0]!.ts;
    if (span < HEAP_RISE_SPAN_US) continue;
    const fit = linearFit(points.map((p) => p.ts), points.map((p) => p.heapAfter));
    const heapMax = points.reduce((m, p) => Math.max(m, p.heapMax ?? 0), 0) || points.reduce((m, p) => Math.max(m, p.heapAfter), 0);
    const rise = fit.slope * span;
    if (fit.slope <= 0 || fit.r2 < 0.6 || rise < HEAP_RISE_SHARE * heapMax) continue;
    const first = points[0]!;
    const last = points[points.length - 1]!;
    const perHour = fit.slope * 3_600_000_000;
    const fullAt = fit.slope > 0 ? (heapMax - fit.intercept) / fit.slope : NaN;
    findings.push({
      rule: 'gc.heap-after-gc-rising',
      role: 'risk',
      severity: 'warning',
      confidence: clampConfidence(0.4 + fit.r2 * 0.4),
      fromUs: first.ts,
      toUs: last.ts,
      title: `Heap after GC on ${j.tm !== null ? ctx.tmLabel(j.tm) : j.jvm} rose from ${fmtBytes(first.heapAfter)} to ${fmtBytes(last.heapAfter)} of ${fmtBytes(heapMax)} in ${fmtDurationUs(span)}`,
      explanation:
        `The lowest heap occupancy after GC per 5 minutes grows by ${fmtBytes(perHour)}/h (linear fit, R² = ${fit.r2.toFixed(2)}; flagged when the rise exceeds ${fmtPercent(HEAP_RISE_SHARE)} of the heap over at least ${fmtDurationUs(HEAP_RISE_SPAN_US)}). ` +
        'Live data keeps growing: heap state (HashMapStateBackend) without TTL, a cache or a leak in user code.' +
        (Number.isFinite(fullAt) && fullAt > last.ts ? ` At this rate the heap is full around ${ctx.time(fullAt)}.` : ''),
      evidence: [first, points[points.length >> 1]!, last].map((p) => ({ type: 'gc' as const, id: p.id, ts: p.ts, label: `heap after GC ${fmtBytes(p.heapAfter)} at ${ctx.time(p.ts)}` })),
      actions: ['Set state TTL, move state to RocksDB, or take a heap histogram (jmap -histo:live) to find the growing objects.'],
      missing: [],
      job: null,
      checkpointId: null,
      tm: j.tm,
    });
  }
  return findings;
}

/** Without a GC log: GC time per TaskManager from the `Status.JVM.GarbageCollector.*.Time` counters. */
function gcTimeFromMetrics(ctx: DiagnosisContext): Finding[] {
  const samples = ctx.gcTimeMetrics();
  const byScope = new Map<string, typeof samples>();
  for (const s of samples) appendTo(byScope, s.scope, s);
  const worstByTm = new Map<string, { share: number; from: number; to: number; ids: number[]; tm: string | null }>();
  for (const series of byScope.values()) {
    for (let i = 1; i < series.length; i++) {
      const a = series[i - 1]!;
      const b = series[i]!;
      const wall = (b.ts - a.ts) / 1000;
      if (wall <= 0 || b.valueMs < a.valueMs) continue;
      const share = (b.valueMs - a.valueMs) / wall;
      const key = b.tm ?? b.host ?? b.scope;
      if (b.tm !== null && ctx.coverage().gcTms.has(b.tm)) continue; // the GC log says it better
      const worst = worstByTm.get(key);
      if (share > SHARE_LIMIT && (worst === undefined || share > worst.share)) worstByTm.set(key, { share, from: a.ts, to: b.ts, ids: [a.id, b.id], tm: b.tm });
    }
  }
  return [...worstByTm].map(([key, w]) => ({
    rule: 'gc.time-share-metric',
    role: 'cause',
    severity: 'warning',
    confidence: 0.55,
    fromUs: w.from,
    toUs: w.to,
    title: `${w.tm !== null ? ctx.tmLabel(w.tm) : key} spent ${fmtPercent(Math.min(1, w.share))} of ${fmtDurationUs(w.to - w.from)} in GC (JVM metrics)`,
    explanation: `The GarbageCollector Time counter grew by ${fmtDurationMs((w.to - w.from) / 1000 * w.share)} in ${fmtDurationUs(w.to - w.from)} from ${ctx.time(w.from)} (threshold ${fmtPercent(SHARE_LIMIT)}). Metrics do not tell single pauses apart; a GC log would.`,
    evidence: w.ids.map((id) => ({ type: 'metric' as const, id, label: 'Status.JVM.GarbageCollector Time' })),
    actions: ['Reduce heap pressure (heap size, state on heap).'],
    missing: [captureGcLog(w.tm)],
    job: null,
    checkpointId: null,
    tm: w.tm,
  }));
}
