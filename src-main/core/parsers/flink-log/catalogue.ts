import type { EventKind } from '../../model/events.js';
import { Level, type AttrValue, type EventRecord } from '../../model/records.js';

/**
 * The Flink message catalogue (flink-formats §2.1–§2.14 and the Addendum) as data. Each entry is one template
 * in one version variant: the loggers that print it (SIMPLE class names, so logback's abbreviated
 * `o.a.f.s.runtime.tasks.X` and log4j's full name both find it), a cheap literal test, and an anchored regex
 * whose named groups become EventRecord fields (see build.ts for what each group name means).
 *
 * Group names with a meaning: job, jobName, ckpt, task (task name with `(i/n)#a`), attempt, taskOrAttempt,
 * location (TaskManagerLocation), tm (ResourceID), evid (ExecutionVertexID), attemptNo, checkpointType, cause,
 * reasonText, unaligned; groups listed in NUMERIC_GROUPS become numbers; any other group is a string attribute.
 */
export interface TemplateSpec {
  id: string;
  kind: EventKind;
  /** Simple logger names that print this template. */
  loggers: readonly string[];
  /** Flink versions the wording applies to (labels of flink-formats §0). */
  versions: string;
  /** The message starts with this literal (checked before the regex). */
  prefix?: string;
  /** The message contains this literal (for templates that start with a placeholder). */
  needle?: string;
  re: RegExp;
  /** Same wording as another template but printed with a stack trace (X2, X7 ≤1.10, D2): only then. */
  stackRequired?: boolean;
  /** Ignore records below this level (chatty third-party loggers log the same text at DEBUG). */
  minLevel?: Level;
  attrs?: Readonly<Record<string, AttrValue>>;
  /** Look up the CheckpointFailureReason in the cause group and the stack's exception messages. */
  reason?: boolean;
  /** A reason the template implies by itself (E1 is always CHECKPOINT_EXPIRED). */
  reasonCode?: string;
  /** Source facts the match contributes. */
  fact?: 'config' | 'tmResourceId';
  /** Extra fields that named groups cannot express. */
  refine?: (event: EventRecord, attrs: Record<string, AttrValue>, groups: Readonly<Record<string, string | undefined>>) => void;
}

/**
 * Texts of exceptions that Flink (or Akka/Pekko, the JVM) only passes through: searched in a record's message
 * and stack lines, never as a log line of their own.
 */
export interface ExceptionTextSpec {
  id: string;
  versions: string;
  needle: string;
  re: RegExp;
  /** Emits an event of this kind with the parent record's time and line … */
  kind?: EventKind;
  /** … or sets this attribute on the parent record's event instead. */
  attribute?: string;
  attrs?: Readonly<Record<string, AttrValue>>;
  refine?: (attrs: Record<string, AttrValue>, groups: Readonly<Record<string, string | undefined>>) => void;
}

export const NUMERIC_GROUPS: ReadonlySet<string> = new Set([
  'triggerEpochMs',
  'bytes',
  'durationMs',
  'finalizationMs',
  'consecutiveFailures',
  'sizeKb',
  'syncMs',
  'asyncMs',
  'alignmentMs',
  'asyncStartDelayMs',
  'delayMs',
  'nextCheckpointId',
  'lastCheckpointId',
  'restartTaskCount',
  'pendingCount',
  'barrierEpochMs',
  'broadcastEpochMs',
  'passedMs',
  'seconds',
  'timeoutMs',
  'requestId',
  'restoreTriggerEpochMs',
]);

const rx = (strings: TemplateStringsArray, ...values: string[]): RegExp => new RegExp(String.raw(strings, ...values));

const JOB = String.raw`(?<job>[0-9a-f]{32})`;
const CKPT = String.raw`(?<ckpt>\d+)`;
const ATTEMPT = String.raw`(?<attempt>[0-9a-f]{32}(?:_[0-9a-f]{32}_\d+_\d+)?)`;
const TASK = String.raw`(?<task>.+?)`;
const EVID = String.raw`(?<evid>[0-9a-f]{32}_\d+)`;
const FROM_TO = String.raw`switched from (?<from>[A-Z_]+) to (?<to>[A-Z_]+)`;

const CC = ['CheckpointCoordinator'];
const CFM = ['CheckpointFailureManager'];
const TASK_LOGGER = ['Task'];
const EXECUTION = ['ExecutionGraph', 'Execution', 'DefaultExecutionGraph'];
/** DefaultScheduler / SchedulerBase / AdaptiveScheduler log through the JobMaster's logger. */
const JOB_MASTER = ['JobMaster', 'DefaultScheduler', 'SchedulerBase', 'AdaptiveScheduler'];
/** ResourceManager logs with `getClass()`: the concrete class of the deployment. */
const RESOURCE_MANAGER = [
  'ResourceManager',
  'StandaloneResourceManager',
  'ActiveResourceManager',
  'YarnResourceManager',
  'KubernetesResourceManager',
  'MesosResourceManager',
  'ResourceManagerServiceImpl',
];
const TASK_EXECUTOR = ['TaskExecutor'];
const SYNC_PHASE = ['SubtaskCheckpointCoordinatorImpl', 'StreamTask'];
const ASYNC_PHASE = ['AsyncCheckpointRunnable', 'StreamTask'];
const ALIGNER = ['CheckpointBarrierAligner'];
const UNALIGNER = ['CheckpointBarrierUnaligner'];
const SINGLE_HANDLER = ['SingleCheckpointBarrierHandler'];
const TRACKER = ['CheckpointBarrierTracker'];
const REGION_STRATEGY = ['RestartPipelinedRegionStrategy', 'RestartPipelinedRegionFailoverStrategy'];
const LEADER_ELECTION = ['ZooKeeperLeaderElectionService', 'ZooKeeperLeaderElectionDriver', 'ZooKeeperMultipleComponentLeaderElectionDriver'];
const LEADER_RETRIEVAL = ['ZooKeeperLeaderRetrievalService', 'ZooKeeperLeaderRetrievalDriver'];
const JOB_GRAPH_STORE = ['ZooKeeperSubmittedJobGraphStore', 'ZooKeeperJobGraphStore', 'ZooKeeperJobGraphStoreWatcher'];
const JOB_LEADERSHIP = ['JobManagerRunner', 'JobManagerRunnerImpl', 'JobMasterServiceLeadershipRunner'];
const REST_ENDPOINT = ['WebMonitorEndpoint', 'DispatcherRestEndpoint', 'MiniDispatcherRestEndpoint', 'RestServerEndpoint'];
const SNAPSHOT_RUNNER = ['AbstractSnapshotStrategy', 'SnapshotStrategyRunner'];
const STACK_SAMPLER = ['StackTraceSampleCoordinator'];
const BP_COORDINATOR = ['BackPressureRequestCoordinator'];
const BP_TRACKER = ['BackPressureStatsTrackerImpl'];

