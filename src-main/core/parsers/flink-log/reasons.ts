/**
 * `CheckpointFailureReason` (flink-formats §2.5) as data: the constant, whether it is a trigger-time
 * ("pre-flight") failure, and every message text it has had across versions.
 */
export interface FailureReason {
  code: string;
  preFlight: boolean;
  messages: readonly string[];
  versions: string;
}

export const FAILURE_REASONS: readonly FailureReason[] = [
  { code: 'PERIODIC_SCHEDULER_SHUTDOWN', preFlight: true, messages: ['Periodic checkpoint scheduler is shut down.'], versions: '1.9+' },
  { code: 'ALREADY_QUEUED', preFlight: true, messages: ['Another checkpoint request has already been queued.'], versions: '1.9–1.10' },
  { code: 'TOO_MANY_CHECKPOINT_REQUESTS', preFlight: true, messages: ['The maximum number of queued checkpoint requests exceeded'], versions: '1.11+' },
  { code: 'TOO_MANY_CONCURRENT_CHECKPOINTS', preFlight: true, messages: ['The maximum number of concurrent checkpoints is exceeded'], versions: '1.9–1.16' },
  {
    code: 'MINIMUM_TIME_BETWEEN_CHECKPOINTS',
    preFlight: true,
    messages: ['The minimum time between checkpoints is still pending. Checkpoint will be triggered after the minimum time.'],
    versions: '1.9+',
  },
  { code: 'NOT_ALL_REQUIRED_TASKS_RUNNING', preFlight: true, messages: ['Not all required tasks are currently running.'], versions: '1.9+' },
  { code: 'EXCEPTION', preFlight: true, messages: ['An Exception occurred while triggering the checkpoint.'], versions: '1.9–1.13' },
  { code: 'IO_EXCEPTION', preFlight: true, messages: ['An Exception occurred while triggering the checkpoint. IO-problem detected.'], versions: '1.14b+' },
  { code: 'BLOCKING_OUTPUT_EXIST', preFlight: true, messages: ['Blocking output edge exists in running tasks.'], versions: '1.20-S+' },
  { code: 'CHECKPOINT_ASYNC_EXCEPTION', preFlight: false, messages: ['Asynchronous task checkpoint failed.'], versions: '1.12+' },
  {
    code: 'CHANNEL_STATE_SHARED_STREAM_EXCEPTION',
    preFlight: false,
    messages: ['The checkpoint was aborted due to exception of other subtasks sharing the ChannelState file.'],
    versions: '1.17b+',
  },
  { code: 'CHECKPOINT_EXPIRED', preFlight: false, messages: ['Checkpoint expired before completing.'], versions: '1.9+' },
  { code: 'CHECKPOINT_SUBSUMED', preFlight: false, messages: ['Checkpoint has been subsumed.'], versions: '1.9+' },
  { code: 'CHECKPOINT_DECLINED', preFlight: false, messages: ['Checkpoint was declined.'], versions: '1.9+' },
  { code: 'CHECKPOINT_DECLINED_TASK_NOT_READY', preFlight: false, messages: ['Checkpoint was declined (tasks not ready)'], versions: '1.9+' },
  { code: 'CHECKPOINT_DECLINED_TASK_NOT_CHECKPOINTING', preFlight: false, messages: ['Task does not support checkpointing'], versions: '1.9–1.16' },
  {
    code: 'CHECKPOINT_DECLINED_TASK_CLOSING',
    preFlight: false,
    messages: ["Checkpoint was declined (task's operators partially closed)", 'Checkpoint was declined (task is closing)'],
    versions: '1.11+',
  },
  {
    code: 'CHECKPOINT_DECLINED_SUBSUMED',
    preFlight: false,
    messages: ['Checkpoint was canceled because a barrier from newer checkpoint was received.'],
    versions: '1.9+',
  },
  { code: 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER', preFlight: false, messages: ['Task received cancellation from one of its inputs'], versions: '1.9+' },
  {
    code: 'CHECKPOINT_DECLINED_ALIGNMENT_LIMIT_EXCEEDED',
    preFlight: false,
    messages: ['The checkpoint alignment phase needed to buffer more than the configured maximum bytes'],
    versions: '1.9–1.16',
  },
  {
    code: 'CHECKPOINT_DECLINED_INPUT_END_OF_STREAM',
    preFlight: false,
    messages: ['Checkpoint was declined because one input stream is finished'],
    versions: '1.9+',
  },
  { code: 'CHECKPOINT_COORDINATOR_SHUTDOWN', preFlight: false, messages: ['CheckpointCoordinator shutdown.'], versions: '1.9+' },
  { code: 'CHECKPOINT_COORDINATOR_SUSPEND', preFlight: false, messages: ['Checkpoint Coordinator is suspending.'], versions: '1.9+' },
  { code: 'JOB_FAILURE', preFlight: false, messages: ['The job has failed.'], versions: '1.9–1.16' },
  { code: 'JOB_FAILOVER_REGION', preFlight: false, messages: ['FailoverRegion is restarting.'], versions: '1.9+' },
  { code: 'TASK_FAILURE', preFlight: false, messages: ['Task has failed.'], versions: '1.11+' },
  { code: 'TASK_CHECKPOINT_FAILURE', preFlight: false, messages: ['Task local checkpoint failure.'], versions: '1.9+' },
  {
    code: 'UNKNOWN_TASK_CHECKPOINT_NOTIFICATION_FAILURE',
    preFlight: false,
    messages: ['Unknown task for the checkpoint to notify.'],
    versions: '1.11+',
  },
  { code: 'FINALIZE_CHECKPOINT_FAILURE', preFlight: false, messages: ['Failure to finalize checkpoint.'], versions: '1.9+' },
  { code: 'TRIGGER_CHECKPOINT_FAILURE', preFlight: false, messages: ['Trigger checkpoint failure.'], versions: '1.9+' },
];

/**
 * Exception messages that are not reason texts but imply one (§2.5 "Other failure texts"): the decline cause
 * of D1 is usually one of these.
 */
const IMPLIED_REASONS: ReadonlyArray<{ prefix: string; code: string | undefined; phase: string }> = [
  { prefix: 'Could not materialize checkpoint ', code: 'CHECKPOINT_ASYNC_EXCEPTION', phase: 'async' },
  { prefix: 'Could not complete snapshot ', code: 'CHECKPOINT_DECLINED', phase: 'sync' },
  { prefix: 'Could not perform checkpoint ', code: undefined, phase: 'sync' },
  { prefix: 'TaskManager received a checkpoint request for unknown task ', code: 'TASK_CHECKPOINT_FAILURE', phase: 'trigger' },
];

const EXCEPTION_CLASS_PREFIX = /^(?:[\w$]+\.)+[\w$]+: /;

function normalize(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 46 /* . */ || text.charCodeAt(end - 1) === 32)) end--;
  return text.slice(0, end).trimStart();
}

