/**
 * Exactly how to capture each kind of evidence next time. Shared by the coverage rule and by the `missing`
 * lists of other findings, so the advice reads the same everywhere.
 */

export const CAPTURE_PHASE_DEBUG =
  'Set DEBUG for the checkpoint phase loggers on the TaskManagers (conf/log4j.properties, Flink 1.11+): ' +
  '`logger.cptasks.name = org.apache.flink.streaming.runtime.tasks` / `logger.cptasks.level = DEBUG` and ' +
  '`logger.cpbarriers.name = org.apache.flink.streaming.runtime.io.checkpointing` / `logger.cpbarriers.level = DEBUG`; ' +
  'for per-subtask acknowledgements on the JobManager also `logger.cpcoord.name = org.apache.flink.runtime.checkpoint.CheckpointCoordinator` / `logger.cpcoord.level = DEBUG`. ' +
  'Flink 1.10 and older (log4j 1): `log4j.logger.org.apache.flink.streaming.runtime.tasks=DEBUG`, `log4j.logger.org.apache.flink.streaming.runtime.io=DEBUG` and `log4j.logger.org.apache.flink.runtime.checkpoint.CheckpointCoordinator=DEBUG`.';

export function captureRest(jobId: string | null): string {
  const job = jobId ?? '<jobid>';
  return (
    'While the job runs (statistics are lost on JobManager failover and only the last `web.checkpoints.history` = 10 are kept), save: ' +
    `\`curl http://<jobmanager>:8081/jobs/${job}/checkpoints\`, \`…/jobs/${job}/checkpoints/config\`, ` +
    `\`…/jobs/${job}/checkpoints/details/<checkpointid>\`, \`…/jobs/${job}/checkpoints/details/<checkpointid>/subtasks/<vertexid>\` for each vertex, ` +
    `\`…/jobs/${job}\` (plan and vertex ids) and \`…/jobs/${job}/exceptions\`.`
  );
}

export function captureGcLog(tm: string | null): string {
  const who = tm === null ? 'every TaskManager' : `TaskManager ${tm}`;
  return (
    `Write a GC log on ${who} via \`env.java.opts.taskmanager\`: JDK 9+ \`-Xlog:gc*:file=/opt/flink/log/gc-%p.log:time,uptime,level,tags:filecount=5,filesize=50m\`; ` +
    'JDK 8 `-Xloggc:/opt/flink/log/gc-%p.log -XX:+PrintGCDetails -XX:+PrintGCDateStamps -XX:+PrintGCApplicationStoppedTime ' +
    '-XX:+UseGCLogFileRotation -XX:NumberOfGCLogFiles=5 -XX:GCLogFileSize=50M`, and collect it with the TaskManager log.'
  );
}

export const CAPTURE_METRICS =
  'Enable a metrics reporter so busy/backpressure/idle time, records in and checkpoint metrics are kept over time: ' +
  '`metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory` with `metrics.reporter.prom.port: 9249-9260` (and keep the Prometheus data), ' +
  'or into the logs with `metrics.reporter.slf4j.factory.class: org.apache.flink.metrics.slf4j.Slf4jReporterFactory` and `metrics.reporter.slf4j.interval: 30 SECONDS`.';

export const CAPTURE_TM_LOGS =
  'Collect every TaskManager log (`flink-*-taskexecutor-*.log`, YARN `yarn logs -applicationId <app>`, or `kubectl logs <taskmanager-pod> --previous` for restarted pods).';

export const CAPTURE_JM_LOG =
  'Collect the JobManager log (`flink-*-standalonesession-*.log`, YARN `jobmanager.log`, or `kubectl logs <jobmanager-pod>`): checkpoint lifecycle, failures and restarts are only logged there.';
