import type { Attrs, BriefEvent, DiagnosisContext, EventFact } from '../context.js';
import { attrString } from '../context.js';
import { CAPTURE_TM_LOGS, captureGcLog } from '../capture.js';
import { fmtDurationMs, fmtDurationUs, listText, plural } from '../format.js';
import { clampConfidence, dedupe, type EvidenceRef, type Finding, type Rule } from '../types.js';
import { oomKind, type OomKind } from './gc-pressure.js';
import { appendTo } from '../group.js';

/** Events closer than this are one episode (a TaskManager lost is reported by JM, RM and TM lines). */
const EPISODE_US = 120_000_000;
/** Three restarts or more are a restart loop. */
const LOOP_RESTARTS = 3;
/** A GC pause this long (or half the heartbeat timeout) shortly before a lost TaskManager is a suspect. */
const SUSPECT_PAUSE_US = 10_000_000;

const FAILING_STATES = new Set(['FAILING', 'RESTARTING', 'FAILED']);

/** Connector packages and exception names that point at an external system rather than at Flink. */
const CONNECTOR = /kafka|kinesis|pulsar|jdbc|sqlexception|elasticsearch|opensearch|cassandra|hbase|redis|mongo|s3|hdfs|hadoop|filesystem|jms|rabbitmq|http/i;

export const failures: Rule = {
  id: 'failures',
  title: 'Failures and infrastructure: restarts and their first failure, lost TaskManagers, ZooKeeper/HA, RPC timeouts, OOM kinds, failing connectors',
  evaluate(ctx) {
    return [...restarts(ctx), ...lostTaskManagers(ctx), ...haLoss(ctx), ...rpcTimeouts(ctx), ...otherOoms(ctx)];
  },
};

function isFailure(e: EventFact): boolean {
  if (e.kind === 'task.state') return e.attrs.to === 'FAILED';
  if (e.kind === 'job.state') return typeof e.attrs.to === 'string' && FAILING_STATES.has(e.attrs.to);
  return true;
}

function taskLabel(ctx: DiagnosisContext, e: EventFact): string {
  if (e.vertexName === null) return 'a task';
  // Task-side lines carry no job id: with one job in the incident it is that job's task.
  const job = e.job ?? ctx.resolveJob(null);
  return e.subtask !== null
    ? ctx.subtaskLabel({ job: job ?? '', vertexId: e.vertexId ?? ctx.vertexKeyForName(job, e.vertexName), vertexName: e.vertexName, subtask: e.subtask })
    : e.vertexName;
}

/**
 * Failure texts that say a task failed because of something outside it (its TaskManager was lost or lost its
 * JobManager, the job failed over on too many failed checkpoints): the task's own role (source, sink) says
 * nothing about the cause then.
 */
const CONSEQUENTIAL_FAILURE =
  /Heartbeat of TaskManager|no longer reachable|TaskManager .* (?:lost|disconnected|released)|Disconnect from (?:JobManager|ResourceManager)|TaskExecutor is shutting down|Exceeded checkpoint tolerable failure threshold/i;
const CHECKPOINT_THRESHOLD = /Exceeded checkpoint tolerable failure threshold/i;
const TM_LOST_FAILURE = /Heartbeat of TaskManager|no longer reachable|TaskManager .* (?:lost|disconnected|released)/i;

function connectorHint(ctx: DiagnosisContext, e: EventFact): string | undefined {
  if (CONSEQUENTIAL_FAILURE.test(ctx.failureText(e) ?? '')) return undefined;
  const text = `${ctx.failureText(e) ?? ''} ${attrString(e.attrs, 'topFrame', 'frames') ?? ''}`;
  const isSourceOrSink = e.vertexName !== null && /(?:^|-> )(?:Source|Sink)\b/.test(e.vertexName);
  const external = CONNECTOR.exec(text);
  if (!isSourceOrSink && external === null) return undefined;
  const role = e.vertexName !== null && /(?:^|-> )Sink\b/.test(e.vertexName) ? 'sink' : e.vertexName !== null && /^Source\b/.test(e.vertexName) ? 'source' : 'connector';
  return `The failing task is a ${role}${external !== null ? ` and the stack names ${external[0]}` : ''}: the external system (its availability, credentials, quotas, timeouts) is the place to look.`;
}

