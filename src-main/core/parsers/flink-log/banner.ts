import type { SourceFacts } from '../../model/source.js';
import type { AttrValue } from '../../model/records.js';

/**
 * The start-up banner of `EnvironmentInformation.logEnvironmentInfo` (flink-formats §1.3): one INFO record per
 * line, between two dashed lines, printed through the logger its caller passes (ClusterEntrypoint,
 * TaskManagerRunner, HistoryServer, …):
 *
 *   --------------------------------------------------------------------------------
 *    Starting StandaloneSessionClusterEntrypoint (Version: 1.17.2, Scala: 2.12, Rev:c0027e5, Date:…)
 *    OS current user: flink
 *    JVM: OpenJDK 64-Bit Server VM - Eclipse Adoptium - 11/11.0.21+9
 *    Maximum heap size: 981 MiBytes
 *    JVM Options:
 *       -Xmx1073741824
 *       -Dlog.file=/opt/flink/log/flink--standalonesession-0-jm-0.log
 *    Program Arguments:
 *       --configDir
 *    Classpath: /opt/flink/lib/…
 *   --------------------------------------------------------------------------------
 */
const STARTING = /^Starting (?<component>.+?) \(Version: (?<version>[^,)]*)(?:, Scala: (?<scala>[^,)]*))?, Rev:(?<rev>[^,)]*), Date:(?<date>.*)\)$/;
const MAX_HEAP = /^Maximum heap size: (\d+) MiBytes$/;
const LOG_FILE = /^-Dlog\.file=(.+)$/;
/** Options beyond this count are not kept (a runaway banner must not grow without bound). */
const MAX_OPTIONS = 500;

/** Cheap test first: this runs on every record. */
export function isBannerStart(message: string): boolean {
  const at = message.charCodeAt(0) === 32 ? 1 : 0;
  return message.startsWith('Starting ', at) && STARTING.test(message.trim());
}

export type Component = NonNullable<SourceFacts['component']>;

/** Which kind of JVM a banner's entrypoint class (or component label, ≤1.10) starts. */
export function componentOf(entrypoint: string): Component {
  if (/TaskManager|TaskExecutor/i.test(entrypoint)) return 'taskmanager';
  if (/HistoryServer/i.test(entrypoint)) return 'historyserver';
  if (/Entry[Pp]oint|JobManager|ApplicationMaster/.test(entrypoint)) return 'jobmanager';
  if (/Command Line Client|CliFrontend|SqlClient/i.test(entrypoint)) return 'client';
  return 'other';
}

export interface Banner {
  facts: SourceFacts;
  attrs: Record<string, AttrValue>;
  /** Line of the `Starting …` record. */
  line: number;
  lineCount: number;
  ts: number;
  /** The log file path from `-Dlog.file=`, the fallback for the host when the bundle renamed the file. */
  logFile: string | undefined;
}

type Section = 'header' | 'jvm-options' | 'program-arguments' | 'done';

export class BannerReader {
  private banner: Banner | undefined;
  private section: Section = 'header';
  private options: string[] = [];

  get open(): boolean {
    return this.banner !== undefined;
  }

  /**
   * Feeds one EnvironmentInformation record; returns the finished banner when this record closes it.
   * Records that belong to no banner are ignored.
   */
  feed(message: string, ts: number, line: number): Banner | undefined {
    const text = message.trim();
    if (text.startsWith('-----')) {
      return this.banner !== undefined ? this.finish(this.banner, line) : undefined;
    }
    const starting = STARTING.exec(text);
    if (starting !== null) {
      const previous = this.banner !== undefined ? this.finish(this.banner, line - 1) : undefined;
      const groups = starting.groups ?? {};
      const entrypoint = groups.component ?? '';
      this.banner = {
        facts: {
          component: componentOf(entrypoint),
          flinkVersion: groups.version,
          flinkRevision: groups.rev,
          jvmStartUs: Number.isFinite(ts) ? ts : undefined,
        },
        attrs: { entrypoint, flinkVersion: groups.version ?? null, flinkRevision: groups.rev ?? null },
        line,
        lineCount: 1,
        ts,
        logFile: undefined,
      };
      if (groups.scala !== undefined) this.banner.attrs.scala = groups.scala;
      if (groups.date !== undefined) this.banner.attrs.buildDate = groups.date;
      this.section = 'header';
      this.options = [];
      return previous;
    }
    const banner = this.banner;
    if (banner === undefined) return undefined;
    banner.lineCount = line - banner.line + 1;
    const indented = message.startsWith('    ');
    if (indented && this.section === 'jvm-options') {
      if (this.options.length < MAX_OPTIONS) this.options.push(text);
      const logFile = LOG_FILE.exec(text);
      if (logFile !== null) banner.logFile = logFile[1];
      return undefined;
    }
    if (indented && this.section === 'program-arguments') return undefined;
    this.readHeaderLine(banner, text);
    return undefined;
  }

  /** Closes a banner that was cut short (truncated file, or other records interleaved). */
  flush(): Banner | undefined {
    return this.banner !== undefined ? this.finish(this.banner, this.banner.line + this.banner.lineCount - 1) : undefined;
  }

  private readHeaderLine(banner: Banner, text: string): void {
    if (text.startsWith('JVM Options:')) {
      this.section = 'jvm-options';
      return;
    }
    if (text.startsWith('Program Arguments:')) {
      this.section = 'program-arguments';
      return;
    }
    this.section = 'header';
    if (text.startsWith('JVM: ')) {
      banner.facts.jvm = text.slice(5);
      banner.attrs.jvm = banner.facts.jvm;
      return;
    }
    const heap = MAX_HEAP.exec(text);
    if (heap !== null) {
      banner.facts.maxHeapMiB = Number(heap[1]);
      banner.attrs.maxHeapMiB = banner.facts.maxHeapMiB;
      return;
    }
    if (text.startsWith('OS current user: ')) banner.attrs.osUser = text.slice('OS current user: '.length);
    else if (text.startsWith('JAVA_HOME: ')) banner.attrs.javaHome = text.slice('JAVA_HOME: '.length);
    else if (text.startsWith('Hadoop version: ')) banner.attrs.hadoopVersion = text.slice('Hadoop version: '.length);
    else if (text.startsWith('Classpath: ')) this.section = 'done';
  }

  private finish(banner: Banner, lastLine: number): Banner {
    banner.lineCount = Math.max(1, lastLine - banner.line + 1);
    if (this.options.length > 0) banner.facts.jvmOptions = this.options;
    this.banner = undefined;
    this.options = [];
    this.section = 'header';
    return banner;
  }
}
