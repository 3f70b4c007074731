import type { JavaThrowable, LineLayout, LogRecord } from './layout.js';
import { flink, jdk, user } from './layout.js';
import type { Cluster, Subtask, TaskManager } from './model.js';
import { jmTaskName, tmTaskName } from './model.js';

/**
 * Message templates by Flink version, one function per catalogue entry of flink-formats.md §2 (the ids T1, C2,
 * E3, … are the catalogue's). Each returns a record without its time; the scripts place it on the timeline.
 */
export type Untimed = Omit<LogRecord, 't'>;

export const LOGGER = {
  coordinator: 'org.apache.flink.runtime.checkpoint.CheckpointCoordinator',
  failureManager: 'org.apache.flink.runtime.checkpoint.CheckpointFailureManager',
  executionGraph: 'org.apache.flink.runtime.executiongraph.ExecutionGraph',
  jobMaster: 'org.apache.flink.runtime.jobmaster.JobMaster',
  dispatcher: 'org.apache.flink.runtime.dispatcher.StandaloneDispatcher',
  resourceManager: 'org.apache.flink.runtime.resourcemanager.StandaloneResourceManager',
  entrypoint: 'org.apache.flink.runtime.entrypoint.ClusterEntrypoint',
  tmRunner: 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner',
  taskExecutor: 'org.apache.flink.runtime.taskexecutor.TaskExecutor',
  task: 'org.apache.flink.runtime.taskmanager.Task',
  configuration: 'org.apache.flink.configuration.GlobalConfiguration',
  streamTask: 'org.apache.flink.streaming.runtime.tasks.StreamTask',
  subtaskCoordinator: 'org.apache.flink.streaming.runtime.tasks.SubtaskCheckpointCoordinatorImpl',
  asyncRunnable: 'org.apache.flink.streaming.runtime.tasks.AsyncCheckpointRunnable',
} as const;

export class Templates {
  readonly v: number;

  constructor(readonly cluster: Cluster, readonly layout: LineLayout) {
    this.v = cluster.profile.minor;
  }

  private get jid(): string {
    return this.cluster.jobId;
  }

  private info(logger: string, message: string, stack?: JavaThrowable): Untimed {
    return { level: 'INFO', logger, message, tail: stack === undefined ? undefined : this.layout.loggedStack(stack) };
  }

  private warn(logger: string, message: string, stack?: JavaThrowable): Untimed {
    return { level: 'WARN', logger, message, tail: stack === undefined ? undefined : this.layout.loggedStack(stack) };
  }

  private debug(logger: string, message: string): Untimed {
    return { level: 'DEBUG', logger, message };
  }

  /** `type=` rendering of a periodic checkpoint (T2 notes). */
  checkpointTypeName(): string {
    return this.v >= 15 ? "CheckpointType{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD}" : 'CHECKPOINT';
  }

  // ---- JM checkpoint lifecycle -------------------------------------------------------------------------------

  /** T1 (≤1.10) / T2 (1.11+). */
  triggering(id: number, triggerMs: number): Untimed {
    if (this.v <= 10) return this.info(LOGGER.coordinator, `Triggering checkpoint ${id} @ ${triggerMs} for job ${this.jid}.`);
    return this.info(LOGGER.coordinator, `Triggering checkpoint ${id} (type=${this.checkpointTypeName()}) @ ${triggerMs} for job ${this.jid}.`);
  }

  /** C1 (≤1.13) / C2 (1.14+). */
  completed(id: number, bytes: number, durationMs: number, finalizationMs: number): Untimed {
    if (this.v <= 13) return this.info(LOGGER.coordinator, `Completed checkpoint ${id} for job ${this.jid} (${bytes} bytes in ${durationMs} ms).`);
    return this.info(LOGGER.coordinator,
      `Completed checkpoint ${id} for job ${this.jid} (${bytes} bytes, checkpointDuration=${durationMs} ms, finalizationTime=${finalizationMs} ms).`);
  }

  /** C6 (DEBUG). */
  acknowledged(id: number, attemptId: string, tm: TaskManager): Untimed {
    return this.debug(LOGGER.coordinator, `Received acknowledge message for checkpoint ${id} from task ${attemptId} of job ${this.jid} at ${tm.location}.`);
  }

  /** E1. */
  expired(id: number): Untimed {
    return this.info(LOGGER.coordinator, `Checkpoint ${id} of job ${this.jid} expired before completing.`);
  }