function restarts(ctx: DiagnosisContext): Finding[] {
  const findings: Finding[] = [];
  const jobStates = ctx.events('job.state', 'job.terminal');
  const restartEvents = ctx.events('restart.region', 'restart.global', 'restart.job');
  const taskFailures = ctx.failedTasks();
  for (const { jobId } of ctx.jobs()) {
    const mine = (e: EventFact): boolean => e.job === null || e.job === jobId;
    const toRestarting = jobStates.filter((e) => mine(e) && e.attrs.to === 'RESTARTING');
    const regionRestarts = episodes(restartEvents.filter((e) => mine(e) && e.kind === 'restart.region'), 1_000_000);
    const restartCount = Math.max(toRestarting.length, episodes(restartEvents.filter(mine), 1_000_000).length, regionRestarts.length);
    const terminalFailed = jobStates.find((e) => mine(e) && (e.attrs.to === 'FAILED' || (e.kind === 'job.terminal' && /FAILED/.test(String(e.attrs.state ?? e.attrs.to ?? '')))));
    if (restartCount === 0 && terminalFailed === undefined) continue;
    const failuresOfJob = [...taskFailures.filter(mine), ...jobStates.filter((e) => mine(e) && isFailure(e)), ...restartEvents.filter(mine)].sort((a, b) => a.ts - b.ts);
    // Root cause: the earliest failure that says what failed — a task failure with its cause beats the job transition it triggered.
    const firstTs = failuresOfJob[0]?.ts;
    const firstEpisode = failuresOfJob.filter((e) => firstTs !== undefined && e.ts <= firstTs + 5_000_000);
    const first = firstEpisode.find((e) => e.kind === 'task.state' && ctx.failureText(e) !== undefined) ?? firstEpisode.find((e) => ctx.failureText(e) !== undefined) ?? firstEpisode[0];
    const lastRestart = [...toRestarting, ...restartEvents.filter(mine)].sort((a, b) => a.ts - b.ts).pop();
    const firstCause = first !== undefined ? ctx.failureText(first) ?? '' : '';
    // A failover whose first failure is itself explained elsewhere (failing checkpoints, a lost TaskManager) is not a root cause.
    const consequence = CHECKPOINT_THRESHOLD.test(firstCause) ? 'checkpoints' : TM_LOST_FAILURE.test(firstCause) ? 'tm-lost' : null;
    const evidence: EvidenceRef[] = [];
    const sentences: string[] = [];
    let title: string;
    const job = ctx.jobLabel(jobId);
    if (first !== undefined) {
      evidence.push(ctx.eventRef(first, 'first failure'));
      const cause = ctx.failureText(first);
      const where = first.kind === 'task.state' ? `${taskLabel(ctx, first)}${first.tm !== null ? ` on ${ctx.tmLabel(first.tm)}` : ''}` : job;
      const causeText = cause ?? 'no cause in the log line';
      title = restartCount >= LOOP_RESTARTS
        ? `Restart loop: ${job} restarted ${restartCount} times; the first failure was ${where} at ${ctx.time(first.ts)}: ${short(causeText)}`
        : consequence === 'checkpoints'
          ? `${job} failed over at ${ctx.time(first.ts)} because checkpoints kept failing: it exceeded the checkpoint tolerable failure threshold`
          : `${job} ${terminalFailed !== undefined && restartCount === 0 ? 'failed' : 'failed over'} at ${ctx.time(first.ts)} because ${where} failed: ${short(causeText)}`;
      sentences.push(`The first failure is ${where} at ${ctx.time(first.ts)}${cause !== undefined ? ` with ${cause}` : ''}.`);
      if (restartCount >= LOOP_RESTARTS) sentences.push(`${job} restarted ${restartCount} times until ${ctx.time(lastRestart?.ts ?? first.ts)}; failures after the first one are usually side effects of the loop (attempt #0 is the root cause), so start from the first.`);
      else if (restartCount > 0) sentences.push(`${job} restarted ${plural(restartCount, 'time')}.`);
      const hint = first.kind === 'task.state' ? connectorHint(ctx, first) : undefined;
      if (hint !== undefined) sentences.push(hint);
      if (consequence === 'checkpoints') sentences.push('The failover was triggered by failing checkpoints, not by a task: it is a consequence, and the cause is why the checkpoints failed (see the checkpoint, backpressure and GC findings).');
      if (consequence === 'tm-lost') sentences.push('The failure is a lost TaskManager, a consequence: see the TaskManager finding for why it was lost.');
      const later = failuresOfJob.filter((e) => e.ts > first.ts + 5_000_000 && e.kind === 'task.state').slice(0, 3);
      for (const e of later) evidence.push(ctx.eventRef(e, `later failure: ${taskLabel(ctx, e)}`));
    } else {
      title = `${job} restarted ${plural(restartCount, 'time')}; no failure cause is in the logs`;
    }
    for (const e of toRestarting.slice(0, 3)) evidence.push(ctx.eventRef(e, `${job} RUNNING → RESTARTING`));
    if (terminalFailed !== undefined) {
      sentences.push(`${job} ended FAILED at ${ctx.time(terminalFailed.ts)}.`);
      evidence.push(ctx.eventRef(terminalFailed, `${job} FAILED`));
    }
    findings.push({
      rule: consequence === 'checkpoints' ? 'failures.checkpoint-failover' : consequence === 'tm-lost' ? 'failures.tm-lost-failover' : restartCount >= LOOP_RESTARTS ? 'failures.restart-loop' : 'failures.job-failure',
      role: consequence !== null ? 'symptom' : 'cause',
      severity: 'error',
      confidence: clampConfidence(first !== undefined && ctx.failureText(first) !== undefined ? 0.85 : 0.5),
      fromUs: first?.ts ?? toRestarting[0]?.ts ?? null,
      toUs: lastRestart?.ts ?? terminalFailed?.ts ?? null,
      title,
      explanation: sentences.join(' '),
      evidence: dedupe(evidence),
      actions: ['Fix the first failure; later exceptions in a restart loop repeat or follow from it.'],
      missing: ctx.coverage().tmLogs === 0 ? [`No TaskManager logs: the task-side stack traces are missing. ${CAPTURE_TM_LOGS}`] : [],
      job: jobId,
      checkpointId: null,
      tm: first?.tm ?? null,
    });

    // Sources and sinks that failed later, not as the first failure.
    const connectorFailures = taskFailures.filter((e) => mine(e) && e !== first && connectorHint(ctx, e) !== undefined);
    const byVertex = new Map<string, EventFact[]>();
    for (const e of connectorFailures) appendTo(byVertex, e.vertexName ?? '', e);
    for (const [vertex, events] of byVertex) {
      if (first?.vertexName === vertex) continue;
      const e = events[0]!;
      findings.push({
        rule: 'failures.connector',
        role: 'cause',
        severity: 'warning',
        confidence: 0.6,
        fromUs: e.ts,
        toUs: events[events.length - 1]!.ts,
        title: `${vertex || 'A connector task'} failed ${plural(events.length, 'time')}, first at ${ctx.time(e.ts)}: ${short(ctx.failureText(e) ?? 'no cause logged')}`,
        explanation: `${taskLabel(ctx, e)} failed with ${ctx.failureText(e) ?? 'no logged cause'}. ${connectorHint(ctx, e)!}`,
        evidence: events.slice(0, 4).map((x) => ctx.eventRef(x, `${taskLabel(ctx, x)} FAILED`)),
        actions: ['Check the external system the connector talks to at that time.'],
        missing: [],
        job: jobId,
        checkpointId: null,
        tm: e.tm,
      });
    }
  }
  return findings;
}

