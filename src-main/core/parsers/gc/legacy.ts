import type { GcEventRecord } from '../../model/records.js';
import { newEvent, type GcSession, type Stamp } from './session.js';
import {
  describePause,
  findHeapTriple,
  durationToMicros,
  applyHeap,
  parenGroups,
  parseLocalStamp,
  parseWallStamp,
  sizeToBytes,
  slug,
} from './units.js';

/**
 * HotSpot logs of JDK ≤ 8 (`-Xloggc` + `-XX:+Print*`): Parallel, CMS/ParNew, G1, Serial and the Shenandoah 8u
 * backport, with any mix of date/uptime stamps, GC ids, tenuring, heap-at-GC and adaptive-size output.
 *
 * An event is a bracket expression that may span lines (tenuring and ergonomics output split it; concurrent
 * phases are written into it by other threads). Lines are fed to a pending event until its brackets balance;
 * spliced-in concurrent phases are cut out first and become events of their own. A finished event is held
 * for the G1 detail block (`[Eden: … Heap: …]`) that follows it.
 *
 * Nesting is folded so that the sum of pauses is the real stop time: a CMS remark's scavenge (ParNew under
 * -XX:+CMSScavengeBeforeRemark) is part of the remark event (flag `scavenge-before-remark`), a young collection
 * that fell back to an old-generation collection (promotion failed → Tenured / CMS) is one `full` pause.
 */

const DATE = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{3}(?:[+-]\d\d:?\d\d|Z)?`;
const UPTIME = String.raw`\d+[.,]\d{3}`;
const PREFIX = `(?:${DATE}: )?(?:${UPTIME}: )?(?:#\\d+: )?`;

const DATE_PREFIX = new RegExp(`(${DATE}): `, 'y');
const UPTIME_PREFIX = new RegExp(`(${UPTIME}): `, 'y');
const GCID_PREFIX = /#(\d+): /y;

/** CMS and G1 concurrent phases, alone on a line or written into the middle of a pause. */
const CONCURRENT = new RegExp(
  `(?:(${DATE}): )?(?:(${UPTIME}): )?(?:#\\d+: )?\\[((?:GC |CMS-)concurrent-[a-z-]+)(?:: [\\d.,]+/([\\d.,]+) secs|, ([\\d.,]+) secs)?\\](?: \\[Times: [^\\]]*\\])?`,
  'g',
);
const ERGONOMICS = new RegExp(`${PREFIX}\\[G1Ergonomics [^\\]]*\\]`, 'g');
const TIMES = / ?\[Times: [^\]]*\]/g;
const HEAP_BEFORE_TAIL = /\{Heap before GC.*$/;
const ADAPTIVE_TAIL = /(?:PS)?AdaptiveSize\w*(?:::\w+)?:[^[\]]*$/;

/** Lines of PrintHeapAtGC blocks and of the end-of-run heap summary; some hold unbalanced `[0x…)` ranges. */
const HEAP_BLOCK_LINE = /^\s*(?:\{Heap before GC|Heap(?: after GC invocations=.*)?$|No shared spaces|\}\s*$)|\[0x[0-9a-f]+|\bused \d+K\b|region size \d+K/;
/** Event and detail lines start with a stamp or a bracket (after spaces); only other lines need the regex. */
function isHeapBlockLine(text: string): boolean {
  const c = text.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 91) return false;
  return HEAP_BLOCK_LINE.test(text);
}
const STOPPED = /^Total time for which application threads were stopped: ([\d.,]+) seconds(?:, Stopping threads took: ([\d.,]+) seconds)?/;
const ROTATION = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) GC log file (created|has reached the maximum size)/;
const EVENT_START = /^\[(?:Full GC|GC|Pause |Concurrent )/;
const G1_DETAIL_HEAP = /Heap: (\d+(?:[.,]\d+)?)([BKMGT])\((\d+(?:[.,]\d+)?)([BKMGT])\)->(\d+(?:[.,]\d+)?)([BKMGT])\((\d+(?:[.,]\d+)?)([BKMGT])\)/;
const MAX_PENDING_LINES = 400;
/** Heap-at-GC / end-of-run tables name the generations, hence the collector (files without a flags line). */
const HEAP_BLOCK_COLLECTORS: Record<string, string> = {
  'garbage-first heap': 'G1',
  'par new generation': 'CMS',
  PSYoungGen: 'Parallel',
  'def new generation': 'Serial',
  'Shenandoah Heap': 'Shenandoah',
};

interface Prefix {
  stamp: Stamp;
  gcId?: number;
  /** Index of the first character after the prefix. */
  end: number;
  hasTime: boolean;
}

interface PendingEvent {
  line: number;
  lastLine: number;
  prefix: Prefix;
  text: string;
  depth: number;
}

interface BracketNode {
  content: string;
  children: BracketNode[];
}

/** `[` … `]` tree of an event; `content` is the node's own text with children replaced by a space. */
function parseNode(text: string, from: number): { node: BracketNode; end: number } {
  const node: BracketNode = { content: '', children: [] };
  let segmentStart = from;
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 91) {
      node.content += `${text.slice(segmentStart, i)} `;
      const child = parseNode(text, i + 1);
      node.children.push(child.node);
      i = child.end;
      segmentStart = i;
    } else if (c === 93) {
      node.content += text.slice(segmentStart, i);
      return { node, end: i + 1 };
    } else {
      i++;
    }
  }
  node.content += text.slice(segmentStart);
  return { node, end: text.length };
}

