import { Prng } from './prng.js';
import type { Cluster, Subtask, TaskManager } from './model.js';

/**
 * The scenario as a timeline of facts (checkpoints with per-subtask timings, failovers, GC pauses, pressure),
 * computed up front and small. Every writer (JM/TM logs, GC logs, REST, metrics, expected.json) renders from
 * this one plan, which is what keeps the evidence files consistent with each other and with the ground truth.
 */
export type ScenarioName = 'healthy' | 'backpressure-expired' | 'declined-task-failure' | 'tm-lost';
export const SCENARIOS: readonly ScenarioName[] = ['healthy', 'backpressure-expired', 'declined-task-failure', 'tm-lost'];

export type CheckpointOutcome = 'COMPLETED' | 'EXPIRED' | 'DECLINED' | 'ABORTED';

export interface SubtaskCheckpoint {
  subtask: Subtask;
  /** First barrier (or the trigger RPC, for sources) reached the subtask. */
  firstBarrierMs: number;
  alignmentMs: number;
  syncMs: number;
  asyncStartDelayMs: number;
  asyncMs: number;
  /** Acknowledgement at the JM; null when the subtask never acknowledged before the checkpoint ended. */
  ackMs: number | null;
  /** Acknowledgement that arrived after expiry (logged as E3). */
  lateAckMs: number | null;
  stateSize: number;
}

export interface CheckpointPlan {
  id: number;
  triggerMs: number;
  outcome: CheckpointOutcome;
  /** Completion timestamp, expiry, decline or abort time. */
  endMs: number;
  finalizationMs: number;
  stateSize: number;
  failureReason: string | null;
  /** Deployment attempt number the tasks were running under. */
  attempt: number;
  subtasks: SubtaskCheckpoint[];
  /** CheckpointFailureManager's consecutive failure counter after this checkpoint. */
  consecutiveFailures: number;
}

export type GcKind = 'young' | 'mixed' | 'full';

export interface GcPause {
  startMs: number;
  durationMs: number;
  kind: GcKind;
  cause: string;
  heapBeforeMb: number;
  heapAfterMb: number;
  toSpaceExhausted: boolean;
}

export type FailoverKind = 'checkpoint-tolerance' | 'task-failure' | 'tm-lost';

export interface Failover {
  kind: FailoverKind;
  atMs: number;
  /** The task that failed first (task failure / lost TM); null for a global failure. */
  failed: Subtask | null;
  restartMs: number;
  runningMs: number;
  restoredCheckpointId: number | null;
  fromAttempt: number;
}

export interface Deployment {
  attempt: number;
  deployMs: number;
  runningMs: number;
}

export interface TmOutage {
  tm: TaskManager;
  pauseStartMs: number;
  pauseEndMs: number;
  heartbeatTimeoutMs: number;
  reRegisteredMs: number;
}

export interface NearMiss {
  gcPause: { tm: string; startMs: number; durationMs: number } | null;
  skew: { vertexId: string; subtask: number; factor: number } | null;
  lowBackpressure: { vertexId: string; ratioMin: number; ratioMax: number } | null;
}

export interface Plan {
  scenario: ScenarioName;
  cluster: Cluster;
  seed: number;
  debug: boolean;
  config: { intervalMs: number; timeoutMs: number; tolerableFailures: number; minPauseMs: number; heartbeatTimeoutMs: number; restartDelayMs: number };
  submitMs: number;
  endMs: number;
  deployments: Deployment[];
  checkpoints: CheckpointPlan[];
  failovers: Failover[];
  gcPauses: Map<number, GcPause[]>;
  /** TM log silences (stop-the-world pauses long enough that nothing is logged). */
  silences: Map<number, Array<[number, number]>>;
  gcHeavyTm: TaskManager | null;
  straggler: Subtask | null;
  outage: TmOutage | null;
  backpressureFromMs: number | null;
  nearMiss: NearMiss | null;
  /** 0 (none) … 1 (sink saturated) at a point in time. */
  pressureAt(ms: number): number;
}