function episodes(events: EventFact[], gapUs: number): EventFact[][] {
  const out: EventFact[][] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (last !== undefined && e.ts - last[last.length - 1]!.ts <= gapUs) last.push(e);
    else out.push([e]);
  }
  return out;
}

function lostTaskManagers(ctx: DiagnosisContext): Finding[] {
  const hb = ctx.heartbeatTimeoutMs();
  const events = lostEvents(ctx);
  const byTm = new Map<string, EventFact[]>();
  for (const e of events) appendTo(byTm, e.tm!, e);
  const findings: Finding[] = [];
  for (const [tm, list] of byTm) {
    for (const episode of episodes(list, EPISODE_US)) {
      if (episode.every((e) => e.kind === 'tm.disconnect')) continue;
      const first = episode[0]!;
      const evidence: EvidenceRef[] = episode.slice(0, 3).map((e) => ctx.eventRef(e, `${e.kind} ${tm}`));
      const sentences: string[] = [];
      let confidence = 0.8;
      const terminated = episode.find((e) => e.kind === 'tm.worker-terminated');
      const kinds = episode.map((e) => oomKind(ctx, e)).filter((k): k is OomKind => k !== undefined);
      const how = episode.some((e) => e.kind === 'tm.heartbeat-timeout') ? 'heartbeat timed out' : episode.some((e) => e.kind === 'tm.unreachable') ? 'became unreachable' : 'worker terminated';
      sentences.push(`The JobManager lost ${ctx.tmLabel(tm)} at ${ctx.time(first.ts)} (${how}${terminated !== undefined ? `; diagnostics: ${ctx.failureText(terminated) ?? 'none'}` : ''}).`);
      if (kinds.includes('oom-killed')) sentences.push('The container was OOMKilled (exit code 137): the process used more memory than the container limit — usually native memory (RocksDB, direct buffers, thread stacks), not the Java heap.');
      // Why: a long GC before the timeout, or a log that stops (process died / node lost).
      const lookFrom = first.ts - hb.value * 1000 - 60_000_000;
      const pauses = ctx.pausesOn(tm, lookFrom, first.ts).filter((p) => p.durationUs >= Math.min(SUSPECT_PAUSE_US, hb.value * 500));
      if (pauses.length > 0) {
        const longest = pauses.reduce((a, b) => (b.durationUs > a.durationUs ? b : a));
        sentences.push(
          `A ${fmtDurationUs(longest.durationUs)} ${longest.kind} GC pause on ${ctx.tmLabel(tm)} started ${ctx.time(longest.startUs)}, ${fmtDurationUs(first.ts - longest.startUs)} before${longest.durationUs >= hb.value * 1000 ? `; it is longer than the ${fmtDurationMs(hb.value)} heartbeat timeout` : ''}: the JVM could not answer heartbeats.`,
        );
        evidence.push(ctx.gcRef(longest));
        confidence += 0.1;
      } else if (!ctx.coverage().gcTms.has(tm)) {
        sentences.push(`No GC log for ${ctx.tmLabel(tm)}, so a long GC pause cannot be confirmed or ruled out.`);
      } else {
        sentences.push(`The GC log of ${ctx.tmLabel(tm)} shows no long pause before it: GC is not the reason.`);
      }
      const log = ctx.tmLogSource(tm);
      if (log !== undefined && log.toUs !== null && log.toUs < first.ts - 5_000_000) {
        sentences.push(`Its own log ends at ${ctx.time(log.toUs)}, ${fmtDurationUs(first.ts - log.toUs)} before: the process died or froze without logging (killed, OOM-killer, node or network loss).`);
        evidence.push({ type: 'line', sourceId: log.id, line: log.lines, ts: log.toUs, label: `last line of ${tm}'s log` });
      }
      const woke = ctx.events('jm.heartbeat-timeout').find((e) => e.tm === tm && e.ts >= first.ts - EPISODE_US && e.ts <= episode[episode.length - 1]!.ts + EPISODE_US);
      if (woke !== undefined) {
        sentences.push(`At ${ctx.time(woke.ts)} ${ctx.tmLabel(tm)} itself reported the JobManager's heartbeat as timed out: that is its own outage seen from inside, not a JobManager problem.`);
        evidence.push(ctx.eventRef(woke, `${tm} missed the JobManager heartbeat`));
      }
      const tasks = ctx.failedTasks().filter((e) => e.tm === tm && e.ts >= first.ts - 5_000_000 && e.ts <= first.ts + 30_000_000);
      if (tasks.length > 0) sentences.push(`${plural(tasks.length, 'task')} on it failed as a consequence (${listText(tasks.slice(0, 3).map((t) => taskLabel(ctx, t)), 3)}).`);
      findings.push({
        rule: 'failures.tm-lost',
        role: 'cause',
        severity: 'error',
        confidence: clampConfidence(confidence),
        fromUs: pauses[0]?.startUs ?? first.ts,
        toUs: episode[episode.length - 1]!.ts,
        title: `TaskManager ${ctx.tmLabel(tm)} was lost at ${ctx.time(first.ts)} (${kinds.includes('oom-killed') ? 'container OOMKilled' : how})${pauses.length > 0 ? ` after a ${fmtDurationUs(Math.max(...pauses.map((p) => p.durationUs)))} GC pause` : ''}`,
        explanation: sentences.join(' '),
        evidence: dedupe(evidence),
        actions: kinds.includes('oom-killed')
          ? ['Give the container headroom for native memory (taskmanager.memory.jvm-overhead.*, taskmanager.memory.managed.size for RocksDB) or raise the pod memory limit.']
          : ['Check the TaskManager host at that time (GC log, kernel OOM-killer, node events, network).'],
        missing: ctx.coverage().gcTms.has(tm) ? [] : [captureGcLog(tm)],
        job: first.job,
        checkpointId: null,
        tm,
      });
    }
  }
  return findings;
}

