import type { CheckpointFact, DiagnosisContext } from '../context.js';
import { fmtBytes, fmtDurationMs, fmtDurationUs, median, quantile } from '../format.js';
import { sustainedBackpressure } from '../signals.js';
import type { EvidenceRef, Finding, Rule, Severity } from '../types.js';

/** A timeout under this multiple of the p95 duration leaves no room for a hiccup. */
const TIMEOUT_HEADROOM = 3;
/** Checkpoints taking this share of the interval run nearly back to back. */
const BACK_TO_BACK = 0.5;
const LARGE_STATE = 1024 * 1024 * 1024;

export const configSmells: Rule = {
  id: 'config',
  title: 'Configuration smells from the logged configuration and the REST checkpoint config',
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const job of [...new Set(ctx.checkpoints().map((c) => c.job))]) {
      const all = ctx.checkpoints().filter((c) => c.job === job && c.type !== 'savepoint');
      const completed = all.filter((c) => c.outcome === 'completed' && c.durationMs !== null);
      const expired = all.filter((c) => c.outcome === 'expired');
      findings.push(
        ...timeoutVsDuration(ctx, job, completed, expired),
        ...intervalVsDuration(ctx, job, all, completed),
        ...concurrency(ctx, job, completed, expired),
        ...unalignedOff(ctx, job, all, expired),
        ...stateBackend(ctx, job, completed),
      );
    }
    return findings;
  },
};

function smell(job: string, rule: string, severity: Severity, title: string, explanation: string, evidence: Array<EvidenceRef | undefined>, action: string, missing: string[] = []): Finding {
  return {
    rule: `config.${rule}`, role: 'config', severity, confidence: severity === 'info' ? 0.5 : 0.7, fromUs: null, toUs: null, title, explanation,
    evidence: evidence.filter((e): e is EvidenceRef => e !== undefined), actions: [action], missing, job, checkpointId: null, tm: null,
  };
}

function timeoutVsDuration(ctx: DiagnosisContext, job: string, completed: CheckpointFact[], expired: CheckpointFact[]): Finding[] {
  if (completed.length < 5) return [];
  const timeout = ctx.checkpointTimeoutMs();
  const p95 = quantile(completed.map((c) => c.durationMs!), 0.95);
  const typical = median(completed.map((c) => c.durationMs!));
  if (timeout.value >= TIMEOUT_HEADROOM * p95) return [];
  return [smell(
    job, 'timeout-tight', expired.length > 0 ? 'warning' : 'info',
    `The checkpoint timeout (${fmtDurationMs(timeout.value)}) is less than ${TIMEOUT_HEADROOM}× the p95 checkpoint duration (${fmtDurationMs(p95)})`,
    `${ctx.describeSetting(timeout, fmtDurationMs)}; completed checkpoints take ${fmtDurationMs(typical)} (median), ${fmtDurationMs(p95)} (p95). ` +
      `With less than ${TIMEOUT_HEADROOM}× headroom a GC pause or a burst of backpressure expires checkpoints${expired.length > 0 ? ` — ${expired.length} did` : ''}.`,
    [timeout.ref, ...completed.slice(-2).map((c) => ctx.checkpointRef(c, `checkpoint ${c.id} took ${fmtDurationMs(c.durationMs!)}`))],
    'Raise execution.checkpointing.timeout to several times the slow-case duration, after removing what makes checkpoints slow.',
  )];
}

/** The interval as configured, else as observed between triggers. */
function intervalOf(ctx: DiagnosisContext, all: CheckpointFact[]): { ms: number; text: string; ref: EvidenceRef | undefined } | undefined {
  const configured = ctx.checkpointIntervalMs();
  if (configured.value !== null) return { ms: configured.value, text: ctx.describeSetting(configured, (v) => fmtDurationMs(v ?? 0)), ref: configured.ref };
  const triggers = all.map((c) => c.triggerUs).filter((t): t is number => t !== null);
  if (triggers.length < 4) return undefined;
  const gaps = triggers.slice(1).map((t, i) => (t - triggers[i]!) / 1000);
  const ms = median(gaps);
  return { ms, text: `interval ≈ ${fmtDurationMs(ms)} (median time between triggers; execution.checkpointing.interval not in the bundle)`, ref: undefined };
}

function intervalVsDuration(ctx: DiagnosisContext, job: string, all: CheckpointFact[], completed: CheckpointFact[]): Finding[] {
  if (completed.length < 5) return [];
  const interval = intervalOf(ctx, all);
  if (interval === undefined || interval.ms <= 0) return [];
  const typical = median(completed.map((c) => c.durationMs!));
  if (typical < BACK_TO_BACK * interval.ms) return [];
  const minPause = ctx.minPauseMs();
  return [smell(
    job, 'interval-vs-duration', typical >= 0.8 * interval.ms ? 'warning' : 'info',
    `Checkpoints take ${fmtDurationMs(typical)} (median) with a ${fmtDurationMs(interval.ms)} interval: the job is checkpointing most of the time`,
    `${interval.text}; ${ctx.describeSetting(minPause, fmtDurationMs)}. When a checkpoint takes ${Math.round((typical / interval.ms) * 100)} % of the interval, the next one starts right after it ends, ` +
      'so alignment and snapshot work never stops competing with processing.',
    [interval.ref, minPause.ref],
    'Set execution.checkpointing.min-pause (e.g. to the typical duration) or a longer interval; make checkpoints cheaper (incremental, unaligned).',
  )];
}

