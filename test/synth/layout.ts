import type { VersionProfile } from './versions.js';

/**
 * Flink's shipped conversion pattern `%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n` for log4j 1 (≤1.10) and
 * log4j 2 (1.11+), and Java stack traces the way each framework prints them (flink-formats.md §1.1).
 */
export type Level = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** One log event. `message` may contain newlines (embedded stacks, reporter blocks); `tail` holds stack lines. */
export interface LogRecord {
  t: number;
  level: Level;
  logger: string;
  message: string;
  tail?: string[];
}

/** Where a stack frame's class comes from decides the log4j 2 packaging suffix. */
export type FrameOrigin = 'flink' | 'jdk' | 'user';

export interface Frame {
  /** `pkg.Class.method(File.java:123)` or `pkg.Class.method(Native Method)`. */
  at: string;
  origin: FrameOrigin;
}

export interface JavaThrowable {
  /** `java.io.IOException: message` */
  header: string;
  frames: Frame[];
  cause?: JavaThrowable;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** `2023-06-14 09:12:40,117` in UTC (the incident's containers log in UTC). Cached per second: it is hot. */
export function formatLogTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    cachedSecond = second;
    cachedPrefix = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())},`;
  }
  return cachedPrefix + pad3(ms - second * 1000);
}

/** ISO local time with offset, as the JVM GC loggers print it: `2023-06-14T09:12:40.117+0000`. */
export function formatGcTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}+0000`;
}

export class LineLayout {
  private readonly paddedLoggers = new Map<string, string>();
  private readonly separator: string;

  constructor(private readonly profile: VersionProfile) {
    // `%-60c %x - `: log4j 1 renders the empty NDC as nothing (two spaces before the dash), log4j 2 as `[]`.
    this.separator = profile.log4j2 ? ' [] - ' : '  - ';
  }

  /** The record as written to the file, including the trailing newline of every physical line. */
  render(record: LogRecord): string {
    let logger = this.paddedLoggers.get(record.logger);
    if (logger === undefined) {
      logger = record.logger.padEnd(60);
      this.paddedLoggers.set(record.logger, logger);
    }
    const level = record.level.length === 4 ? `${record.level}  ` : `${record.level} `;
    let text = `${formatLogTime(record.t)} ${level}${logger}${this.separator}${record.message}\n`;
    if (record.tail !== undefined) {
      for (const line of record.tail) text += `${line}\n`;
    }
    return text;
  }

  /** Stack lines printed by the logging framework after the record (Throwable as last argument). */
  loggedStack(throwable: JavaThrowable): string[] {
    return renderThrowable(this.forVersion(throwable), (frame) => this.suffix(frame));
  }

  /** Frames are written once, as a recent Flink on JDK 11 prints them; older lines and JDK 8 differ in places. */
  private forVersion(throwable: JavaThrowable): JavaThrowable {
    const rewrites = [...(this.profile.jdkMajor === 8 ? JDK8_FRAMES : []), ...(this.profile.minor <= 10 ? FLINK_1_10_FRAMES : []),
      ...(this.profile.minor < 14 ? PRE_1_14_FRAMES : [])];
    if (rewrites.length === 0) return throwable;
    const frames: Frame[] = [];
    for (const frame of throwable.frames) {
      let at: string | null = frame.at;
      for (const [from, to] of rewrites) {
        if (at !== null && at.includes(from)) at = to === null ? null : at.replace(from, to);
      }
      if (at !== null) frames.push({ ...frame, at });
    }
    return { header: throwable.header, frames, cause: throwable.cause === undefined ? undefined : this.forVersion(throwable.cause) };
  }

  /**
   * Stack text that Flink itself put into the message (`ExceptionUtils.stringifyException`, e.g. X3 "with failure
   * cause: {}"): plain `Throwable.printStackTrace`, so no packaging suffix, and JDK 9+ prefixes JDK frames with
   * their module.
   */
  embeddedStack(throwable: JavaThrowable): string {
    const modular = this.profile.jdkMajor >= 9;
    return renderThrowable(this.forVersion(throwable), () => '', modular).join('\n');
  }

  private suffix(frame: Frame): string {
    if (!this.profile.log4j2) return '';
    if (frame.origin === 'flink' && this.profile.distJar !== null) return ` ~[${this.profile.distJar}:${this.profile.full}]`;
    if (frame.origin === 'jdk') return this.profile.jdkMajor >= 9 ? ' [?:?]' : ' [?:1.8.0_292]';
    return ' ~[?:?]';
  }
}

/** [substring, replacement or null to drop the frame]. */
type Rewrite = [string, string | null];