export interface PlanOptions {
  scenario: ScenarioName;
  nearMiss: boolean;
  debug: boolean;
  seed: number;
}

const MINUTE = 60_000;

export function buildPlan(cluster: Cluster, options: PlanOptions): Plan {
  const rng = Prng.derive(options.seed, `plan:${cluster.profile.line}:${options.scenario}`);
  const config = { intervalMs: 30_000, timeoutMs: 120_000, tolerableFailures: 2, minPauseMs: 0, heartbeatTimeoutMs: 50_000, restartDelayMs: 10_000 };
  const submitMs = Math.max(...cluster.tms.map((tm) => tm.jvmStartMs)) + 9_000 + rng.int(0, 4000);
  const firstDeploy: Deployment = { attempt: 0, deployMs: submitMs + 900, runningMs: submitMs + 2400 + rng.int(0, 600) };
  const tmCount = cluster.tms.length;
  const gcHeavyTm = options.scenario === 'backpressure-expired' ? cluster.tms[Math.min(1, tmCount - 1)] : null;
  const sinkVertex = cluster.vertices[cluster.vertices.length - 1];
  const windowVertex = cluster.vertices[2];
  const subtasksOn = (tm: TaskManager): Subtask[] => cluster.subtasks.filter((s) => s.tm === tm);

  const plan: Plan = {
    scenario: options.scenario, cluster, seed: options.seed, debug: options.debug, config, submitMs, endMs: 0,
    deployments: [firstDeploy], checkpoints: [], failovers: [], gcPauses: new Map(), silences: new Map(),
    gcHeavyTm, straggler: null, outage: null, backpressureFromMs: null, nearMiss: null, pressureAt: () => 0,
  };
  for (const tm of cluster.tms) plan.silences.set(tm.index, []);

  let nextId = 1;
  let attempt = 0;
  let consecutive = 0;
  const simulate = (fromMs: number, untilMs: number, behaviour: (trigger: number, id: number) => CheckpointShape): number => {
    let trigger = fromMs;
    while (trigger < untilMs) {
      const shape = behaviour(trigger, nextId);
      const checkpoint = materialize(rng, plan, nextId, trigger, attempt, shape);
      consecutive = checkpoint.outcome === 'EXPIRED' || checkpoint.outcome === 'DECLINED' ? consecutive + 1 : checkpoint.outcome === 'COMPLETED' ? 0 : consecutive;
      checkpoint.consecutiveFailures = consecutive;
      plan.checkpoints.push(checkpoint);
      nextId += 1;
      if (shape.stopAfter === true) return checkpoint.endMs;
      trigger = Math.max(trigger + config.intervalMs, checkpoint.endMs + config.minPauseMs + rng.int(1, 40));
    }
    return trigger;
  };
  const healthy = (): CheckpointShape => ({ pressure: 0 });
  const firstTrigger = firstDeploy.runningMs + config.intervalMs - rng.int(0, 1500);
  const lastCompletedBefore = (ms: number): CheckpointPlan | null =>
    [...plan.checkpoints].reverse().find((c) => c.outcome === 'COMPLETED' && c.endMs <= ms) ?? null;
  const restart = (kind: FailoverKind, atMs: number, failed: Subtask | null, earliestRedeployMs: number): Deployment => {
    const restartMs = Math.max(atMs + config.restartDelayMs, earliestRedeployMs);
    const deployment: Deployment = { attempt: attempt + 1, deployMs: restartMs + 40, runningMs: restartMs + 1500 + rng.int(0, 800) };
    plan.failovers.push({
      kind, atMs, failed, restartMs, runningMs: deployment.runningMs,
      restoredCheckpointId: lastCompletedBefore(atMs)?.id ?? null, fromAttempt: attempt,
    });
    attempt += 1;
    consecutive = 0;
    plan.deployments.push(deployment);
    return deployment;
  };

  switch (options.scenario) {
    case 'healthy': {
      plan.endMs = firstDeploy.runningMs + 20 * MINUTE;
      simulate(firstTrigger, plan.endMs - 5_000, healthy);
      break;
    }
    case 'backpressure-expired': {
      const heavy = gcHeavyTm as TaskManager;
      const straggler = subtasksOn(heavy).find((s) => s.vertex === sinkVertex) as Subtask;
      plan.straggler = straggler;
      const slowFrom = firstDeploy.runningMs + 8 * MINUTE + rng.int(0, 20_000);
      plan.backpressureFromMs = slowFrom;
      const ramp = (ms: number): number => Math.max(0, Math.min(1, (ms - slowFrom) / (4 * MINUTE)));
      let failedAt = Number.POSITIVE_INFINITY;
      let restartedAt = Number.POSITIVE_INFINITY;
      plan.pressureAt = (ms) => (ms < slowFrom ? 0 : ms >= failedAt && ms < restartedAt ? 0 : ms >= restartedAt ? 0.85 : ramp(ms));
      // Pressure builds until a checkpoint would need longer than the timeout; from then the straggler never acks.
      const afterSlow = simulate(firstTrigger, slowFrom, healthy);
      let expiredCount = 0;
      const endOfFailure = simulate(afterSlow, Number.POSITIVE_INFINITY, (trigger) => {
        const pressure = ramp(trigger);
        if (pressure < 0.85) return { pressure, straggler, stragglerExtraMs: pressure * 20_000 };
        expiredCount += 1;
        return { pressure, straggler, expire: true, stopAfter: expiredCount > config.tolerableFailures, lateAck: expiredCount <= config.tolerableFailures };
      });
      failedAt = endOfFailure;
      const deployment = restart('checkpoint-tolerance', endOfFailure + 3, null, 0);
      restartedAt = deployment.runningMs;
      plan.endMs = deployment.runningMs + 3 * MINUTE + 20_000;
      simulate(deployment.runningMs + config.intervalMs, plan.endMs - 5_000, () => ({ pressure: 0.85, straggler, stragglerExtraMs: 25_000 }));
      plan.gcPauses.set(heavy.index, heavyGc(rng, plan, heavy, slowFrom));
      break;
    }
    case 'declined-task-failure': {
      const failing = cluster.subtasks.find((s) => s.vertex === windowVertex && s.tm === cluster.tms[Math.min(2, tmCount - 1)]) as Subtask;
      const failFrom = firstDeploy.runningMs + 8 * MINUTE;
      let failureMs = 0;
      const afterHealthy = simulate(firstTrigger, failFrom, healthy);
      simulate(afterHealthy, Number.POSITIVE_INFINITY, () => ({ pressure: 0, declinedBy: failing, stopAfter: true }));
      const declined = plan.checkpoints[plan.checkpoints.length - 1];
      failureMs = declined.endMs + rng.int(300, 900);
      plan.straggler = failing;
      const deployment = restart('task-failure', failureMs, failing, 0);
      plan.endMs = deployment.runningMs + 6 * MINUTE;
      simulate(deployment.runningMs + config.intervalMs, plan.endMs - 5_000, healthy);
      break;
    }
    case 'tm-lost': {
      const lost = cluster.tms[tmCount - 1];
      const pauseStart = firstDeploy.runningMs + 8 * MINUTE + rng.int(5_000, 20_000);
      const pauseEnd = pauseStart + 58_000 + rng.int(0, 4000);
      const heartbeatTimeout = pauseStart + config.heartbeatTimeoutMs - rng.int(2000, 8000);
      const outage: TmOutage = { tm: lost, pauseStartMs: pauseStart, pauseEndMs: pauseEnd, heartbeatTimeoutMs: heartbeatTimeout, reRegisteredMs: pauseEnd + 1200 };
      plan.outage = outage;
      plan.silences.get(lost.index)?.push([pauseStart, pauseEnd]);
      const afterHealthy = simulate(firstTrigger, pauseStart - 2000, healthy);
      const stuck = subtasksOn(lost).find((s) => s.vertex === sinkVertex) ?? subtasksOn(lost)[0];
      plan.straggler = stuck;
      // The checkpoint running into the pause cannot complete: it is aborted by the failover.
      simulate(afterHealthy, Number.POSITIVE_INFINITY, () => ({ pressure: 0, straggler: stuck, abortAtMs: heartbeatTimeout + 25, stopAfter: true, pausedTm: lost }));
      const failed = subtasksOn(lost)[0];
      const deployment = restart('tm-lost', heartbeatTimeout + 15, failed, outage.reRegisteredMs + 2500);
      plan.endMs = deployment.runningMs + 5 * MINUTE;
      simulate(deployment.runningMs + config.intervalMs, plan.endMs - 5_000, healthy);
      plan.gcPauses.set(lost.index, lostTmGc(rng, plan, lost, outage));
      break;
    }
  }

  for (const tm of cluster.tms) {
    if (!plan.gcPauses.has(tm.index)) plan.gcPauses.set(tm.index, backgroundGc(rng, tm.jvmStartMs, plan.endMs));
  }
  if (options.nearMiss) plan.nearMiss = applyNearMiss(rng, plan);
  for (const [tmIndex, pauses] of plan.gcPauses) {
    for (const pause of pauses) if (pause.durationMs >= 1500) plan.silences.get(tmIndex)?.push([pause.startMs, pause.startMs + pause.durationMs]);
  }
  return plan;
}

