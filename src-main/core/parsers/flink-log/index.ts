import { Level, type AttrValue, type EventRecord, type RecordSink } from '../../model/records.js';
import type { SourceFacts } from '../../model/source.js';
import { parseSlf4jReport } from '../metrics/slf4j-report.js';
import type { ParseContext, TextParser } from '../types.js';
import { BannerReader, isBannerStart, type Banner } from './banner.js';
import { applyMatch, clip, compilePattern, groupsOf, type CompiledPattern } from './build.js';
import { EXCEPTION_TEXTS, OOM_TYPES, TEMPLATES, templatesByLogger, type ExceptionTextSpec, type TemplateSpec } from './catalogue.js';
import { hostFromFileName } from './ids.js';
import { Header, parseAsciiHeader, parseHeader, StampKind } from './layout.js';
import { EXCEPTION_TEXT_WINDOW_US, joinFlinkLogParts, type FlinkLogPartState } from './parts.js';
import { failureReasonByCode, reasonOf, type FailureReason } from './reasons.js';
import { isFrameLine, summarizeStack, type StackSummary } from './stack.js';

export { hostFromFileName } from './ids.js';
export { EXCEPTION_TEXT_WINDOW_US, flinkLogParts, joinFlinkLogParts, type FlinkLogPartState } from './parts.js';

/** Continuation lines kept per record for matching; the rest are only counted (a 100k-line stack stays cheap). */
export const MAX_RETAINED_LINES = 200;
/** Slf4jReporter bodies are data, not stack noise: they are kept whole up to this many lines. */
export const MAX_REPORT_LINES = 200_000;
/** Templates and exception texts are matched on at most this many characters of a line (bounded regex time). */
export const MAX_MATCH_CHARS = 4096;
/** Remembered exception texts beyond which old ones are swept out, checked every this many new ones. */
const EXCEPTION_TEXT_SWEEP_SIZE = 1024;

interface CompiledTemplate {
  spec: TemplateSpec;
  pattern: CompiledPattern;
}

interface CompiledExceptionText {
  spec: ExceptionTextSpec;
  pattern: CompiledPattern;
}

const SLF4J_REPORTER = 'Slf4jReporter';

/** What the parser knows about a logger: its templates, and whether it prints metric reports. */
interface KnownLogger {
  templates: readonly CompiledTemplate[];
  reporter: boolean;
}

/**
 * Known loggers by simple name, bucketed by the name's length. Every record looks its logger up once, and its
 * name is a fresh sliced string: a Map would hash it, and each `===` against a constant goes to V8's runtime to
 * compare it character by character (a twentieth of a TaskManager log's parse time, where most names share a
 * length with a known one). So a name is compared whole only when its first and last characters match.
 */
interface LoggerBucket {
  names: string[];
  /** Per name: its first character code × 65536 + its last. */
  ends: number[];
  loggers: KnownLogger[];
}

const KNOWN_LOGGERS_BY_NAME_LENGTH: ReadonlyArray<LoggerBucket | undefined> = (() => {
  const compiled = new Map(TEMPLATES.map((spec) => [spec, { spec, pattern: compilePattern(spec.re) }]));
  const known = new Map<string, KnownLogger>([[SLF4J_REPORTER, { templates: [], reporter: true }]]);
  for (const [logger, specs] of templatesByLogger(TEMPLATES)) {
    known.set(logger, { templates: specs.map((spec) => compiled.get(spec)!), reporter: logger === SLF4J_REPORTER });
  }
  const buckets: Array<LoggerBucket | undefined> = [];
  for (const [name, logger] of known) {
    const bucket = (buckets[name.length] ??= { names: [], ends: [], loggers: [] });
    bucket.names.push(name);
    bucket.ends.push(endsOf(name));
    bucket.loggers.push(logger);
  }
  return buckets;
})();

function endsOf(name: string): number {
  return name.charCodeAt(0) * 65536 + name.charCodeAt(name.length - 1);
}

function knownLogger(simpleName: string): KnownLogger | undefined {
  const bucket = KNOWN_LOGGERS_BY_NAME_LENGTH[simpleName.length];
  if (bucket === undefined) return undefined;
  const { names, ends } = bucket;
  const nameEnds = endsOf(simpleName);
  for (let i = 0; i < names.length; i++) if (ends[i] === nameEnds && names[i] === simpleName) return bucket.loggers[i];
  return undefined;
}

