import { Level, levelFromName, type GcEventRecord } from '../../model/records.js';
import { newEvent, type EventTiming, type GcSession, type Stamp } from './session.js';
import { describePause, findHeapTriple, trailingDuration, durationToMicros, applyHeap, parseWallStamp, sizeToBytes, slug } from './units.js';

/**
 * HotSpot Unified Logging (JDK 9+, `-Xlog:gc*,safepoint`) for G1, Parallel, Serial, CMS, ZGC (incl. generational)
 * and Shenandoah, with any decorator set. Decorators are told apart by shape, not position.
 *
 * Every summary line is written when its pause ends, so start = stamp − duration. `gc,stats` blocks and
 * sub-phase lines (`Phase 1: …`, `Marking Phase …`, `Pre Evacuate …`) are not events.
 *
 * Serial logs a young collection that escalated to a full one as `GC(n+1) Pause Full` followed by its enclosing
 * `GC(n) Pause Young` with the same end: one stop, folded into one `full` event (flag `escalated-to-full`).
 */

export interface Decorated {
  stamp: Stamp;
  level?: string;
  tags?: string;
  message: string;
}

const ISO = /^\d{4}-\d\d-\d\dT/;
const UPTIME_S = /^(\d+[.,]\d+)s$/;
const MILLIS = /^(\d+)ms$/;
const NANOS = /^(\d+)ns$/;
const LEVEL = /^(trace|debug|info|warning|error)\s*$/;
const WORD = /^[A-Za-z0-9][\w.,-]*\s*$/;
/** timemillis and uptimemillis share the `ms` suffix: anything past 2001 in epoch ms is wall clock. */
const EPOCH_MS_FLOOR = 1e12;

/** First bracket of a UL line: a decorator (time, uptime, ms/ns, pid, level), never a JDK 8 `[GC …`. */
export const UL_FIRST_DECORATOR = /^\[(?:\d{4}-\d\d-\d\dT[^\]]*|\d+[.,]\d+s|\d+(?:ms|ns)?|(?:trace|debug|info|warning|error)\s*)\]/;

export function parseDecorators(text: string, session: GcSession): Decorated | undefined {
  let pos = 0;
  let groups = 0;
  let wallUs = Number.NaN;
  let uptimeUs = Number.NaN;
  let level: string | undefined;
  const words: string[] = [];
  let numbers = 0;
  while (text.charCodeAt(pos) === 91) {
    const close = text.indexOf(']', pos + 1);
    if (close < 0) break;
    const body = text.slice(pos + 1, close);
    const c0 = body.charCodeAt(0);
    const last = body.charCodeAt(body.length - 1);
    if (c0 >= 48 && c0 <= 57) {
      // Told apart by shape: ISO date, `12.345s`, `245ms`, `3564874277ns`, bare pid/tid.
      if (body.length >= 19 && body.charCodeAt(10) === 84 && ISO.test(body)) {
        if (Number.isNaN(wallUs)) wallUs = parseWallStamp(body, session.ctx.clock);
      } else if (last === 115 && body.charCodeAt(body.length - 2) === 109 && MILLIS.test(body)) {
        const value = Number(body.slice(0, -2));
        if (value >= EPOCH_MS_FLOOR) {
          if (Number.isNaN(wallUs)) wallUs = value * 1000 + session.ctx.clock.clockOffsetMicros;
        } else uptimeUs = value * 1000;
      } else if (last === 115 && body.charCodeAt(body.length - 2) === 110 && NANOS.test(body)) {
        // uptimenanos; timenanos has an arbitrary origin and says nothing about wall clock.
        if (Number.isNaN(uptimeUs)) uptimeUs = Math.round(Number(body.slice(0, -2)) / 1000);
      } else if (last === 115 && UPTIME_S.test(body)) {
        uptimeUs = durationToMicros(body.slice(0, -1), 's');
      } else if (/^\d+$/.test(body)) {
        if (numbers++ === 0 && session.pid === undefined) session.pid = Number(body);
      } else break;
    } else if (LEVEL.test(body)) {
      level = body.trimEnd();
    } else if (WORD.test(body)) {
      words.push(body.trimEnd());
    } else break;
    groups++;
    pos = close + 1;
  }
  if (groups === 0) return undefined;
  if (text.charCodeAt(pos) === 32) pos++;
  // hostname comes before pid/level, tags last: with two word groups the first is the host.
  if (words.length > 1 && session.host === undefined) session.host = words[0];
  return { stamp: { wallUs, uptimeUs }, level, tags: words.length > 0 ? words[words.length - 1] : undefined, message: text.slice(pos) };
}