interface CheckpointShape {
  pressure: number;
  straggler?: Subtask;
  stragglerExtraMs?: number;
  expire?: boolean;
  lateAck?: boolean;
  stopAfter?: boolean;
  declinedBy?: Subtask;
  abortAtMs?: number;
  pausedTm?: TaskManager;
}

/** Per-subtask barrier and snapshot timings for one checkpoint, vertex by vertex along the pipeline. */
function materialize(rng: Prng, plan: Plan, id: number, triggerMs: number, attempt: number, shape: CheckpointShape): CheckpointPlan {
  const { cluster, config } = plan;
  const emitted = new Map<Subtask, number>();
  const subtasks: SubtaskCheckpoint[] = [];
  const growth = 1 + (triggerMs - plan.submitMs) / (60 * MINUTE);
  for (const vertex of cluster.vertices) {
    const upstream = vertex.index === 0 ? [] : cluster.subtasks.filter((s) => s.vertex.index === vertex.index - 1);
    // Under back-pressure the barrier queues behind in-flight data; the queue is longest in front of the slow sink.
    const queueMs = shape.pressure * (vertex.index === cluster.vertices.length - 1 ? 55_000 : 2_500 * vertex.index);
    for (const subtask of cluster.subtasks.filter((s) => s.vertex === vertex)) {
      let first: number;
      let last: number;
      if (upstream.length === 0) {
        first = triggerMs + rng.int(2, 14);
        last = first;
      } else {
        const arrivals = upstream.map((u) => (emitted.get(u) as number) + rng.int(1, 18) + queueMs * rng.float(0.7, 1.1));
        first = Math.min(...arrivals);
        last = Math.max(...arrivals);
      }
      if (shape.straggler === subtask && shape.stragglerExtraMs !== undefined) last += shape.stragglerExtraMs;
      const syncMs = vertex.state === 'keyed' ? rng.int(8, 45) : rng.int(0, 3);
      const asyncStartDelayMs = rng.int(0, 3);
      const asyncMs = vertex.state === 'keyed' ? rng.int(300, 1800) : vertex.state === 'operator' ? rng.int(8, 60) : rng.int(0, 4);
      emitted.set(subtask, last + syncMs);
      const stateSize = vertex.state === 'keyed' ? Math.round(rng.int(48, 56) * 1_048_576 * growth) : vertex.state === 'operator' ? rng.int(4000, 9000) : 0;
      const ackMs = Math.round(last + syncMs + asyncStartDelayMs + asyncMs + rng.int(1, 6));
      subtasks.push({
        subtask, firstBarrierMs: Math.round(first), alignmentMs: Math.round(last - first), syncMs, asyncStartDelayMs, asyncMs,
        ackMs, lateAckMs: null, stateSize,
      });
    }
  }
  const timeoutAt = triggerMs + config.timeoutMs;
  let outcome: CheckpointOutcome = 'COMPLETED';
  let endMs = Math.max(...subtasks.map((s) => s.ackMs as number)) + rng.int(1, 8);
  let failureReason: string | null = null;
  if (shape.expire === true) {
    outcome = 'EXPIRED';
    endMs = timeoutAt + rng.int(0, 6);
    failureReason = 'Checkpoint expired before completing.';
    for (const s of subtasks) {
      if (s.subtask === shape.straggler) {
        s.lateAckMs = shape.lateAck === true ? endMs + rng.int(4_000, 40_000) : null;
        s.ackMs = null;
      } else if ((s.ackMs as number) >= timeoutAt - 2000) {
        // Everyone but the straggler made it, if only just.
        s.ackMs = timeoutAt - rng.int(2_000, 15_000);
      }
    }
  } else if (shape.declinedBy !== undefined) {
    const decliner = subtasks.find((s) => s.subtask === shape.declinedBy) as SubtaskCheckpoint;
    outcome = 'DECLINED';
    endMs = decliner.firstBarrierMs + decliner.alignmentMs + decliner.syncMs + rng.int(150, 700);
    failureReason = plan.cluster.profile.minor >= 12 ? 'Asynchronous task checkpoint failed.' : 'Checkpoint was declined.';
    for (const s of subtasks) if (s === decliner || (s.ackMs as number) > endMs) s.ackMs = null;
  } else if (shape.abortAtMs !== undefined) {
    outcome = 'ABORTED';
    endMs = shape.abortAtMs;
    failureReason = 'FailoverRegion is restarting.';
    for (const s of subtasks) {
      if (s.subtask.tm === shape.pausedTm || s.subtask === shape.straggler || (s.ackMs as number) > endMs) s.ackMs = null;
    }
  }
  const stateSize = subtasks.reduce((sum, s) => sum + (s.ackMs === null ? 0 : s.stateSize), 0);
  return {
    id, triggerMs, outcome, endMs, finalizationMs: rng.int(2, 25), stateSize, failureReason, attempt, subtasks, consecutiveFailures: 0,
  };
}