const COMPILED_EXCEPTION_TEXTS: readonly CompiledExceptionText[] = EXCEPTION_TEXTS.map((spec) => ({ spec, pattern: compilePattern(spec.re) }));

export const createFlinkLogParser = (ctx: ParseContext): Omit<TextParser, 'endPart'> & { endPart(): FlinkLogPartState } => new FlinkLogParser(ctx);

class FlinkLogParser implements TextParser {
  currentTs = Number.NaN;
  currentLevel: Level = Level.None;
  currentIsContinuation = false;

  private readonly sink: RecordSink;
  private readonly header = new Header();
  private readonly banner = new BannerReader();
  private readonly fileHost: string | undefined;

  // The open record. Fields instead of an object: one record per line on most files, no allocation.
  private open = false;
  private recLine = 0;
  private recTs = Number.NaN;
  private recLevel: Level = Level.None;
  /** The record's first line: the full logger name is sliced from it only when an event needs it. */
  private recText = '';
  private recLoggerStart = 0;
  private recLoggerEnd = 0;
  private recSimpleName = '';
  private recLogger: KnownLogger | undefined;
  private recThread: string | undefined;
  private recMessage = '';
  private recLines: string[] = [];
  private recDropped = 0;
  private recCap = MAX_RETAINED_LINES;

  private records = 0;
  private lastLine = 0;
  // Date arithmetic once per minute of log, not per line.
  private minuteKey = -1;
  private minuteBase = 0;
  // Date for time-only layouts.
  private fileDate: { year: number; month: number; day: number } | undefined;
  private timeOnlyWarned = false;
  private lastTimeOfDayMs = -1;
  private dayOffset = 0;

  private bannerSeen = false;
  private bannerLogger = '';
  private config: Record<string, string> = {};
  private readonly recentExceptionTexts = new Map<string, number>();
  private exceptionTextsSinceSweep = 0;

  // What a file parsed in parts needs to tell whether this part read as it would have read on from the one before
  // (parts.ts): its first record's logger, and, over its first log seconds, the first use of each exception text.
  private firstLogger: string | undefined;
  private seamWindowEndTs = Number.NaN;
  private readonly seamExceptionTexts = new Map<string, number | null>();
  private timeOnlyStamps = false;
  private linesBeforeFirstRecord = 0;

  constructor(private readonly ctx: ParseContext) {
    this.sink = ctx.sink;
    this.fileHost = hostFromFileName(ctx.path);
  }

  line(text: string, lineNo: number, raw?: Uint8Array, rawStart = 0): void {
    this.lastLine = lineNo;
    if (raw !== undefined ? parseAsciiHeader(text, raw, rawStart, this.header) : parseHeader(text, this.header)) {
      const ts = this.timestamp(lineNo);
      this.completeRecord();
      this.startRecord(text, lineNo, ts);
      this.currentTs = ts;
      this.currentLevel = this.recLevel;
      this.currentIsContinuation = false;
      return;
    }
    if (!this.open) {
      this.linesBeforeFirstRecord++;
      this.currentTs = Number.NaN;
      this.currentLevel = Level.None;
      this.currentIsContinuation = false;
      return;
    }
    if (this.recLines.length < this.recCap) this.recLines.push(text);
    else this.recDropped++;
    this.currentTs = this.recTs;
    this.currentLevel = this.recLevel;
    this.currentIsContinuation = true;
  }

  end(): void {
    const joined = joinFlinkLogParts([this.endPart()], this.ctx.path);
    if (!joined.clean) throw new Error(`one part cannot disagree with itself: ${joined.reason}`);
    for (const facts of joined.facts) this.sink.facts(facts);
    for (const warning of joined.warnings) this.sink.warning(warning);
  }

