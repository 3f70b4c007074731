import { microsToIso } from '../../common/time.js';
import { Level, type GcEventClass, type GcEventRecord } from '../../model/records.js';
import type { TimeConfidence } from '../../model/source.js';
import type { ParseContext } from '../types.js';
import { fileNameStartTime } from './units.js';

/** Where a line says it is in time: wall clock (UTC µs) and/or JVM uptime (µs); NaN when not logged. */
export interface Stamp {
  wallUs: number;
  uptimeUs: number;
}

export const NO_STAMP: Stamp = { wallUs: Number.NaN, uptimeUs: Number.NaN };

export interface EventTiming {
  start: number;
  uptimeUs?: number;
  timeConfidence: TimeConfidence;
  timeBasis: string;
}

interface Anchor {
  /** JVM start on the incident axis. */
  jvmStartUs: number;
  kind: 'datestamp' | 'time-decorator' | 'rotation-header' | 'file-name';
  confidence: TimeConfidence;
}

/** A wall-clock step (NTP, concatenated snippets) smaller than this is jitter of the ms-resolution stamps. */
const CLOCK_STEP_US = 1_000_000;
/** Uptime going back by more than this is a new JVM run (restart inside one file or a concatenation). */
const RESTART_US = 1_000_000;
const MAX_WARNINGS_PER_CATEGORY = 20;

/**
 * Every event is created with the same properties in the same order (one hidden class for the whole parse);
 * object spread and later-added properties made event creation the parser's hottest spot.
 */
export function newEvent(
  timing: EventTiming,
  durationUs: number,
  eventClass: GcEventClass,
  kind: string,
  name: string,
  line: number,
  lineCount: number,
): GcEventRecord {
  return {
    start: timing.start,
    uptimeUs: timing.uptimeUs,
    durationUs,
    eventClass,
    kind,
    name,
    cause: undefined,
    gcId: undefined,
    heapBeforeBytes: undefined,
    heapAfterBytes: undefined,
    heapCommittedBytes: undefined,
    heapMaxBytes: undefined,
    line,
    lineCount,
    timeConfidence: timing.timeConfidence,
    timeBasis: timing.timeBasis,
    flags: undefined,
  };
}

function anchorRank(kind: Anchor['kind'] | 'none' | undefined): number {
  if (kind === undefined) return -1;
  if (kind === 'datestamp' || kind === 'time-decorator') return 0;
  return kind === 'none' ? 2 : 1;
}

/**
 * State every GC format shares: the line-index answers (`currentTs` …), wall-clock anchoring of uptime stamps,
 * JVM runs, capped warnings and the source facts reported at the end. Formats turn text into events; this class
 * decides what time those events get and how sure that time is.
 */
export class GcSession {
  currentTs = Number.NaN;
  currentLevel: Level = Level.None;
  currentIsContinuation = false;

  collector: string | undefined;
  jvm: string | undefined;
  heapMaxBytes: number | undefined;
  pid: number | undefined;
  host: string | undefined;
  events = 0;
  pauses = 0;
  /** What a wall-clock stamp on a line is called in this format (for time bases and facts). */
  pairKind: 'datestamp' | 'time-decorator' = 'datestamp';

  private pairAnchor: Anchor | undefined;
  private headerWallUs = Number.NaN;
  private headerAnchor: Anchor | undefined;
  private readonly fileNameWallUs: number;
  private run = 1;
  private lastUptimeUs = Number.NaN;
  private unanchoredWarned = false;
  private anchorUsed: Anchor['kind'] | 'none' | undefined;
  private readonly warningCounts = new Map<string, number>();

  constructor(readonly ctx: ParseContext) {
    this.fileNameWallUs = fileNameStartTime(ctx.path, ctx.clock);
  }

  /** A line that starts a record at this stamp (may have neither part; then the previous time is kept). */
  recordLine(stamp: Stamp, lineNo: number, level: Level = Level.Info): void {
    this.observe(stamp, lineNo);
    const ts = this.wallOf(stamp);
    if (!Number.isNaN(ts)) this.currentTs = ts;
    this.currentLevel = level;
    this.currentIsContinuation = false;
  }

  /** A line that belongs to the record before it (details, tenuring, heap tables, statistics). */
  continuationLine(): void {
    this.currentIsContinuation = !Number.isNaN(this.currentTs);
  }

  /** `2016-04-14 22:37:22 GC log file created …`: anchors the uptimes that follow, to the second. */
  rotationHeader(wallUs: number): void {
    this.headerWallUs = wallUs;
    this.headerAnchor = undefined;
  }

  /** Start of an event stamped at its start (legacy prefix, OpenJ9) or its end (UL, safepoint totals). */
  timing(stamp: Stamp, stampedAt: 'start' | 'end', durationUs: number): EventTiming {
    const shift = stampedAt === 'end' ? durationUs : 0;
    const uptimeUs = Number.isNaN(stamp.uptimeUs) ? undefined : stamp.uptimeUs - shift;
    if (!Number.isNaN(stamp.wallUs)) {
      this.noteAnchorUse(this.pairKind);
      return {
        start: stamp.wallUs - shift,
        uptimeUs,
        timeConfidence: 'exact',
        timeBasis: stampedAt === 'end' ? 'end-minus-duration' : 'logged-start',
      };
    }
    const anchor = this.anchor();
    if (uptimeUs !== undefined && anchor !== undefined) {
      this.noteAnchorUse(anchor.kind);
      return { start: anchor.jvmStartUs + uptimeUs, uptimeUs, timeConfidence: anchor.confidence, timeBasis: `uptime+anchor:${anchor.kind}` };
    }
    this.noteAnchorUse('none');
    if (!this.unanchoredWarned) {
      this.unanchoredWarned = true;
      this.ctx.sink.warning({
        message:
          uptimeUs !== undefined
            ? `uptime only, not anchored: ${this.ctx.path} has no wall-clock stamps, rotation header or time in its file name; GC events get a time once matched with a Flink log of the same JVM`
            : `no timestamps: ${this.ctx.path} logs neither wall clock nor uptime; GC events are kept in line order without time`,
      });
    }
    return { start: Number.NaN, uptimeUs, timeConfidence: 'none', timeBasis: uptimeUs !== undefined ? 'uptime' : 'none' };
  }

