import { createHash } from 'node:crypto';
import { ZoneClock } from '../common/time.js';
import type { ParseWarning, RecordSink } from '../model/records.js';
import type { Detection, SourceKind } from '../model/source.js';
import { parserFor } from '../parsers/registry.js';
import { joinLineWarnings, LineSplitter } from '../parsers/text/line-splitter.js';
import type { ParseContext } from '../parsers/types.js';
import { LogBlockBuilder } from '../store/log-blocks.js';
import type { IncidentWriter, NewSource } from '../store/writer.js';

export interface SourceSummary {
  path: string;
  kind: SourceKind;
  format: string;
  reason: string;
  lines: number;
  events: number;
  warnings: number;
  status: 'done' | 'failed' | 'skipped-duplicate' | 'listed';
  /** For one part of a file (SourceInput.part): what the join needs from it. */
  part?: PartState;
}

/** What a part of a file leaves for the join: its parser's state (TextParser.endPart) and its line warnings by kind. */
export interface PartState {
  parser: unknown;
  lineWarnings: Array<[string, number]>;
}

export class IngestCancelled extends Error {
  constructor() {
    super('ingest cancelled');
    this.name = 'IngestCancelled';
  }
}

export interface SourceInput {
  /** The source's row id in the incident (sources are numbered in walk order); otherwise the next free one. */
  sourceId?: number;
  path: string;
  detection: Detection;
  /** Checksum computed before parsing (a possible re-import); otherwise hashed while the chunks stream by… */
  earlySha?: string;
  /**
   * …unless the caller hashes the bytes itself: a parse pool hashes on the ingest thread while a worker parses,
   * and the merge gives the source its checksum (and finds duplicates). The source is committed under a placeholder.
   */
  hashedByCaller?: boolean;
  tz: string;
  /** The bytes; a chunk may be overwritten once the next one is asked for (a parse worker reuses its buffers). */
  chunks: AsyncIterable<Buffer>;
  signal?: AbortSignal;
  maxStructuredBytes: number;
  onBytes(bytes: number, lines: number): void;
  /** Give up on the input stream (called when parsing fails midway). */
  abandon?(): void;
  /** True while every core has a parser on it: log blocks are then compressed inline (see LogBlockBuilder). */
  compressInline?(): boolean;
  /**
   * The chunks are one part of a file (a byte range starting at a record, see PartJoin): its lines are numbered
   * from 1 and the file-level records are left to the join, which the summary's `part` feeds.
   */
  part?: boolean;
}

/**
 * Reads one source into the incident inside one transaction: parse, line index and compressed text, then
 * commit — or roll back whole on failure or cancel, keeping a 'failed' row with the reason. The same code runs
 * on the ingest thread and in the parse workers (which write each source into a scratch incident of its own).
 */