  /** E2 (1.15+), or null before it existed. */
  failedToComplete(id: number, consecutive: number, reason: string): Untimed | null {
    if (this.v < 15) return null;
    return this.warn(LOGGER.failureManager,
      `Failed to trigger or complete checkpoint ${id} for job ${this.jid}. (${consecutive} consecutive failed attempts so far)`,
      {
        header: `org.apache.flink.runtime.checkpoint.CheckpointException: ${reason}`,
        frames: reason.startsWith('Checkpoint expired')
          ? [flink('org.apache.flink.runtime.checkpoint.CheckpointCoordinator$CheckpointCanceller.run(CheckpointCoordinator.java:2168)'), ...SCHEDULED_EXECUTOR_FRAMES]
          : [
            flink('org.apache.flink.runtime.checkpoint.CheckpointCoordinator.abortPendingCheckpoints(CheckpointCoordinator.java:1988)'),
            flink('org.apache.flink.runtime.scheduler.DefaultScheduler.restartTasksWithDelay(DefaultScheduler.java:344)'),
            flink('org.apache.flink.runtime.scheduler.DefaultScheduler.maybeRestartTasks(DefaultScheduler.java:313)'),
            ...RPC_FRAMES,
          ],
      });
  }

  /** E3. */
  lateMessage(id: number, attemptId: string, tm: TaskManager): Untimed {
    return this.warn(LOGGER.coordinator, `Received late message for now expired checkpoint attempt ${id} from task ${attemptId} of job ${this.jid} at ${tm.location}.`);
  }

  /** D1 (+ D2 for ≤1.10). The stack follows D1 from 1.12 on; before, D2 "Discarding checkpoint" carries it. */
  declined(id: number, attemptId: string, tm: TaskManager, cause: JavaThrowable): Untimed[] {
    const line = `Decline checkpoint ${id} by task ${attemptId} of job ${this.jid} at ${tm.location}.`;
    if (this.v <= 10) {
      return [this.info(LOGGER.coordinator, line), this.info(LOGGER.coordinator, `Discarding checkpoint ${id} of job ${this.jid}.`, cause)];
    }
    if (this.v <= 11) return [this.info(LOGGER.coordinator, line)];
    return [this.info(LOGGER.coordinator, line, cause)];
  }

  /** C8: restore after a failover. */
  restoring(checkpointId: number, triggerMs: number): Untimed {
    if (this.v <= 11) {
      return this.info(LOGGER.coordinator, `Restoring job ${this.jid} from latest valid checkpoint: Checkpoint ${checkpointId} @ ${triggerMs} for ${this.jid}.`);
    }
    return this.info(LOGGER.coordinator,
      `Restoring job ${this.jid} from Checkpoint ${checkpointId} @ ${triggerMs} for ${this.jid} located at ${this.cluster.checkpointDir}/chk-${checkpointId}.`);
  }

  /** Text of the E6 exception (tolerable failure threshold). */
  tolerableFailureMessage(reason: string): string {
    if (this.v >= 17) {
      return `Exceeded checkpoint tolerable failure threshold. The latest checkpoint failed due to ${reason}, view the Checkpoint History tab or the Job Manager log to find out why continuous checkpoints failed.`;
    }
    return 'Exceeded checkpoint tolerable failure threshold.';
  }

  tolerableFailure(reason: string): JavaThrowable {
    return {
      header: `org.apache.flink.util.FlinkRuntimeException: ${this.tolerableFailureMessage(reason)}`,
      frames: [
        flink('org.apache.flink.runtime.checkpoint.CheckpointFailureManager.checkFailureAgainstCounter(CheckpointFailureManager.java:206)'),
        flink('org.apache.flink.runtime.checkpoint.CheckpointFailureManager.handleJobLevelCheckpointException(CheckpointFailureManager.java:169)'),
        flink('org.apache.flink.runtime.checkpoint.CheckpointFailureManager.handleCheckpointException(CheckpointFailureManager.java:122)'),
        flink('org.apache.flink.runtime.checkpoint.CheckpointCoordinator.abortPendingCheckpoint(CheckpointCoordinator.java:2155)'),
        flink('org.apache.flink.runtime.checkpoint.CheckpointCoordinator.abortPendingCheckpoint(CheckpointCoordinator.java:2134)'),
        flink('org.apache.flink.runtime.checkpoint.CheckpointCoordinator.access$700(CheckpointCoordinator.java:101)'),
        flink('org.apache.flink.runtime.checkpoint.CheckpointCoordinator$CheckpointCanceller.run(CheckpointCoordinator.java:2216)'),
        ...SCHEDULED_EXECUTOR_FRAMES,
      ],
    };
  }