/** The last `N secs` of a text (the outer duration of a nested expression). */
function lastSeconds(content: string): number | undefined {
  const at = content.lastIndexOf(' secs');
  if (at < 0) return undefined;
  let from = at;
  while (from > 0) {
    const c = content.charCodeAt(from - 1);
    if ((c >= 48 && c <= 57) || c === 46 || c === 44) from--;
    else break;
  }
  const digits = content.slice(from, at).replace(/^[.,]+/, '');
  return digits === '' ? undefined : durationToMicros(digits, 's');
}

/** What the bracket children of an event say about it (one pass; no closures on this hot path). */
interface ChildFacts {
  pool: string | undefined;
  initialMark: boolean;
  remark: boolean;
  oldCollected: boolean;
  /** A whole young collection inside a CMS remark (CMSScavengeBeforeRemark). */
  nestedYoung: BracketNode | undefined;
}

const OLD_GENERATION = /^(?:Tenured|ParOldGen|PSOldGen|CMS(?!-| Perm))/;
const YOUNG_POOL = /^(ParNew|DefNew|PSYoungGen)/;

function childFacts(node: BracketNode): ChildFacts {
  const facts: ChildFacts = { pool: undefined, initialMark: false, remark: false, oldCollected: false, nestedYoung: undefined };
  for (const child of node.children) {
    const c = child.content.trim();
    facts.pool ??= YOUNG_POOL.exec(c)?.[1];
    if (c.startsWith('1 CMS-initial-mark')) facts.initialMark = true;
    else if (c.startsWith('YG occupancy') || c.startsWith('1 CMS-remark')) facts.remark = true;
    else if (OLD_GENERATION.test(c)) facts.oldCollected = true;
    else if (c.startsWith('GC') && facts.nestedYoung === undefined) {
      for (const pool of child.children) {
        if (/^\s*(?:ParNew|DefNew)/.test(pool.content)) facts.nestedYoung = child;
      }
    }
  }
  return facts;
}

function firstCause(groups: readonly string[]): string | undefined {
  for (const group of groups) if (!G1_KIND_WORDS.has(group)) return group;
  return undefined;
}

const G1_KIND_WORDS = new Set(['young', 'mixed', 'initial-mark', 'to-space exhausted', 'to-space overflow', 'partial']);

export class LegacyGcFormat {
  private pending: PendingEvent | undefined;
  private held: GcEventRecord | undefined;
  private shenandoahStarts = new Map<string, Stamp>();
  private shenandoahCancel: string | undefined;

