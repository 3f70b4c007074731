/**
 * Flink JobManager / TaskManager logs (flink-formats §1.1, §1.3, §2): the line layout, the start-up banner and
 * which loggers speak, to tell a JobManager from a TaskManager.
 */

export type FlinkLayout = 'log4j1' | 'log4j2' | 'logback' | 'test-pattern' | 'custom';
export type FlinkComponent = 'jobmanager' | 'taskmanager' | 'other';

export interface FlinkLogEvidence {
  layout: FlinkLayout;
  /** Lines in that layout. */
  layoutLines: number;
  /** Lines whose logger is a Flink class. */
  flinkLines: number;
  /** The first logger seen, for reasons about non-Flink logs. */
  firstLogger: string;
  banner?: { component: string; text: string; side: FlinkComponent };
  jmLoggers: string[];
  tmLoggers: string[];
}

const LEVEL = '(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)';
// %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n; log4j 2 prints the empty NDC as '[]', log4j 1 prints nothing.
const LOG4J = new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} +${LEVEL} +(\\S+) +(?:(\\[[^\\]]*\\]) +)?- `);
// %d{yyyy-MM-dd HH:mm:ss.SSS} [%thread] %-5level %logger{60} %X{sourceThread} - %msg%n
const LOGBACK = new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[[^\\n]{0,300}?\\] ${LEVEL} +(\\S+) +- `);
// log4j2-test.properties: %d{HH:mm:ss,SSS} [%20t] %-5p %-60c %x - %m%n
const TEST_PATTERN = new RegExp(`^\\d\\d:\\d\\d:\\d\\d,\\d{3} \\[[^\\n]{0,300}?\\] +${LEVEL} +(\\S+) +\\[[^\\]]*\\] - `);
const STAMPED = /^\[?(?:\d{4}-\d\d-\d\d[ T])?\d\d:\d\d:\d\d[,.]\d{3}(?!\d)/;
const LEVEL_WORD = /(?:^|[\s[])(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)(?=[\s\]])/;
const FLINK_LOGGER = /(?:^|[\s[(])((?:org\.apache\.flink|o\.a\.f)\.[\w.$]{1,200})/;
const BANNER = / Starting ([^()\n]{1,80}?) \(Version: ([^,()\s]{1,40})/;

const JM_CLASSES = new Set([
  'CheckpointCoordinator', 'CheckpointFailureManager', 'JobMaster', 'Dispatcher', 'StandaloneDispatcher', 'MiniDispatcher',
  'DispatcherRestEndpoint', 'ExecutionGraph', 'DefaultExecutionGraph', 'DefaultScheduler', 'AdaptiveScheduler',
  'JobManagerRunnerImpl', 'JobMasterServiceLeadershipRunner', 'RestartPipelinedRegionFailoverStrategy', 'SlotPoolImpl',
  'DeclarativeSlotPoolBridge', 'DeclarativeSlotManager', 'FineGrainedSlotManager', 'SlotManagerImpl',
]);
const TM_CLASSES = new Set([
  'TaskExecutor', 'TaskManagerRunner', 'YarnTaskExecutorRunner', 'KubernetesTaskExecutorRunner', 'StreamTask', 'SourceStreamTask',
  'OneInputStreamTask', 'TwoInputStreamTask', 'MultipleInputStreamTask', 'SourceOperatorStreamTask', 'SubtaskCheckpointCoordinatorImpl',
  'AsyncCheckpointRunnable', 'TaskSlotTableImpl', 'TaskExecutorToResourceManagerConnection', 'TaskManagerServices',
  'DefaultJobLeaderService', 'JobLeaderService',
]);

function loggerSide(logger: string): FlinkComponent | undefined {
  const simple = logger.slice(logger.lastIndexOf('.') + 1);
  if (simple === 'Task') return logger.endsWith('taskmanager.Task') ? 'taskmanager' : undefined;
  if (TM_CLASSES.has(simple)) return 'taskmanager';
  if (JM_CLASSES.has(simple) || simple.endsWith('ResourceManager') || simple.endsWith('ClusterEntrypoint')) return 'jobmanager';
  return undefined;
}

export function bannerSide(component: string): FlinkComponent {
  if (/ClusterEntry[Pp]oint|JobManager/.test(component)) return 'jobmanager';
  if (/TaskManager|TaskExecutor/.test(component)) return 'taskmanager';
  return 'other';
}

export function sniffFlinkLog(lines: readonly string[]): FlinkLogEvidence | undefined {
  const counts: Record<FlinkLayout, number> = { log4j1: 0, log4j2: 0, logback: 0, 'test-pattern': 0, custom: 0 };
  const jm = new Set<string>();
  const tm = new Set<string>();
  let flinkLines = 0;
  let firstLogger: string | undefined;
  let banner: FlinkLogEvidence['banner'];
  for (const line of lines) {
    if (banner === undefined) {
      const match = BANNER.exec(line);
      if (match !== null) {
        const component = match[1].trim();
        banner = { component, side: bannerSide(component), text: `Starting ${component} (Version: ${match[2]}, …)` };
      }
    }
    const first = line.charCodeAt(0);
    if (!(first >= 48 && first <= 57) && first !== 0x5b) continue;
    let logger: string | undefined;
    let match = LOG4J.exec(line);
    if (match !== null) {
      logger = match[2];
      counts[match[3] === undefined ? 'log4j1' : 'log4j2']++;
    } else if ((match = LOGBACK.exec(line)) !== null) {
      logger = match[2];
      counts.logback++;
    } else if ((match = TEST_PATTERN.exec(line)) !== null) {
      logger = match[2];
      counts['test-pattern']++;
    } else if (STAMPED.test(line) && LEVEL_WORD.test(line)) {
      const flink = FLINK_LOGGER.exec(line);
      if (flink === null) continue;
      logger = flink[1];
      counts.custom++;
    } else {
      continue;
    }
    firstLogger ??= logger;
    if (logger.startsWith('org.apache.flink.') || logger.startsWith('o.a.f.')) {
      flinkLines++;
      const side = loggerSide(logger);
      const simple = logger.slice(logger.lastIndexOf('.') + 1);
      if (side === 'jobmanager') jm.add(simple);
      else if (side === 'taskmanager') tm.add(simple);
    }
  }
  const layout = (Object.keys(counts) as FlinkLayout[]).reduce((best, next) => (counts[next] > counts[best] ? next : best), 'log4j2');
  if (counts[layout] === 0 || firstLogger === undefined) return undefined;
  const evidence: FlinkLogEvidence = { layout, layoutLines: counts[layout], flinkLines, firstLogger, jmLoggers: [...jm], tmLoggers: [...tm] };
  if (banner !== undefined) evidence.banner = banner;
  return evidence;
}
