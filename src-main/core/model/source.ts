/** What an input file is, as decided by core/detect. Every decision carries a human-readable reason. */
export type SourceKind =
  | 'flink-jm-log'
  | 'flink-tm-log'
  | 'flink-log' // a Flink log whose component could not be told (client, history server, …)
  | 'other-log'
  | 'gc-log'
  | 'flame'
  | 'rest-json'
  | 'metrics'
  | 'unknown'
  | 'binary';

export interface Detection {
  kind: SourceKind;
  /** Finer format within the kind, e.g. 'log4j2', 'ujl', 'jdk8', 'collapsed', 'jfr', 'rest:checkpoints', 'prometheus'. */
  format: string;
  /** Why: shown to the user next to every source. */
  reason: string;
}

/** Facts a parser learns about its own source (banner, resource id, JVM header). Merged into the source row. */
export interface SourceFacts {
  component?: 'jobmanager' | 'taskmanager' | 'client' | 'historyserver' | 'other';
  flinkVersion?: string;
  flinkRevision?: string;
  jvm?: string;
  maxHeapMiB?: number;
  jvmOptions?: string[];
  tmResourceId?: string;
  host?: string;
  /** JVM start time on the incident axis (first banner line), used to anchor uptime-only GC logs. */
  jvmStartUs?: number;
  /** For GC logs: the collector and how times were anchored. */
  gcCollector?: string;
  timeAnchor?: string;
  timeConfidence?: TimeConfidence;
  pid?: number;
  /** Flink configuration seen in the log ("Loading configuration property: k, v"). */
  config?: Record<string, string>;
}

export type TimeConfidence = 'exact' | 'anchored' | 'estimated' | 'none';