const HEAP_MB = 4096;

/** Young collections every 5–25 s, the odd mixed one; pauses of tens of milliseconds. */
function backgroundGc(rng: Prng, fromMs: number, untilMs: number): GcPause[] {
  const pauses: GcPause[] = [];
  let t = fromMs + rng.int(3000, 9000);
  let old = 300;
  while (t < untilMs) {
    const mixed = old > 1800 && rng.chance(0.5);
    const durationMs = mixed ? rng.int(30, 120) : rng.int(6, 55);
    const before = old + rng.int(600, 1200);
    old = mixed ? Math.max(300, old - rng.int(400, 900)) : old + rng.int(2, 30);
    pauses.push({ startMs: t, durationMs, kind: mixed ? 'mixed' : 'young', cause: 'G1 Evacuation Pause', heapBeforeMb: before, heapAfterMb: old + rng.int(20, 60), toSpaceExhausted: false });
    t += durationMs + rng.int(5000, 25_000);
  }
  return pauses;
}

/** The GC-heavy TM of `backpressure-expired`: frequent long young pauses and a multi-second Full GC inside a barrier window. */
function heavyGc(rng: Prng, plan: Plan, tm: TaskManager, slowFromMs: number): GcPause[] {
  const calm = backgroundGc(rng, tm.jvmStartMs, slowFromMs);
  const expired = plan.checkpoints.filter((c) => c.outcome === 'EXPIRED');
  const fullGcs = expired.slice(0, 2).map((c, i) => ({
    startMs: c.triggerMs + rng.int(20_000, 45_000), durationMs: i === 0 ? rng.int(6500, 9500) : rng.int(3000, 5000),
  }));
  const heavy: GcPause[] = [];
  let t = slowFromMs + rng.int(1000, 4000);
  while (t < plan.endMs) {
    const full = fullGcs.find((f) => f.startMs <= t && t < f.startMs + f.durationMs + 3000);
    if (full !== undefined && !heavy.some((p) => p.startMs === full.startMs)) {
      heavy.push({ startMs: full.startMs, durationMs: full.durationMs, kind: 'full', cause: 'Allocation Failure', heapBeforeMb: HEAP_MB - rng.int(2, 10), heapAfterMb: rng.int(2900, 3300), toSpaceExhausted: false });
      t = full.startMs + full.durationMs + rng.int(800, 2000);
      continue;
    }
    const upcoming = fullGcs.find((f) => f.startMs > t && f.startMs - t < 4000);
    const durationMs = rng.int(150, 900);
    if (upcoming !== undefined && t + durationMs >= upcoming.startMs) {
      t = upcoming.startMs;
      continue;
    }
    const exhausted = rng.chance(0.15);
    heavy.push({
      startMs: t, durationMs: exhausted ? durationMs + rng.int(400, 1100) : durationMs, kind: rng.chance(0.3) ? 'mixed' : 'young',
      cause: rng.chance(0.2) ? 'G1 Humongous Allocation' : 'G1 Evacuation Pause', heapBeforeMb: rng.int(3500, 4000), heapAfterMb: rng.int(3000, 3450), toSpaceExhausted: exhausted,
    });
    t += durationMs + rng.int(900, 3800);
  }
  return [...calm, ...heavy];
}