  /**
   * Ends the lines of one part of a file (or the whole file: `end`): the last record and an open banner are
   * written; the file-level facts and warnings are left to joinFlinkLogParts, which sees every part.
   */
  endPart(): FlinkLogPartState {
    this.completeRecord();
    const openBannerLogger = this.banner.open ? this.bannerLogger : undefined;
    const banner = this.banner.flush();
    if (banner !== undefined) this.emitBanner(banner);
    return {
      lines: this.lastLine,
      linesBeforeFirstRecord: this.linesBeforeFirstRecord,
      records: this.records,
      bannerSeen: this.bannerSeen,
      config: Object.entries(this.config),
      ...(openBannerLogger !== undefined && { openBannerLogger }),
      ...(this.firstLogger !== undefined && { firstLogger: this.firstLogger }),
      lastExceptionTexts: [...this.recentExceptionTexts],
      firstExceptionTexts: [...this.seamExceptionTexts].filter((entry): entry is [string, number] => entry[1] !== null),
      timeOnlyStamps: this.timeOnlyStamps,
    };
  }

  private startRecord(text: string, lineNo: number, ts: number): void {
    const header = this.header;
    if (this.records === 0) {
      this.firstLogger = header.simpleName;
      this.seamWindowEndTs = ts + 2 * EXCEPTION_TEXT_WINDOW_US;
    }
    this.open = true;
    this.records++;
    this.recLine = lineNo;
    this.recTs = ts;
    this.recLevel = header.level;
    this.recText = text;
    this.recLoggerStart = header.loggerStart;
    this.recLoggerEnd = header.loggerEnd;
    this.recSimpleName = header.simpleName;
    this.recLogger = knownLogger(header.simpleName);
    this.recThread = header.thread;
    this.recMessage = text.slice(header.messageStart);
    if (this.recLines.length > 0) this.recLines = [];
    this.recDropped = 0;
    this.recCap = this.recLogger?.reporter === true ? MAX_REPORT_LINES : MAX_RETAINED_LINES;
  }

  private timestamp(lineNo: number): number {
    const h = this.header;
    if (h.stamp === StampKind.Full) {
      if (this.fileDate === undefined) this.fileDate = { year: h.year, month: h.month, day: h.day };
      const minuteKey = ((h.year * 16 + h.month) * 32 + h.day) * 1440 + h.hour * 60 + h.minute;
      if (minuteKey !== this.minuteKey) {
        this.minuteKey = minuteKey;
        this.minuteBase = this.ctx.clock.toUtc(h.year, h.month, h.day, h.hour, h.minute, 0, 0);
      }
      return this.minuteBase + (h.second * 1000 + h.millis) * 1000;
    }
    // Time-only layout (test pattern): the date comes from the file's first full timestamp, else 1970-01-01.
    this.timeOnlyStamps = true;
    let date = this.fileDate;
    if (date === undefined) {
      date = { year: 1970, month: 1, day: 1 };
      if (!this.timeOnlyWarned) {
        this.timeOnlyWarned = true;
        this.sink.warning({
          line: lineNo,
          message: `line ${lineNo}: timestamps carry a time but no date and no full date was seen before; dated 1970-01-01`,
        });
      }
    }
    const timeOfDayMs = ((h.hour * 60 + h.minute) * 60 + h.second) * 1000 + h.millis;
    // A jump back of more than 12 h is midnight passing, not a clock going backwards.
    if (this.lastTimeOfDayMs >= 0 && this.lastTimeOfDayMs - timeOfDayMs > 12 * 3_600_000) this.dayOffset++;
    this.lastTimeOfDayMs = timeOfDayMs;
    return this.ctx.clock.toUtc(date.year, date.month, date.day + this.dayOffset, h.hour, h.minute, h.second, h.millis);
  }