/**
 * A TaskManager that was stopped (a long GC pause) or lost itself reports the JobManager's heartbeat as timed out
 * when it wakes up: that says nothing about the JobManager.
 */
function ownOutage(ctx: DiagnosisContext, e: EventFact): boolean {
  if (e.kind !== 'jm.heartbeat-timeout' || e.tm === null) return false;
  const hbUs = ctx.heartbeatTimeoutMs().value * 1000;
  const paused = ctx.pausesOn(e.tm, e.ts - hbUs, e.ts, Math.min(SUSPECT_PAUSE_US, hbUs / 2)).length > 0;
  return paused || lostEvents(ctx).some((l) => l.tm === e.tm && Math.abs(l.ts - e.ts) <= EPISODE_US);
}

function lostEvents(ctx: DiagnosisContext): EventFact[] {
  return ctx
    .events('tm.heartbeat-timeout', 'tm.unreachable', 'tm.worker-terminated', 'tm.disconnect')
    .filter((e) => e.tm !== null && !(e.kind === 'tm.disconnect' && /shutting down|shut down|stopped|closed by/i.test(ctx.failureText(e) ?? '')));
}

function haLoss(ctx: DiagnosisContext): Finding[] {
  const events = ctx
    .events('ha.zk-suspended', 'ha.zk-lost', 'ha.zk-reconnected', 'ha.leadership-revoked', 'jm.leadership-lost', 'ha.connection-state', 'jm.heartbeat-timeout')
    .filter((e) => !ownOutage(ctx, e));
  const findings: Finding[] = [];
  for (const episode of episodes(events, EPISODE_US)) {
    const bad = episode.filter((e) => e.kind !== 'ha.zk-reconnected' && !(e.kind === 'ha.connection-state' && /^(?:RECONNECTED|CONNECTED|connected|connecting)$/.test(String(e.attrs.zkState ?? ''))));
    if (bad.length === 0) continue;
    const first = bad[0]!;
    const lost = bad.some((e) => e.kind === 'ha.zk-lost' || e.kind === 'ha.leadership-revoked' || e.kind === 'jm.leadership-lost' || /^(?:LOST|session-expired)$/.test(String(e.attrs.zkState ?? '')));
    const reconnected = episode.find((e) => e.kind === 'ha.zk-reconnected' && e.ts > first.ts);
    const onlyJmHeartbeat = bad.every((e) => e.kind === 'jm.heartbeat-timeout');
    findings.push({
      rule: onlyJmHeartbeat ? 'failures.jm-heartbeat' : 'failures.ha-loss',
      role: 'cause',
      severity: lost || onlyJmHeartbeat ? 'error' : 'warning',
      confidence: 0.75,
      fromUs: first.ts,
      toUs: (reconnected ?? episode[episode.length - 1]!).ts,
      title: onlyJmHeartbeat
        ? `TaskManagers lost the JobManager heartbeat at ${ctx.time(first.ts)} (${plural(bad.length, 'timeout')})`
        : `ZooKeeper / HA connection ${lost ? 'lost' : 'suspended'} at ${ctx.time(first.ts)}${reconnected !== undefined ? `, reconnected after ${fmtDurationUs(reconnected.ts - first.ts)}` : ''}`,
      explanation: onlyJmHeartbeat
        ? 'TaskManagers stopped hearing from the JobManager: a JobManager GC pause, an overloaded JobManager, or a network partition between them.'
        : `${lost ? 'Leadership was lost: the JobManager gives up its jobs and they restart once a leader is elected again' : 'While the ZooKeeper connection is suspended, leader election and retrieval stop; if it does not come back, leadership is lost'}. ` +
          'Typical causes: ZooKeeper overload or network trouble, or a long JobManager GC pause longer than the ZooKeeper session timeout (high-availability.zookeeper.client.session-timeout).',
      evidence: bad.slice(0, 4).map((e) => ctx.eventRef(e, e.kind)).concat(reconnected !== undefined ? [ctx.eventRef(reconnected, 'reconnected')] : []),
      actions: ['Check ZooKeeper health and the JobManager GC log at that time.'],
      missing: [],
      job: first.job,
      checkpointId: null,
      tm: null,
    });
  }
  return findings;
}

