import { newEvent, type GcSession, type Stamp } from './session.js';
import { durationToMicros, parseLocalStamp } from './units.js';

/**
 * OpenJ9 / IBM J9 verbose GC XML (R26+ layout): a pause is the `exclusive-start … exclusive-end` interval
 * (`durationms` on the end tag); kind from `cycle-start type`, cause from `af-start` / `sys-start`, heap used =
 * total − free of the first `mem-info` after `gc-start` / `gc-end`. Timestamps are local time without a zone.
 * The older J9 layout (`<af type=…><time totalms=…>`) is reported as unsupported, not guessed at.
 */

interface OpenPause {
  line: number;
  stamp: Stamp;
  cause?: string;
  kind?: string;
  name?: string;
  heapBeforeBytes?: number;
  heapAfterBytes?: number;
  heapCommittedBytes?: number;
}

const attribute = (text: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(text)?.[1];

export class J9GcFormat {
  private open: OpenPause | undefined;
  private memoryFor: 'before' | 'after' | undefined;
  private oldLayoutLine: number | undefined;
  private tags = 0;

  constructor(private readonly session: GcSession) {}

  line(raw: string, lineNo: number): void {
    const text = raw.trim();
    const session = this.session;
    if (!text.startsWith('<')) {
      session.continuationLine();
      return;
    }
    this.tags++;
    const timestamp = attribute(text, 'timestamp');
    const stamp: Stamp = { wallUs: timestamp === undefined ? Number.NaN : parseLocalStamp(timestamp, session.ctx.clock), uptimeUs: Number.NaN };
    if (timestamp !== undefined) session.recordLine(stamp, lineNo);
    else session.continuationLine();

    if (text.startsWith('<verbosegc')) {
      const version = attribute(text, 'version');
      if (version !== undefined) session.jvm = `IBM J9 ${version}`;
    } else if (text.startsWith('<attribute name="gcPolicy"')) {
      const policy = attribute(text, 'value')?.replace(/^-Xgcpolicy:/, '');
      if (policy !== undefined) session.setCollector(`J9 ${policy}`, true);
    } else if (text.startsWith('<attribute name="maxHeapSize"')) {
      const value = attribute(text, 'value');
      if (value !== undefined && /^(?:0x[0-9a-f]+|\d+)$/i.test(value)) session.heapMaxBytes = Number(value);
    } else if (text.startsWith('<exclusive-start')) {
      this.open = { line: lineNo, stamp };
    } else if (text.startsWith('<af-start')) {
      if (this.open !== undefined) this.open.cause = 'Allocation Failure';
    } else if (text.startsWith('<sys-start')) {
      if (this.open !== undefined) this.open.cause = 'System.gc()';
    } else if (text.startsWith('<cycle-start')) {
      const type = attribute(text, 'type');
      if (this.open !== undefined && type !== undefined) {
        this.open.name = type;
        this.open.kind = type === 'scavenge' ? 'young' : type === 'global' ? 'full' : type;
      }
    } else if (text.startsWith('<gc-start')) {
      this.memoryFor = 'before';
    } else if (text.startsWith('<gc-end')) {
      this.memoryFor = 'after';
    } else if (text.startsWith('<mem-info') && this.memoryFor !== undefined) {
      const free = Number(attribute(text, 'free'));
      const total = Number(attribute(text, 'total'));
      if (this.open !== undefined && Number.isFinite(free) && Number.isFinite(total)) {
        if (this.memoryFor === 'before') this.open.heapBeforeBytes = total - free;
        else {
          this.open.heapAfterBytes = total - free;
          this.open.heapCommittedBytes = total;
        }
      }
      this.memoryFor = undefined;
    } else if (text.startsWith('<exclusive-end')) {
      this.closePause(text, lineNo);
    } else if (/^<af type=|^<gc type=|^<sys type=/.test(text)) {
      this.oldLayoutLine ??= lineNo;
    }
  }

  end(): void {
    if (this.session.events > 0) return;
    if (this.oldLayoutLine !== undefined) {
      this.session.warn(
        'unsupported',
        this.oldLayoutLine,
        'IBM J9 verbose GC in the pre-R26 layout (<af type=…>) is not supported: no pauses read; regenerate with a current OpenJ9 (-Xverbosegclog) or convert with GCMV',
      );
    } else {
      this.session.warn('unsupported', undefined, `IBM J9 / OpenJ9 verbose GC XML without exclusive-start/end pairs (${this.tags} tags read): no pauses recognised`);
    }
  }

  private closePause(text: string, lineNo: number): void {
    const open = this.open;
    this.open = undefined;
    const durationMs = attribute(text, 'durationms');
    if (open === undefined || durationMs === undefined) {
      this.session.warn('unrecognised', lineNo, `exclusive-end at line ${lineNo} without its exclusive-start or duration`);
      return;
    }
    const durationUs = durationToMicros(durationMs, 'ms');
    const event = newEvent(this.session.timing(open.stamp, 'start', durationUs), durationUs, 'pause', open.kind ?? 'other', open.name ?? 'exclusive access', open.line, lineNo - open.line + 1);
    event.cause = open.cause;
    event.heapBeforeBytes = open.heapBeforeBytes;
    event.heapAfterBytes = open.heapAfterBytes;
    event.heapCommittedBytes = open.heapCommittedBytes;
    this.session.emit(event);
  }
}
