import type { JavaThrowable, LogRecord } from './layout.js';
import { flink } from './layout.js';
import type { Cluster, Subtask, TaskManager } from './model.js';
import { assignAttemptId, tmTaskName } from './model.js';
import type { CheckpointPlan, Deployment, Failover, Plan } from './plan.js';
import { Prng } from './prng.js';
import type { Untimed , Templates} from './templates.js';
import { LOGGER, materializeFailure, rocksDbPath, rocksDbWriteFailure } from './templates.js';

/**
 * The scripted (non-noise) records of every Flink log file, in time order. Built in memory: even with DEBUG
 * phase lines this is a few tens of thousands of records; the bulk of a large bundle is streamed noise.
 */
export interface Scripts {
  jm: LogRecord[];
  tms: Map<number, LogRecord[]>;
  jobTransitions: JobTransition[];
}

export interface JobTransition {
  atMs: number;
  from: string;
  to: string;
}

export function buildScripts(plan: Plan, templates: Templates): Scripts {
  return new ScriptBuilder(plan, templates).build();
}

class ScriptBuilder {
  private readonly cluster: Cluster;
  private readonly rng: Prng;
  private readonly jm: LogRecord[] = [];
  private readonly tms = new Map<number, LogRecord[]>();
  private readonly jobTransitions: JobTransition[] = [];
  private readonly v: number;
  private readonly rpc: string;

  constructor(private readonly plan: Plan, private readonly t: Templates) {
    this.cluster = plan.cluster;
    this.rng = Prng.derive(plan.seed, `scripts:${plan.cluster.profile.line}:${plan.scenario}`);
    this.v = this.cluster.profile.minor;
    this.rpc = this.cluster.profile.rpcScheme;
    for (const tm of this.cluster.tms) this.tms.set(tm.index, []);
  }

  build(): Scripts {
    // Ids first: checkpoint lines of a later deployment are built before the failover that deploys it.
    for (const deployment of this.plan.deployments) {
      for (const subtask of this.cluster.subtasks) assignAttemptId(this.cluster, subtask, deployment.attempt, this.rng);
    }
    this.jmStartup();
    for (const tm of this.cluster.tms) this.tmStartup(tm);
    this.jobSubmission();
    this.deploy(this.plan.deployments[0], null);
    for (const checkpoint of this.plan.checkpoints) this.checkpoint(checkpoint);
    for (const failover of this.plan.failovers) this.failover(failover);
    const byTime = (a: LogRecord, b: LogRecord): number => a.t - b.t;
    this.jm.sort(byTime);
    for (const records of this.tms.values()) records.sort(byTime);
    return { jm: this.jm, tms: this.tms, jobTransitions: this.jobTransitions.sort((a, b) => a.atMs - b.atMs) };
  }

  private atJm(t: number, record: Untimed): void {
    this.jm.push({ ...record, t: Math.round(t) });
  }

  /** TM records never fall inside a stop-the-world silence: the JVM logs them once it resumes. */
  private atTm(tm: TaskManager, t: number, record: Untimed): void {
    let at = Math.round(t);
    for (const [from, to] of this.plan.silences.get(tm.index) ?? []) if (at >= from && at < to) at = to + 1 + (at - from) % 7;
    this.tms.get(tm.index)?.push({ ...record, t: at });
  }

  private jobState(t: number, from: string, to: string): void {
    this.atJm(t, this.t.jobState(from, to));
    this.jobTransitions.push({ atMs: Math.round(t), from, to });
  }

  private info(logger: string, message: string): Untimed {
    return { level: 'INFO', logger, message };
  }

  // ---- start-up ---------------------------------------------------------------------------------------------