  constructor(private readonly session: GcSession) {}

  line(raw: string, lineNo: number): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.held !== undefined) {
      if (/^\s+\[/.test(text)) {
        this.absorbDetail(text, lineNo);
        return;
      }
      this.flushHeld();
    }
    if (this.pending !== undefined) this.pendingLine(text, lineNo);
    else this.freshLine(text, lineNo);
  }

  end(): void {
    if (this.pending !== undefined) {
      this.session.warn('incomplete', this.pending.line, `GC event at line ${this.pending.line} never got its duration (file cut or torn); dropped`);
      this.pending = undefined;
    }
    this.flushHeld();
  }

  private freshLine(text: string, lineNo: number): void {
    if (text.trim() === '') {
      this.session.continuationLine();
      return;
    }
    if (this.header(text, lineNo)) return;
    if (isHeapBlockLine(text)) {
      this.session.continuationLine();
      const generation = /^\s*(garbage-first heap|par new generation|PSYoungGen|def new generation|Shenandoah Heap)/.exec(text)?.[1];
      if (generation !== undefined) this.session.setCollector(HEAP_BLOCK_COLLECTORS[generation]!, false);
      return;
    }
    const rest = this.stripNoise(this.extractConcurrent(text, lineNo));
    if (rest.trim() === '') {
      if (!/^\s*(?:\d|\[)/.test(text)) this.session.continuationLine();
      return;
    }
    const prefix = this.parsePrefix(rest);
    const body = rest.slice(prefix.end);
    if (!prefix.hasTime && !body.startsWith('[')) {
      this.noise(text);
      return;
    }
    this.session.recordLine(prefix.stamp, lineNo);
    const stopped = STOPPED.exec(body);
    if (stopped !== null) {
      this.safepoint(prefix, stopped, lineNo);
      return;
    }
    if (body.startsWith('Application time:')) return;
    if (EVENT_START.test(body)) {
      this.pending = { line: lineNo, lastLine: lineNo, prefix, text: '', depth: 0 };
      this.feed(body);
      return;
    }
    this.session.warn('unrecognised', lineNo, `unrecognised GC log line ${lineNo}: ${text.slice(0, 120)}`);
  }

  private pendingLine(text: string, lineNo: number): void {
    const pending = this.pending!;
    this.session.continuationLine();
    if (isHeapBlockLine(text)) return;
    const rest = this.stripNoise(this.extractConcurrent(text, lineNo));
    if (!/[[\]]/.test(rest)) return; // tenuring ages, adaptive-size figures
    const prefix = this.parsePrefix(rest);
    const body = rest.slice(prefix.end);
    if (prefix.hasTime && /^\[(?:Full GC|GC[ (])/.test(body) && !this.mayNest(pending)) {
      this.session.warn('incomplete', pending.line, `GC event at line ${pending.line} never got its duration; a new one starts at line ${lineNo}`);
      this.pending = undefined;
      this.freshLine(text, lineNo);
      return;
    }
    if (lineNo - pending.line > MAX_PENDING_LINES) {
      this.session.warn('incomplete', pending.line, `GC event at line ${pending.line} still open after ${MAX_PENDING_LINES} lines; dropped`);
      this.pending = undefined;
      return;
    }
    pending.lastLine = lineNo;
    this.feed(rest);
  }

  /** Only a CMS remark can contain a whole young collection (CMSScavengeBeforeRemark). */
  private mayNest(pending: PendingEvent): boolean {
    return pending.text.includes('CMS Final Remark') || pending.text.includes('YG occupancy');
  }

  private feed(segment: string): void {
    const pending = this.pending!;
    for (let i = 0; i < segment.length; i++) {
      const c = segment.charCodeAt(i);
      if (c === 91) pending.depth++;
      else if (c === 93 && --pending.depth === 0) {
        pending.text += segment.slice(0, i + 1);
        this.pending = undefined;
        this.complete(pending);
        return;
      }
    }
    pending.text += segment;
  }

  private stripNoise(text: string): string {
    let out = text;
    if (out.includes('[G1Ergonomics')) out = out.replace(ERGONOMICS, '');
    if (out.includes('[Times:')) out = out.replace(TIMES, '');
    if (out.includes('{Heap before GC')) out = out.replace(HEAP_BEFORE_TAIL, '');
    if (out.includes('AdaptiveSize')) out = out.replace(ADAPTIVE_TAIL, '');
    return out;
  }

  /** Cuts CMS/G1 concurrent phases out of a line and emits the finished ones (`…-start` lines carry nothing). */
  private extractConcurrent(text: string, lineNo: number): string {
    if (!text.includes('concurrent-')) return text;
    return text.replace(CONCURRENT, (_match, date: string | undefined, uptime: string | undefined, name: string, cmsWall: string | undefined, g1Secs: string | undefined) => {
      const seconds = cmsWall ?? g1Secs;
      if (seconds === undefined) return '';
      const stamp = this.stampOf(date, uptime);
      const durationUs = durationToMicros(seconds, 's');
      const timing = this.session.timing(stamp, 'end', durationUs);
      const bare = name.replace(/^(?:GC |CMS-)/, '').replace(/-end$/, '');
      if (this.pending === undefined) this.session.recordLine(stamp, lineNo);
      this.session.setCollector(name.startsWith('CMS') ? 'CMS' : 'G1', false);
      this.session.emit(newEvent(timing, durationUs, 'concurrent', slug(bare), name, lineNo, 1));
      return '';
    });
  }

  private stampOf(date: string | undefined, uptime: string | undefined): Stamp {
    return {
      wallUs: date === undefined ? Number.NaN : parseWallStamp(date, this.session.ctx.clock),
      uptimeUs: uptime === undefined ? Number.NaN : durationToMicros(uptime, 's'),
    };
  }

  private parsePrefix(text: string): Prefix {
    let pos = 0;
    while (text.charCodeAt(pos) === 32) pos++;
    let date: string | undefined;
    let uptime: string | undefined;
    let gcId: number | undefined;
    DATE_PREFIX.lastIndex = pos;
    let m = DATE_PREFIX.exec(text);
    if (m !== null) {
      date = m[1];
      pos = DATE_PREFIX.lastIndex;
    }
    UPTIME_PREFIX.lastIndex = pos;
    m = UPTIME_PREFIX.exec(text);
    if (m !== null) {
      uptime = m[1];
      pos = UPTIME_PREFIX.lastIndex;
    }
    GCID_PREFIX.lastIndex = pos;
    m = GCID_PREFIX.exec(text);
    if (m !== null) {
      gcId = Number(m[1]);
      pos = GCID_PREFIX.lastIndex;
    }
    return { stamp: this.stampOf(date, uptime), gcId, end: pos, hasTime: date !== undefined || uptime !== undefined };
  }

  /** JVM banner, flags and rotation lines at the top (and bottom) of a file. */
  private header(text: string, lineNo: number): boolean {
    const session = this.session;
    if (text.startsWith('Java HotSpot') || text.startsWith('OpenJDK')) {
      const jre = /JRE \(([^)]+)\)/.exec(text);
      const vm = /^(.*? VM) \(([^)]+)\)/.exec(text);
      session.jvm = [vm?.[1], jre?.[1]].filter((s) => s !== undefined).join(' ') || text.slice(0, 120);
      session.continuationLine();
      return true;
    }
    if (text.startsWith('Memory: ')) {
      session.continuationLine();
      return true;
    }
    if (text.startsWith('CommandLine flags: ')) {
      const collector = /-XX:\+Use(G1|ConcMarkSweep|ParallelOld|Parallel|Serial|Shenandoah)GC/.exec(text)?.[1];
      if (collector !== undefined) session.setCollector(collectorName(collector), true);
      const maxHeap = /-XX:MaxHeapSize=(\d+)/.exec(text);
      if (maxHeap !== null) session.heapMaxBytes = Number(maxHeap[1]);
      session.continuationLine();
      return true;
    }
    const rotation = ROTATION.exec(text);
    if (rotation !== null) {
      const wallUs = parseLocalStamp(rotation[1]!, session.ctx.clock);
      if (rotation[2] === 'created') session.rotationHeader(wallUs);
      session.recordLine({ wallUs, uptimeUs: Number.NaN }, lineNo);
      return true;
    }
    return false;
  }

  /** Lines without a time prefix outside events: Shenandoah ergonomics, statistics, heap summaries. */
  private noise(text: string): void {
    const session = this.session;
    session.continuationLine();
    const cancel = /^\s*Cancelling GC: (.+?)\s*$/.exec(text);
    if (cancel !== null) this.shenandoahCancel = cancel[1];
    const shenandoahHeap = /^Initialize Shenandoah heap: .*?(\d+)([KMG]) max/.exec(text);
    if (shenandoahHeap !== null) {
      session.heapMaxBytes = sizeToBytes(shenandoahHeap[1]!, shenandoahHeap[2]!);
      session.setCollector('Shenandoah', true);
    }
  }

  private safepoint(prefix: Prefix, m: RegExpExecArray, lineNo: number): void {
    const durationUs = durationToMicros(m[1]!, 's');
    const event = newEvent(this.session.timing(prefix.stamp, 'end', durationUs), durationUs, 'safepoint', 'safepoint', 'Total time for which application threads were stopped', lineNo, 1);
    if (m[2] !== undefined) event.flags = [`ttsp-us:${durationToMicros(m[2], 's')}`];
    this.session.emit(event);
  }

  private complete(pending: PendingEvent): void {
    // Inner stamps ('1.053: [ParNew…') stay in the text: they sit between brackets and no field reads them.
    const text = pending.text;
    const { node } = parseNode(text, 1);
    const content = node.content.trim();
    if (content.startsWith('Pause ') || content.startsWith('Concurrent ')) {
      this.shenandoah(pending, content);
      return;
    }
    const head = /^(Full GC|GC pause|GC remark|GC cleanup|GC--|GC)/.exec(content);
    const durationUs = head === null ? undefined : lastSeconds(content);
    if (head === null || durationUs === undefined) {
      this.session.warn('unrecognised', pending.line, `GC event at line ${pending.line} has no duration: ${content.slice(0, 120)}`);
      return;
    }
    const { groups } = parenGroups(content, head[0].length);
    const children = childFacts(node);
    const cause = firstCause(groups);
    const flags: string[] = [];
    if (head[1] === 'GC--' || text.includes('promotion failed')) flags.push('promotion-failed');
    if (text.includes('concurrent mode failure')) flags.push('concurrent-mode-failure');
    if (groups.includes('to-space exhausted') || groups.includes('to-space overflow')) flags.push('to-space-exhausted');
    if (text.includes('GC time would exceed')) flags.push('gc-time-limit');

    let kind: string;
    switch (head[1]) {
      case 'Full GC':
        kind = 'full';
        break;
      case 'GC remark':
        kind = 'remark';
        break;
      case 'GC cleanup':
        kind = 'cleanup';
        break;
      case 'GC pause':
        kind = groups.includes('initial-mark') ? 'initial-mark' : groups.includes('mixed') || groups.includes('partial') ? 'mixed' : 'young';
        break;
      default:
        if (cause === 'CMS Initial Mark' || children.initialMark) kind = 'initial-mark';
        else if (cause === 'CMS Final Remark' || children.remark) kind = 'remark';
        else if (children.oldCollected) kind = 'full';
        else kind = 'young';
    }
    this.inferCollector(head[1]!, children, kind);

    let heap = findHeapTriple(content);
    const nestedYoung = kind === 'remark' ? children.nestedYoung : undefined;
    if (nestedYoung !== undefined) {
      flags.push('scavenge-before-remark');
      heap = findHeapTriple(nestedYoung.content) ?? heap;
    }
    const event = newEvent(
      this.session.timing(pending.prefix.stamp, 'start', durationUs),
      durationUs,
      'pause',
      kind,
      groups.length === 0 ? head[1]! : `${head[1]} (${groups.join(') (')})`,
      pending.line,
      pending.lastLine - pending.line + 1,
    );
    event.cause = cause;
    event.gcId = pending.prefix.gcId;
    if (heap !== null) applyHeap(event, heap);
    else {
      const occupancy = /(\d+)K\((\d+)K\)/.exec(content);
      if (occupancy !== null) {
        event.heapAfterBytes = Number(occupancy[1]) * 1024;
        event.heapCommittedBytes = Number(occupancy[2]) * 1024;
      }
    }
    if (flags.length > 0) event.flags = flags;
    this.held = event;
  }

  private inferCollector(head: string, children: ChildFacts, kind: string): void {
    const session = this.session;
    if (head === 'GC pause' || head === 'GC remark' || head === 'GC cleanup') session.setCollector('G1', false);
    else if (children.pool === 'ParNew' || kind === 'initial-mark' || kind === 'remark') session.setCollector('CMS', false);
    else if (children.pool === 'PSYoungGen') session.setCollector('Parallel', false);
    else if (children.pool === 'DefNew') session.setCollector('Serial', false);
  }

  /** Shenandoah 8u: `[Pause Init Mark (…), start]` then `[Pause Init Mark (…), 3.341 ms]`, both with prefixes. */
  private shenandoah(pending: PendingEvent, content: string): void {
    const session = this.session;
    session.setCollector('Shenandoah', false);
    if (content.endsWith(', start')) {
      this.shenandoahStarts.set(content.slice(0, -7), pending.prefix.stamp);
      return;
    }
    const dm = /, (\d+(?:[.,]\d+)?) (ms|us|s|secs)$/.exec(content);
    if (dm === null) {
      session.warn('unrecognised', pending.line, `Shenandoah line ${pending.line} has no duration: ${content.slice(0, 120)}`);
      return;
    }
    const durationUs = durationToMicros(dm[1]!, dm[2]!);
    const withoutDuration = content.slice(0, dm.index);
    const heap = findHeapTriple(withoutDuration);
    const name = (heap === null ? withoutDuration : withoutDuration.slice(0, heap.index)).trim();
    const started = this.shenandoahStarts.get(name);
    this.shenandoahStarts.delete(name);
    const timing = started !== undefined ? session.timing(started, 'start', durationUs) : session.timing(pending.prefix.stamp, 'end', durationUs);
    const event = newEvent(timing, durationUs, 'concurrent', '', name, pending.line, 1);
    if (name.startsWith('Pause ')) {
      const pause = describePause(name.slice(6));
      event.eventClass = 'pause';
      event.kind = pause.kind;
      event.cause = pause.cause;
      if (pause.kind === 'degenerated' || pause.kind === 'full') {
        event.cause ??= this.shenandoahCancel;
        this.shenandoahCancel = undefined;
      }
      if (pause.flags.length > 0) event.flags = pause.flags;
    } else {
      event.kind = slug(name.replace(/ \(.*$/, ''));
    }
    if (heap !== null) applyHeap(event, heap);
    session.emit(event);
  }

  private absorbDetail(text: string, lineNo: number): void {
    const held = this.held!;
    this.session.continuationLine();
    held.lineCount = lineNo - held.line + 1;
    const m = G1_DETAIL_HEAP.exec(text);
    if (m !== null) {
      held.heapBeforeBytes = sizeToBytes(m[1]!, m[2]!);
      held.heapAfterBytes = sizeToBytes(m[5]!, m[6]!);
      held.heapCommittedBytes = sizeToBytes(m[7]!, m[8]!);
    }
  }

  private flushHeld(): void {
    if (this.held === undefined) return;
    this.session.emit(this.held);
    this.held = undefined;
  }
}

function collectorName(flag: string): string {
  switch (flag) {
    case 'ConcMarkSweep':
      return 'CMS';
    case 'ParallelOld':
      return 'Parallel';
    default:
      return flag;
  }
}