  /** Matches the finished record against the catalogue and emits its events. */
  private completeRecord(): void {
    if (!this.open) return;
    this.open = false;
    const lineCount = 1 + this.recLines.length + this.recDropped;
    const simpleName = this.recSimpleName;
    const logger = this.recLogger;
    if (logger?.reporter === true) {
      this.metricsReport(lineCount);
      return;
    }
    // The banner is printed through the caller's logger (ClusterEntrypoint, TaskManagerRunner, …): it is
    // recognised by its `Starting X (Version: …)` line and continues while that logger keeps printing.
    if (this.banner.open) {
      if (simpleName === this.bannerLogger) {
        const banner = this.banner.feed(this.recMessage, this.recTs, this.recLine);
        if (banner !== undefined) this.emitBanner(banner);
        return;
      }
      const banner = this.banner.flush();
      if (banner !== undefined) this.emitBanner(banner);
    }
    if (isBannerStart(this.recMessage)) {
      this.bannerLogger = simpleName;
      this.banner.feed(this.recMessage, this.recTs, this.recLine);
      return;
    }

    const message = this.recMessage.length > MAX_MATCH_CHARS ? this.recMessage.slice(0, MAX_MATCH_CHARS) : this.recMessage;
    const stack = this.recLines.length > 0 ? summarizeStack(this.recLines.map(capped)) : undefined;
    let event: EventRecord | undefined;
    let template: TemplateSpec | undefined;
    const candidates = logger?.templates;
    if (candidates !== undefined) {
      for (const candidate of candidates) {
        const spec = candidate.spec;
        if (spec.prefix !== undefined && !message.startsWith(spec.prefix)) continue;
        if (spec.needle !== undefined && !message.includes(spec.needle)) continue;
        if (spec.stackRequired === true && this.recLines.length === 0) continue;
        if (spec.minLevel !== undefined && this.recLevel < spec.minLevel) continue;
        const match = candidate.pattern.re.exec(message);
        if (match === null) continue;
        template = spec;
        event = this.templateEvent(candidate, match, stack, lineCount);
        break;
      }
    }

    const scanMessage = this.recLevel >= Level.Warn || stack !== undefined || event?.attrs?.cause !== undefined;
    const found = scanMessage ? this.exceptionTexts(message) : undefined;

    if (event === undefined && this.recLevel >= Level.Warn && stack !== undefined && (stack.hasFrames || stack.first !== undefined)) {
      event = this.exceptionEvent(stack, message, lineCount);
    }
    if (event !== undefined) {
      if (found !== undefined && found.attributes.size > 0) {
        const attrs = (event.attrs ??= {});
        for (const [name, value] of found.attributes) attrs[name] ??= value;
      }
      this.sink.event(event);
      if (template?.fact !== undefined) this.emitFact(template, event);
      if (event.kind === 'tm.heartbeat-timeout' && event.tm !== undefined) {
        this.rememberExceptionText(exceptionTextKey(event), event.ts);
      }
    }
    if (found !== undefined) {
      for (const textEvent of found.events.values()) this.emitExceptionText(textEvent);
    }
  }

  private baseEvent(kind: EventRecord['kind'], template: string, lineCount: number): EventRecord {
    return { ts: this.recTs, kind, template, level: this.recLevel, line: this.recLine, lineCount };
  }

  private templateEvent(compiled: CompiledTemplate, match: RegExpExecArray, stack: StackSummary | undefined, lineCount: number): EventRecord {
    const template = compiled.spec;
    const event = this.baseEvent(template.kind, template.id, lineCount);
    const attrs: Record<string, AttrValue> = template.attrs === undefined ? {} : { ...template.attrs };
    applyMatch(event, attrs, match, compiled.pattern);
    if (template.refine !== undefined) template.refine(event, attrs, groupsOf(match, compiled.pattern));
    if (stack !== undefined) addStackAttrs(attrs, stack);
    if (template.reasonCode !== undefined) setReasonCode(attrs, failureReasonByCode(template.reasonCode));
    if (template.reason === true) addFailureReason(attrs, groupsOf(match, compiled.pattern), stack);
    if (this.recThread !== undefined && template.kind.startsWith('subtask.')) attrs.thread ??= this.recThread;
    if (Object.keys(attrs).length > 0) event.attrs = attrs;
    return event;
  }

  private exceptionEvent(stack: StackSummary, message: string, lineCount: number): EventRecord {
    const event = this.baseEvent('exception', 'EXCEPTION', lineCount);
    const attrs: Record<string, AttrValue> = { logger: this.recText.slice(this.recLoggerStart, this.recLoggerEnd), logMessage: clip(message) };
    addStackAttrs(attrs, stack);
    event.attrs = attrs;
    return event;
  }