  private banner(component: string, logger: string, heapMiB: number, options: string[]): Untimed[] {
    const p = this.cluster.profile;
    const version = p.minor <= 10
      ? `Version: ${p.full}, Rev:${p.revision}, Date:${p.buildDate}`
      : `Version: ${p.full}, Scala: ${p.scala}, Rev:${p.revision}, Date:${p.buildDate}`;
    const dashes = '-'.repeat(80);
    const lines = [
      dashes,
      ` Starting ${component} (${version})`,
      ' OS current user: flink',
      ' Current Hadoop/Kerberos user: <no hadoop dependency found>',
      ` JVM: ${p.jvmBanner}`,
      ...(p.minor >= 15 ? [' Arch: amd64'] : []),
      ` Maximum heap size: ${heapMiB} MiBytes`,
      ` JAVA_HOME: ${p.javaHome}`,
      ' No Hadoop Dependency available',
      ' JVM Options:',
      ...options.map((o) => `    ${o}`),
      ' Program Arguments:',
      '    --configDir',
      '    /opt/flink/conf',
      ` Classpath: /opt/flink/lib/flink-csv-${p.full}.jar:/opt/flink/lib/flink-json-${p.full}.jar:/opt/flink/lib/${p.distJar ?? `flink-dist_${p.scala}-${p.full}.jar`}:::`,
      dashes,
    ];
    return lines.map((line) => this.info(logger, line));
  }

  private configLines(): Untimed[] {
    const v = this.v;
    const entries: Array<[string, string]> = [
      ['jobmanager.rpc.address', this.cluster.jmHost],
      ['jobmanager.rpc.port', '6123'],
      ['jobmanager.memory.process.size', '1600m'],
      ['taskmanager.memory.process.size', '6144m'],
      ['taskmanager.numberOfTaskSlots', String(this.cluster.tms[0].slots)],
      ['parallelism.default', '4'],
      [v >= 17 ? 'state.backend.type' : 'state.backend', 'rocksdb'],
      ['state.backend.incremental', 'true'],
      ['state.backend.local-recovery', 'true'],
      ['state.checkpoints.dir', `s3://flink-checkpoints/${this.cluster.jobName}`],
      ['execution.checkpointing.interval', '30s'],
      ['execution.checkpointing.timeout', '2min'],
      ['execution.checkpointing.tolerable-failed-checkpoints', String(this.plan.config.tolerableFailures)],
      ['execution.checkpointing.max-concurrent-checkpoints', '1'],
      ...(v >= 11 ? [[v >= 20 ? 'execution.checkpointing.unaligned.enabled' : 'execution.checkpointing.unaligned', 'false'] as [string, string]] : []),
      ['heartbeat.timeout', String(this.plan.config.heartbeatTimeoutMs)],
      [v >= 20 ? 'restart-strategy.type' : 'restart-strategy', 'fixed-delay'],
      ['restart-strategy.fixed-delay.attempts', '2147483647'],
      ['restart-strategy.fixed-delay.delay', '10 s'],
      [v >= 17 ? 'metrics.reporter.prom.factory.class' : 'metrics.reporter.prom.class',
        v >= 17 ? 'org.apache.flink.metrics.prometheus.PrometheusReporterFactory' : 'org.apache.flink.metrics.prometheus.PrometheusReporter'],
      ['metrics.reporter.prom.port', '9249'],
    ];
    return entries.map(([k, value]) => this.info(LOGGER.configuration, `Loading configuration property: ${k}, ${value}`));
  }

  private gcOption(file: string): string {
    return this.cluster.profile.jdkMajor === 8
      ? `-Xloggc:/opt/flink/log/${file} -XX:+PrintGCDetails -XX:+PrintGCDateStamps`
      : `-Xlog:gc*:file=/opt/flink/log/${file}:time,uptime,level,tags`;
  }

  private rpcPath(name: string, index: number): string {
    return this.v <= 10 ? `/user/${name}` : `/user/rpc/${name}_${index}`;
  }