  // ---- JM job and execution state --------------------------------------------------------------------------

  /** R4. */
  globalFailure(cause: JavaThrowable): Untimed {
    return this.info(LOGGER.jobMaster, 'Trying to recover from a global failure.', cause);
  }

  /** X8. */
  jobState(from: string, to: string): Untimed {
    return this.info(LOGGER.executionGraph, `Job ${this.cluster.jobName} (${this.jid}) switched from state ${from} to ${to}.`);
  }

  /** X6. */
  executionState(subtask: Subtask, attempt: number, from: string, to: string): Untimed {
    return this.info(LOGGER.executionGraph, `${jmTaskName(subtask)} (${subtask.attemptIds[attempt]}) switched from ${from} to ${to}.`);
  }

  /** X7: a failed execution on the JM, with its cause. */
  executionFailed(subtask: Subtask, attempt: number, cause: JavaThrowable): Untimed {
    const head = `${jmTaskName(subtask)} (${subtask.attemptIds[attempt]}) switched from RUNNING to FAILED`;
    return this.info(LOGGER.executionGraph, this.v <= 10 ? `${head}.` : `${head} on ${subtask.tm.location}.`, cause);
  }

  /** Addendum: deployment of one subtask. */
  deploying(subtask: Subtask, attempt: number): Untimed {
    const name = jmTaskName(subtask);
    const attemptId = subtask.attemptIds[attempt];
    const allocation = subtask.allocationId;
    if (this.v <= 10) return this.info(LOGGER.executionGraph, `Deploying ${name} (attempt #${attempt}) to ${subtask.tm.location}`);
    if (this.v <= 15) {
      return this.info(LOGGER.executionGraph, `Deploying ${name} (attempt #${attempt}) with attempt id ${attemptId} to ${subtask.tm.location} with allocation id ${allocation}`);
    }
    return this.info(LOGGER.executionGraph,
      `Deploying ${name} (attempt #${attempt}) with attempt id ${attemptId} and vertex id ${subtask.vertex.id}_${subtask.index} to ${subtask.tm.location} with allocation id ${allocation}`);
  }

  /** R1 + R2 (≤1.15) or R3 (1.16+) for a task failure. */
  restartTasks(failed: Subtask, taskCount: number): Untimed[] {
    const vertexId = `${failed.vertex.id}_${failed.index}`;
    if (this.v >= 16) return [this.info(LOGGER.jobMaster, `${taskCount} tasks will be restarted to recover the failed task ${vertexId}.`)];
    const logger = this.v <= 10
      ? 'org.apache.flink.runtime.executiongraph.failover.flip1.RestartPipelinedRegionStrategy'
      : 'org.apache.flink.runtime.executiongraph.failover.flip1.RestartPipelinedRegionFailoverStrategy';
    return [
      this.info(logger, `Calculating tasks to restart to recover the failed task ${vertexId}.`),
      this.info(logger, `${taskCount} tasks should be restarted to recover the failed task ${vertexId}. `),
    ];
  }

  /** R3 global variant (1.16+); nothing before. */
  restartGlobal(taskCount: number): Untimed[] {
    return this.v >= 16 ? [this.info(LOGGER.jobMaster, `${taskCount} tasks will be restarted to recover from a global failure.`)] : [];
  }

  // ---- heartbeats -------------------------------------------------------------------------------------------

  heartbeatTimeoutText(tm: TaskManager): string {
    return `Heartbeat of TaskManager with id ${tm.resourceId} timed out.`;
  }

  heartbeatTimeout(tm: TaskManager): JavaThrowable {
    return {
      header: `java.util.concurrent.TimeoutException: ${this.heartbeatTimeoutText(tm)}`,
      frames: [
        flink('org.apache.flink.runtime.jobmaster.JobMaster$TaskManagerHeartbeatListener.notifyHeartbeatTimeout(JobMaster.java:1299)'),
        flink('org.apache.flink.runtime.heartbeat.HeartbeatMonitorImpl.run(HeartbeatMonitorImpl.java:109)'),
        ...RPC_FRAMES,
      ],
    };
  }