function concurrency(ctx: DiagnosisContext, job: string, completed: CheckpointFact[], expired: CheckpointFact[]): Finding[] {
  const minPause = ctx.minPauseMs();
  const maxConcurrent = ctx.maxConcurrent();
  if (!(maxConcurrent.value > 1 && minPause.value === 0)) return [];
  const slow = expired.length > 0 || completed.some((c) => c.durationMs! > 60_000);
  return [smell(
    job, 'concurrent-without-pause', slow ? 'warning' : 'info',
    `${maxConcurrent.value} concurrent checkpoints allowed with no minimum pause between them`,
    `${ctx.describeSetting(maxConcurrent, String)} and ${ctx.describeSetting(minPause, fmtDurationMs)}: when checkpoints slow down they overlap and pile up, each adding barriers and snapshot work.`,
    [maxConcurrent.ref, minPause.ref],
    'Use execution.checkpointing.max-concurrent-checkpoints: 1 with a min-pause, unless overlapping checkpoints are needed.',
  )];
}

function unalignedOff(ctx: DiagnosisContext, job: string, all: CheckpointFact[], expired: CheckpointFact[]): Finding[] {
  const unaligned = ctx.unalignedEnabled();
  if (unaligned.value || all.some((c) => c.type === 'unaligned')) return [];
  const periods = sustainedBackpressure(ctx).filter((p) => ctx.resolveJob(p.job) === job);
  if (periods.length === 0) return [];
  const longest = periods.reduce((a, b) => (b.toUs - b.fromUs > a.toUs - a.fromUs ? b : a));
  return [smell(
    job, 'unaligned-off-under-backpressure', expired.length > 0 ? 'warning' : 'info',
    `Unaligned checkpoints are off while ${longest.vertexName} is back-pressured for ${fmtDurationUs(longest.toUs - longest.fromUs)}`,
    `${ctx.describeSetting(unaligned, String)}. Aligned barriers travel with the data, so under sustained backpressure they wait behind every buffered record` +
      `${expired.length > 0 ? ` — ${expired.length} checkpoint${expired.length > 1 ? 's' : ''} expired` : ''}. Unaligned checkpoints let barriers overtake in-flight data.`,
    [unaligned.ref, { type: 'bp', id: longest.peakSampleId, ts: longest.fromUs, label: `${longest.vertexName} back-pressured ${longest.maxRatio.toFixed(2)}` }],
    'Set execution.checkpointing.unaligned: true (exactly-once) with execution.checkpointing.aligned-checkpoint-timeout, and/or buffer debloating (taskmanager.network.memory.buffer-debloat.enabled: true).',
  )];
}

function stateBackend(ctx: DiagnosisContext, job: string, completed: CheckpointFact[]): Finding[] {
  const sizes = completed.map((c) => c.stateSize).filter((s): s is number => s !== null);
  if (sizes.length === 0) return [];
  const largest = Math.max(...sizes);
  if (largest < LARGE_STATE) return [];
  const backend = ctx.stateBackend();
  const incremental = ctx.incrementalCheckpoints();
  const biggest = completed.find((c) => c.stateSize === largest)!;
  const ref = ctx.checkpointRef(biggest, `checkpoint ${biggest.id}: ${fmtBytes(largest)}`);
  const name = backend.value ?? '';
  if (/rocks/i.test(name)) {
    if (incremental.value) return [];
    return [smell(
      job, 'incremental-off', 'warning',
      `RocksDB with ${fmtBytes(largest)} of state but incremental checkpoints off: every checkpoint uploads the full state`,
      `${ctx.describeSetting(backend, (v) => v ?? '?')}, ${ctx.describeSetting(incremental, String)}. A full snapshot of ${fmtBytes(largest)} per checkpoint makes the asynchronous phase long and loads the checkpoint storage.`,
      [backend.ref, incremental.ref, ref],
      'Set state.backend.incremental: true (execution.checkpointing.incremental in Flink 2.x).',
    )];
  }
  if (backend.value === null) {
    return [smell(
      job, 'state-backend-unknown', 'info',
      `${fmtBytes(largest)} of state and the state backend is not in the bundle`,
      `Checkpoints hold up to ${fmtBytes(largest)}. If this is the default heap backend (HashMapStateBackend), that state lives on the JVM heap and is snapshotted in full each time: GC pressure and long checkpoints.`,
      [ref],
      'Check state.backend.type; for state this size RocksDB with incremental checkpoints is the usual choice.',
      ['The state backend is not logged: capture the JobManager log from start-up (configuration lines) or REST `…/checkpoints/config`.'],
    )];
  }
  return [smell(
    job, 'heap-state-large', 'warning',
    `${fmtBytes(largest)} of state on the heap state backend (${name})`,
    `${ctx.describeSetting(backend, (v) => v ?? '?')}: heap state of ${fmtBytes(largest)} is copied in full at every checkpoint and pressures the garbage collector.`,
    [backend.ref, ref],
    'Move large state to RocksDB (state.backend.type: rocksdb) with incremental checkpoints.',
  )];
}