/**
 * REST handlers (the web UI, its metric fetcher) ask the Dispatcher in the JobManager's own actor system. Their
 * timeouts fail a REST request; running jobs do not depend on them.
 */
function isRestToDispatcher(e: { attrs: Attrs }): boolean {
  const recipient = attrString(e.attrs, 'recipient', 'invocation') ?? '';
  const local = !recipient.includes('@') || /LocalFencedMessage|LocalRpcInvocation/.test(attrString(e.attrs, 'messageType') ?? recipient);
  return local && /\/rpc\/dispatcher|DispatcherGateway/i.test(recipient);
}

/** A run of events with no gap over a limit, kept as counts and the ids of its first few events. */
interface Episode {
  firstTs: number;
  lastTs: number;
  count: number;
  tms: Set<string>;
  sampleIds: number[];
}

const EPISODE_SAMPLE = 4;

function addToEpisodes(episodes: Episode[], e: BriefEvent, gapUs: number): void {
  const last = episodes[episodes.length - 1];
  if (last === undefined || e.ts - last.lastTs > gapUs) {
    episodes.push({ firstTs: e.ts, lastTs: e.ts, count: 1, tms: new Set(e.tm === null ? [] : [e.tm]), sampleIds: [e.id] });
    return;
  }
  last.lastTs = e.ts;
  last.count++;
  if (e.tm !== null) last.tms.add(e.tm);
  if (last.sampleIds.length < EPISODE_SAMPLE) last.sampleIds.push(e.id);
}