/** Longest messages first so `Checkpoint was declined (tasks not ready)` wins over `Checkpoint was declined.` */
const BY_MESSAGE: ReadonlyArray<{ text: string; reason: FailureReason }> = FAILURE_REASONS.flatMap((reason) =>
  reason.messages.map((message) => ({ text: normalize(message), reason })),
).sort((a, b) => b.text.length - a.text.length);

const BY_CODE = new Map(FAILURE_REASONS.map((reason) => [reason.code, reason]));

export function failureReasonByCode(code: string): FailureReason | undefined {
  return BY_CODE.get(code);
}

export interface ReasonMatch {
  reason: FailureReason | undefined;
  /** Checkpoint phase implied by an exception text (async / sync / trigger), when one is. */
  phase: string | undefined;
}

/**
 * The failure reason behind one exception message: the `Failure reason: <message>` suffix CheckpointException
 * adds to custom messages, else a reason message inside the text, else an implied one.
 */
export function reasonOf(text: string): ReasonMatch {
  // `org.apache…CheckpointException: Could not …`: the implied-reason prefixes start after the class name.
  const whole = text.trimStart().replace(EXCEPTION_CLASS_PREFIX, '');
  const implied = IMPLIED_REASONS.find((candidate) => whole.startsWith(candidate.prefix));
  const phase = implied?.phase;
  const marker = text.lastIndexOf('Failure reason: ');
  if (marker >= 0) {
    const tail = normalize(text.slice(marker + 'Failure reason: '.length));
    const exact = BY_MESSAGE.find((candidate) => candidate.text === tail);
    if (exact !== undefined) return { reason: exact.reason, phase };
  }
  const inside = BY_MESSAGE.find((candidate) => text.includes(candidate.text));
  if (inside !== undefined) return { reason: inside.reason, phase };
  return { reason: implied?.code === undefined ? undefined : BY_CODE.get(implied.code), phase };
}
