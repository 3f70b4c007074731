/**
 * Kinds of recognised log events. Several catalogue templates (across Flink versions) map to one kind; the
 * template id stays on the event. Grouped by the lane they show on.
 */
export const EVENT_KINDS = [
  // JobManager checkpoint lifecycle (flink-formats §2.1–2.5)
  'checkpoint.triggered',
  'checkpoint.trigger-failed',
  'checkpoint.manual-trigger',
  'checkpoint.tm-trigger',
  'checkpoint.completed',
  'checkpoint.state',
  'checkpoint.stats',
  'checkpoint.subtask-stats',
  'checkpoint.ack',
  'checkpoint.duplicate-ack',
  'checkpoint.restore',
  'checkpoint.no-restore',
  'checkpoint.reset-id',
  'checkpoint.metadata-error',
  'checkpoint.expired',
  'checkpoint.failed',
  'checkpoint.late-message',
  'checkpoint.unknown-message',
  'checkpoint.discarded-ack',
  'checkpoint.declined',
  'checkpoint.discarded',
  'checkpoint.late-decline',
  'checkpoint.processing-error',
  // The job failed because too many checkpoints failed in a row (E6 exception text)
  'checkpoint.tolerance-exceeded',
  // TaskManager subtask snapshot phases (§2.6)
  'subtask.checkpoint-start',
  'subtask.sync-done',
  'subtask.sync-failed',
  'subtask.async-start',
  'subtask.async-done',
  'subtask.async-failed',
  'subtask.reported-states',
  'subtask.decline-ignored',
  'subtask.snapshot-failed',
  'subtask.slow-trigger',
  'subtask.checkpoint-aborted',
  'subtask.barrier-out-of-order',
  'subtask.cancel-barrier',
  'subtask.notified',
  'subtask.broadcast',
  'subtask.backend-snapshot',
  'subtask.trigger-rejected',
  'subtask.channel-state',
  // Barriers (§2.7)
  'barrier.alignment-start',
  'barrier.received',
  'barrier.aligned',
  'barrier.triggered',
  'barrier.alignment-end',
  'barrier.skipped',
  'barrier.cancelled',
  'barrier.announcement',
  'barrier.aborted',
  'barrier.config-warning',
  // Task / job state (§2.8, addendum)
  'task.deploy',
  'task.received',
  'task.state',
  'task.cancel',
  'task.stuck',
  'job.state',
  'job.terminal',
  // Restarts (§2.9)
  'restart.region',
  'restart.global',
  'restart.strategy',
  'restart.job',
  // Heartbeats, TaskManager loss (§2.10)
  'tm.heartbeat-timeout',
  'tm.unreachable',
  'tm.disconnect',
  'tm.worker-terminated',
  'tm.worker-requested',
  'jm.heartbeat-timeout',
  'jm.leadership-lost',
  // JobMaster closed its ResourceManager connection (H11)
  'rm.disconnect',
  // ZooKeeper / HA (§2.11)
  'ha.zk-suspended',
  'ha.zk-reconnected',
  'ha.zk-lost',
  'ha.leadership-granted',
  'ha.leadership-revoked',
  'ha.connection-state',
  // RPC, fatal, OOM (§2.12–2.13)
  'rpc.timeout',
  'fatal.error',
  'fatal.uncaught',
  'oom',
  // Sampling, metrics, start-up (§2.14–2.15, §1.3)
  'sampling.backpressure',
  'sampling.thread-info',
  'metrics.report',
  'startup.banner',
  'startup.resource-id',
  'config.property',
  // Anything at WARN or above that no template matched but carries an exception
  'exception',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

export function isEventKind(value: string): value is EventKind {
  return (EVENT_KINDS as readonly string[]).includes(value);
}