  /** JM/RM lines when a TaskManager's heartbeat times out: H5, H7, and H2 (1.14+) / H4 (DEBUG ≤1.15, INFO 1.16+). */
  tmHeartbeatLost(tm: TaskManager, debug: boolean): Untimed[] {
    const rmReason = `The heartbeat of TaskManager with id ${tm.resourceId} timed out.`;
    const lines: Untimed[] = [];
    if (this.v >= 14) lines.push(this.info(LOGGER.jobMaster, this.heartbeatTimeoutText(tm)));
    const disconnect = `Disconnect TaskExecutor ${tm.resourceId} because: ${this.heartbeatTimeoutText(tm)}`;
    if (this.v >= 16) lines.push(this.info(LOGGER.jobMaster, disconnect));
    else if (debug) lines.push(this.debug(LOGGER.jobMaster, disconnect));
    lines.push(this.info(LOGGER.resourceManager, rmReason));
    lines.push(this.info(LOGGER.resourceManager, `Closing TaskExecutor connection ${tm.resourceId} because: ${rmReason}`));
    return lines;
  }

  // ---- TM task lifecycle ------------------------------------------------------------------------------------

  /** X1. */
  taskState(subtask: Subtask, attempt: number, from: string, to: string): Untimed {
    return this.info(LOGGER.task, `${tmTaskName(this.cluster, subtask, attempt)} (${subtask.attemptIds[attempt]}) switched from ${from} to ${to}.`);
  }

  /** X2 (≤1.12) / X3 (1.13–1.16) / X4 (1.17+). */
  taskFailed(subtask: Subtask, attempt: number, cause: JavaThrowable): Untimed {
    const head = `${tmTaskName(this.cluster, subtask, attempt)} (${subtask.attemptIds[attempt]}) switched from RUNNING to FAILED`;
    if (this.v <= 10) return this.info(LOGGER.task, `${head}.`, cause);
    if (this.v <= 12) return this.warn(LOGGER.task, `${head}.`, cause);
    if (this.v <= 16) return { level: 'WARN', logger: LOGGER.task, message: `${head} with failure cause: ${this.layout.embeddedStack(cause)}` };
    return this.warn(LOGGER.task, `${head} with failure cause:`, cause);
  }

  received(subtask: Subtask, attempt: number): Untimed {
    return this.info(LOGGER.taskExecutor,
      `Received task ${tmTaskName(this.cluster, subtask, attempt)} (${subtask.attemptIds[attempt]}), deploy into slot with allocation id ${subtask.allocationId}.`);
  }

  taskMessage(subtask: Subtask, attempt: number, text: (name: string) => string): Untimed {
    return this.info(LOGGER.task, text(`${tmTaskName(this.cluster, subtask, attempt)} (${subtask.attemptIds[attempt]})`));
  }

  // ---- TM snapshot phases (DEBUG) ---------------------------------------------------------------------------

  /** S1 (≤1.14) / S1b (1.15+). */
  startingCheckpoint(subtask: Subtask, attempt: number, id: number): Untimed {
    const name = tmTaskName(this.cluster, subtask, attempt);
    return this.v <= 14
      ? this.debug(LOGGER.streamTask, `Starting checkpoint (${id}) CHECKPOINT on task ${name}`)
      : this.debug(LOGGER.streamTask, `Starting checkpoint ${id} ${this.checkpointTypeName()} on task ${name}`);
  }

  /** S2 (≤1.12) / S2b (1.13+). */
  syncFinished(subtask: Subtask, attempt: number, id: number, alignmentMs: number, syncMs: number): Untimed {
    const name = tmTaskName(this.cluster, subtask, attempt);
    const logger = this.v <= 10 ? LOGGER.streamTask : LOGGER.subtaskCoordinator;
    const head = `${name} - finished synchronous part of checkpoint ${id}. Alignment duration: ${alignmentMs} ms, snapshot duration ${syncMs} ms`;
    return this.debug(logger, this.v <= 12 ? head : `${head}, is unaligned checkpoint : false`);
  }