  emit(event: GcEventRecord): void {
    if (this.heapMaxBytes !== undefined && event.heapMaxBytes === undefined) event.heapMaxBytes = this.heapMaxBytes;
    this.events++;
    if (event.eventClass === 'pause') this.pauses++;
    this.ctx.sink.gc(event);
  }

  /** Warnings of one category are capped so a 1 GB log of torn lines cannot flood the incident. */
  warn(category: string, line: number | undefined, message: string): void {
    const count = (this.warningCounts.get(category) ?? 0) + 1;
    this.warningCounts.set(category, count);
    if (count <= MAX_WARNINGS_PER_CATEGORY) this.ctx.sink.warning({ line, message });
  }

  setCollector(name: string, authoritative: boolean): void {
    if (authoritative || this.collector === undefined) this.collector = name;
  }

  finish(): void {
    for (const [category, count] of this.warningCounts) {
      if (count > MAX_WARNINGS_PER_CATEGORY) {
        this.ctx.sink.warning({ message: `${count - MAX_WARNINGS_PER_CATEGORY} more '${category}' warnings not listed` });
      }
    }
    const anchor = this.anchorUsed;
    this.ctx.sink.facts({
      gcCollector: this.collector,
      jvm: this.jvm,
      maxHeapMiB: this.heapMaxBytes === undefined ? undefined : Math.round(this.heapMaxBytes / 1024 ** 2),
      pid: this.pid,
      host: this.host,
      timeAnchor: anchor === undefined ? undefined : this.describeAnchor(anchor),
      timeConfidence: anchor === undefined ? undefined : this.confidenceOf(anchor),
    });
  }

  private describeAnchor(kind: Anchor['kind'] | 'none'): string {
    switch (kind) {
      case 'datestamp':
        return 'wall-clock datestamps on each line';
      case 'time-decorator':
        return 'time decorator on each line';
      case 'rotation-header':
        return `uptime + rotation header time ${microsToIso(this.headerWallUs)}`;
      case 'file-name':
        return `uptime + JVM start time in the file name (${microsToIso(this.fileNameWallUs)})`;
      case 'none':
        return 'none: uptime only';
    }
  }

  private confidenceOf(kind: Anchor['kind'] | 'none'): TimeConfidence {
    if (kind === 'datestamp' || kind === 'time-decorator') return 'exact';
    if (kind === 'none') return 'none';
    return 'estimated';
  }

  private noteAnchorUse(kind: Anchor['kind'] | 'none'): void {
    // The facts report the weakest anchor any event needed: that is what the user must know about.
    if (anchorRank(kind) > anchorRank(this.anchorUsed)) this.anchorUsed = kind;
  }

  private anchor(): Anchor | undefined {
    if (this.pairAnchor !== undefined) return this.pairAnchor;
    if (this.headerAnchor !== undefined) return this.headerAnchor;
    if (this.run === 1 && !Number.isNaN(this.fileNameWallUs)) {
      return { jvmStartUs: this.fileNameWallUs, kind: 'file-name', confidence: 'estimated' };
    }
    return undefined;
  }

  private wallOf(stamp: Stamp): number {
    if (!Number.isNaN(stamp.wallUs)) return stamp.wallUs;
    if (Number.isNaN(stamp.uptimeUs)) return Number.NaN;
    const anchor = this.anchor();
    return anchor === undefined ? Number.NaN : anchor.jvmStartUs + stamp.uptimeUs;
  }

  private observe(stamp: Stamp, lineNo: number): void {
    const { wallUs, uptimeUs } = stamp;
    if (Number.isNaN(uptimeUs)) return;
    if (!Number.isNaN(this.lastUptimeUs) && uptimeUs < this.lastUptimeUs - RESTART_US) {
      this.run++;
      this.pairAnchor = undefined;
      this.headerAnchor = undefined;
      this.warn(
        'jvm-restart',
        lineNo,
        `uptime went back from ${(this.lastUptimeUs / 1e6).toFixed(3)} s to ${(uptimeUs / 1e6).toFixed(3)} s: a JVM restart or concatenated logs; treated as run ${this.run}`,
      );
    }
    this.lastUptimeUs = uptimeUs;
    if (!Number.isNaN(wallUs)) {
      const jvmStartUs = wallUs - uptimeUs;
      const previous = this.pairAnchor;
      if (previous !== undefined && Math.abs(jvmStartUs - previous.jvmStartUs) > CLOCK_STEP_US) {
        const stepS = (jvmStartUs - previous.jvmStartUs) / 1e6;
        this.warn(
          'clock-step',
          lineNo,
          `wall clock ${stepS < 0 ? 'went back' : 'jumped'} by ${Math.abs(stepS).toFixed(3)} s relative to uptime (NTP step or concatenated logs); each line keeps its own wall-clock stamp`,
        );
      }
      this.pairAnchor = { jvmStartUs, kind: this.pairKind, confidence: 'anchored' };
    } else if (this.headerAnchor === undefined && !Number.isNaN(this.headerWallUs)) {
      // The header is written when the file is opened, just before the first event in it: an estimate.
      this.headerAnchor = { jvmStartUs: this.headerWallUs - uptimeUs, kind: 'rotation-header', confidence: 'estimated' };
    }
  }

}