/** The lost TM of `tm-lost`: growing pauses, then a Full GC longer than the heartbeat timeout. */
function lostTmGc(rng: Prng, plan: Plan, tm: TaskManager, outage: TmOutage): GcPause[] {
  const before = backgroundGc(rng, tm.jvmStartMs, outage.pauseStartMs - 60_000);
  let t = outage.pauseStartMs - 55_000;
  while (t < outage.pauseStartMs - 3000) {
    const durationMs = rng.int(300, 1200);
    before.push({ startMs: t, durationMs, kind: rng.chance(0.5) ? 'mixed' : 'young', cause: 'G1 Evacuation Pause', heapBeforeMb: rng.int(3800, 4050), heapAfterMb: rng.int(3600, 3900), toSpaceExhausted: rng.chance(0.3) });
    t += durationMs + rng.int(2000, 6000);
  }
  before.push({
    startMs: outage.pauseStartMs, durationMs: outage.pauseEndMs - outage.pauseStartMs, kind: 'full', cause: 'Allocation Failure',
    heapBeforeMb: HEAP_MB - 1, heapAfterMb: rng.int(3100, 3500), toSpaceExhausted: false,
  });
  return [...before, ...backgroundGc(rng, outage.pauseEndMs + 2000, plan.endMs)];
}