  /** S4 (1.12+), or null. */
  asyncStarted(subtask: Subtask, attempt: number, id: number, delayMs: number): Untimed | null {
    if (this.v < 12) return null;
    return this.debug(LOGGER.asyncRunnable,
      `${tmTaskName(this.cluster, subtask, attempt)} - started executing asynchronous part of checkpoint ${id}. Asynchronous start delay: ${delayMs} ms`);
  }

  /** S5. */
  asyncFinished(subtask: Subtask, attempt: number, id: number, asyncMs: number): Untimed {
    return this.debug(this.v <= 10 ? LOGGER.streamTask : LOGGER.asyncRunnable,
      `${tmTaskName(this.cluster, subtask, attempt)} - finished asynchronous part of checkpoint ${id}. Asynchronous duration: ${asyncMs} ms`);
  }

  /** S6: DEBUG ≤1.11, INFO 1.12+; null when it would not be visible. */
  asyncFailed(subtask: Subtask, attempt: number, id: number, cause: JavaThrowable, debug: boolean): Untimed | null {
    const message = `${tmTaskName(this.cluster, subtask, attempt)} - asynchronous part of checkpoint ${id} could not be completed.`;
    const logger = this.v <= 10 ? LOGGER.streamTask : LOGGER.asyncRunnable;
    if (this.v >= 12) return this.info(logger, message, cause);
    return debug ? { level: 'DEBUG', logger, message, tail: this.layout.loggedStack(cause) } : null;
  }

  /** S17, one line per phase. */
  snapshotStrategy(subtask: Subtask, attempt: number, id: number, phase: 'synchronous' | 'asynchronous', tookMs: number, asyncThread: number): Untimed {
    const logger = this.v <= 12 ? 'org.apache.flink.runtime.state.AbstractSnapshotStrategy' : 'org.apache.flink.runtime.state.SnapshotStrategyRunner';
    const description = subtask.vertex.state === 'keyed' ? 'Asynchronous incremental RocksDB snapshot' : 'DefaultOperatorStateBackend snapshot';
    const dir = `${this.cluster.checkpointDir}/chk-${id}`;
    const location = `FsCheckpointStorageLocation {fileSystem=org.apache.flink.core.fs.SafetyNetWrapperFileSystem@5b0e6e1c, checkpointDirectory=${dir}, ` +
      `sharedStateDirectory=${this.cluster.checkpointDir}/shared, taskOwnedStateDirectory=${this.cluster.checkpointDir}/taskowned, ` +
      `metadataFilePath=${dir}/_metadata, reference=(default), fileStateSizeThreshold=20480, writeBufferSize=20480}`;
    const thread = phase === 'synchronous'
      ? `Thread[${tmTaskName(this.cluster, subtask, attempt)},5,Flink Task Threads]`
      : `Thread[AsyncOperations-thread-${asyncThread},5,Flink Task Threads]`;
    return this.debug(logger, `${description} (${location}, ${phase} part) in thread ${thread} took ${tookMs} ms.`);
  }

  /** B1 (≤1.11) / B5 (1.13+): barrier alignment lines of one subtask with `channels` input channels. */
  barrierLines(subtask: Subtask, attempt: number, id: number, channels: number, triggerMs: number): Untimed[] {
    const name = tmTaskName(this.cluster, subtask, attempt);
    if (this.v <= 10) {
      const logger = 'org.apache.flink.streaming.runtime.io.CheckpointBarrierAligner';
      const lines = [this.debug(logger, `${name}: Starting stream alignment for checkpoint ${id}.`)];
      for (let c = 0; c < channels; c += 1) lines.push(this.debug(logger, `${name}: Received barrier from channel ${c}.`));
      lines.push(this.debug(logger, `${name}: Received all barriers, triggering checkpoint ${id} at ${triggerMs}.`));
      lines.push(this.debug(logger, `${name}: End of stream alignment, feeding buffered data back.`));
      return lines;
    }
    const logger = 'org.apache.flink.streaming.runtime.io.checkpointing.SingleCheckpointBarrierHandler';
    const lines: Untimed[] = [];
    for (let c = 0; c < channels; c += 1) {
      lines.push(this.debug(logger, `${name}: Received barrier from channel InputChannelInfo{gateIdx=0, inputChannelIdx=${c}} @ ${id}.`));
    }
    lines.push(this.debug(logger, this.v <= 13 ? `${name}: Received all barriers for checkpoint ${id}.` : `${name}: All the channels are aligned for checkpoint ${id}.`));
    return lines;
  }

