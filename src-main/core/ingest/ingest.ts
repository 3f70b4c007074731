import type { Readable } from 'node:stream';
import { ZoneClock } from '../common/time.js';
import { walkInputs } from '../archive/walk.js';
import type { BundleEntry, BundleWarning } from '../archive/types.js';
import { detect, SNIFF_BYTES } from '../detect/detect.js';
import type { Detection } from '../model/source.js';
import { parserFor } from '../parsers/registry.js';
import { openIncident, translateSqliteError, type Db } from '../store/database.js';
import { IncidentWriter } from '../store/writer.js';
import { rebuildDerived } from '../analysis/rebuild.js';
import { sha256OfFile } from './file-hashes.js';
import { ParsePool, type PooledOutcome } from './parse-pool.js';
import { IngestCancelled, ingestSource, type SourceInput, type SourceSummary } from './source-ingest.js';

export { IngestCancelled, type SourceSummary };

export interface IngestOptions {
  inputs: readonly string[];
  incidentPath: string;
  /** IANA zone for zone-less log timestamps; default UTC. */
  tz?: string;
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
  /** Structured files (JSON, JFR, HTML) larger than this are listed with a warning instead of parsed. */
  maxStructuredBytes?: number;
  /** A log is read in parts side by side when each part would have at least this many bytes (ParsePool). */
  minPartBytes?: number;
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

export interface IngestSummary {
  sources: SourceSummary[];
  bundleWarnings: BundleWarning[];
  cancelled: boolean;
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
  const pool = ParsePool.start(options.minPartBytes);
  // Sources are numbered in walk order, whichever finishes first: a parse worker's source is merged under its
  // number as soon as it is done, in its turn on the incident (a source parsed here holds a transaction open
  // across awaits, so merges and those sources take turns).
  const firstId = writer.maxSourceId() + 1;
  const outcomes: Array<Promise<PooledOutcome>> = [];
  let incidentTurn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => T | Promise<T>): Promise<T> => {
    const turn = incidentTurn.then(work);
    incidentTurn = turn.catch(() => undefined);
    return turn;
  };
  const summariesById = new Map<number, SourceSummary>();
  const merged = (sourceId: number) => (outcome: PooledOutcome): Promise<PooledOutcome> | PooledOutcome => {
    summariesById.set(sourceId, outcome.summary);
    const pooled = outcome.pooled;
    if (pool === undefined || pooled === undefined) return outcome;
    return inTurn(async () => {
      const result = await pool.merge(db, pooled, sourceId);
      if (result.outcome === 'duplicate') outcome.summary.status = 'skipped-duplicate';
      else if (result.replaced !== undefined) {
        const replaced = summariesById.get(result.replaced);
        if (replaced !== undefined) replaced.status = 'skipped-duplicate';
      }
      return outcome;
    });
  };