function rpcTimeouts(ctx: DiagnosisContext): Finding[] {
  // Streamed in brief, not loaded: a stalled cluster logs these by the ten thousand, and only counts and a few
  // samples per episode are reported.
  const between: Episode[] = [];
  const rest: Episode[] = [];
  ctx.forEachBriefEvent('rpc.timeout', ['recipient', 'invocation', 'messageType'], (e) => {
    if (isRestToDispatcher(e)) addToEpisodes(rest, e, Infinity);
    else addToEpisodes(between, e, 600_000_000);
  });
  const findings = between.map((episode): Finding => {
    const samples = ctx.eventsById(episode.sampleIds);
    const first = samples[0]!;
    const tms = [...episode.tms];
    return {
      rule: 'failures.rpc-timeout',
      role: 'cause',
      severity: 'warning',
      confidence: 0.6,
      fromUs: episode.firstTs,
      toUs: episode.lastTs,
      title: `${plural(episode.count, 'RPC ask timeout')} from ${ctx.time(episode.firstTs)}${tms.length > 0 ? ` involving ${listText(tms.map((t) => ctx.tmLabel(t)), 3)}` : ''}`,
      explanation:
        `${ctx.failureText(first) ?? 'An RPC call timed out'}. An RPC (Akka/Pekko ask) times out when the recipient does not answer within akka.ask.timeout / pekko.ask.timeout: ` +
        'it was stopped (GC pause), overloaded, unreachable, or the message was too large to send.',
      evidence: samples.map((e) => ctx.eventRef(e, 'RPC timeout')),
      actions: ['Look at GC and load of the recipient at that time before raising the ask timeout.'],
      missing: [],
      job: first.job,
      checkpointId: null,
      tm: tms[0] ?? null,
    };
  });
  const requests = rest[0];
  if (requests !== undefined) {
    const samples = ctx.eventsById(requests.sampleIds);
    findings.push({
      rule: 'failures.rest-rpc-timeout',
      role: 'cause',
      severity: 'info',
      confidence: 0.5,
      fromUs: requests.firstTs,
      toUs: requests.lastTs,
      title: `${plural(requests.count, 'REST request')} to the Dispatcher timed out from ${ctx.time(requests.firstTs)} (web UI, metric fetcher)`,
      explanation:
        `The asks went to the JobManager's local Dispatcher (${attrString(samples[0]!.attrs, 'recipient', 'invocation') ?? 'dispatcher'}), as the REST handlers and the web UI's metric fetcher do. ` +
        'A timeout fails that REST request only; running jobs do not depend on it. Many of them at once point at a stalled JobManager (check its GC).',
      evidence: samples.map((e) => ctx.eventRef(e, 'REST ask timeout')),
      actions: [],
      missing: [],
      job: null,
      checkpointId: null,
      tm: null,
    });
  }
  return findings;
}