/** Diagnosis near-misses: evidence that looks suspicious but stays under every threshold. */
function applyNearMiss(rng: Prng, plan: Plan): NearMiss {
  const tm = plan.cluster.tms[Math.min(1, plan.cluster.tms.length - 1)];
  const pauses = plan.gcPauses.get(tm.index) as GcPause[];
  // A short pause between two completed checkpoints, well away from either barrier window.
  const completed = plan.checkpoints.filter((c) => c.outcome === 'COMPLETED');
  const gap = completed[Math.floor(completed.length / 2)];
  const next = plan.checkpoints.find((c) => c.id === gap.id + 1);
  const startMs = gap.endMs + Math.round(((next?.triggerMs ?? gap.endMs + 20_000) - gap.endMs) / 2);
  const durationMs = rng.int(1200, 1900);
  const kept = pauses.filter((p) => p.startMs + p.durationMs + 500 < startMs || p.startMs > startMs + durationMs + 500);
  kept.push({ startMs, durationMs, kind: 'young', cause: 'G1 Evacuation Pause', heapBeforeMb: 3900, heapAfterMb: 3100, toSpaceExhausted: true });
  kept.sort((a, b) => a.startMs - b.startMs);
  plan.gcPauses.set(tm.index, kept);
  return {
    gcPause: { tm: tm.host, startMs, durationMs },
    skew: { vertexId: plan.cluster.vertices[2].id, subtask: 2, factor: 1.3 },
    lowBackpressure: { vertexId: plan.cluster.vertices[1].id, ratioMin: 0.15, ratioMax: 0.35 },
  };
}