  private jmStartup(): void {
    const c = this.cluster;
    let t = c.jmStartMs;
    const options = ['-Xmx1073741824', '-Xms1073741824', '-XX:MaxMetaspaceSize=268435456', `-Dlog.file=/opt/flink/log/${c.jmLogFile.split('/').pop() ?? ''}`,
      '-Dlog4j.configuration=file:/opt/flink/conf/log4j-console.properties', '-Dlog4j.configurationFile=file:/opt/flink/conf/log4j-console.properties',
      '-Dlogback.configurationFile=file:/opt/flink/conf/logback-console.xml'];
    for (const line of this.banner('StandaloneSessionClusterEntrypoint', LOGGER.entrypoint, 1024, options)) this.atJm(t, line);
    t += 8;
    for (const line of this.configLines()) this.atJm((t += 1), line);
    this.atJm((t += 30), this.info(LOGGER.entrypoint, 'Starting StandaloneSessionClusterEntrypoint.'));
    this.atJm((t += 12), this.info(LOGGER.entrypoint, 'Install default filesystem.'));
    this.atJm((t += 320), this.info('org.apache.flink.runtime.rpc.akka.AkkaRpcServiceUtils', `Trying to start actor system, external address ${c.jmHost}:6123, bind address 0.0.0.0:6123.`));
    this.atJm((t += 900), this.info('org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint', `Rest endpoint listening at ${c.jmHost}:8081`));
    this.atJm((t += 60), this.info(LOGGER.resourceManager,
      `ResourceManager ${this.rpc}://flink@${c.jmHost}:6123${this.rpcPath('resourcemanager', 0)} was granted leadership with fencing token ${c.resourceManagerId}`));
    for (const tm of c.tms) {
      this.atJm(tm.jvmStartMs + 2600 + this.rng.int(0, 300), this.info(LOGGER.resourceManager,
        `Registering TaskManager with ResourceID ${tm.resourceId} (${this.rpc}://flink@${tm.ip}:6122${this.rpcPath('taskmanager', 0)}) at ResourceManager`));
    }
  }

  private tmStartup(tm: TaskManager): void {
    const c = this.cluster;
    let t = tm.jvmStartMs + 180;
    const options = ['-XX:+UseG1GC', '-Xmx4294967296', '-Xms4294967296', '-XX:MaxDirectMemorySize=493921243', '-XX:MaxMetaspaceSize=268435456',
      ...this.gcOption(tm.gcLogFile.split('/').pop() ?? '').split(' '),
      `-Dlog.file=/opt/flink/log/${tm.logFile.split('/').pop() ?? ''}`, '-Dlog4j.configuration=file:/opt/flink/conf/log4j-console.properties',
      '-Dlog4j.configurationFile=file:/opt/flink/conf/log4j-console.properties', '-Dlogback.configurationFile=file:/opt/flink/conf/logback-console.xml'];
    for (const line of this.banner('TaskManager', LOGGER.tmRunner, 4096, options)) this.atTm(tm, t, line);
    t += 6;
    for (const line of this.configLines()) this.atTm(tm, (t += 1), line);
    this.atTm(tm, (t += 250), this.info(LOGGER.tmRunner, `Starting TaskManager with ResourceID: ${tm.resourceId}`));
    this.atTm(tm, (t += 700), this.info('org.apache.flink.runtime.taskexecutor.TaskManagerServices', `Temporary file directory '/tmp': total 98 GB, usable 61 GB (62.24% usable)`));
    this.atTm(tm, (t += 400), this.info(LOGGER.taskExecutor, `Connecting to ResourceManager ${this.rpc}://flink@${c.jmHost}:6123${this.rpcPath('resourcemanager', 0)}(${c.resourceManagerId}).`));
    this.atTm(tm, (t += 250), this.info(LOGGER.taskExecutor, 'Resolved ResourceManager address, beginning registration'));
    this.atTm(tm, (t += 180), this.info(LOGGER.taskExecutor,
      `Successful registration at resource manager ${this.rpc}://flink@${c.jmHost}:6123${this.rpcPath('resourcemanager', 0)} under registration id ${this.rng.hex(32)}.`));
  }