const JDK8_FRAMES: Rewrite[] = [
  ['(Thread.java:829)', '(Thread.java:748)'],
  ['(ThreadPoolExecutor.java:1128)', '(ThreadPoolExecutor.java:1149)'],
  ['(ThreadPoolExecutor.java:628)', '(ThreadPoolExecutor.java:624)'],
  ['FutureTask.run(FutureTask.java:264)', 'FutureTask.run(FutureTask.java:266)'],
  ['(FutureTask.java:191)', '(FutureTask.java:192)'],
  ['(Executors.java:515)', '(Executors.java:511)'],
  ['(ScheduledThreadPoolExecutor.java:304)', '(ScheduledThreadPoolExecutor.java:293)'],
  ['ForkJoinTask.doExec(ForkJoinTask.java:290)', 'ForkJoinTask.doExec(ForkJoinTask.java:289)'],
  ['ForkJoinPool$WorkQueue.topLevelExec(ForkJoinPool.java:1020)', 'ForkJoinPool$WorkQueue.runTask(ForkJoinPool.java:1056)'],
  ['ForkJoinPool.scan(', null],
  ['ForkJoinPool.runWorker(ForkJoinPool.java:1594)', 'ForkJoinPool.runWorker(ForkJoinPool.java:1692)'],
  ['(ForkJoinWorkerThread.java:183)', '(ForkJoinWorkerThread.java:157)'],
  ['(SocketInputStream.java:115)', '(SocketInputStream.java:116)'],
  ['(SocketInputStream.java:168)', '(SocketInputStream.java:171)'],
  ['(CompletableFuture.java:1700)', '(CompletableFuture.java:1604)'],
];

const FLINK_1_10_FRAMES: Rewrite[] = [
  ['org.apache.flink.streaming.runtime.tasks.AsyncCheckpointRunnable.handleExecutionException(AsyncCheckpointRunnable.java:257)',
    'org.apache.flink.streaming.runtime.tasks.StreamTask$AsyncCheckpointRunnable.handleExecutionException(StreamTask.java:1219)'],
  ['org.apache.flink.streaming.runtime.tasks.AsyncCheckpointRunnable.run(AsyncCheckpointRunnable.java:146)',
    'org.apache.flink.streaming.runtime.tasks.StreamTask$AsyncCheckpointRunnable.run(StreamTask.java:1144)'],
  ['org.apache.flink.streaming.runtime.tasks.AsyncCheckpointRunnable.run(AsyncCheckpointRunnable.java:128)',
    'org.apache.flink.streaming.runtime.tasks.StreamTask$AsyncCheckpointRunnable.run(StreamTask.java:1114)'],
  ['org.apache.flink.util.concurrent.FutureUtils', 'org.apache.flink.runtime.concurrent.FutureUtils'],
  ['AbstractStreamTaskNetworkInput.processElement(AbstractStreamTaskNetworkInput.java:134)', 'StreamTaskNetworkInput.processElement(StreamTaskNetworkInput.java:202)'],
  ['AbstractStreamTaskNetworkInput.emitNext(AbstractStreamTaskNetworkInput.java:105)', 'StreamTaskNetworkInput.emitNext(StreamTaskNetworkInput.java:160)'],
  ['(StreamOneInputProcessor.java:65)', '(StreamOneInputProcessor.java:143)'],
  ['StreamTask.processInput(StreamTask.java:550)', 'StreamTask.processInput(StreamTask.java:276)'],
  ['(MailboxProcessor.java:231)', '(MailboxProcessor.java:152)'],
  ['StreamTask.runMailboxLoop(StreamTask.java:839)', 'StreamTask.runMailboxLoop(StreamTask.java:462)'],
  ['StreamTask.invoke(StreamTask.java:788)', 'StreamTask.invoke(StreamTask.java:443)'],
  ['Task.doRun(Task.java:745)', 'Task.doRun(Task.java:710)'],
  ['Task.run(Task.java:562)', 'Task.run(Task.java:534)'],
];

/** Before 1.14 the RPC actor had no class-loading wrapper. */
const PRE_1_14_FRAMES: Rewrite[] = [['org.apache.flink.runtime.concurrent.akka.ClassLoadingUtils', null]];

const JDK_MODULE_PREFIXES = ['java.', 'javax.', 'sun.', 'jdk.'];

function renderThrowable(root: JavaThrowable, suffix: (frame: Frame) => string, modular = false): string[] {
  const lines: string[] = [root.header];
  const frameText = (frame: Frame): string => {
    const module = modular && frame.origin === 'jdk' && JDK_MODULE_PREFIXES.some((p) => frame.at.startsWith(p)) ? 'java.base/' : '';
    return `\tat ${module}${frame.at}${suffix(frame)}`;
  };
  for (const frame of root.frames) lines.push(frameText(frame));
  let enclosing = root;
  let cause = root.cause;
  while (cause !== undefined) {
    // Throwable.printStackTrace elides the frames a cause shares (from the bottom) with its enclosing trace.
    let common = 0;
    while (
      common < cause.frames.length && common < enclosing.frames.length &&
      cause.frames[cause.frames.length - 1 - common].at === enclosing.frames[enclosing.frames.length - 1 - common].at
    ) common += 1;
    lines.push(`Caused by: ${cause.header}`);
    for (const frame of cause.frames.slice(0, cause.frames.length - common)) lines.push(frameText(frame));
    if (common > 0) lines.push(`\t... ${common} more`);
    enclosing = cause;
    cause = cause.cause;
  }
  return lines;
}

export const flink = (at: string): Frame => ({ at, origin: 'flink' });
export const jdk = (at: string): Frame => ({ at, origin: 'jdk' });
export const user = (at: string): Frame => ({ at, origin: 'user' });
