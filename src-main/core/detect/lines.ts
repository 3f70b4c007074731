import { clip, type ShapeVerdict } from './structured.js';

/**
 * Line-oriented formats: GC logs (gc-formats §1), Prometheus text (flink-formats §4.2), collapsed stacks, perf
 * script and jstack dumps (flame-formats §1.1, §1.5, §1.6), other timestamped logs. Flink logs are in
 * flink-log.ts. Every regex is anchored and free of nested quantifiers over overlapping classes; lines are
 * clipped before matching so a 10 MB line costs no more than a short one.
 */

export const MAX_LINE_FOR_SNIFF = 4096;
export const MAX_LINES_FOR_SNIFF = 2000;

/** Lines of the head, the last (possibly cut) line dropped when the head filled the sniff window. */
export function sampleLines(text: string, headWasFull: boolean): string[] {
  const lines = text.split('\n');
  if (headWasFull && lines.length > 1) lines.pop();
  const sample = lines.slice(0, MAX_LINES_FOR_SNIFF);
  for (let i = 0; i < sample.length; i++) {
    let line = sample[i];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    sample[i] = line.length > MAX_LINE_FOR_SNIFF ? line.slice(0, MAX_LINE_FOR_SNIFF) : line;
  }
  return sample;
}

// ── GC ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** Unified logging: decorators in brackets, then a tag set starting with gc or safepoint (gc-formats §1.3.1). */
const UJL_LINE = /^((?:\[[^\[\]]{1,60}\]){0,7}\[(?:gc|safepoint)(?:[,+][a-z0-9]{1,20}){0,6} *\])/;
/** Legacy HotSpot: [datestamp: ][uptime: ][#id: ][event (gc-formats §1.2.1). */
const JDK8_EVENT =
  /^\s{0,4}(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{3}[+-]\d{4}: )?(?:\d{1,9}[.,]\d{3}: )?(?:#\d{1,9}: )?\[(?:GC\b|Full GC\b|CMS|G1Ergonomics|GC pause|GC concurrent|Pause |Concurrent |PSYoungGen|ParNew|DefNew|Times:)/;
const JDK8_SAFEPOINT =
  /^(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{3}[+-]\d{4}: )?(?:\d{1,9}[.,]\d{3}: )?(?:Total time for which application threads were stopped|Application time): /;
const JDK8_HEADER = /^(?:Java HotSpot\(TM\)|OpenJDK|IBM J9|Eclipse OpenJ9)[ \w-]{0,40}VM \(/;
const JDK8_OTHER = /^(?:Memory: \d+k page|CommandLine flags: |\{Heap before GC invocations=|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GC log file (?:created|has reached))/;
/**
 * Lines that only occur inside JDK 8 GC events: G1 phase blocks, PrintHeapAtGC tables, tenuring output, a
 * duration on its own line. They carry no format signature alone but make up most of a detailed log.
 */
const JDK8_DETAIL: readonly RegExp[] = [
  /^\s+\[[A-Z][A-Za-z ]{2,40}(?: \(ms\))?: /,
  /^\s+(?:par new generation|def new generation|eden space|from space|to +space|concurrent mark-sweep generation|tenured generation|the space|Metaspace|class space|PSYoungGen|ParOldGen|PSOldGen|PSPermGen|object space|garbage-first heap|region size|compacting perm gen|No shared spaces configured)\b/,
  /^Heap(?: (?:after|before) GC invocations=\d+ \(full \d+\):)?$/,
  /^\}$/,
  /^Desired survivor size \d+ bytes/,
  /^- age +\d+:/,
  /^, \d+[.,]\d+ secs\]/,
];

export function sniffGc(lines: readonly string[], nonEmpty: number): ShapeVerdict | undefined {
  let ujl = 0;
  let firstUjl: string | undefined;
  let jdk8 = 0;
  let detail = 0;
  let firstJdk8: string | undefined;
  let header: string | undefined;
  for (const line of lines) {
    const decorators = UJL_LINE.exec(line);
    if (decorators !== null) {
      ujl++;
      firstUjl ??= decorators[1].replace(/ +\]/g, ']');
      continue;
    }
    if (JDK8_HEADER.test(line)) {
      header ??= line;
      jdk8++;
    } else if (JDK8_EVENT.test(line) || JDK8_SAFEPOINT.test(line) || JDK8_OTHER.test(line)) {
      jdk8++;
      firstJdk8 ??= line;
    } else if (JDK8_DETAIL.some((pattern) => pattern.test(line))) {
      detail++;
    }
  }
  if (ujl >= Math.min(3, nonEmpty) && ujl * 3 >= nonEmpty) {
    return { kind: 'gc-log', format: 'ujl', reason: `unified JVM logging decorators ${firstUjl ?? ''} on ${ujl} of ${nonEmpty} lines`, conclusive: true };
  }
  if (header !== undefined) {
    return { kind: 'gc-log', format: 'jdk8', reason: `JDK 8 GC log header '${clip(header, 90)}'`, conclusive: true };
  }
  if (jdk8 >= Math.min(2, nonEmpty) && (jdk8 + detail) * 2 >= nonEmpty) {
    const details = detail > 0 ? `, ${detail} more inside GC events` : '';
    return {
      kind: 'gc-log',
      format: 'jdk8',
      reason: `JDK 8 GC log lines like '${clip(firstJdk8 ?? '', 90)}' (${jdk8} of ${nonEmpty} lines${details})`,
      conclusive: true,
    };
  }
  return undefined;
}

// ── Prometheus ───────────────────────────────────────────────────────────────────────────────────────────────

const PROM_META = /^# (?:HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]*(?: |$)/;
const PROM_SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^{}]*\})? [-+]?(?:[0-9.]+(?:[eE][-+]?\d+)?|NaN|Inf)(?: -?\d+)?$/;