  /**
   * Searches the message and the retained stack lines for exception texts (§2.3 E6, §2.9 R7, §2.10 H1, §2.12,
   * §2.13 O6 / OutOfMemoryError). Within one record, repeated texts of one kind merge into one event.
   */
  private exceptionTexts(message: string): { events: Map<string, EventRecord>; attributes: Map<string, AttrValue> } | undefined {
    let result: { events: Map<string, EventRecord>; attributes: Map<string, AttrValue> } | undefined;
    const lineCount = 1 + this.recLines.length + this.recDropped;
    const scan = (line: string): void => {
      const text = capped(line);
      for (const { spec, pattern } of COMPILED_EXCEPTION_TEXTS) {
        if (!text.includes(spec.needle)) continue;
        const match = pattern.re.exec(text);
        if (match === null) continue;
        result ??= { events: new Map(), attributes: new Map() };
        const groups = groupsOf(match, pattern);
        if (spec.attribute !== undefined) {
          const value = Object.values(groups).find((v) => v !== undefined);
          if (value !== undefined && !result.attributes.has(spec.attribute)) result.attributes.set(spec.attribute, clip(value.trim()));
          return;
        }
        if (spec.kind === undefined) return;
        const event = this.exceptionTextEvent(spec, spec.kind, match, pattern, lineCount);
        const key = `${event.kind}|${event.tm ?? ''}`;
        const earlier = result.events.get(key);
        if (earlier === undefined) result.events.set(key, event);
        else mergeAttrs(earlier, event);
        return;
      }
    };
    if (message.includes('Exception') || message.includes('Error') || message.includes('timed out')) scan(message);
    for (const line of this.recLines) {
      if (!isFrameLine(line)) scan(line);
    }
    return result;
  }

  private exceptionTextEvent(
    spec: ExceptionTextSpec,
    kind: EventRecord['kind'],
    match: RegExpExecArray,
    pattern: CompiledPattern,
    lineCount: number,
  ): EventRecord {
    const event = this.baseEvent(kind, spec.id, lineCount);
    const attrs: Record<string, AttrValue> = spec.attrs === undefined ? {} : { ...spec.attrs };
    applyMatch(event, attrs, match, pattern);
    const groups = groupsOf(match, pattern);
    spec.refine?.(attrs, groups);
    if (typeof attrs.oomText === 'string') {
      const text = attrs.oomText;
      const type = OOM_TYPES.find((candidate) => text.startsWith(candidate.prefix));
      attrs.oomType = type === undefined ? 'other' : type.type;
    }
    if (groups.reasonText !== undefined) addFailureReason(attrs, groups, undefined);
    if (Object.keys(attrs).length > 0) event.attrs = attrs;
    return event;
  }

  private emitExceptionText(event: EventRecord): void {
    const key = exceptionTextKey(event);
    this.noteSeamUse(key, event.ts);
    const last = this.recentExceptionTexts.get(key);
    if (last !== undefined && Math.abs(event.ts - last) < EXCEPTION_TEXT_WINDOW_US) return;
    this.rememberExceptionText(key, event.ts);
    this.sink.event(event);
  }

  /**
   * Keys carry RPC recipients, which differ from ask to ask: without a sweep, a stalled cluster's tens of
   * thousands of timeouts would all stay in the map. Entries that left the window are dropped now and then.
   */
  private rememberExceptionText(key: string, ts: number): void {
    this.noteSeamUse(key, null);
    const recent = this.recentExceptionTexts;
    recent.set(key, ts);
    if (recent.size < EXCEPTION_TEXT_SWEEP_SIZE || ++this.exceptionTextsSinceSweep < EXCEPTION_TEXT_SWEEP_SIZE) return;
    this.exceptionTextsSinceSweep = 0;
    for (const [k, seen] of recent) if (Math.abs(ts - seen) >= EXCEPTION_TEXT_WINDOW_US) recent.delete(k);
  }

  /**
   * Notes a key's first use near the part's start: a decision (`ts`) could have gone the other way with the
   * previous part's texts in mind; a remembered text (`null`) decides the key's later uses within this part.
   */
  private noteSeamUse(key: string, ts: number | null): void {
    if (!(this.recTs < this.seamWindowEndTs) || this.seamExceptionTexts.has(key)) return;
    this.seamExceptionTexts.set(key, ts);
  }