export async function ingestSource(input: SourceInput, writer: IncidentWriter): Promise<SourceSummary> {
  const { detection, earlySha } = input;
  const parser = parserFor(detection);
  const hash = earlySha === undefined && input.hashedByCaller !== true ? createHash('sha256') : undefined;
  const placeholderSha = `pending:${input.path}:${Date.now()}:${Math.random()}`;
  const warnings: ParseWarning[] = [];
  const source: NewSource = {
    ...(input.sourceId !== undefined && { id: input.sourceId }),
    path: input.path,
    detection,
    sha256: earlySha ?? placeholderSha,
    bytes: 0,
    tz: input.tz,
    clockOffsetUs: 0,
  };
  const summary: SourceSummary = {
    path: input.path, kind: detection.kind, format: detection.format, reason: detection.reason,
    lines: 0, events: 0, warnings: 0, status: 'done',
  };

  if (parser === undefined) {
    // Listed, not parsed: unknown and binary files are shown to the user with the reason.
    let bytes = 0;
    for await (const chunk of input.chunks) {
      hash?.update(chunk);
      bytes += chunk.length;
      input.onBytes(bytes, 0);
    }
    source.sha256 = earlySha ?? hash?.digest('hex') ?? placeholderSha;
    source.bytes = bytes;
    if (hash !== undefined && writer.alreadyIngested(source.sha256)) return { ...summary, status: 'skipped-duplicate' };
    writer.beginSource(source, 'listed');
    writer.commitSource({ sha256: source.sha256, bytes, lines: 0, events: 0, warnings: 0, timeFromUs: null, timeToUs: null }, 'listed');
    return { ...summary, status: 'listed' };
  }

  let timeFrom = Infinity;
  let timeTo = -Infinity;
  const seeTime = (t: number): void => {
    if (Number.isFinite(t)) {
      if (t < timeFrom) timeFrom = t;
      if (t > timeTo) timeTo = t;
    }
  };
  const jvmKey = gcJvmKey(input.path);
  const sink: RecordSink = {
    facts: (facts) => writer.facts(facts),
    event: (e) => {
      summary.events++;
      seeTime(e.ts);
      writer.event(e);
    },
    gc: (e) => {
      summary.events++;
      seeTime(e.start);
      writer.gc(e, jvmKey);
    },
    backpressure: (b) => {
      summary.events++;
      seeTime(b.ts);
      writer.backpressure(b);
    },
    metric: (m) => {
      summary.events++;
      seeTime(m.ts);
      writer.metric(m);
    },
    restCheckpoint: (r) => {
      summary.events++;
      if (r.triggerTs !== undefined) seeTime(r.triggerTs);
      writer.restCheckpoint(r);
    },
    restSubtask: (r) => writer.restSubtask(r),
    vertex: (v) => writer.vertex(v),
    planEdge: (e) => writer.planEdge(e),
    flame: (p) => {
      summary.events++;
      if (p.startTs !== undefined) seeTime(p.startTs);
      if (p.endTs !== undefined) seeTime(p.endTs);
      writer.flame(p);
    },
    warning: (w) => {
      warnings.push(w);
      summary.warnings++;
      writer.warning(w);
    },
  };
  const context: ParseContext = { sink, clock: new ZoneClock(input.tz), path: input.path, detection };

  writer.beginSource(source);
  let bytes = 0;
  try {
    if (parser.type === 'text') {
      const textParser = parser.create(context);
      const blocks = new LogBlockBuilder((block) => writer.block(block), input.compressInline);
      const splitter = new LineSplitter((text, lineNo, raw, rawStart) => {
        textParser.line(text, lineNo, raw, rawStart);
        const ts = textParser.currentTs;
        seeTime(ts);
        blocks.add(lineNo, text, ts, textParser.currentLevel, textParser.currentIsContinuation, raw, rawStart);
      }, sink.warning);
      for await (const chunk of input.chunks) {
        if (input.signal?.aborted) throw new IngestCancelled();
        hash?.update(chunk);
        bytes += chunk.length;
        splitter.push(chunk);
        blocks.releaseInput();
        input.onBytes(bytes, splitter.lines);
        if (blocks.congested) await blocks.drain(2);
      }
      if (input.signal?.aborted) throw new IngestCancelled();
      splitter.end();
      if (input.part === true) {
        if (textParser.endPart === undefined) throw new Error(`${detection.format} files cannot be read in parts`);
        summary.part = { parser: textParser.endPart(), lineWarnings: splitter.warningsByKind };
      } else {
        textParser.end();
        for (const warning of joinLineWarnings([splitter.warningsByKind]).summary) sink.warning(warning);
      }
      blocks.flush();
      await blocks.drain();
      summary.lines = splitter.lines;
    } else {
      const parts: Buffer[] = [];
      for await (const chunk of input.chunks) {
        if (input.signal?.aborted) throw new IngestCancelled();
        hash?.update(chunk);
        bytes += chunk.length;
        if (bytes <= input.maxStructuredBytes) parts.push(Buffer.from(chunk));
        input.onBytes(bytes, 0);
      }
      if (input.signal?.aborted) throw new IngestCancelled();
      if (bytes > input.maxStructuredBytes) {
        sink.warning({ message: `${bytes} bytes is more than the ${input.maxStructuredBytes}-byte cap for ${detection.format} files; listed, not parsed` });
      } else {
        parser.parse(Buffer.concat(parts), context);
      }
    }
    source.sha256 = earlySha ?? hash?.digest('hex') ?? placeholderSha;
    source.bytes = bytes;
    if (hash !== undefined && writer.isDuplicate(source.sha256)) {
      // Hashed while read, so a duplicate is only known now: drop the work.
      writer.rollbackSource();
      return { ...summary, status: 'skipped-duplicate' };
    }
    writer.commitSource({
      sha256: source.sha256,
      bytes,
      lines: summary.lines,
      events: summary.events,
      warnings: summary.warnings,
      timeFromUs: timeFrom === Infinity ? null : timeFrom,
      timeToUs: timeTo === -Infinity ? null : timeTo,
    });
    return summary;
  } catch (error) {
    writer.rollbackSource();
    input.abandon?.();
    if (error instanceof IngestCancelled) throw error;
    const message = error instanceof Error ? error.message : String(error);
    source.sha256 = earlySha ?? hash?.copy().digest('hex') ?? placeholderSha;
    writer.recordFailure(source, warnings, `ingest failed: ${message}`);
    return { ...summary, warnings: summary.warnings + 1, status: 'failed' };
  }
}


/** Rotated GC files of one JVM share a key: 'tm-1/gc.log.0.current' and 'tm-1/gc.log.1' → 'tm-1/gc.log'. */
export function gcJvmKey(path: string): string {
  return path.replace(/(\.\d+)?(\.current)?$/, '');
}