export function sniffPrometheus(lines: readonly string[]): ShapeVerdict | undefined {
  let meta = 0;
  let samples = 0;
  let other = 0;
  let example: string | undefined;
  for (const line of lines) {
    if (line === '') continue;
    if (PROM_META.test(line)) {
      meta++;
      if (line.startsWith('# TYPE')) example ??= line;
    } else if (PROM_SAMPLE.test(line)) {
      samples++;
    } else {
      other++;
    }
  }
  if (samples === 0 || other * 10 > samples + meta) return undefined;
  if (meta === 0 && !lines.some((line) => line.startsWith('flink_'))) return undefined;
  const shown = example ?? lines.find((line) => line !== '') ?? '';
  return { kind: 'metrics', format: 'prometheus', reason: `Prometheus text exposition: '${clip(shown, 90)}' (${samples} samples)`, conclusive: true };
}

// ── flame graph texts ────────────────────────────────────────────────────────────────────────────────────────

/**
 * 'frame;frame;… count' (the differential form adds a second count, which this also accepts). Split on the last
 * space, not by regex: frame names contain spaces.
 */
function isCollapsedLine(line: string): boolean {
  const last = line.lastIndexOf(' ');
  return last > 0 && line.charCodeAt(0) !== 0x20 && isDigits(line, last + 1, line.length);
}

function isDigits(text: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const PERF_HEADER = /^\S.{0,200} \d{1,10}(?:\/\d{1,10})? {1,8}(?:\[\d{1,4}\] {1,8})?\d{1,12}\.\d{3,9}: {1,8}(?:\d{1,20} {1,8})?[\w:.-]{1,80}: *$/;
const PERF_FRAME = /^\s{1,16}[0-9a-f]{1,16} \S/;

export function sniffFlameText(lines: readonly string[]): ShapeVerdict | undefined {
  const dump = lines.find((line) => /^\s*Full thread dump /.test(line));
  if (dump !== undefined) {
    return { kind: 'flame', format: 'jstack', reason: `jstack thread dump ('${clip(dump, 80)}')`, conclusive: true };
  }
  const perfHeader = lines.find((line) => PERF_HEADER.test(line));
  if (perfHeader !== undefined && lines.some((line) => PERF_FRAME.test(line))) {
    return { kind: 'flame', format: 'perf-script', reason: `perf script samples ('${clip(perfHeader, 80)}' followed by indented frames)`, conclusive: true };
  }
  let stacks = 0;
  let withFrames = 0;
  let other = 0;
  let example: string | undefined;
  for (const line of lines) {
    if (line === '' || line.startsWith('#') || line.startsWith('//')) continue;
    if (isCollapsedLine(line)) {
      stacks++;
      if (line.includes(';')) {
        withFrames++;
        example ??= line;
      }
    } else {
      other++;
    }
  }
  if (withFrames === 0 || stacks < other * 4) return undefined;
  return {
    kind: 'flame',
    format: 'collapsed',
    reason: `collapsed stacks: ${stacks} of ${stacks + other} lines are 'frame;frame;… count' (e.g. '${clip(example ?? '', 60)}')`,
    conclusive: true,
  };
}

// ── other logs ───────────────────────────────────────────────────────────────────────────────────────────────

const TIMESTAMPS: readonly RegExp[] = [
  /^\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d/,
  /^\[?\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d/,
  /^\[?\d\d:\d\d:\d\d[.,]\d{3}/,
  /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d/,
  /^\d\d\/\d\d\/\d\d(?:\d\d)? \d\d:\d\d:\d\d/,
  /^I\d{4} \d\d:\d\d:\d\d\.\d{6}/,
];

export function sniffOtherLog(lines: readonly string[], nonEmpty: number): ShapeVerdict | undefined {
  let stamped = 0;
  let example: string | undefined;
  for (const line of lines) {
    if (TIMESTAMPS.some((pattern) => pattern.test(line))) {
      stamped++;
      example ??= line;
    }
  }
  if (stamped === 0 || stamped * 10 < nonEmpty * 3) return undefined;
  return {
    kind: 'other-log',
    format: 'plain',
    reason: `timestamped lines like '${clip(example ?? '', 70)}' (${stamped} of ${nonEmpty} lines) without a Flink layout`,
    conclusive: true,
  };
}