  try {
    await walkInputs(options.inputs, {
      signal: options.signal,
      onWarning: (warning) => {
        summary.bundleWarnings.push(warning);
        writer.bundleWarning(warning.path, warning.message);
        progress.warnings++;
      },
      onEntry: async (entry) => {
        let fileBytes = 0;
        let fileLines = 0;
        const sourceId = firstId + outcomes.length;
        const { outcome } = await ingestEntry(entry, writer, pool, inTurn, {
          sourceId,
          tz,
          signal: options.signal,
          maxStructuredBytes: options.maxStructuredBytes ?? DEFAULT_MAX_STRUCTURED,
          onBytes: (bytes, lines) => {
            // A spooled archive member reports its bytes while spooled, then again while parsed: each counts once.
            if (bytes > fileBytes) {
              progress.bytesDone += bytes - fileBytes;
              fileBytes = bytes;
            }
            progress.linesDone += lines - fileLines;
            fileLines = lines;
            progress.file = entry.path;
            progress.fileBytes = fileBytes;
            progress.fileLines = lines;
            const now = Date.now();
            if (now - lastReport > 200) {
              lastReport = now;
              report();
            }
          },
        });
        const done = outcome.then(merged(sourceId)).then((o) => {
          progress.filesDone++;
          progress.linesDone += o.summary.lines - fileLines;
          progress.warnings += o.summary.warnings;
          report();
          return o;
        });
        // Failures are collected once the walk is over; until then a rejection must not count as unhandled.
        done.catch(() => undefined);
        outcomes.push(done);
      },
    });
  } catch (error) {
    if (error instanceof IngestCancelled || options.signal?.aborted) summary.cancelled = true;
    else {
      await Promise.allSettled(outcomes);
      await pool?.abort();
      throw translateSqliteError(error, options.incidentPath);
    }
  }
  const settled = await Promise.allSettled(outcomes);
  for (const r of settled) {
    if (r.status === 'rejected' && !(r.reason instanceof IngestCancelled)) {
      await pool?.abort();
      throw translateSqliteError(r.reason, options.incidentPath);
    }
    if (r.status === 'rejected') summary.cancelled = true;
  }
  // The workers exit while the derived tables are rebuilt here.
  const closing = pool?.close();
  for (const r of settled) if (r.status === 'fulfilled') summary.sources.push(r.value.summary);
  progress.phase = 'analysing';
  report();
  try {
    rebuildDerived(db);
  } finally {
    await closing;
  }
  progress.phase = 'done';
  report();
  return summary;
}

interface EntryOptions {
  sourceId: number;
  tz: string;
  signal: AbortSignal | undefined;
  maxStructuredBytes: number;
  onBytes(bytes: number, lines: number): void;
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

async function ingestEntry(
  entry: BundleEntry,
  writer: IncidentWriter,
  pool: ParsePool | undefined,
  inTurn: <T>(work: () => Promise<T>) => Promise<T>,
  options: EntryOptions,
): Promise<{ outcome: Promise<PooledOutcome> }> {
  // A source is hashed while it is parsed (or beside it, for a parse worker); a pass before parsing only pays
  // off when a finished source of the same size exists, i.e. when this may be a re-import that can be skipped.
  const earlySha = entry.diskPath !== undefined && entry.size !== undefined && writer.hasSourceOfSize(entry.size)
    ? await sha256OfFile(entry.diskPath, options.signal)
    : undefined;
  if (earlySha !== undefined && writer.alreadyIngested(earlySha)) {
    return { outcome: Promise.resolve({ summary: { path: entry.path, kind: 'unknown', format: '', reason: 'same content already ingested (sha256)', lines: 0, events: 0, warnings: 0, status: 'skipped-duplicate' } }) };
  }
  const stream = entry.open();
  const { head, done } = await readHead(stream, HEAD_BYTES);
  const detection: Detection = detect(entry.name, head.subarray(0, HEAD_BYTES));
  const chunks = async function* (): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
  };
  const header = {
    sourceId: options.sourceId, path: entry.path, detection, earlySha, tz: options.tz, signal: options.signal,
    maxStructuredBytes: options.maxStructuredBytes, onBytes: options.onBytes,
  };
  // Text sources (the bulk of any bundle) go to a parse worker when there is one, which reads them from a file:
  // a file on disk is handed off as it is, an archive member is spooled (ParsePool). Either way the walk goes
  // on to the next entry while the worker parses, so sources parse side by side.
  const pooled = pool !== undefined && parserFor(detection)?.type === 'text';
  if (pooled && entry.handOff !== undefined && entry.diskPath !== undefined) {
    entry.handOff();
    return pool.run({ ...header, file: entry.diskPath });
  }
  const input: SourceInput = { ...header, chunks: chunks(), abandon: () => stream.destroy() };
  if (pooled) return pool.run(input);
  const summary = await inTurn(() => ingestSource(input, writer));
  return { outcome: Promise.resolve({ summary }) };
}