  /** S11 (1.14–1.17) / S11b (1.18+), or null. */
  barrierToExecutionThreshold(id: number, delayMs: number): Untimed | null {
    if (this.v < 14) return null;
    return this.warn(LOGGER.subtaskCoordinator, this.v <= 17
      ? `Time from receiving all checkpoint barriers/RPC to executing it exceeded threshold: ${delayMs}ms`
      : `Time from receiving all checkpoint barriers/RPC for checkpoint ${id} to executing it exceeded threshold: ${delayMs}ms`);
  }
}

export const SCHEDULED_EXECUTOR_FRAMES = [
  jdk('java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:515)'),
  jdk('java.util.concurrent.FutureTask.run(FutureTask.java:264)'),
  jdk('java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.run(ScheduledThreadPoolExecutor.java:304)'),
  jdk('java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1128)'),
  jdk('java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:628)'),
  jdk('java.lang.Thread.run(Thread.java:829)'),
];

export const RPC_FRAMES = [
  flink('org.apache.flink.runtime.rpc.akka.AkkaRpcActor.lambda$handleRunAsync$4(AkkaRpcActor.java:443)'),
  flink('org.apache.flink.runtime.concurrent.akka.ClassLoadingUtils.runWithContextClassLoader(ClassLoadingUtils.java:68)'),
  flink('org.apache.flink.runtime.rpc.akka.AkkaRpcActor.handleRunAsync(AkkaRpcActor.java:443)'),
  flink('org.apache.flink.runtime.rpc.akka.AkkaRpcActor.handleRpcMessage(AkkaRpcActor.java:213)'),
  flink('org.apache.flink.runtime.rpc.akka.FencedAkkaRpcActor.handleRpcMessage(FencedAkkaRpcActor.java:78)'),
  flink('akka.actor.ActorCell.invoke(ActorCell.scala:547)'),
  flink('akka.dispatch.Mailbox.run(Mailbox.scala:231)'),
  flink('akka.dispatch.Mailbox.exec(Mailbox.scala:243)'),
  jdk('java.util.concurrent.ForkJoinTask.doExec(ForkJoinTask.java:290)'),
  jdk('java.util.concurrent.ForkJoinPool$WorkQueue.topLevelExec(ForkJoinPool.java:1020)'),
  jdk('java.util.concurrent.ForkJoinPool.scan(ForkJoinPool.java:1656)'),
  jdk('java.util.concurrent.ForkJoinPool.runWorker(ForkJoinPool.java:1594)'),
  jdk('java.util.concurrent.ForkJoinWorkerThread.run(ForkJoinWorkerThread.java:183)'),
];

/** The frames below a task's user code, common to every failure raised while processing records. */
export const TASK_FRAMES = [
  flink('org.apache.flink.streaming.runtime.tasks.OneInputStreamTask$StreamTaskNetworkOutput.emitRecord(OneInputStreamTask.java:233)'),
  flink('org.apache.flink.streaming.runtime.io.AbstractStreamTaskNetworkInput.processElement(AbstractStreamTaskNetworkInput.java:134)'),
  flink('org.apache.flink.streaming.runtime.io.AbstractStreamTaskNetworkInput.emitNext(AbstractStreamTaskNetworkInput.java:105)'),
  flink('org.apache.flink.streaming.runtime.io.StreamOneInputProcessor.processInput(StreamOneInputProcessor.java:65)'),
  flink('org.apache.flink.streaming.runtime.tasks.StreamTask.processInput(StreamTask.java:550)'),
  flink('org.apache.flink.streaming.runtime.tasks.mailbox.MailboxProcessor.runMailboxLoop(MailboxProcessor.java:231)'),
  flink('org.apache.flink.streaming.runtime.tasks.StreamTask.runMailboxLoop(StreamTask.java:839)'),
  flink('org.apache.flink.streaming.runtime.tasks.StreamTask.invoke(StreamTask.java:788)'),
  flink('org.apache.flink.runtime.taskmanager.Task.doRun(Task.java:745)'),
  flink('org.apache.flink.runtime.taskmanager.Task.run(Task.java:562)'),
  jdk('java.lang.Thread.run(Thread.java:829)'),
];