  private jobSubmission(): void {
    const c = this.cluster;
    const name = this.v <= 10 ? c.jobName : `'${c.jobName}'`;
    let t = this.plan.submitMs;
    const submission = this.v <= 10 ? `${c.jobId} (${c.jobName})` : `'${c.jobName}' (${c.jobId})`;
    this.atJm(t, this.info(LOGGER.dispatcher, `Received JobGraph submission ${submission}.`));
    this.atJm((t += 3), this.info(LOGGER.dispatcher, `Submitting job ${submission}.`));
    this.atJm((t += 40), this.info(LOGGER.jobMaster, `Initializing job ${name} (${c.jobId}).`));
    this.atJm((t += 12), this.info(LOGGER.jobMaster,
      `Using restart back off time strategy FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=2147483647, backoffTimeMS=10000) for ${c.jobName} (${c.jobId}).`));
    const strategy = this.v <= 10 ? 'RestartPipelinedRegionStrategy' : 'RestartPipelinedRegionFailoverStrategy';
    this.atJm((t += 30), this.info(LOGGER.jobMaster,
      `Using failover strategy org.apache.flink.runtime.executiongraph.failover.flip1.${strategy}@${this.rng.hex(8)} for ${c.jobName} (${c.jobId}).`));
    if (this.v >= 12) this.atJm((t += 25), this.info(LOGGER.coordinator, 'No checkpoint found during restore.'));
    this.atJm((t += 20), this.info(LOGGER.jobMaster, `Starting execution of job ${name} (${c.jobId}) under job master id ${c.jobMasterId}.`));
    this.jobState((t += 5), 'CREATED', 'RUNNING');
    for (const tm of c.tms) {
      const tmT = t + 300 + tm.index * 7;
      for (const subtask of c.subtasks.filter((s) => s.tm === tm && s.vertex.index === 0)) {
        this.atTm(tm, tmT, this.info(LOGGER.taskExecutor, `Receive slot request ${subtask.allocationId} for job ${c.jobId} from resource manager with leader id ${c.resourceManagerId}.`));
        this.atTm(tm, tmT + 2, this.info(LOGGER.taskExecutor, `Allocated slot for ${subtask.allocationId}.`));
      }
      this.atTm(tm, tmT + 4, this.info('org.apache.flink.runtime.taskexecutor.DefaultJobLeaderService', `Add job ${c.jobId} for job leader monitoring.`));
      this.atTm(tm, tmT + 60, this.info('org.apache.flink.runtime.taskexecutor.DefaultJobLeaderService',
        `Successful registration at job manager ${this.rpc}://flink@${c.jmHost}:6123${this.rpcPath('jobmanager', 2)} for job ${c.jobId}.`));
      this.atTm(tm, tmT + 62, this.info(LOGGER.taskExecutor, `Establish JobManager connection for job ${c.jobId}.`));
      this.atTm(tm, tmT + 64, this.info(LOGGER.taskExecutor, `Offer reserved slots to the leader of job ${c.jobId}.`));
    }
  }

  // ---- deployment and cancellation ----------------------------------------------------------------------------

  private deploy(deployment: Deployment, failover: Failover | null): void {
    const attempt = deployment.attempt;
    let t = deployment.deployMs;
    if (failover !== null) {
      this.jobState(failover.restartMs, 'RESTARTING', 'RUNNING');
      const restored = this.plan.checkpoints.find((c) => c.id === failover.restoredCheckpointId);
      if (restored !== undefined) this.atJm(failover.restartMs + 6, this.t.restoring(restored.id, restored.triggerMs));
      else if (this.v >= 12) this.atJm(failover.restartMs + 6, this.info(LOGGER.coordinator, 'No checkpoint found during restore.'));
      t = failover.restartMs + 20;
    }
    for (const subtask of this.cluster.subtasks) this.atJm(t, this.t.executionState(subtask, attempt, 'CREATED', 'SCHEDULED'));
    t += 25;
    for (const subtask of this.cluster.subtasks) {
      t += this.rng.int(0, 3);
      this.atJm(t, this.t.executionState(subtask, attempt, 'SCHEDULED', 'DEPLOYING'));
      this.atJm(t + 1, this.t.deploying(subtask, attempt));
      const onTm = t + this.rng.int(15, 60);
      this.atTm(subtask.tm, onTm, this.t.received(subtask, attempt));
      this.atTm(subtask.tm, onTm + 2, this.t.taskState(subtask, attempt, 'CREATED', 'DEPLOYING'));
      this.atTm(subtask.tm, onTm + 4, this.t.taskMessage(subtask, attempt, (n) => `Loading JAR files for task ${n} [DEPLOYING].`));
    }
    for (const subtask of this.cluster.subtasks) {
      const running = deployment.runningMs - this.rng.int(0, 400);
      if (this.v >= 13) {
        this.atTm(subtask.tm, running - 300, this.t.taskState(subtask, attempt, 'DEPLOYING', 'INITIALIZING'));
        this.atJm(running - 290, this.t.executionState(subtask, attempt, 'DEPLOYING', 'INITIALIZING'));
        this.atTm(subtask.tm, running, this.t.taskState(subtask, attempt, 'INITIALIZING', 'RUNNING'));
        this.atJm(running + 8, this.t.executionState(subtask, attempt, 'INITIALIZING', 'RUNNING'));
      } else {
        this.atTm(subtask.tm, running, this.t.taskState(subtask, attempt, 'DEPLOYING', 'RUNNING'));
        this.atJm(running + 8, this.t.executionState(subtask, attempt, 'DEPLOYING', 'RUNNING'));
      }
    }
  }