  private emitFact(template: TemplateSpec, event: EventRecord): void {
    if (template.fact === 'tmResourceId' && event.tm !== undefined) {
      this.sink.facts({ tmResourceId: event.tm, component: 'taskmanager' });
      return;
    }
    if (template.fact === 'config') {
      const key = event.attrs?.key;
      const value = event.attrs?.value;
      if (typeof key === 'string' && typeof value === 'string') {
        this.config[key] = value;
      }
    }
  }

  private emitBanner(banner: Banner): void {
    this.bannerSeen = true;
    const host = this.fileHost ?? (banner.logFile === undefined ? undefined : hostFromFileName(banner.logFile));
    const facts: SourceFacts = { ...banner.facts };
    if (host !== undefined) facts.host = host;
    this.sink.facts(facts);
    const attrs = { ...banner.attrs };
    if (host !== undefined) attrs.host = host;
    this.sink.event({
      ts: banner.ts,
      kind: 'startup.banner',
      template: 'BANNER',
      level: Level.Info,
      line: banner.line,
      lineCount: banner.lineCount,
      attrs,
    });
  }

  private metricsReport(lineCount: number): void {
    const hasInlineBody = this.recMessage.trim().length > 0;
    const body = hasInlineBody ? [this.recMessage, ...this.recLines] : this.recLines;
    if (this.recDropped > 0) {
      this.sink.warning({
        line: this.recLine,
        message: `line ${this.recLine}: metrics report longer than ${MAX_REPORT_LINES} lines; the last ${this.recDropped} lines were not read`,
      });
    }
    parseSlf4jReport(body, this.recTs, hasInlineBody ? this.recLine : this.recLine + 1, this.sink);
    this.sink.event({
      ...this.baseEvent('metrics.report', 'SLF4J', lineCount),
      attrs: { bodyLines: body.length },
    });
  }
}

function capped(line: string): string {
  return line.length > MAX_MATCH_CHARS ? line.slice(0, MAX_MATCH_CHARS) : line;
}

function exceptionTextKey(event: EventRecord): string {
  const attrs = event.attrs;
  return `${event.kind}|${event.tm ?? ''}|${String(attrs?.oomType ?? '')}|${String(attrs?.recipient ?? '')}`;
}

/** Later texts of one kind in the same record complete the first (e.g. the AskTimeoutException cause adds the timeout). */
function mergeAttrs(into: EventRecord, from: EventRecord): void {
  const attrs = (into.attrs ??= {});
  for (const [name, value] of Object.entries(from.attrs ?? {})) attrs[name] ??= value;
  into.tm ??= from.tm;
}

function addStackAttrs(attrs: Record<string, AttrValue>, stack: StackSummary): void {
  if (stack.first !== undefined) {
    attrs.exceptionClass ??= stack.first.className;
    if (stack.first.message !== undefined) attrs.message ??= clip(stack.first.message);
  }
  if (stack.root !== undefined) {
    attrs.rootCauseClass ??= stack.root.className;
    if (stack.root.message !== undefined) attrs.rootCauseMessage ??= clip(stack.root.message);
  }
  if (stack.topFrame !== undefined) attrs.topFrame ??= clip(stack.topFrame);
}

function setReasonCode(attrs: Record<string, AttrValue>, reason: FailureReason | undefined): void {
  if (reason === undefined) return;
  attrs.reasonCode = reason.code;
  attrs.preFlight = reason.preFlight;
}

/**
 * The failure reason: the text is the immediate cause (inline, else the first exception of the stack — E2's
 * `CheckpointException: Checkpoint expired before completing.`), the code the first CheckpointFailureReason
 * found along the cause chain.
 */
function addFailureReason(
  attrs: Record<string, AttrValue>,
  groups: Readonly<Record<string, string | undefined>>,
  stack: StackSummary | undefined,
): void {
  const texts: string[] = [];
  for (const text of [groups.reasonText, groups.cause]) {
    if (text !== undefined && text !== '{}' && text.length > 0) texts.push(text);
  }
  if (stack !== undefined) texts.push(...stack.messages);
  if (texts.length === 0) return;
  attrs.reason ??= clip(texts[0]);
  for (const text of texts) {
    const match = reasonOf(text);
    if (match.phase !== undefined) attrs.failurePhase ??= match.phase;
    if (match.reason !== undefined && attrs.reasonCode === undefined) setReasonCode(attrs, match.reason);
  }
}