const CHECKPOINT_PATH = /chk-(\d+)/;
const THREAD = /^Thread\[(?:#\d+,)?(.+),\d+,[^,]*\]$/;
const TASK_SUFFIX = / \(\d+\/\d+\)(?:#\d+)?$/;
const EXIT_CODE = /exitCode=(-?\d+)/;
const TERMINATION_REASON = /reason=([A-Za-z]+)/;

export const TEMPLATES: readonly TemplateSpec[] = [
  // §2.1 Checkpoint triggering (JM)
  { id: 'T1', kind: 'checkpoint.triggered', loggers: CC, versions: '1.9.0–1.10.0', prefix: 'Triggering checkpoint ',
    re: rx`^Triggering checkpoint ${CKPT} @ (?<triggerEpochMs>\d+) for job ${JOB}\.$` },
  { id: 'T2', kind: 'checkpoint.triggered', loggers: CC, versions: '1.11.0 → 2.0-S', prefix: 'Triggering checkpoint ',
    re: rx`^Triggering checkpoint ${CKPT} \(type=(?<checkpointType>.+)\) @ (?<triggerEpochMs>\d+) for job ${JOB}\.$` },
  { id: 'T3', kind: 'checkpoint.trigger-failed', loggers: CC, versions: '1.14b → 2.0-S', prefix: 'Triggering Checkpoint ', reason: true,
    re: rx`^Triggering Checkpoint ${CKPT} for job ${JOB} failed due to (?<cause>.*)$` },
  { id: 'T4', kind: 'checkpoint.trigger-failed', loggers: CC, versions: '1.9.0–1.10.0', prefix: 'Failed to trigger checkpoint for job ', reason: true,
    re: rx`^Failed to trigger checkpoint for job ${JOB} \((?<consecutiveFailures>\d+) consecutive failed attempts so far\)\.$` },
  { id: 'T5', kind: 'checkpoint.trigger-failed', loggers: CC, versions: '1.9.0–1.14b', prefix: 'Failed to trigger checkpoint ', reason: true,
    re: rx`^Failed to trigger checkpoint ${CKPT} for job ${JOB}\. \((?<consecutiveFailures>\d+) consecutive failed attempts so far\)$` },
  { id: 'T6', kind: 'checkpoint.trigger-failed', loggers: CC, versions: '1.13.0', prefix: 'Failed to trigger checkpoint for job ', reason: true,
    re: rx`^Failed to trigger checkpoint for job ${JOB} since (?<cause>.*)$` },
  { id: 'T6b', kind: 'checkpoint.trigger-failed', loggers: CC, versions: '1.14b', prefix: 'Failed to trigger checkpoint for job ', reason: true,
    re: rx`^Failed to trigger checkpoint for job ${JOB} because (?<cause>.*)$` },
  { id: 'T6c', kind: 'checkpoint.trigger-failed', loggers: CFM, versions: '1.15b → 2.0-S', prefix: 'Failed to trigger checkpoint for job ', reason: true,
    re: rx`^Failed to trigger checkpoint for job ${JOB} since (?<cause>.*)\.$` },
  { id: 'T7', kind: 'checkpoint.trigger-failed', loggers: CC, versions: '1.9.0–1.13.0', prefix: 'Checkpoint triggering task ',
    reasonCode: 'NOT_ALL_REQUIRED_TASKS_RUNNING', attrs: { role: 'triggering' },
    re: rx`^Checkpoint triggering task ${TASK} of job ${JOB} is not being executed at the moment\. Aborting checkpoint\.$` },
  { id: 'T7', kind: 'checkpoint.trigger-failed', loggers: CC, versions: '1.9.0–1.13.0', prefix: 'Checkpoint triggering task ',
    reasonCode: 'NOT_ALL_REQUIRED_TASKS_RUNNING', attrs: { role: 'triggering' },
    re: rx`^Checkpoint triggering task ${TASK} of job ${JOB} is not in state (?<expectedState>[A-Z_]+) but (?<actualState>[A-Z_]+) instead\. Aborting checkpoint\.$` },
  { id: 'T7', kind: 'checkpoint.trigger-failed', loggers: CC, versions: '1.9.0–1.13.0', prefix: 'Checkpoint acknowledging task ',
    reasonCode: 'NOT_ALL_REQUIRED_TASKS_RUNNING', attrs: { role: 'acknowledging' },
    re: rx`^Checkpoint acknowledging task ${TASK} of job ${JOB} is not being executed at the moment\. Aborting checkpoint\.$` },
  { id: 'T8', kind: 'checkpoint.trigger-failed', loggers: CC, versions: '1.9.0–1.10.0', prefix: 'Trying to trigger another checkpoint ',
    reasonCode: 'ALREADY_QUEUED',
    re: rx`^Trying to trigger another checkpoint for job ${JOB} while one was queued already\.$` },
  { id: 'T9', kind: 'checkpoint.trigger-failed', loggers: CC, versions: 'all', prefix: 'Exception while triggering checkpoint ', reason: true,
    re: rx`^Exception while triggering checkpoint for job ${JOB}\.$` },
  { id: 'T10', kind: 'checkpoint.manual-trigger', loggers: JOB_MASTER, versions: '1.16.3, 1.17b → 2.0-S', prefix: 'Triggering a manual checkpoint ',
    re: rx`^Triggering a manual checkpoint for job ${JOB}\.$` },
  { id: 'T11', kind: 'checkpoint.tm-trigger', loggers: TASK_EXECUTOR, versions: '2.0-S', prefix: 'Trigger checkpoint ',
    re: rx`^Trigger checkpoint ${CKPT}@(?<triggerEpochMs>\d+) for ${ATTEMPT}\.$` },

  // §2.2 Checkpoint completion (JM)
  { id: 'C1', kind: 'checkpoint.completed', loggers: CC, versions: '1.9.0–1.13.0', prefix: 'Completed checkpoint ',
    re: rx`^Completed checkpoint ${CKPT} for job ${JOB} \((?<bytes>\d+) bytes in (?<durationMs>\d+) ms\)\.$` },
  { id: 'C2', kind: 'checkpoint.completed', loggers: CC, versions: '1.14b → 2.0-S', prefix: 'Completed checkpoint ',
    re: rx`^Completed checkpoint ${CKPT} for job ${JOB} \((?<bytes>\d+) bytes, checkpointDuration=(?<durationMs>\d+) ms, finalizationTime=(?<finalizationMs>\d+) ms\)\.$` },
  { id: 'C3', kind: 'checkpoint.state', loggers: CC, versions: 'all', prefix: 'Checkpoint state: ',
    re: rx`^Checkpoint state: (?<states>.*)$` },
  { id: 'C4', kind: 'checkpoint.stats', loggers: ['PendingCheckpoint', 'CheckpointCoordinator'], versions: '1.13.0 → 2.0-S', needle: ' size: ',
    re: rx`^Checkpoint ${CKPT} size: (?<sizeKb>\d+)Kb, duration: (?<durationMs>\d+)ms$` },
  { id: 'C5', kind: 'checkpoint.subtask-stats', loggers: ['PendingCheckpoint'], versions: '1.13.0 → 2.0-S', needle: ' stats for ',
    re: rx`^Checkpoint ${CKPT} stats for (?<taskOrAttempt>.+?): size=(?<sizeKb>-?\d+)Kb, duration=(?<durationMs>-?\d+)ms, sync part=(?<syncMs>-?\d+)ms, async part=(?<asyncMs>-?\d+)ms$` },
  { id: 'C6', kind: 'checkpoint.ack', loggers: CC, versions: 'all', prefix: 'Received acknowledge message ',
    re: rx`^Received acknowledge message for checkpoint ${CKPT} from task ${ATTEMPT} of job ${JOB} at (?<location>.+)\.$` },
  { id: 'C7', kind: 'checkpoint.duplicate-ack', loggers: CC, versions: 'all', prefix: 'Received a duplicate acknowledge message ',
    re: rx`^Received a duplicate acknowledge message for checkpoint ${CKPT}, task ${ATTEMPT}, job ${JOB}, location (?<location>.+)\.$` },
  { id: 'C8', kind: 'checkpoint.restore', loggers: CC, versions: '≤1.11', prefix: 'Restoring job ',
    re: rx`^Restoring job ${JOB} from latest valid checkpoint: (?<restoredFrom>(?<checkpointType>.+?) ${CKPT} @ (?<restoreTriggerEpochMs>\d+) for [0-9a-f]{32}(?: located at (?<externalPath>.+?))?)\.$` },
  { id: 'C8', kind: 'checkpoint.restore', loggers: CC, versions: '1.12+', prefix: 'Restoring job ',
    re: rx`^Restoring job ${JOB} from (?<restoredFrom>(?<checkpointType>.+?) ${CKPT} @ (?<restoreTriggerEpochMs>\d+) for [0-9a-f]{32}(?: located at (?<externalPath>.+?))?)\.$` },
  { id: 'C9', kind: 'checkpoint.no-restore', loggers: CC, versions: '1.12+', prefix: 'No checkpoint found during restore',
    re: rx`^No checkpoint found during restore\.$` },
  { id: 'C10', kind: 'checkpoint.restore', loggers: CC, versions: 'all', prefix: 'Starting job ', attrs: { savepoint: true },
    re: rx`^Starting job ${JOB} from savepoint (?<savepointPath>.+?) \((?<restoreSettings>.*)\)$` },
  { id: 'C11', kind: 'checkpoint.reset-id', loggers: CC, versions: 'all', prefix: 'Reset the checkpoint ID ',
    re: rx`^Reset the checkpoint ID of job ${JOB} to (?<nextCheckpointId>\d+)\.$` },
  { id: 'C12', kind: 'checkpoint.metadata-error', loggers: CC, versions: '1.15b+', prefix: 'An error occurred while writing checkpoint ',
    re: rx`^An error occurred while writing checkpoint ${CKPT} to the underlying metadata store\. Flink was not able to determine whether the metadata was successfully persisted\. The corresponding state located at '(?<stateLocation>.*)' won't be discarded and needs to be cleaned up manually\.$` },

  // §2.3 Expiration, late messages, job-level failure
  { id: 'E1', kind: 'checkpoint.expired', loggers: CC, versions: 'all', needle: ' expired before completing', reasonCode: 'CHECKPOINT_EXPIRED',
    re: rx`^Checkpoint ${CKPT} of job ${JOB} expired before completing\.$` },
  { id: 'E2', kind: 'checkpoint.failed', loggers: CFM, versions: '1.15b → 2.0-S', prefix: 'Failed to trigger or complete checkpoint ', reason: true,
    re: rx`^Failed to trigger or complete checkpoint (?<ckpt>\d+|UNKNOWN_CHECKPOINT_ID) for job ${JOB}\. \((?<consecutiveFailures>\d+) consecutive failed attempts so far\)$` },
  { id: 'E3', kind: 'checkpoint.late-message', loggers: CC, versions: '1.9.0+', prefix: 'Received late message ',
    re: rx`^Received late message for now expired checkpoint attempt ${CKPT} from task ${ATTEMPT} of job ${JOB} at (?<location>.+)\.$` },
  { id: 'E3', kind: 'checkpoint.late-message', loggers: CC, versions: '1.4-era', prefix: 'Received late message ',
    re: rx`^Received late message for now expired checkpoint attempt ${CKPT} from ${ATTEMPT} of job ${JOB}\.$` },
  { id: 'E4', kind: 'checkpoint.unknown-message', loggers: CC, versions: 'all', prefix: 'Received message for an unknown checkpoint ',
    re: rx`^Received message for an unknown checkpoint ${CKPT} from task ${ATTEMPT} of job ${JOB} at (?<location>.+)\.$` },
  { id: 'E5', kind: 'checkpoint.discarded-ack', loggers: CC, versions: 'all', prefix: 'Could not acknowledge the checkpoint ',
    re: rx`^Could not acknowledge the checkpoint ${CKPT} for task ${ATTEMPT} of job ${JOB} at (?<location>.+), because the pending checkpoint had been discarded\. Discarding the state handle tp avoid lingering state\.$` },

  // §2.4 Decline (JM)
  { id: 'D1', kind: 'checkpoint.declined', loggers: CC, versions: '1.9.0 → 2.0-S', prefix: 'Decline checkpoint ', reason: true,
    re: rx`^Decline checkpoint ${CKPT} by task ${ATTEMPT} of job ${JOB} at (?<location>.+)\.$` },
  { id: 'D1', kind: 'checkpoint.declined', loggers: CC, versions: '1.8/1.9-era (no location)', prefix: 'Decline checkpoint ', reason: true,
    re: rx`^Decline checkpoint ${CKPT} by task ${ATTEMPT} of job ${JOB}\.$` },
  { id: 'D2', kind: 'checkpoint.discarded', loggers: CC, versions: '1.9.0–1.10.0', prefix: 'Discarding checkpoint ', reason: true,
    re: rx`^Discarding checkpoint ${CKPT} of job ${JOB}\.$` },
  { id: 'D3', kind: 'checkpoint.late-decline', loggers: CC, versions: 'all', prefix: 'Received another decline message ', reason: true,
    re: rx`^Received another decline message for now expired checkpoint attempt ${CKPT} from task ${ATTEMPT} of job ${JOB} at (?<location>.+?) : (?<cause>.*)$` },
  { id: 'D4', kind: 'checkpoint.late-decline', loggers: CC, versions: 'all', prefix: 'Received decline message for unknown ', reason: true,
    attrs: { unknownCheckpoint: true },
    re: rx`^Received decline message for unknown \(too old\?\) checkpoint attempt ${CKPT} from task ${ATTEMPT} of job ${JOB} at (?<location>.+?) : (?<cause>.*)$` },
  { id: 'D5', kind: 'checkpoint.processing-error', loggers: JOB_MASTER, versions: '1.10.0', prefix: 'Error in CheckpointCoordinator while processing ',
    re: rx`^Error in CheckpointCoordinator while processing (?<messageType>.+)$` },
  { id: 'D5', kind: 'checkpoint.processing-error', loggers: JOB_MASTER, versions: '1.10.0', prefix: 'Error while processing checkpoint acknowledgement message',
    attrs: { messageType: 'AcknowledgeCheckpoint' },
    re: rx`^Error while processing checkpoint acknowledgement message$` },
  { id: 'D5', kind: 'checkpoint.processing-error', loggers: ['ExecutionGraphHandler', ...JOB_MASTER], versions: '1.13+', prefix: 'Error while processing ',
    re: rx`^Error while processing (?<messageType>\w+) message$` },

  // §2.6 Subtask snapshot phases (TM)
  { id: 'S1', kind: 'subtask.checkpoint-start', loggers: ['StreamTask'], versions: '1.9.0–1.14b', prefix: 'Starting checkpoint (',
    re: rx`^Starting checkpoint \(${CKPT}\) (?<checkpointType>\S+) on task (?<task>.+)$` },
  { id: 'S1b', kind: 'subtask.checkpoint-start', loggers: ['StreamTask'], versions: '1.15b → 2.0-S', prefix: 'Starting checkpoint ',
    re: rx`^Starting checkpoint ${CKPT} (?<checkpointType>.+?) on task (?<task>.+)$` },
  { id: 'S2', kind: 'subtask.sync-done', loggers: SYNC_PHASE, versions: '1.9.0–1.12.0', needle: ' - finished synchronous part of checkpoint ',
    re: rx`^${TASK} - finished synchronous part of checkpoint ${CKPT}\. Alignment duration: (?<alignmentMs>\d+) ms, snapshot duration (?<syncMs>\d+) ms$` },
  { id: 'S2b', kind: 'subtask.sync-done', loggers: SYNC_PHASE, versions: '1.13.0 → 2.0-S', needle: ' - finished synchronous part of checkpoint ',
    re: rx`^${TASK} - finished synchronous part of checkpoint ${CKPT}\. Alignment duration: (?<alignmentMs>\d+) ms, snapshot duration (?<syncMs>\d+) ms, is unaligned checkpoint : (?<unaligned>true|false)$` },
  { id: 'S3', kind: 'subtask.sync-failed', loggers: SYNC_PHASE, versions: 'all', needle: ' - did NOT finish synchronous part of checkpoint ',
    re: rx`^${TASK} - did NOT finish synchronous part of checkpoint ${CKPT}\. Alignment duration: (?<alignmentMs>\d+) ms, snapshot duration (?<syncMs>\d+) ms(?:, is unaligned checkpoint : (?<unaligned>true|false))?$` },
  { id: 'S4', kind: 'subtask.async-start', loggers: ASYNC_PHASE, versions: '1.12.0 → 2.0-S', needle: ' - started executing asynchronous part of checkpoint ',
    re: rx`^${TASK} - started executing asynchronous part of checkpoint ${CKPT}\. Asynchronous start delay: (?<asyncStartDelayMs>\d+) ms$` },
  { id: 'S5', kind: 'subtask.async-done', loggers: ASYNC_PHASE, versions: 'all', needle: ' - finished asynchronous part of checkpoint ',
    re: rx`^${TASK} - finished asynchronous part of checkpoint ${CKPT}\. Asynchronous duration: (?<asyncMs>\d+) ms$` },
  { id: 'S6', kind: 'subtask.async-failed', loggers: ASYNC_PHASE, versions: 'DEBUG 1.10.0–1.11.0, INFO 1.12.0+', needle: ' - asynchronous part of checkpoint ', reason: true,
    re: rx`^${TASK} - asynchronous part of checkpoint ${CKPT} could not be completed\.$` },
  { id: 'S7', kind: 'subtask.async-failed', loggers: ASYNC_PHASE, versions: 'all', needle: ' - asynchronous part of checkpoint ', attrs: { closedBefore: true },
    re: rx`^${TASK} - asynchronous part of checkpoint ${CKPT} could not be completed because it was closed before\.$` },
  { id: 'S8', kind: 'subtask.reported-states', loggers: ASYNC_PHASE, versions: 'all', needle: ' - reported the following states in snapshot for checkpoint ',
    re: rx`^${TASK} - reported the following states in snapshot for checkpoint ${CKPT}: (?<states>.*)\.$` },
  { id: 'S9', kind: 'subtask.decline-ignored', loggers: ['AsyncCheckpointRunnable'], versions: '1.13+', prefix: 'Ignore decline of checkpoint ',
    re: rx`^Ignore decline of checkpoint ${CKPT} as task is not running anymore\.$` },
  { id: 'S10', kind: 'subtask.snapshot-failed', loggers: ['SubtaskCheckpointCoordinatorImpl'], versions: '1.11.0–1.14b', prefix: 'Could not ', reason: true,
    re: rx`^Could not (?<failedStep>complete snapshot|materialize checkpoint|perform checkpoint) ${CKPT} for operator ${TASK}\.(?: Failure reason: (?<reasonText>.+))?$` },
  { id: 'S11', kind: 'subtask.slow-trigger', loggers: ['SubtaskCheckpointCoordinatorImpl'], versions: '1.14b–1.17b', prefix: 'Time from receiving all checkpoint barriers/RPC ',
    re: rx`^Time from receiving all checkpoint barriers/RPC to executing it exceeded threshold: (?<delayMs>\d+)ms$` },
  { id: 'S11b', kind: 'subtask.slow-trigger', loggers: ['SubtaskCheckpointCoordinatorImpl'], versions: '1.20-S, 2.0-S', prefix: 'Time from receiving all checkpoint barriers/RPC ',
    re: rx`^Time from receiving all checkpoint barriers/RPC for checkpoint ${CKPT} to executing it exceeded threshold: (?<delayMs>\d+)ms$` },
  { id: 'S12', kind: 'subtask.checkpoint-aborted', loggers: ['SubtaskCheckpointCoordinatorImpl'], versions: '1.11+', prefix: 'Checkpoint ',
    re: rx`^Checkpoint ${CKPT} has been notified as aborted, would not trigger any checkpoint\.$` },
  { id: 'S13', kind: 'subtask.barrier-out-of-order', loggers: ['SubtaskCheckpointCoordinatorImpl'], versions: '1.11+', prefix: 'Out of order checkpoint barrier ',
    re: rx`^Out of order checkpoint barrier \(aborted previously\?\): ${CKPT} >= (?<lastCheckpointId>\d+)$` },
  { id: 'S14', kind: 'subtask.cancel-barrier', loggers: SYNC_PHASE, versions: 'all', prefix: 'Aborting checkpoint via cancel-barrier ',
    re: rx`^Aborting checkpoint via cancel-barrier ${CKPT} for task (?<task>.+)$` },
  { id: 'S15', kind: 'subtask.notified', loggers: SYNC_PHASE, versions: '≤1.12', prefix: 'Notification of complete checkpoint ', attrs: { operation: 'COMPLETE' },
    re: rx`^Notification of complete checkpoint for task (?<task>.+)$` },
  { id: 'S15', kind: 'subtask.notified', loggers: SYNC_PHASE, versions: '1.13–1.14', prefix: 'Notification of completed checkpoint ', attrs: { operation: 'COMPLETE' },
    re: rx`^Notification of completed checkpoint ${CKPT} for task (?<task>.+)$` },
  { id: 'S15', kind: 'subtask.notified', loggers: SYNC_PHASE, versions: '1.13–1.14', prefix: 'Notification of aborted checkpoint ', attrs: { operation: 'ABORT' },
    re: rx`^Notification of aborted checkpoint ${CKPT} for task (?<task>.+)$` },
  { id: 'S15', kind: 'subtask.notified', loggers: SYNC_PHASE, versions: '1.15+', prefix: 'Notification of checkpoint ',
    re: rx`^Notification of checkpoint ${CKPT} (?<operation>[A-Z_]+) for task (?<task>.+)$` },
  { id: 'S16', kind: 'subtask.broadcast', loggers: ['SubtaskCheckpointCoordinatorImpl'], versions: '2.0-S', prefix: 'Task ',
    re: rx`^Task ${TASK} broadcastEvent at (?<broadcastEpochMs>\d+), triggerTime (?<triggerEpochMs>\d+), passed time (?<passedMs>\d+)$` },
  { id: 'S17', kind: 'subtask.backend-snapshot', loggers: SNAPSHOT_RUNNER, versions: 'all', needle: ' part) in thread ',
    re: rx`^(?<backend>.+?) \((?<streamFactory>.*), (?<part>synchronous|asynchronous) part\) in thread (?<thread>.+) took (?<durationMs>\d+) ms\.$`,
    refine: (event, attrs, groups) => {
      const path = CHECKPOINT_PATH.exec(groups.streamFactory ?? '');
      if (path !== null) event.checkpointId = Number(path[1]);
      const thread = THREAD.exec(groups.thread ?? '');
      if (thread !== null && TASK_SUFFIX.test(thread[1])) attrs.taskName = thread[1];
    } },
  { id: 'S18', kind: 'subtask.trigger-rejected', loggers: TASK_LOGGER, versions: '1.10+', prefix: 'Triggering checkpoint ',
    re: rx`^Triggering checkpoint ${CKPT} for ${TASK} \(${ATTEMPT}\) was rejected by the mailbox$` },
  { id: 'S18', kind: 'subtask.trigger-rejected', loggers: TASK_LOGGER, versions: '1.10+', prefix: 'Declining checkpoint request for non-running task ',
    attrs: { taskNotRunning: true },
    re: rx`^Declining checkpoint request for non-running task ${TASK} \(${ATTEMPT}\)\.$` },
  { id: 'S19', kind: 'subtask.channel-state', loggers: ['ChannelStateWriterImpl'], versions: '1.11+', needle: ' starting checkpoint ', attrs: { action: 'start' },
    re: rx`^${TASK} starting checkpoint ${CKPT} \((?<checkpointOptions>.*)\)$` },
  { id: 'S19', kind: 'subtask.channel-state', loggers: ['ChannelStateWriterImpl'], versions: '1.11+', needle: ' finishing input data, checkpoint ', attrs: { action: 'finish-input' },
    re: rx`^${TASK} finishing input data, checkpoint ${CKPT}$` },
  { id: 'S19', kind: 'subtask.channel-state', loggers: ['ChannelStateWriterImpl'], versions: '1.11+', needle: ' finishing output data, checkpoint ', attrs: { action: 'finish-output' },
    re: rx`^${TASK} finishing output data, checkpoint ${CKPT}$` },
  { id: 'S19', kind: 'subtask.channel-state', loggers: ['ChannelStateWriterImpl'], versions: '1.11+', needle: ' aborting, checkpoint ', attrs: { action: 'abort' },
    re: rx`^${TASK} aborting, checkpoint ${CKPT}$` },
  { id: 'S19', kind: 'subtask.channel-state', loggers: ['ChannelStateCheckpointWriter'], versions: '1.11+', prefix: 'channel state write completed', attrs: { action: 'complete' },
    re: rx`^channel state write completed, checkpointId: ${CKPT}, handles: (?<handles>.*)$` },

  // §2.7 Barriers (TM)
  { id: 'B1', kind: 'barrier.alignment-start', loggers: ALIGNER, versions: '1.9.0–1.11.0', needle: ': Starting stream alignment for checkpoint ',
    re: rx`^${TASK}: Starting stream alignment for checkpoint ${CKPT}\.$` },
  { id: 'B1', kind: 'barrier.received', loggers: ALIGNER, versions: '1.9.0–1.11.0', needle: ': Received barrier from channel ',
    re: rx`^${TASK}: Received barrier from channel (?<channel>.+)\.$` },
  { id: 'B1', kind: 'barrier.aligned', loggers: ALIGNER, versions: '1.9.0–1.11.0', needle: ': Received all barriers, triggering checkpoint ',
    re: rx`^${TASK}: Received all barriers, triggering checkpoint ${CKPT} at (?<barrierEpochMs>\d+)\.$` },
  { id: 'B1', kind: 'barrier.alignment-end', loggers: ALIGNER, versions: '1.9.0–1.11.0', needle: ': End of stream alignment',
    re: rx`^${TASK}: End of stream alignment, feeding buffered data back\.$` },
  { id: 'B1', kind: 'barrier.cancelled', loggers: ALIGNER, versions: '1.9.0–1.11.0', needle: ' canceled, ',
    re: rx`^${TASK}: Checkpoint ${CKPT} canceled, (?<cancelAction>aborting|skipping) alignment\.$` },
  { id: 'B2', kind: 'barrier.skipped', loggers: ALIGNER, versions: '1.9.0–1.11.0', needle: ': Received checkpoint barrier for checkpoint ',
    re: rx`^${TASK}: Received checkpoint barrier for checkpoint (?<nextCheckpointId>\d+) before completing current checkpoint ${CKPT}\. Skipping current checkpoint\.$` },
  { id: 'B2', kind: 'barrier.skipped', loggers: ALIGNER, versions: '1.9.0–1.11.0', needle: ': Received cancellation barrier for checkpoint ', attrs: { cancellation: true },
    re: rx`^${TASK}: Received cancellation barrier for checkpoint (?<nextCheckpointId>\d+) before completing current checkpoint ${CKPT}\. Skipping current checkpoint\.$` },
  { id: 'B3', kind: 'barrier.received', loggers: UNALIGNER, versions: '1.11.0', needle: ': Received barrier from channel ', attrs: { unaligned: true },
    re: rx`^${TASK}: Received barrier from channel (?<channel>.+) @ ${CKPT}\.$` },
  { id: 'B3', kind: 'barrier.skipped', loggers: UNALIGNER, versions: '1.11.0', needle: ': Received barrier or EndOfPartition(-1) ',
    re: rx`^${TASK}: Received barrier or EndOfPartition\(-1\) (?<nextCheckpointId>-?\d+) before completing current checkpoint ${CKPT}\. Skipping current checkpoint\.$` },
  { id: 'B4', kind: 'barrier.received', loggers: SINGLE_HANDLER, versions: '1.12.0 → 2.0-S', needle: ': Received barrier from channel ',
    re: rx`^${TASK}: Received barrier from channel (?<channel>.+) @ ${CKPT}\.$` },
  { id: 'B4', kind: 'barrier.triggered', loggers: SINGLE_HANDLER, versions: '1.12.0', needle: ' on the first barrier at ', attrs: { unaligned: true },
    re: rx`^${TASK}: Triggering checkpoint ${CKPT} on the first barrier at (?<barrierEpochMs>\d+)\.$` },
  { id: 'B4', kind: 'barrier.triggered', loggers: SINGLE_HANDLER, versions: '1.12.0', needle: ' on the last barrier at ', attrs: { unaligned: false },
    re: rx`^${TASK}: Triggering checkpoint ${CKPT} on the last barrier at (?<barrierEpochMs>\d+)\.$` },
  { id: 'B5', kind: 'barrier.aligned', loggers: SINGLE_HANDLER, versions: '1.13.0', needle: ': Received all barriers for checkpoint ',
    re: rx`^${TASK}: Received all barriers for checkpoint ${CKPT}\.$` },
  { id: 'B5', kind: 'barrier.aligned', loggers: SINGLE_HANDLER, versions: '1.14b → 2.0-S', needle: ': All the channels are aligned for checkpoint ',
    re: rx`^${TASK}: All the channels are aligned for checkpoint ${CKPT}\.$` },
  { id: 'B5', kind: 'barrier.announcement', loggers: SINGLE_HANDLER, versions: '1.13.0 → 2.0-S', needle: ' on the barrier announcement at ',
    re: rx`^${TASK}: Triggering checkpoint ${CKPT} on the barrier announcement at (?<barrierEpochMs>\d+)\.$` },
  { id: 'B5', kind: 'barrier.announcement', loggers: SINGLE_HANDLER, versions: '1.13.0 → 2.0-S', needle: ': Obsolete announcement of checkpoint ', attrs: { obsolete: true },
    re: rx`^${TASK}: Obsolete announcement of checkpoint ${CKPT} for channel (?<channel>.+)\.$` },
  { id: 'B5', kind: 'barrier.cancelled', loggers: SINGLE_HANDLER, versions: '1.13.0 → 2.0-S', needle: ': Received cancellation ',
    re: rx`^${TASK}: Received cancellation ${CKPT}\.$` },
  { id: 'B5', kind: 'barrier.aborted', loggers: SINGLE_HANDLER, versions: '1.13.0 → 2.0-S', needle: ': Aborting checkpoint ',
    re: rx`^${TASK}: Aborting checkpoint ${CKPT} after exception (?<cause>.*)\.$` },
  { id: 'B6', kind: 'barrier.skipped', loggers: SINGLE_HANDLER, versions: '1.12.0 → 2.0-S', needle: ': Received checkpoint barrier for checkpoint ',
    re: rx`^${TASK}: Received checkpoint barrier for checkpoint (?<nextCheckpointId>\d+) before completing current checkpoint ${CKPT}\. Skipping current checkpoint\.$` },
  { id: 'B6', kind: 'barrier.skipped', loggers: SINGLE_HANDLER, versions: '1.12.0 → 2.0-S', needle: ': Received EndOfPartition(-1) ', attrs: { endOfPartition: true },
    re: rx`^${TASK}: Received EndOfPartition\(-1\) before completing current checkpoint ${CKPT}\. Skipping current checkpoint\.$` },
  { id: 'B7', kind: 'barrier.received', loggers: TRACKER, versions: 'all', prefix: 'Received barrier for checkpoint ',
    re: rx`^Received barrier for checkpoint ${CKPT} from channel (?<channel>.+?)\.?$` },
  { id: 'B7', kind: 'barrier.aligned', loggers: TRACKER, versions: 'all (→ 2.0-S wording below)', prefix: 'Received all barriers for checkpoint ',
    re: rx`^Received all barriers for checkpoint ${CKPT}\.?$` },
  { id: 'B7', kind: 'barrier.aligned', loggers: TRACKER, versions: '2.0-S', prefix: 'All the channels are aligned for checkpoint ',
    re: rx`^All the channels are aligned for checkpoint ${CKPT}\.?$` },
  { id: 'B7', kind: 'barrier.cancelled', loggers: TRACKER, versions: 'all', prefix: 'Received cancellation barrier for checkpoint ',
    re: rx`^Received cancellation barrier for checkpoint ${CKPT}\.?$` },
  { id: 'B8', kind: 'barrier.config-warning', loggers: ['StreamingJobGraphGenerator'], versions: '1.11+', prefix: 'Unaligned checkpoints can only be used ',
    re: rx`^Unaligned checkpoints can only be used with checkpointing mode EXACTLY_ONCE$` },

  // §2.8 Task, execution and job state
  { id: 'X2', kind: 'task.state', loggers: TASK_LOGGER, versions: '1.9.0–1.12.0', needle: ') switched from ', stackRequired: true,
    re: rx`^${TASK} \(${ATTEMPT}\) ${FROM_TO}\.$` },
  { id: 'X1', kind: 'task.state', loggers: TASK_LOGGER, versions: 'all', needle: ') switched from ',
    re: rx`^${TASK} \(${ATTEMPT}\) ${FROM_TO}\.$` },
  { id: 'X3', kind: 'task.state', loggers: TASK_LOGGER, versions: '1.13.0–1.16.3', needle: ') switched from ',
    re: rx`^${TASK} \(${ATTEMPT}\) ${FROM_TO} with failure cause: (?<cause>.+)$` },
  { id: 'X4', kind: 'task.state', loggers: TASK_LOGGER, versions: '1.17b → 2.0-S', needle: ') switched from ',
    re: rx`^${TASK} \(${ATTEMPT}\) ${FROM_TO} with failure cause:\s*$` },
  { id: 'X5', kind: 'task.state', loggers: TASK_LOGGER, versions: '1.15b+', needle: ' due to CancelTaskException', attrs: { cancelTaskException: true },
    re: rx`^${TASK} \(${ATTEMPT}\) ${FROM_TO} due to CancelTaskException\.$` },
  { id: 'X5', kind: 'task.state', loggers: TASK_LOGGER, versions: '1.15–1.16 (DEBUG)', needle: ' due to CancelTaskException', attrs: { cancelTaskException: true },
    re: rx`^${TASK} \(${ATTEMPT}\) ${FROM_TO} due to CancelTaskException: (?<cause>.+)$` },
  { id: 'X5', kind: 'task.state', loggers: TASK_LOGGER, versions: '1.17+ (DEBUG)', needle: ' due to CancelTaskException', attrs: { cancelTaskException: true },
    re: rx`^${TASK} \(${ATTEMPT}\) ${FROM_TO} due to CancelTaskException:\s*$` },
  { id: 'X7', kind: 'task.state', loggers: EXECUTION, versions: '1.11+', needle: ' on ',
    re: rx`^${TASK} \(${ATTEMPT}\) ${FROM_TO} on (?<location>.+)\.$` },
  { id: 'X7', kind: 'task.state', loggers: EXECUTION, versions: '≤1.10', needle: ') switched from ', stackRequired: true,
    re: rx`^${TASK} \(${ATTEMPT}\) ${FROM_TO}\.$` },
  { id: 'X6', kind: 'task.state', loggers: EXECUTION, versions: 'all', needle: ') switched from ',
    re: rx`^${TASK} \(${ATTEMPT}\) ${FROM_TO}\.$` },
  { id: 'X8', kind: 'job.state', loggers: EXECUTION, versions: 'all', prefix: 'Job ',
    re: rx`^Job (?<jobName>.*) \(${JOB}\) switched from state (?<from>[A-Z_]+) to (?<to>[A-Z_]+)\.$` },
  { id: 'X9', kind: 'job.terminal', loggers: ['Dispatcher', 'StandaloneDispatcher', 'MiniDispatcher'], versions: '≤1.13', prefix: 'Job ',
    attrs: { globally: true },
    re: rx`^Job ${JOB} reached globally terminal state (?<to>[A-Z_]+)\.$` },
  { id: 'X9', kind: 'job.terminal', loggers: ['Dispatcher', 'StandaloneDispatcher', 'MiniDispatcher'], versions: '1.14b+', prefix: 'Job ',
    re: rx`^Job ${JOB} reached terminal state (?<to>[A-Z_]+)\.$` },
  { id: 'X10', kind: 'task.cancel', loggers: TASK_LOGGER, versions: 'all', prefix: 'Freeing task resources for ', attrs: { action: 'free-resources' },
    re: rx`^Freeing task resources for ${TASK} \(${ATTEMPT}\)\.$` },
  { id: 'X10', kind: 'task.cancel', loggers: TASK_LOGGER, versions: 'all', prefix: 'Attempting to cancel task ', attrs: { action: 'cancel' },
    re: rx`^Attempting to cancel task ${TASK} \(${ATTEMPT}\)\.$` },
  { id: 'X10', kind: 'task.cancel', loggers: TASK_LOGGER, versions: 'all', prefix: 'Attempting to fail task externally ', attrs: { action: 'fail' },
    re: rx`^Attempting to fail task externally ${TASK} \(${ATTEMPT}\)\.$` },
  { id: 'X11', kind: 'task.stuck', loggers: TASK_LOGGER, versions: 'all', prefix: 'Task ',
    re: rx`^Task '(?<task>.+)' did not react to cancelling signal for (?<seconds>\d+) seconds, but is stuck in method:\s*(?<stuckIn>.*)$` },

  // Addendum: deployment (attempt id → TaskManager)
  { id: 'DEPLOY-1.16', kind: 'task.deploy', loggers: EXECUTION, versions: '1.16+', prefix: 'Deploying ',
    re: rx`^Deploying ${TASK} \(attempt #(?<attemptNo>\d+)\) with attempt id ${ATTEMPT} and vertex id ${EVID} to (?<location>.+?) with allocation id (?<allocationId>[0-9a-f]{32})$` },
  { id: 'DEPLOY-1.11', kind: 'task.deploy', loggers: EXECUTION, versions: '1.11–1.15', prefix: 'Deploying ',
    re: rx`^Deploying ${TASK} \(attempt #(?<attemptNo>\d+)\) with attempt id ${ATTEMPT} to (?<location>.+?) with allocation id (?<allocationId>[0-9a-f]{32})$` },
  { id: 'DEPLOY-1.10', kind: 'task.deploy', loggers: EXECUTION, versions: '≤1.10', prefix: 'Deploying ',
    re: rx`^Deploying ${TASK} \(attempt #(?<attemptNo>\d+)\) to (?<location>.+)$` },
  { id: 'RECEIVED', kind: 'task.received', loggers: TASK_EXECUTOR, versions: 'all', prefix: 'Received task ',
    re: rx`^Received task ${TASK} \(${ATTEMPT}\), deploy into slot with allocation id (?<allocationId>[0-9a-f]{32})\.$` },

  // §2.9 Restarts
  { id: 'R1', kind: 'restart.region', loggers: REGION_STRATEGY, versions: '1.9.0–1.15b', prefix: 'Calculating tasks to restart ',
    re: rx`^Calculating tasks to restart to recover the failed task ${EVID}\.$` },
  { id: 'R2', kind: 'restart.region', loggers: REGION_STRATEGY, versions: '1.9.0–1.15b', needle: ' tasks should be restarted to recover the failed task ',
    re: rx`^(?<restartTaskCount>\d+) tasks should be restarted to recover the failed task ${EVID}\. ?$` },
  { id: 'R3', kind: 'restart.region', loggers: JOB_MASTER, versions: '1.16.3 → 2.0-S', needle: ' tasks will be restarted to recover the failed task ',
    re: rx`^(?<restartTaskCount>\d+) tasks will be restarted to recover the failed task ${EVID}\.$` },
  { id: 'R3', kind: 'restart.global', loggers: JOB_MASTER, versions: '1.16.3 → 2.0-S', needle: ' tasks will be restarted to recover from a global failure',
    re: rx`^(?<restartTaskCount>\d+) tasks will be restarted to recover from a global failure\.$` },
  { id: 'R4', kind: 'restart.global', loggers: JOB_MASTER, versions: '1.10.0 → 2.0-S', prefix: 'Trying to recover from a global failure',
    re: rx`^Trying to recover from a global failure\.$` },
  { id: 'R5', kind: 'restart.strategy', loggers: JOB_MASTER, versions: '1.10+', prefix: 'Using failover strategy ',
    re: rx`^Using failover strategy (?<strategy>.+?) for (?<jobName>.*) \(${JOB}\)\.$` },
  { id: 'R6', kind: 'restart.job', loggers: JOB_MASTER, versions: '1.14b+', prefix: 'Restarting job',
    re: rx`^Restarting job\.$` },

  // §2.10 Heartbeats, lost TaskManagers, containers
  { id: 'H2', kind: 'tm.heartbeat-timeout', loggers: JOB_MASTER, versions: '1.14b → 2.0-S', prefix: 'Heartbeat of TaskManager with id ',
    re: rx`^Heartbeat of TaskManager with id (?<tm>\S+) timed out\.$` },
  { id: 'H3', kind: 'tm.unreachable', loggers: JOB_MASTER, versions: '1.14b+', prefix: 'TaskManager with id ',
    re: rx`^TaskManager with id (?<tm>\S+) is no longer reachable\.$` },
  { id: 'H4', kind: 'tm.disconnect', loggers: JOB_MASTER, versions: 'DEBUG ≤1.15b, INFO 1.16.3+', prefix: 'Disconnect TaskExecutor ',
    re: rx`^Disconnect TaskExecutor (?<tm>\S+) because: (?<cause>.*)$` },
  { id: 'H5', kind: 'tm.heartbeat-timeout', loggers: RESOURCE_MANAGER, versions: 'all', prefix: 'The heartbeat of TaskManager with id ',
    re: rx`^The heartbeat of TaskManager with id (?<tm>\S+) timed out\.$` },
  { id: 'H6', kind: 'tm.unreachable', loggers: RESOURCE_MANAGER, versions: '1.14b+', prefix: 'TaskManager with id ',
    re: rx`^TaskManager with id (?<tm>\S+) is no longer reachable\.$` },
  { id: 'H7', kind: 'tm.disconnect', loggers: RESOURCE_MANAGER, versions: 'all', prefix: 'Closing TaskExecutor connection ',
    re: rx`^Closing TaskExecutor connection (?<tm>\S+) because: (?<cause>.*)$` },
  { id: 'H8', kind: 'tm.worker-terminated', loggers: RESOURCE_MANAGER, versions: '1.12.0+', prefix: 'Worker ',
    re: rx`^Worker (?<tm>\S+) is terminated\. Diagnostics: (?<diagnostics>.*)$`,
    refine: (_event, attrs, groups) => {
      const diagnostics = groups.diagnostics ?? '';
      const exit = EXIT_CODE.exec(diagnostics);
      if (exit !== null) attrs.exitCode = Number(exit[1]);
      const reason = TERMINATION_REASON.exec(diagnostics);
      if (reason !== null) attrs.terminationReason = reason[1];
    } },
  { id: 'H9', kind: 'tm.worker-requested', loggers: RESOURCE_MANAGER, versions: '1.12.0+', prefix: 'Requesting new worker ',
    re: rx`^Requesting new worker with resource spec (?<resourceSpec>.+), current pending count: (?<pendingCount>\d+)\.$` },
  { id: 'H10', kind: 'jm.heartbeat-timeout', loggers: TASK_EXECUTOR, versions: 'all', prefix: 'The heartbeat of JobManager ', attrs: { peer: 'JobManager' },
    re: rx`^The heartbeat of JobManager with id (?<peerId>\S+) timed out\.$` },
  { id: 'H10', kind: 'jm.heartbeat-timeout', loggers: TASK_EXECUTOR, versions: 'all', prefix: 'The heartbeat of ResourceManager ', attrs: { peer: 'ResourceManager' },
    re: rx`^The heartbeat of ResourceManager with id (?<peerId>\S+) timed out\.$` },
  { id: 'H10', kind: 'jm.leadership-lost', loggers: TASK_EXECUTOR, versions: 'all', prefix: 'JobManager for job ',
    re: rx`^JobManager for job ${JOB} with leader id (?<leaderId>\S+) lost leadership\.$` },
  { id: 'H11', kind: 'jm.heartbeat-timeout', loggers: JOB_MASTER, versions: 'all', prefix: 'The heartbeat of ResourceManager ', attrs: { peer: 'ResourceManager' },
    re: rx`^The heartbeat of ResourceManager with id (?<peerId>\S+) timed out\.$` },
  { id: 'H11', kind: 'rm.disconnect', loggers: JOB_MASTER, versions: '1.15b → 2.0-S', prefix: 'Close ResourceManager connection ',
    re: rx`^Close ResourceManager connection (?<peerId>\S+): (?<cause>.*)$` },

  // §2.11 ZooKeeper / HA
  { id: 'Z1', kind: 'ha.zk-suspended', loggers: LEADER_ELECTION, versions: '≤1.13', prefix: 'Connection to ZooKeeper suspended. The contender ',
    re: rx`^Connection to ZooKeeper suspended\. The contender (?<contender>.+) no longer participates in the leader election\.$` },
  { id: 'Z1b', kind: 'ha.zk-suspended', loggers: LEADER_ELECTION, versions: '1.14b+', prefix: 'Connection to ZooKeeper suspended, waiting for reconnection',
    re: rx`^Connection to ZooKeeper suspended, waiting for reconnection\.$` },
  { id: 'Z2', kind: 'ha.zk-reconnected', loggers: LEADER_ELECTION, versions: 'all', prefix: 'Connection to ZooKeeper was reconnected. Leader election',
    re: rx`^Connection to ZooKeeper was reconnected\. Leader election can be restarted\.$` },
  { id: 'Z3', kind: 'ha.zk-lost', loggers: LEADER_ELECTION, versions: '≤1.17', prefix: 'Connection to ZooKeeper lost. The contender ',
    re: rx`^Connection to ZooKeeper lost\. The contender(?: (?<contender>.+?))? no longer participates in the leader election\.$` },
  { id: 'Z3', kind: 'ha.zk-lost', loggers: LEADER_ELECTION, versions: '2.0-S', prefix: 'Connection to ZooKeeper lost. None of the contenders ',
    re: rx`^Connection to ZooKeeper lost\. None of the contenders participates in the leader election anymore\.$` },
  { id: 'Z4', kind: 'ha.zk-suspended', loggers: LEADER_RETRIEVAL, versions: '≤1.13', prefix: 'Connection to ZooKeeper suspended. Can no longer retrieve ',
    re: rx`^Connection to ZooKeeper suspended\. Can no longer retrieve the leader from ZooKeeper\.$` },
  { id: 'Z4', kind: 'ha.zk-suspended', loggers: LEADER_RETRIEVAL, versions: '1.14b+', prefix: 'Connection to ZooKeeper suspended, waiting for reconnection',
    re: rx`^Connection to ZooKeeper suspended, waiting for reconnection\.$` },
  { id: 'Z4', kind: 'ha.zk-reconnected', loggers: LEADER_RETRIEVAL, versions: 'all', prefix: 'Connection to ZooKeeper was reconnected. Leader retrieval',
    re: rx`^Connection to ZooKeeper was reconnected\. Leader retrieval can be restarted\.$` },
  { id: 'Z4', kind: 'ha.zk-lost', loggers: LEADER_RETRIEVAL, versions: 'all', prefix: 'Connection to ZooKeeper lost. Can no longer retrieve ',
    re: rx`^Connection to ZooKeeper lost\. Can no longer retrieve the leader from ZooKeeper\.$` },
  { id: 'Z5', kind: 'ha.zk-suspended', loggers: JOB_GRAPH_STORE, versions: '≤1.13', prefix: 'ZooKeeper connection SUSPENDING',
    re: rx`^ZooKeeper connection SUSPENDING\. Changes to the submitted job graphs are not monitored \(temporarily\)\.$` },
  { id: 'Z5', kind: 'ha.zk-lost', loggers: JOB_GRAPH_STORE, versions: '≤1.13', prefix: 'ZooKeeper connection LOST',
    re: rx`^ZooKeeper connection LOST\. Changes to the submitted job graphs are not monitored \(permanently\)\.$` },
  { id: 'Z5', kind: 'ha.zk-reconnected', loggers: JOB_GRAPH_STORE, versions: '≤1.13', prefix: 'ZooKeeper connection RECONNECTED',
    re: rx`^ZooKeeper connection RECONNECTED\. Changes to the submitted job graphs are monitored again\.$` },
  { id: 'Z6', kind: 'ha.leadership-granted', loggers: JOB_LEADERSHIP, versions: '1.9–1.12', prefix: 'JobManager runner for job ',
    re: rx`^JobManager runner for job (?<jobName>.*) \(${JOB}\) was granted leadership with session id (?<leaderId>\S+) at (?<address>\S+)\.$` },
  { id: 'Z6', kind: 'ha.leadership-revoked', loggers: JOB_LEADERSHIP, versions: '1.9', prefix: 'JobManager for job ',
    re: rx`^JobManager for job (?<jobName>.*) \(${JOB}\) was revoked leadership at (?<address>\S+)\.$` },
  { id: 'Z6', kind: 'ha.leadership-revoked', loggers: JOB_LEADERSHIP, versions: '1.10–1.12', prefix: 'JobManager for job ',
    re: rx`^JobManager for job (?<jobName>.*) \(${JOB}\) at (?<address>\S+) was revoked leadership\.$` },
  { id: 'Z6', kind: 'ha.leadership-granted', loggers: JOB_LEADERSHIP, versions: '1.16.3+', needle: ' was granted leadership with leader id ',
    re: rx`^(?<leaderComponent>\S+) for job ${JOB} was granted leadership with leader id (?<leaderId>\S+)\. Creating new (?<created>\S+)\.$` },
  { id: 'Z6', kind: 'ha.leadership-revoked', loggers: JOB_LEADERSHIP, versions: '1.16.3+', needle: ' was revoked leadership with leader id ',
    re: rx`^(?<leaderComponent>\S+) for job ${JOB} was revoked leadership with leader id (?<leaderId>\S+)\. Stopping current (?<stopped>\S+)\.$` },
  { id: 'Z6', kind: 'ha.leadership-granted', loggers: RESOURCE_MANAGER, versions: 'all', prefix: 'ResourceManager ', attrs: { leaderComponent: 'ResourceManager' },
    re: rx`^ResourceManager (?<address>\S+) was granted leadership with fencing token (?<leaderId>\S+)$` },
  { id: 'Z6', kind: 'ha.leadership-granted', loggers: REST_ENDPOINT, versions: 'all', needle: ' was granted leadership with leaderSessionID=', attrs: { leaderComponent: 'WebMonitorEndpoint' },
    re: rx`^(?<address>\S+) was granted leadership with leaderSessionID=(?<leaderId>\S+)$` },
  { id: 'Z7', kind: 'ha.zk-suspended', loggers: ['ConnectionStateManager'], versions: 'all', prefix: 'State change: SUSPENDED',
    re: rx`^State change: (?<zkState>SUSPENDED)$` },
  { id: 'Z7', kind: 'ha.zk-lost', loggers: ['ConnectionStateManager'], versions: 'all', prefix: 'State change: LOST',
    re: rx`^State change: (?<zkState>LOST)$` },
  { id: 'Z7', kind: 'ha.zk-reconnected', loggers: ['ConnectionStateManager'], versions: 'all', prefix: 'State change: RECONNECTED',
    re: rx`^State change: (?<zkState>RECONNECTED)$` },
  { id: 'Z7', kind: 'ha.connection-state', loggers: ['ConnectionStateManager'], versions: 'all', prefix: 'State change: ',
    re: rx`^State change: (?<zkState>[A-Z_]+)$` },
  { id: 'Z8', kind: 'ha.connection-state', loggers: ['ClientCnxn'], versions: 'ZooKeeper client (wording not checked)', prefix: '', minLevel: Level.Info,
    re: rx`^(?<zkMessage>.+)$`,
    refine: (_event, attrs, groups) => {
      const text = groups.zkMessage ?? '';
      if (/session timed out/i.test(text)) attrs.zkState = 'session-timeout';
      else if (/expired/i.test(text)) attrs.zkState = 'session-expired';
      else if (/closing socket connection|attempting reconnect/i.test(text)) attrs.zkState = 'disconnected';
      else if (/session establishment complete/i.test(text)) attrs.zkState = 'connected';
      else if (/opening socket connection|socket connection established/i.test(text)) attrs.zkState = 'connecting';
    } },

  // §2.13 Out-of-memory and fatal errors
  { id: 'O1', kind: 'fatal.error', loggers: TASK_LOGGER, versions: 'all', prefix: 'Encountered fatal error ',
    re: rx`^Encountered fatal error (?<errorClass>\S+) - terminating the JVM$` },
  { id: 'O2', kind: 'fatal.error', loggers: ['TaskManagerRunner'], versions: 'all', prefix: 'Fatal error occurred while executing the TaskManager',
    re: rx`^Fatal error occurred while executing the TaskManager\. Shutting it down\.\.\.$` },
  { id: 'O3', kind: 'fatal.error', loggers: ['ClusterEntrypoint'], versions: 'all', prefix: 'Fatal error occurred in the cluster entrypoint',
    re: rx`^Fatal error occurred in the cluster entrypoint\.$` },
  { id: 'O4', kind: 'fatal.uncaught', loggers: ['FatalExitExceptionHandler'], versions: 'all', prefix: 'FATAL: Thread ', attrs: { fatal: true },
    re: rx`^FATAL: Thread '(?<thread>.*)' produced an uncaught exception\. Stopping the process\.\.\.$` },
  { id: 'O5', kind: 'fatal.uncaught', loggers: ['ClusterUncaughtExceptionHandler'], versions: '1.14b+', prefix: 'WARNING: Thread ', attrs: { fatal: false },
    re: rx`^WARNING: Thread '(?<thread>.*)' produced an uncaught exception\. If you want to fail on uncaught exceptions, then configure (?<option>.+) accordingly$` },
  { id: 'O7', kind: 'oom', loggers: ['MemorySegmentFactory'], versions: '1.11.0+', prefix: 'Cannot allocate direct memory segment', attrs: { oomType: 'direct' },
    re: rx`^Cannot allocate direct memory segment$` },

  // §2.14 Backpressure and thread-info sampling
  { id: 'BP-1.9', kind: 'sampling.backpressure', loggers: BP_TRACKER, versions: '1.9.0', prefix: 'Triggering stack trace sample for tasks: ', attrs: { action: 'trigger' },
    re: rx`^Triggering stack trace sample for tasks: (?<tasks>.*)$` },
  { id: 'BP-1.9', kind: 'sampling.backpressure', loggers: STACK_SAMPLER, versions: '1.9.0', prefix: 'Triggering stack trace sample ', attrs: { action: 'trigger' },
    re: rx`^Triggering stack trace sample (?<requestId>\d+)$` },
  { id: 'BP-1.9', kind: 'sampling.backpressure', loggers: STACK_SAMPLER, versions: '1.9.0', prefix: 'Collecting stack trace sample ', attrs: { action: 'collect' },
    re: rx`^Collecting stack trace sample (?<requestId>\d+) of task ${ATTEMPT}$` },
  { id: 'BP-1.9', kind: 'sampling.backpressure', loggers: STACK_SAMPLER, versions: '1.9.0', prefix: 'Received late stack trace sample ', attrs: { action: 'late' },
    re: rx`^Received late stack trace sample (?<requestId>\d+) of task ${ATTEMPT}$` },
  { id: 'BP-1.9', kind: 'sampling.backpressure', loggers: STACK_SAMPLER, versions: '1.9.0', prefix: 'Cancelling sample ', attrs: { action: 'cancel' },
    re: rx`^Cancelling sample (?<requestId>\d+)(?<cancelDetail>.*)$` },
  { id: 'BP-1.9', kind: 'sampling.backpressure', loggers: STACK_SAMPLER, versions: '1.9.0', prefix: 'Shutting down stack trace sample coordinator', attrs: { action: 'shutdown' },
    re: rx`^Shutting down stack trace sample coordinator\.$` },
  { id: 'BP-1.10', kind: 'sampling.backpressure', loggers: BP_TRACKER, versions: '1.10.0–1.12.0', prefix: 'Triggering back pressure request for tasks: ', attrs: { action: 'trigger' },
    re: rx`^Triggering back pressure request for tasks: (?<tasks>.*)$` },
  { id: 'BP-1.10', kind: 'sampling.backpressure', loggers: BP_COORDINATOR, versions: '1.10.0–1.12.0', prefix: 'Triggering task back pressure request ', attrs: { action: 'trigger' },
    re: rx`^Triggering task back pressure request (?<requestId>\d+)\.$` },
  { id: 'BP-1.10', kind: 'sampling.backpressure', loggers: BP_COORDINATOR, versions: '1.10.0–1.12.0', prefix: 'Collecting back pressure response ', attrs: { action: 'collect' },
    re: rx`^Collecting back pressure response of request (?<requestId>\d+) from task ${ATTEMPT}\.$` },
  { id: 'BP-1.10', kind: 'sampling.backpressure', loggers: BP_COORDINATOR, versions: '1.10.0–1.12.0', prefix: 'Received late back pressure request ', attrs: { action: 'late' },
    re: rx`^Received late back pressure request (?<requestId>\d+) result of task ${ATTEMPT}\.$` },
  { id: 'BP-1.10', kind: 'sampling.backpressure', loggers: BP_COORDINATOR, versions: '1.10.0–1.12.0', prefix: 'Cancelling back pressure request ', attrs: { action: 'cancel' },
    re: rx`^Cancelling back pressure request (?<requestId>\d+)\.$` },
  { id: 'BP-1.10', kind: 'sampling.backpressure', loggers: BP_COORDINATOR, versions: '1.10.0–1.12.0', prefix: 'Shutting down back pressure request coordinator', attrs: { action: 'shutdown' },
    re: rx`^Shutting down back pressure request coordinator\.$` },
  { id: 'TI-1.13', kind: 'sampling.thread-info', loggers: ['ThreadInfoRequestCoordinator'], versions: '1.13+', prefix: 'Triggering thread info request ', attrs: { action: 'trigger' },
    re: rx`^Triggering thread info request (?<requestId>\d+)\.?$` },

  // §1.3 start-up facts
  { id: 'RESOURCE-ID', kind: 'startup.resource-id', loggers: ['TaskManagerRunner', 'YarnTaskExecutorRunner', 'KubernetesTaskExecutorRunner'], versions: 'all',
    prefix: 'Starting TaskManager with ResourceID: ', fact: 'tmResourceId',
    re: rx`^Starting TaskManager with ResourceID: (?<tm>\S+)$` },
  { id: 'CONFIG', kind: 'config.property', loggers: ['GlobalConfiguration'], versions: 'all', prefix: 'Loading configuration property: ', fact: 'config',
    re: rx`^Loading configuration property: (?<key>[^,]+), (?<value>.*)$` },
];

export const EXCEPTION_TEXTS: readonly ExceptionTextSpec[] = [
  // §2.12 RPC timeouts. The 1.14+ wording comes first: the 1.11 pattern would match it too.
  { id: 'RPC-1.14', kind: 'rpc.timeout', versions: '1.14b → 2.0-S', needle: 'at recipient [',
    re: rx`Invocation of \[(?<invocation>.+?)\] at recipient \[(?<recipient>.+?)\] timed out\.(?<hint> This is usually caused by.*?increase (?<rpcSystem>akka|pekko)\.ask\.timeout)?`,
    refine: (attrs) => {
      if (attrs.hint !== undefined) attrs.hint = true;
    } },
  { id: 'RPC-1.11', kind: 'rpc.timeout', versions: '1.11.0–1.13.0', needle: 'Invocation of ',
    re: rx`TimeoutException: Invocation of (?<invocation>.+?) timed out\.` },
  { id: 'RPC-ASK', kind: 'rpc.timeout', versions: '≤1.10 (Akka), inner cause in all versions; Pekko 1.18+', needle: 'AskTimeoutException: Ask timed out on ',
    re: rx`(?<rpcSystem>akka|org\.apache\.pekko)\.pattern\.AskTimeoutException: Ask timed out on \[(?<recipient>.+?)\] after \[(?<timeoutMs>\d+) ms\](?:\. Message of type \[(?<messageType>[^\]]*)\])?` },
  { id: 'RPC-UNREACHABLE', kind: 'rpc.timeout', versions: '1.14b+', needle: 'because the recipient is unreachable', attrs: { unreachable: true },
    re: rx`RecipientUnreachableException: Could not send message \[(?<invocation>.+?)\] from sender \[(?<sender>.+?)\] to recipient \[(?<recipient>.+?)\], because the recipient is unreachable` },
  // §2.10 H1: the heartbeat timeout as the failure cause of task transitions (no own log line before 1.14)
  { id: 'H1', kind: 'tm.heartbeat-timeout', versions: '1.9–1.13 (cause text in all versions)', needle: 'TimeoutException: Heartbeat of TaskManager with id ',
    re: rx`TimeoutException: Heartbeat of TaskManager with id (?<tm>\S+) timed out` },
  // §2.3 E6: the job fails because of too many failed checkpoints
  { id: 'E6', kind: 'checkpoint.tolerance-exceeded', versions: '1.9+ (1.17b+ names the latest reason)', needle: 'Exceeded checkpoint tolerable failure threshold',
    re: rx`Exceeded checkpoint tolerable failure threshold\.(?: The latest checkpoint failed due to (?<reasonText>.+?), view the Checkpoint History tab)?` },
  // §2.9 R7: restarts exhausted or disabled, as an attribute of the failure it explains
  { id: 'R7', attribute: 'recoverySuppressedBy', versions: '1.10+', needle: 'Recovery is suppressed by ',
    re: rx`Recovery is suppressed by (?<strategy>.+)$` },
  // §2.13 O6 and plain JVM OutOfMemoryErrors
  { id: 'O6', kind: 'oom', versions: '1.11+', needle: 'out-of-memory error has occurred', attrs: { enriched: true },
    re: rx`OutOfMemoryError: (?<oomText>(?:Direct buffer memory|Metaspace|Java heap space)\. .*)$` },
  { id: 'OOM', kind: 'oom', versions: 'JVM', needle: 'OutOfMemoryError',
    re: rx`OutOfMemoryError(?:: (?<oomText>.+))?$` },
];

/** OutOfMemoryError kinds by the start of their message. */
export const OOM_TYPES: ReadonlyArray<{ prefix: string; type: string }> = [
  { prefix: 'Java heap space', type: 'heap' },
  { prefix: 'Direct buffer memory', type: 'direct' },
  { prefix: 'Metaspace', type: 'metaspace' },
  { prefix: 'GC overhead limit exceeded', type: 'gc-overhead' },
  { prefix: 'unable to create new native thread', type: 'native-thread' },
  { prefix: 'unable to create native thread', type: 'native-thread' },
  { prefix: 'Requested array size exceeds VM limit', type: 'array-size' },
  { prefix: 'Compressed class space', type: 'compressed-class-space' },
];

/** Templates grouped by simple logger name, in catalogue order (the order of variants matters). */
export function templatesByLogger(templates: readonly TemplateSpec[]): Map<string, TemplateSpec[]> {
  const byLogger = new Map<string, TemplateSpec[]>();
  for (const template of templates) {
    for (const logger of template.loggers) {
      let list = byLogger.get(logger);
      if (list === undefined) byLogger.set(logger, (list = []));
      list.push(template);
    }
  }
  return byLogger;
}
