import type { Detection, SourceKind } from '../model/source.js';
import { inspectBytes, sizeLabel } from './bytes.js';
import { bannerSide, sniffFlinkLog, type FlinkComponent, type FlinkLogEvidence } from './flink-log.js';
import { sampleLines, sniffFlameText, sniffGc, sniffOtherLog, sniffPrometheus } from './lines.js';
import { hintFromName, type NameHint } from './name.js';
import { clip, sniffJson, sniffMarkup, type ShapeVerdict } from './structured.js';

/** How many leading bytes content sniffing may look at. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Two passes, like speedscope's importer index: the file name first, then the content of the first 64 KiB; the
 * content wins when it is conclusive, and the name decides only what the content leaves open (a Flink log's
 * component, a rolled file that starts inside a stack trace, an empty file). Every decision says why, quoting
 * what it saw.
 */
export function detect(name: string, head: Buffer): Detection {
  const hint = hintFromName(name);
  const content = sniffContent(head, hint);
  if (content.conclusive) return strip(content);
  if (hint !== undefined) {
    return { kind: hint.kind, format: hint.format ?? formatForNameOnly(hint), reason: `${hint.reason}; content not conclusive (${content.reason})` };
  }
  return strip(content);
}

/** A content verdict; only a conclusive one overrides the name. */
type Verdict = ShapeVerdict;

function strip(verdict: Verdict): Detection {
  return { kind: verdict.kind, format: verdict.format, reason: verdict.reason };
}

function formatForNameOnly(hint: NameHint): string {
  return hint.kind === 'flink-jm-log' || hint.kind === 'flink-tm-log' || hint.kind === 'flink-log' ? 'custom' : 'unknown';
}

function sniffContent(head: Buffer, hint: NameHint | undefined): Verdict {
  const bytes = inspectBytes(head);
  switch (bytes.type) {
    case 'empty':
      return { kind: 'unknown', format: 'empty', reason: 'empty file', conclusive: false };
    case 'jfr':
      return { kind: 'flame', format: 'jfr', reason: `JFR magic 'FLR\\0', version ${head.readUInt16BE(4)}.${head.readUInt16BE(6)}`, conclusive: true };
    case 'gzip':
      return { kind: 'binary', format: 'gzip', reason: 'gzip data that was not decompressed (pprof profile?)', conclusive: true };
    case 'binary':
      return { kind: 'binary', format: 'binary', reason: bytes.reason, conclusive: true };
    case 'utf16': {
      const inner = sniffText(bytes.text, false, hint);
      return {
        kind: 'unknown',
        format: 'utf16',
        reason: `UTF-16 text (looks like ${inner.kind}${inner.format === inner.kind ? '' : ` ${inner.format}`}); save it as UTF-8 to import it`,
        conclusive: true,
      };
    }
    case 'text': {
      const verdict = sniffText(bytes.text, head.length >= SNIFF_BYTES, hint);
      return bytes.note === undefined ? verdict : { ...verdict, reason: `${verdict.reason}; ${bytes.note}` };
    }
  }
}

function sniffText(text: string, headWasFull: boolean, hint: NameHint | undefined): Verdict {
  const start = text.search(/\S/);
  if (start < 0) return { kind: 'unknown', format: 'blank', reason: `only white space in the first ${sizeLabel(text.length)}`, conclusive: false };
  const first = text[start];
  // '{Heap before GC' (JDK 8) and '[0.016s][info][gc]' (unified logging) start with a bracket too.
  if (/^[{[]\s*["{[\]}\d-]/.test(text.slice(start, start + 64))) {
    const json = sniffJson(text);
    if (json.conclusive || first === '{') return json;
  }
  if (first === '<') return sniffMarkup(text);

  const lines = sampleLines(text, headWasFull);
  const nonEmpty = lines.reduce((count, line) => (line.trim() === '' ? count : count + 1), 0);
  // Collapsed stacks first: a stack of JVM GC threads ('[GC Thread#0 tid=…];…;G1ParTask::work 12') looks like
  // a JDK 8 '[GC …' line to the GC sniffer, while no GC log line is 'frame;frame;… count'.
  const flame = sniffFlameText(lines);
  if (flame !== undefined) return flame;
  const gc = sniffGc(lines, nonEmpty);
  if (gc !== undefined) return gc;
  const flink = sniffFlinkLog(lines);
  if (flink !== undefined) {
    const verdict = flinkVerdict(flink, hint);
    if (verdict !== undefined) return verdict;
  }
  const known = sniffPrometheus(lines) ?? sniffOtherLog(lines, nonEmpty);
  if (known !== undefined) return known;
  const firstLine = lines.find((line) => line.trim() !== '') ?? '';
  return { kind: 'unknown', format: 'text', reason: `text without a known layout (first line '${clip(firstLine, 70)}')`, conclusive: false };
}

/** A Flink layout plus Flink evidence (loggers, banner, Flink's own log4j2 shape, or the name) makes a Flink log. */
function flinkVerdict(evidence: FlinkLogEvidence, hint: NameHint | undefined): Verdict | undefined {
  const layout = `${evidence.layout} layout`;
  const nameIsFlink = hint?.component !== undefined;
  if (evidence.flinkLines === 0 && evidence.banner === undefined && !nameIsFlink) {
    return {
      kind: 'other-log',
      format: 'plain',
      reason: `${layout} but no Flink loggers (first logger '${clip(evidence.firstLogger, 60)}')`,
      conclusive: true,
    };
  }
  const side = decideSide(evidence, hint);
  return { kind: KIND_OF_SIDE[side.side], format: evidence.layout, reason: side.reason(layout), conclusive: true };
}

const KIND_OF_SIDE: Record<FlinkComponent | 'unknown', SourceKind> = {
  jobmanager: 'flink-jm-log',
  taskmanager: 'flink-tm-log',
  other: 'flink-log',
  unknown: 'flink-log',
};

function decideSide(evidence: FlinkLogEvidence, hint: NameHint | undefined): { side: FlinkComponent | 'unknown'; reason: (layout: string) => string } {
  if (evidence.banner !== undefined) {
    const banner = evidence.banner;
    const side = bannerSide(banner.component);
    return { side, reason: (layout) => `${layout}, banner '${banner.text}'` };
  }
  const jm = evidence.jmLoggers;
  const tm = evidence.tmLoggers;
  // A local mini cluster logs both sides into one file; one side alone is the usual JM or TM file.
  if (jm.length > 0 && tm.length === 0) return { side: 'jobmanager', reason: (layout) => `${layout}; JM-only loggers ${jm.slice(0, 4).join(', ')}` };
  if (tm.length > 0 && jm.length === 0) return { side: 'taskmanager', reason: (layout) => `${layout}; TM-only loggers ${tm.slice(0, 4).join(', ')}` };
  if (hint?.component !== undefined) {
    const nameReason = hint.reason;
    const mixed = jm.length > 0 ? ` (JM loggers ${jm.slice(0, 3).join(', ')} and TM loggers ${tm.slice(0, 3).join(', ')} both seen)` : '';
    return { side: hint.component, reason: (layout) => `${nameReason} and ${layout}${mixed}` };
  }
  if (jm.length > 0) {
    return { side: 'unknown', reason: (layout) => `${layout}; both JM loggers (${jm.slice(0, 3).join(', ')}) and TM loggers (${tm.slice(0, 3).join(', ')}): a local mini cluster?` };
  }
  return { side: 'unknown', reason: (layout) => `${layout} with Flink loggers, but no banner, JM-only or TM-only logger, or telling name` };
}