/** RocksDB working directory of a keyed subtask (appears in the RocksDB failure messages). */
export function rocksDbPath(cluster: Cluster, subtask: Subtask): string {
  return `/tmp/flink-io-${cluster.jobId.slice(0, 8)}-${subtask.vertex.id.slice(0, 4)}/job_${cluster.jobId}_op_WindowOperator_${subtask.vertex.id}__${subtask.index + 1}_${subtask.vertex.parallelism}__uuid_${subtask.allocationId.slice(0, 8)}/db`;
}

/** The planted root cause of `declined-task-failure`: the TM's local disk is full under RocksDB. */
export function rocksDbWriteFailure(dbPath: string): JavaThrowable {
  return {
    header: 'org.apache.flink.util.FlinkRuntimeException: Error while adding data to RocksDB',
    frames: [
      flink('org.apache.flink.contrib.streaming.state.RocksDBAggregatingState.add(RocksDBAggregatingState.java:108)'),
      flink('org.apache.flink.streaming.runtime.operators.windowing.WindowOperator.processElement(WindowOperator.java:403)'),
      ...TASK_FRAMES,
    ],
    cause: {
      header: `org.rocksdb.RocksDBException: While appending to file: ${dbPath}/000124.log: No space left on device`,
      frames: [
        user('org.rocksdb.RocksDB.put(Native Method)'),
        user('org.rocksdb.RocksDB.put(RocksDB.java:955)'),
        flink('org.apache.flink.contrib.streaming.state.RocksDBAggregatingState.add(RocksDBAggregatingState.java:104)'),
        flink('org.apache.flink.streaming.runtime.operators.windowing.WindowOperator.processElement(WindowOperator.java:403)'),
        ...TASK_FRAMES,
      ],
    },
  };
}

/** The asynchronous-phase failure that declines the running checkpoint in `declined-task-failure`. */
export function materializeFailure(checkpointId: number, taskName: string): JavaThrowable {
  const workerFrames = [
    jdk('java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1128)'),
    jdk('java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:628)'),
    jdk('java.lang.Thread.run(Thread.java:829)'),
  ];
  return {
    header: `java.lang.Exception: Could not materialize checkpoint ${checkpointId} for operator ${taskName}.`,
    frames: [
      flink('org.apache.flink.streaming.runtime.tasks.AsyncCheckpointRunnable.handleExecutionException(AsyncCheckpointRunnable.java:257)'),
      flink('org.apache.flink.streaming.runtime.tasks.AsyncCheckpointRunnable.run(AsyncCheckpointRunnable.java:146)'),
      ...workerFrames,
    ],
    cause: {
      header: `java.util.concurrent.ExecutionException: java.io.IOException: No space left on device`,
      frames: [
        jdk('java.util.concurrent.FutureTask.report(FutureTask.java:122)'),
        jdk('java.util.concurrent.FutureTask.get(FutureTask.java:191)'),
        flink('org.apache.flink.util.concurrent.FutureUtils.runIfNotDoneAndGet(FutureUtils.java:511)'),
        flink('org.apache.flink.streaming.api.operators.OperatorSnapshotFinalizer.<init>(OperatorSnapshotFinalizer.java:54)'),
        flink('org.apache.flink.streaming.runtime.tasks.AsyncCheckpointRunnable.run(AsyncCheckpointRunnable.java:128)'),
        ...workerFrames,
      ],
      cause: {
        header: 'java.io.IOException: No space left on device',
        frames: [
          jdk('java.io.FileOutputStream.writeBytes(Native Method)'),
          jdk('java.io.FileOutputStream.write(FileOutputStream.java:354)'),
          flink('org.apache.flink.core.fs.local.LocalDataOutputStream.write(LocalDataOutputStream.java:68)'),
          flink('org.apache.flink.runtime.state.DuplicatingCheckpointOutputStream.write(DuplicatingCheckpointOutputStream.java:119)'),
          flink('org.apache.flink.contrib.streaming.state.RocksDBStateUploader.uploadLocalFileToCheckpointFs(RocksDBStateUploader.java:131)'),
          flink('org.apache.flink.contrib.streaming.state.RocksDBStateUploader.lambda$createUploadFutures$0(RocksDBStateUploader.java:97)'),
          flink('org.apache.flink.util.function.CheckedSupplier.lambda$unchecked$0(CheckedSupplier.java:32)'),
          jdk('java.util.concurrent.CompletableFuture$AsyncSupply.run(CompletableFuture.java:1700)'),
          ...workerFrames,
        ],
      },
    },
  };
}