  private cancel(subtask: Subtask, attempt: number, atMs: number): void {
    this.atJm(atMs, this.t.executionState(subtask, attempt, 'RUNNING', 'CANCELING'));
    const onTm = atMs + this.rng.int(5, 40);
    this.atTm(subtask.tm, onTm, this.t.taskMessage(subtask, attempt, (n) => `Attempting to cancel task ${n}.`));
    this.atTm(subtask.tm, onTm + 1, this.t.taskState(subtask, attempt, 'RUNNING', 'CANCELING'));
    const done = onTm + this.rng.int(20, 300);
    this.atTm(subtask.tm, done, this.t.taskState(subtask, attempt, 'CANCELING', 'CANCELED'));
    this.atTm(subtask.tm, done + 1, this.t.taskMessage(subtask, attempt, (n) => `Freeing task resources for ${n}.`));
    this.atJm(done + this.rng.int(4, 20), this.t.executionState(subtask, attempt, 'CANCELING', 'CANCELED'));
  }

  // ---- checkpoints ------------------------------------------------------------------------------------------

  private checkpoint(cp: CheckpointPlan): void {
    this.atJm(cp.triggerMs + this.rng.int(0, 3), this.t.triggering(cp.id, cp.triggerMs));
    for (const s of cp.subtasks) {
      if (s.ackMs !== null && this.plan.debug) this.atJm(s.ackMs, this.t.acknowledged(cp.id, s.subtask.attemptIds[cp.attempt], s.subtask.tm));
      const visibleAck = s.ackMs ?? s.lateAckMs;
      if (visibleAck !== null && this.plan.debug) this.phaseLines(cp, s.subtask, visibleAck);
    }
    switch (cp.outcome) {
      case 'COMPLETED':
        this.atJm(cp.endMs + cp.finalizationMs, this.t.completed(cp.id, cp.stateSize, cp.endMs - cp.triggerMs, cp.finalizationMs));
        break;
      case 'EXPIRED': {
        this.atJm(cp.endMs, this.t.expired(cp.id));
        const e2 = this.t.failedToComplete(cp.id, cp.consecutiveFailures, cp.failureReason ?? '');
        if (e2 !== null) this.atJm(cp.endMs + 2, e2);
        for (const s of cp.subtasks) {
          if (s.lateAckMs === null) continue;
          this.atJm(s.lateAckMs, this.t.lateMessage(cp.id, s.subtask.attemptIds[cp.attempt], s.subtask.tm));
          const threshold = this.t.barrierToExecutionThreshold(cp.id, this.rng.int(30_500, 48_000));
          if (threshold !== null) this.atTm(s.subtask.tm, s.lateAckMs - s.asyncMs - 40, threshold);
        }
        break;
      }
      case 'DECLINED': {
        const decliner = cp.subtasks.find((s) => s.ackMs === null && s.subtask === this.plan.straggler) as (typeof cp.subtasks)[number];
        const name = tmTaskName(this.cluster, decliner.subtask, cp.attempt);
        const cause = materializeFailure(cp.id, name);
        const s6 = this.t.asyncFailed(decliner.subtask, cp.attempt, cp.id, cause, this.plan.debug);
        if (s6 !== null) this.atTm(decliner.subtask.tm, cp.endMs - 30, s6);
        for (const line of this.t.declined(cp.id, decliner.subtask.attemptIds[cp.attempt], decliner.subtask.tm, cause)) this.atJm(cp.endMs, line);
        const e2 = this.t.failedToComplete(cp.id, cp.consecutiveFailures, cp.failureReason ?? '');
        if (e2 !== null) this.atJm(cp.endMs + 3, e2);
        break;
      }
      case 'ABORTED': {
        const e2 = this.t.failedToComplete(cp.id, cp.consecutiveFailures, cp.failureReason ?? '');
        if (e2 !== null) this.atJm(cp.endMs, e2);
        break;
      }
    }
  }