const OOM_WORDS: Record<Exclude<OomKind, 'heap' | 'gc-overhead'>, { title: string; why: string; action: string }> = {
  direct: {
    title: 'Direct buffer memory OutOfMemoryError',
    why: 'Direct (off-heap) memory ran out: network buffers, connectors using direct buffers, or native libraries.',
    action: 'Raise taskmanager.memory.task.off-heap.size / framework.off-heap.size, or find the library leaking direct buffers.',
  },
  metaspace: {
    title: 'Metaspace OutOfMemoryError',
    why: 'Class metadata ran out: usually classloader leaks from repeated job restarts in a session cluster, or many dynamically generated classes.',
    action: 'Raise taskmanager.memory.jvm-metaspace.size and look for classloader leaks across restarts.',
  },
  'oom-killed': {
    title: 'Container OOMKilled',
    why: 'The operating system killed the process for exceeding the container memory limit: native memory (RocksDB, direct buffers, thread stacks) beyond what Flink budgets.',
    action: 'Give native memory headroom (taskmanager.memory.jvm-overhead.*, state.backend.rocksdb.memory.managed: true) or raise the container limit.',
  },
  'native-thread': {
    title: 'Unable to create native thread',
    why: 'The process hit the thread or process limit of the host / container.',
    action: 'Check ulimit -u / pids limit and what creates threads.',
  },
  other: {
    title: 'OutOfMemoryError',
    why: 'Memory ran out; the kind is not in the log line.',
    action: 'Find the full stack trace in the TaskManager log.',
  },
};

function otherOoms(ctx: DiagnosisContext): Finding[] {
  // An OOMKilled container is reported with the lost TaskManager it caused (lostTaskManagers).
  const events = ctx.oomEvents();
  const groups = new Map<string, { kind: Exclude<OomKind, 'heap' | 'gc-overhead'>; events: EventFact[] }>();
  for (const e of events) {
    const kind = oomKind(ctx, e);
    if (kind === undefined || kind === 'heap' || kind === 'gc-overhead') continue;
    const key = `${kind}\u0000${e.tm ?? ''}`;
    const g = groups.get(key) ?? { kind, events: [] };
    g.events.push(e);
    groups.set(key, g);
  }
  return [...groups.values()].map(({ kind, events: list }) => {
    const first = list[0]!;
    const words = OOM_WORDS[kind];
    return {
      rule: `failures.oom-${kind}`,
      role: 'cause',
      severity: 'error',
      confidence: 0.85,
      fromUs: first.ts,
      toUs: list[list.length - 1]!.ts,
      title: `${words.title} on ${first.tm !== null ? ctx.tmLabel(first.tm) : 'a JVM'} at ${ctx.time(first.ts)}${list.length > 1 ? ` (${list.length}×)` : ''}`,
      explanation: `${ctx.failureText(first) ?? words.title}. ${words.why}`,
      evidence: list.slice(0, 4).map((e) => ctx.eventRef(e, words.title)),
      actions: [words.action],
      missing: [],
      job: first.job,
      checkpointId: null,
      tm: first.tm,
    } satisfies Finding;
  });
}

/**
 * The first line, at most ~140 characters. Exception messages put the telling part last (`While appending to
 * file: /very/long/path: No space left on device`), so a long line keeps its start and its end.
 */
function short(text: string): string {
  const firstLine = text.split('\n')[0]!;
  return firstLine.length > 140 ? `${firstLine.slice(0, 70)}…${firstLine.slice(-69)}` : firstLine;
}
