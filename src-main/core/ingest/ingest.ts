import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ZoneClock } from '../common/time.js';
import { walkInputs } from '../archive/walk.js';
import type { BundleEntry, BundleWarning } from '../archive/types.js';
import { detect, SNIFF_BYTES } from '../detect/detect.js';
import type { ParseWarning, RecordSink } from '../model/records.js';
import type { Detection, SourceKind } from '../model/source.js';
import { parserFor } from '../parsers/registry.js';
import { LineSplitter } from '../parsers/text/line-splitter.js';
import type { ParseContext } from '../parsers/types.js';
import { openIncident, type Db } from '../store/database.js';
import { LogBlockBuilder } from '../store/log-blocks.js';
import { IncidentWriter, type NewSource } from '../store/writer.js';
import { rebuildDerived } from '../analysis/rebuild.js';

export interface IngestOptions {
  inputs: readonly string[];
  incidentPath: string;
  /** IANA zone for zone-less log timestamps; default UTC. */
  tz?: string;
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
  /** Structured files (JSON, JFR, HTML) larger than this are listed with a warning instead of parsed. */
  maxStructuredBytes?: number;
}

export interface IngestProgress {
  phase: 'reading' | 'analysing' | 'done';
  file?: string;
  fileBytes?: number;
  fileLines?: number;
  filesDone: number;
  bytesDone: number;
  linesDone: number;
  warnings: number;
}

export interface SourceSummary {
  path: string;
  kind: SourceKind;
  format: string;
  reason: string;
  lines: number;
  events: number;
  warnings: number;
  status: 'done' | 'failed' | 'skipped-duplicate' | 'listed';
}

export interface IngestSummary {
  sources: SourceSummary[];
  bundleWarnings: BundleWarning[];
  cancelled: boolean;
}

export class IngestCancelled extends Error {
  constructor() {
    super('ingest cancelled');
    this.name = 'IngestCancelled';
  }
}

const HEAD_BYTES = SNIFF_BYTES;
const DEFAULT_MAX_STRUCTURED = 512 * 1024 * 1024;

/** Ingests inputs into an incident file (created when missing), then recomputes derived tables. */
export async function ingest(options: IngestOptions): Promise<IngestSummary> {
  const db = openIncident(options.incidentPath, { create: true });
  try {
    return await ingestInto(db, options);
  } finally {
    db.close();
  }
}

export async function ingestInto(db: Db, options: IngestOptions): Promise<IngestSummary> {
  const tz = options.tz ?? 'UTC';
  if (!ZoneClock.isValidZone(tz)) throw new Error(`unknown time zone '${tz}'`);
  const writer = new IncidentWriter(db);
  const summary: IngestSummary = { sources: [], bundleWarnings: [], cancelled: false };
  const progress: IngestProgress = { phase: 'reading', filesDone: 0, bytesDone: 0, linesDone: 0, warnings: 0 };
  const report = (): void => options.onProgress?.({ ...progress });
  let lastReport = 0;

  try {
    await walkInputs(options.inputs, {
      signal: options.signal,
      onWarning: (warning) => {
        summary.bundleWarnings.push(warning);
        writer.bundleWarning(warning.path, warning.message);
        progress.warnings++;
      },
      onEntry: async (entry) => {
        const result = await ingestEntry(entry, writer, {
          tz,
          signal: options.signal,
          maxStructuredBytes: options.maxStructuredBytes ?? DEFAULT_MAX_STRUCTURED,
          onBytes: (bytes, lines) => {
            progress.file = entry.path;
            progress.fileBytes = bytes;
            progress.fileLines = lines;
            const now = Date.now();
            if (now - lastReport > 200) {
              lastReport = now;
              report();
            }
          },
        });
        summary.sources.push(result);
        progress.filesDone++;
        progress.bytesDone += progress.fileBytes ?? 0;
        progress.linesDone += result.lines;
        progress.warnings += result.warnings;
        progress.fileBytes = 0;
        report();
      },
    });
  } catch (error) {
    if (error instanceof IngestCancelled || options.signal?.aborted) summary.cancelled = true;
    else throw error;
  }
  progress.phase = 'analysing';
  report();
  rebuildDerived(db);
  progress.phase = 'done';
  report();
  return summary;
}

interface EntryOptions {
  tz: string;
  signal: AbortSignal | undefined;
  maxStructuredBytes: number;
  onBytes(bytes: number, lines: number): void;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Reads up to `bytes` from the stream's start; the returned head must be processed before the rest. */
async function readHead(stream: Readable, bytes: number): Promise<{ head: Buffer; done: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  for (;;) {
    const chunk = stream.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= bytes) return { head: Buffer.concat(chunks), done: false };
      continue;
    }
    if (stream.readableEnded || stream.destroyed) return { head: Buffer.concat(chunks), done: true };
    const ended = await new Promise<boolean>((resolve, reject) => {
      const onReadable = (): void => { cleanup(); resolve(false); };
      const onEnd = (): void => { cleanup(); resolve(true); };
      const onError = (error: Error): void => { cleanup(); reject(error); };
      const cleanup = (): void => {
        stream.off('readable', onReadable);
        stream.off('end', onEnd);
        stream.off('error', onError);
      };
      stream.on('readable', onReadable);
      stream.on('end', onEnd);
      stream.on('error', onError);
    });
    if (ended) return { head: Buffer.concat(chunks), done: true };
  }
}