  /** DEBUG lines of one subtask's snapshot (S1/S2(b)/S4/S5, S17, B1/B5). */
  private phaseLines(cp: CheckpointPlan, subtask: Subtask, ackMs: number): void {
    const s = cp.subtasks.find((x) => x.subtask === subtask);
    if (s === undefined) return;
    const tm = subtask.tm;
    // A late (post-expiry) acknowledgement means the barrier got through late too: work backwards from the ack.
    const barrierDone = s.ackMs === null ? ackMs - s.asyncMs - s.asyncStartDelayMs - s.syncMs - 2 : s.firstBarrierMs + s.alignmentMs;
    const firstBarrier = Math.min(s.firstBarrierMs, barrierDone);
    if (subtask.vertex.index > 0) {
      const lines = this.t.barrierLines(subtask, cp.attempt, cp.id, subtask.vertex.parallelism, cp.triggerMs);
      lines.forEach((line, i) => this.atTm(tm, firstBarrier + ((barrierDone - firstBarrier) * i) / Math.max(1, lines.length - 1), line));
    }
    this.atTm(tm, barrierDone, this.t.startingCheckpoint(subtask, cp.attempt, cp.id));
    const asyncThread = 1 + (subtask.index % 3);
    if (subtask.vertex.state !== 'none') this.atTm(tm, barrierDone + s.syncMs, this.t.snapshotStrategy(subtask, cp.attempt, cp.id, 'synchronous', Math.max(0, s.syncMs - 1), asyncThread));
    this.atTm(tm, barrierDone + s.syncMs, this.t.syncFinished(subtask, cp.attempt, cp.id, s.alignmentMs, s.syncMs));
    const started = this.t.asyncStarted(subtask, cp.attempt, cp.id, s.asyncStartDelayMs);
    if (started !== null) this.atTm(tm, barrierDone + s.syncMs + s.asyncStartDelayMs, started);
    if (subtask.vertex.state !== 'none') this.atTm(tm, ackMs - 2, this.t.snapshotStrategy(subtask, cp.attempt, cp.id, 'asynchronous', Math.max(0, s.asyncMs - 2), asyncThread));
    this.atTm(tm, ackMs - 1, this.t.asyncFinished(subtask, cp.attempt, cp.id, s.asyncMs));
  }

  // ---- failovers --------------------------------------------------------------------------------------------