const GC_ID = /^GC\((\d+)\) /;
const COLLECTORS: Array<[RegExp, string]> = [
  [/^G1/, 'G1'],
  [/^Parallel/, 'Parallel'],
  [/^Serial/, 'Serial'],
  [/^Concurrent Mark Sweep/, 'CMS'],
  [/^The Z Garbage Collector/, 'ZGC'],
  [/^Shenandoah/, 'Shenandoah'],
  [/^Epsilon/, 'Epsilon'],
];

interface HeldFull {
  event: GcEventRecord;
  end: Stamp;
}

export class UnifiedGcFormat {
  private readonly cycleStarts = new Map<number, Stamp>();
  private readonly cycleCauses = new Map<number, string>();
  private readonly toSpaceExhausted = new Set<number>();
  private safepointOperation: string | undefined;
  private shenandoahCancel: string | undefined;
  private heldFull: HeldFull | undefined;
  private zgcCycles = 0;
  private generational = false;

  constructor(private readonly session: GcSession) {
    session.pairKind = 'time-decorator';
  }

  line(raw: string, lineNo: number): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const session = this.session;
    const decorated = parseDecorators(text, session);
    if (decorated === undefined) {
      session.continuationLine();
      return;
    }
    session.recordLine(decorated.stamp, lineNo, decorated.level === undefined ? Level.Info : levelFromName(decorated.level.toUpperCase()));
    if (decorated.tags !== undefined && decorated.tags.includes('stats')) return;
    const message = decorated.message;
    const idMatch = GC_ID.exec(message);
    if (idMatch === null) this.withoutId(message, decorated.stamp, lineNo);
    else this.withId(Number(idMatch[1]), message.slice(idMatch[0].length), decorated.stamp, lineNo);
  }

  end(): void {
    this.flushHeldFull();
    if (this.session.collector === 'ZGC' && this.zgcCycles > 0 && this.session.pauses === 0) {
      this.session.warn(
        'zgc-no-pauses',
        undefined,
        'ZGC log has cycle lines only, no pause durations: log with -Xlog:gc*:… (or gc+phases=info) to see the STW pauses',
      );
    }
  }

  private withoutId(message: string, stamp: Stamp, lineNo: number): void {
    const session = this.session;
    let m: RegExpExecArray | null;
    if (message.startsWith('Using ')) {
      const collector = COLLECTORS.find(([re]) => re.test(message.slice(6)));
      if (collector !== undefined) session.setCollector(collector[1], true);
    } else if ((m = /^Version: (.+?)\s*$/.exec(message)) !== null) {
      session.jvm = m[1];
    } else if ((m = /^(?:Heap )?Max Capacity: (\d+)([KMGT])/.exec(message)) !== null) {
      session.heapMaxBytes = sizeToBytes(m[1]!, m[2]!);
    } else if ((m = /^(Allocation|Relocation) Stall \((.*)\) (\d+(?:[.,]\d+)?)(ms|s|us|ns)$/.exec(message)) !== null) {
      const durationUs = durationToMicros(m[3]!, m[4]!);
      this.flushHeldFull();
      const stall = newEvent(
        session.timing(stamp, 'end', durationUs),
        durationUs,
        'alloc-stall',
        `${m[1]!.toLowerCase()}-stall`,
        message.slice(0, message.length - m[3]!.length - m[4]!.length - 1),
        lineNo,
        1,
      );
      stall.flags = [`thread:${m[2]}`];
      session.emit(stall);
    } else if ((m = /^Entering safepoint region: (.+?)\s*$/.exec(message)) !== null) {
      this.safepointOperation = m[1];
    } else if ((m = /^Total time for which application threads were stopped: ([\d.,]+) seconds(?:, Stopping threads took: ([\d.,]+) seconds)?/.exec(message)) !== null) {
      this.safepoint(stamp, durationToMicros(m[1]!, 's'), m[2] === undefined ? undefined : durationToMicros(m[2], 's'), this.safepointOperation, lineNo);
      this.safepointOperation = undefined;
    } else if ((m = /^Safepoint "([^"]*)"/.exec(message)) !== null) {
      const total = /Total: (\d+) ns/.exec(message);
      if (total === null) {
        session.warn('unrecognised', lineNo, `safepoint line ${lineNo} has no total: ${message.slice(0, 120)}`);
        return;
      }
      const reaching = /Reaching safepoint: (\d+) ns/.exec(message);
      this.safepoint(stamp, durationToMicros(total[1]!, 'ns'), reaching === null ? undefined : durationToMicros(reaching[1]!, 'ns'), m[1], lineNo);
      this.inferFromSafepoint(m[1]!);
    } else if ((m = /^Cancelling (?:concurrent )?GC: (.+?)\s*$/.exec(message)) !== null) {
      this.shenandoahCancel = m[1];
    }
  }

  private withId(gcId: number, body: string, stamp: Stamp, lineNo: number): void {
    const session = this.session;
    const gen = body.charCodeAt(1) === 58 ? /^([YyO]): /.exec(body) : null;
    const rest = gen === null ? body : body.slice(gen[0].length);
    const durationMatch = trailingDuration(rest);
    if (rest.startsWith('Pause ')) {
      if (durationMatch === undefined) return; // the gc,start line; the summary line carries the duration
      this.pause(gcId, rest.slice(6, durationMatch.index), durationToMicros(durationMatch.value, durationMatch.unit), gen?.[1], stamp, lineNo);
      return;
    }
    if (rest.startsWith('Garbage Collection (') || rest.startsWith('Major Collection (') || rest.startsWith('Minor Collection (')) {
      this.zgcCycle(gcId, rest, durationMatch, stamp, lineNo);
      return;
    }
    if (rest.startsWith('Concurrent ')) {
      if (durationMatch === undefined) return;
      const durationUs = durationToMicros(durationMatch.value, durationMatch.unit);
      const withoutDuration = rest.slice(0, durationMatch.index);
      const heap = findHeapTriple(withoutDuration);
      const name = (heap === null ? withoutDuration : withoutDuration.slice(0, heap.index)).trim();
      const isCycle = /^Concurrent (?:Mark |Undo )?Cycle$/.test(name);
      if (isCycle) session.setCollector('G1', false);
      const event = newEvent(session.timing(stamp, 'end', durationUs), durationUs, isCycle ? 'cycle' : 'concurrent', slug(name.replace(/ \(.*$/, '')), name, lineNo, 1);
      event.gcId = gcId;
      if (heap !== null) applyHeap(event, heap);
      this.flushHeldFull();
      session.emit(event);
      return;
    }
    const first = rest.charCodeAt(0);
    // Most id lines are heap/phase/cpu details; only a few shapes matter here.
    if (first !== 84 && first !== 69 && first !== 77 && first !== 72 && first !== 80 && first !== 68) return;
    let m: RegExpExecArray | null;
    if (/^To-space exhausted|^Evacuation Failure/.test(rest)) this.toSpaceExhausted.add(gcId);
    else if ((m = /^(?:Heap )?Max Capacity: (\d+)([KMGT])/.exec(rest)) !== null) session.heapMaxBytes = sizeToBytes(m[1]!, m[2]!);
    else if (/^(?:PSYoungGen|ParOldGen):/.test(rest)) session.setCollector('Parallel', false);
    else if (/^DefNew:/.test(rest)) session.setCollector('Serial', false);
    else if (/^ParNew:/.test(rest)) session.setCollector('CMS', false);
  }

  private pause(gcId: number, afterPause: string, durationUs: number, generation: string | undefined, stamp: Stamp, lineNo: number): void {
    const session = this.session;
    const heap = findHeapTriple(afterPause);
    const nameText = (heap === null ? afterPause : afterPause.slice(0, heap.index)).trim();
    const pause = describePause(nameText);
    this.inferFromPause(pause.base, nameText, pause.flags);
    const flags = [...pause.flags];
    if (generation !== undefined) flags.push(generation === 'O' ? 'generation:old' : 'generation:young');
    if (this.toSpaceExhausted.delete(gcId)) flags.push('to-space-exhausted');
    const event = newEvent(session.timing(stamp, 'end', durationUs), durationUs, 'pause', pause.kind, `Pause ${nameText}`, lineNo, 1);
    event.cause = pause.cause ?? this.cycleCauses.get(gcId);
    event.gcId = gcId;
    if ((pause.kind === 'degenerated' || pause.kind === 'full') && this.shenandoahCancel !== undefined && session.collector === 'Shenandoah') {
      event.cause ??= this.shenandoahCancel;
      this.shenandoahCancel = undefined;
    }
    if (heap !== null) applyHeap(event, heap);
    if (flags.length > 0) event.flags = flags;

    const held = this.heldFull;
    if (held !== undefined) {
      this.heldFull = undefined;
      if (pause.kind === 'young' && held.event.gcId === gcId + 1 && sameEnd(held.end, stamp) && durationUs >= held.event.durationUs) {
        event.kind = 'full';
        event.flags = [...(event.flags ?? []), 'escalated-to-full'];
        session.emit(event);
        return;
      }
      session.emit(held.event);
    }
    if (pause.kind === 'full' && session.collector !== 'Shenandoah') this.heldFull = { event, end: stamp };
    else session.emit(event);
  }

  private flushHeldFull(): void {
    if (this.heldFull === undefined) return;
    this.session.emit(this.heldFull.event);
    this.heldFull = undefined;
  }

  /** `Garbage Collection (cause) 106M(0%)->88M(0%)`, Gen-ZGC `Major Collection (cause) … 0.036s`: cycles, not pauses. */
  private zgcCycle(gcId: number, rest: string, durationMatch: ReturnType<typeof trailingDuration>, stamp: Stamp, lineNo: number): void {
    const session = this.session;
    if (!rest.startsWith('Garbage')) this.generational = true;
    session.setCollector(this.generational ? 'ZGC (generational)' : 'ZGC', this.generational);
    const withoutDuration = durationMatch === undefined ? rest : rest.slice(0, durationMatch.index);
    const heap = findHeapTriple(withoutDuration);
    const nameText = (heap === null ? withoutDuration : withoutDuration.slice(0, heap.index)).trim();
    const cause = /\(([^()]*(?:\([^()]*\))?[^()]*)\)/.exec(nameText)?.[1];
    if (heap === null && durationMatch === undefined) {
      this.cycleStarts.set(gcId, stamp);
      if (cause !== undefined) this.cycleCauses.set(gcId, cause);
      return;
    }
    this.zgcCycles++;
    const started = this.cycleStarts.get(gcId);
    this.cycleStarts.delete(gcId);
    this.cycleCauses.delete(gcId);
    let durationUs: number;
    let flags: string[] | undefined;
    let timing: EventTiming;
    if (durationMatch !== undefined) {
      durationUs = durationToMicros(durationMatch.value, durationMatch.unit);
      timing = session.timing(stamp, 'end', durationUs);
    } else if (started !== undefined && elapsed(started, stamp) !== undefined) {
      durationUs = elapsed(started, stamp)!;
      timing = session.timing(started, 'start', durationUs);
    } else {
      durationUs = 0;
      flags = ['duration-unknown'];
      timing = session.timing(stamp, 'start', 0);
      timing.timeBasis = 'logged-end';
    }
    const event = newEvent(timing, durationUs, 'cycle', slug(nameText.replace(/ \(.*$/, '')), nameText, lineNo, 1);
    event.cause = cause;
    event.gcId = gcId;
    event.flags = flags;
    if (heap !== null) applyHeap(event, heap);
    this.flushHeldFull();
    session.emit(event);
  }

  private safepoint(stamp: Stamp, durationUs: number, reachingUs: number | undefined, operation: string | undefined, lineNo: number): void {
    this.flushHeldFull();
    const event = newEvent(
      this.session.timing(stamp, 'end', durationUs),
      durationUs,
      'safepoint',
      'safepoint',
      operation ?? 'Total time for which application threads were stopped',
      lineNo,
      1,
    );
    if (reachingUs !== undefined) event.flags = [`ttsp-us:${reachingUs}`];
    this.session.emit(event);
  }

  /** Rotated files lack the `Using …` preamble: the collector shows in the names it logs. */
  private inferFromPause(base: string, nameText: string, flags: readonly string[]): void {
    const session = this.session;
    if (/^(?:Init|Final) (?:Mark|Update Refs|Roots)$|^Degenerated GC$/.test(base)) session.setCollector('Shenandoah', false);
    else if (/^(?:Mark Start|Mark End|Relocate Start)$/.test(base)) session.setCollector(this.generational || flags.includes('major') ? 'ZGC (generational)' : 'ZGC', false);
    else if (base === 'Mixed' || base === 'Initial Mark' || base === 'Cleanup' || /\((?:Normal|Concurrent Start|Prepare Mixed|Mixed|G1 [^)]*)\)/.test(nameText)) {
      session.setCollector('G1', false);
    }
  }

  private inferFromSafepoint(operation: string): void {
    if (operation.startsWith('G1')) this.session.setCollector('G1', false);
    else if (operation.startsWith('Shenandoah')) this.session.setCollector('Shenandoah', false);
    else if (operation.startsWith('ZMark') || operation.startsWith('ZRelocate')) this.session.setCollector('ZGC', false);
  }
}

/** Same end within the stamps' 1 ms resolution. */
function sameEnd(a: Stamp, b: Stamp): boolean {
  if (!Number.isNaN(a.uptimeUs) && !Number.isNaN(b.uptimeUs)) return Math.abs(a.uptimeUs - b.uptimeUs) <= 1000;
  if (!Number.isNaN(a.wallUs) && !Number.isNaN(b.wallUs)) return Math.abs(a.wallUs - b.wallUs) <= 1000;
  return false;
}

function elapsed(from: Stamp, to: Stamp): number | undefined {
  if (!Number.isNaN(from.uptimeUs) && !Number.isNaN(to.uptimeUs)) return to.uptimeUs - from.uptimeUs;
  if (!Number.isNaN(from.wallUs) && !Number.isNaN(to.wallUs)) return to.wallUs - from.wallUs;
  return undefined;
}