async function ingestEntry(entry: BundleEntry, writer: IncidentWriter, options: EntryOptions): Promise<SourceSummary> {
  // Hashing while parsing costs nothing extra; a separate pass first only pays off when a finished source of
  // the same size exists, i.e. when this may be a re-import that can be skipped before parsing.
  const earlySha = entry.diskPath !== undefined && entry.size !== undefined && writer.hasSourceOfSize(entry.size)
    ? await sha256OfFile(entry.diskPath)
    : undefined;
  if (earlySha !== undefined && writer.alreadyIngested(earlySha)) {
    return { path: entry.path, kind: 'unknown', format: '', reason: 'same content already ingested (sha256)', lines: 0, events: 0, warnings: 0, status: 'skipped-duplicate' };
  }
  const stream = entry.open();
  const hash = earlySha === undefined ? createHash('sha256') : undefined;
  const warnings: ParseWarning[] = [];
  const { head, done } = await readHead(stream, HEAD_BYTES);
  const detection: Detection = detect(entry.name, head.subarray(0, HEAD_BYTES));
  const parser = parserFor(detection);
  const source: NewSource = {
    path: entry.path,
    detection,
    sha256: earlySha ?? `pending:${entry.path}:${Date.now()}`,
    bytes: 0,
    tz: options.tz,
    clockOffsetUs: 0,
  };
  const summary: SourceSummary = {
    path: entry.path, kind: detection.kind, format: detection.format, reason: detection.reason,
    lines: 0, events: 0, warnings: 0, status: 'done',
  };

  let chunkIterator: AsyncIterator<Buffer> | undefined;
  const chunks = async function* (): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    chunkIterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    for (;;) {
      const next = await chunkIterator.next();
      if (next.done) return;
      yield next.value;
    }
  };

  if (parser === undefined) {
    // Listed, not parsed: unknown and binary files are shown to the user with the reason.
    let bytes = 0;
    for await (const chunk of chunks()) {
      hash?.update(chunk);
      bytes += chunk.length;
      options.onBytes(bytes, 0);
    }
    source.sha256 = earlySha ?? hash!.digest('hex');
    source.bytes = bytes;
    if (earlySha === undefined && writer.alreadyIngested(source.sha256)) return { ...summary, status: 'skipped-duplicate' };
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
  const jvmKey = gcJvmKey(entry.path);
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
  const context: ParseContext = { sink, clock: new ZoneClock(options.tz), path: entry.path, detection };

  writer.beginSource(source);
  let bytes = 0;
  try {
    if (parser.type === 'text') {
      const textParser = parser.create(context);
      const blocks = new LogBlockBuilder((block) => writer.block(block));
      const splitter = new LineSplitter((text, lineNo) => {
        textParser.line(text, lineNo);
        const ts = textParser.currentTs;
        seeTime(ts);
        blocks.add(lineNo, text, ts, textParser.currentLevel, textParser.currentIsContinuation);
      }, sink.warning);
      for await (const chunk of chunks()) {
        if (options.signal?.aborted) throw new IngestCancelled();
        hash?.update(chunk);
        bytes += chunk.length;
        splitter.push(chunk);
        options.onBytes(bytes, splitter.lines);
        if (blocks.congested) await blocks.drain(2);
      }
      splitter.end();
      textParser.end();
      blocks.flush();
      await blocks.drain();
      summary.lines = splitter.lines;
    } else {
      const parts: Buffer[] = [];
      for await (const chunk of chunks()) {
        if (options.signal?.aborted) throw new IngestCancelled();
        hash?.update(chunk);
        bytes += chunk.length;
        if (bytes <= options.maxStructuredBytes) parts.push(chunk);
        options.onBytes(bytes, 0);
      }
      if (bytes > options.maxStructuredBytes) {
        sink.warning({ message: `${bytes} bytes is more than the ${options.maxStructuredBytes}-byte cap for ${detection.format} files; listed, not parsed` });
      } else {
        parser.parse(Buffer.concat(parts), context);
      }
    }
    source.sha256 = earlySha ?? hash!.digest('hex');
    source.bytes = bytes;
    if (earlySha === undefined && writer.isDuplicate(source.sha256)) {
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
    stream.destroy();
    if (error instanceof IngestCancelled) throw error;
    const message = error instanceof Error ? error.message : String(error);
    source.sha256 = earlySha ?? hash!.copy().digest('hex');
    writer.recordFailure(source, warnings, `ingest failed: ${message}`);
    return { ...summary, warnings: summary.warnings + 1, status: 'failed' };
  }
}

/** Rotated GC files of one JVM share a key: 'tm-1/gc.log.0.current' and 'tm-1/gc.log.1' → 'tm-1/gc.log'. */
export function gcJvmKey(path: string): string {
  return path.replace(/(\.\d+)?(\.current)?$/, '');
}