  private failover(f: Failover): void {
    const attempt = f.fromAttempt;
    const all = this.cluster.subtasks;
    let failedOnJm: Subtask[] = [];
    switch (f.kind) {
      case 'checkpoint-tolerance': {
        this.atJm(f.atMs, this.t.globalFailure(this.t.tolerableFailure('Checkpoint expired before completing.')));
        for (const line of this.t.restartGlobal(all.length)) this.atJm(f.atMs + 4, line);
        break;
      }
      case 'task-failure': {
        const failed = f.failed as Subtask;
        const cause = rocksDbWriteFailure(rocksDbPath(this.cluster, failed));
        this.atTm(failed.tm, f.atMs - 25, this.t.taskFailed(failed, attempt, cause));
        this.atTm(failed.tm, f.atMs - 20, this.t.taskMessage(failed, attempt, (n) => `Freeing task resources for ${n}.`));
        this.atTm(failed.tm, f.atMs - 12, this.info(LOGGER.taskExecutor,
          `Un-registering task and sending final execution state FAILED to JobManager for task ${tmTaskName(this.cluster, failed, attempt)} ${failed.attemptIds[attempt]}.`));
        this.atJm(f.atMs, this.t.executionFailed(failed, attempt, cause));
        for (const line of this.t.restartTasks(failed, all.length)) this.atJm(f.atMs + 3, line);
        failedOnJm = [failed];
        break;
      }
      case 'tm-lost': {
        const outage = this.plan.outage;
        if (outage === null) break;
        const hb = outage.heartbeatTimeoutMs;
        for (const line of this.t.tmHeartbeatLost(outage.tm, this.plan.debug)) this.atJm(hb, line);
        failedOnJm = all.filter((s) => s.tm === outage.tm);
        failedOnJm.forEach((s, i) => this.atJm(hb + 4 + i, this.t.executionFailed(s, attempt, this.t.heartbeatTimeout(outage.tm))));
        for (const line of this.t.restartTasks(failedOnJm[0], all.length)) this.atJm(hb + 8, line);
        this.lostTmRecovers(outage.tm, attempt, failedOnJm, outage.pauseEndMs, outage.reRegisteredMs);
        this.atJm(outage.reRegisteredMs + 30, this.info(LOGGER.resourceManager,
          `Registering TaskManager with ResourceID ${outage.tm.resourceId} (${this.rpc}://flink@${outage.tm.ip}:6122${this.rpcPath('taskmanager', 0)}) at ResourceManager`));
        break;
      }
    }
    const restartingAt = f.kind === 'tm-lost' ? (this.plan.outage?.heartbeatTimeoutMs ?? f.atMs) + 10 : f.atMs + 6;
    this.jobState(restartingAt, 'RUNNING', 'RESTARTING');
    for (const subtask of all) if (!failedOnJm.includes(subtask)) this.cancel(subtask, attempt, restartingAt + 2 + this.rng.int(0, 10));
    const deployment = this.plan.deployments.find((d) => d.attempt === attempt + 1);
    if (deployment !== undefined) this.deploy(deployment, f);
  }

  /** The lost TM wakes up after its pause, learns that it was cut off, fails its tasks and registers again. */
  private lostTmRecovers(tm: TaskManager, attempt: number, tasks: Subtask[], wakeMs: number, reRegisteredMs: number): void {
    const c = this.cluster;
    const t = wakeMs + 3;
    this.atTm(tm, t, this.info(LOGGER.taskExecutor, `The heartbeat of JobManager with id ${c.jobMasterId} timed out.`));
    this.atTm(tm, t + 1, this.info(LOGGER.taskExecutor, `The heartbeat of ResourceManager with id ${c.resourceManagerId} timed out.`));
    this.atTm(tm, t + 4, this.info(LOGGER.taskExecutor, `Close JobManager connection for job ${c.jobId}.`));
    const cause: JavaThrowable = {
      header: `org.apache.flink.util.FlinkException: Disconnect from JobManager responsible for ${c.jobId}.`,
      frames: [
        flink('org.apache.flink.runtime.taskexecutor.TaskExecutor.disconnectJobManagerConnection(TaskExecutor.java:1660)'),
        flink('org.apache.flink.runtime.taskexecutor.TaskExecutor.access$1300(TaskExecutor.java:181)'),
        flink('org.apache.flink.runtime.taskexecutor.TaskExecutor$JobManagerHeartbeatListener.lambda$notifyHeartbeatTimeout$0(TaskExecutor.java:2352)'),
      ],
    };
    tasks.forEach((s, i) => {
      this.atTm(tm, t + 6 + i * 3, this.t.taskMessage(s, attempt, (n) => `Attempting to fail task externally ${n}.`));
      this.atTm(tm, t + 7 + i * 3, this.t.taskFailed(s, attempt, cause));
      this.atTm(tm, t + 30 + i * 3, this.t.taskMessage(s, attempt, (n) => `Freeing task resources for ${n}.`));
    });
    this.atTm(tm, reRegisteredMs - 400, this.info(LOGGER.taskExecutor, `Connecting to ResourceManager ${this.rpc}://flink@${c.jmHost}:6123${this.rpcPath('resourcemanager', 0)}(${c.resourceManagerId}).`));
    this.atTm(tm, reRegisteredMs, this.info(LOGGER.taskExecutor,
      `Successful registration at resource manager ${this.rpc}://flink@${c.jmHost}:6123${this.rpcPath('resourcemanager', 0)} under registration id ${this.rng.hex(32)}.`));
  }
}
