import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parserFor } from '../parsers/registry.js';
import { joinLineWarnings } from '../parsers/text/line-splitter.js';
import type { PartJoin } from '../parsers/types.js';
import type { Db } from '../store/database.js';
import { createScratchTemplate, mergeScratch, type MergeResult, type MergeTarget } from '../store/merge.js';
import { FileHasher, loadLanes } from './file-hashes.js';
import { findCuts } from './file-parts.js';
import type { SourceInput, SourceSummary } from './source-ingest.js';
import { IngestCancelled } from './source-ingest.js';

/**
 * Parse workers for text sources, so a multi-file bundle keeps every core busy. A worker writes each source it
 * parses into a temporary incident file of its own (one transaction, as on the ingest thread); the ingest merges
 * each finished source into the real incident while the others parse (`merge`, under the id the walk order gave
 * it) and deletes the file.
 *
 * A worker reads its source from a file with buffers of its own: a plain file on disk as it is, an archive
 * member after it was spooled to a temporary file. Spooling costs a write to the page cache but lets the members
 * of one archive parse side by side (the archive is read on while a worker parses) and keeps chunks from crossing
 * threads; at most one spooled member waits for a worker, so the temporary space stays near a few members.
 *
 * The ingest thread computes each source's sha256 (reading a file a second time, from the page cache, side by side
 * with the other files, see FileHasher; or while it spools a member) and hands it to the merge: on this thread it
 * fills a core whenever a worker waits or has nothing left to parse, instead of lengthening the worker's job.
 *
 * A large file of a format that can be read in parts (PartJoin) is cut into one part per worker, at record starts
 * near even offsets (file-parts.ts), so that one big log keeps every core busy too. Each part is parsed into a
 * scratch file of its own; the merge appends them in order, then writes what the file as a whole owes (its
 * file-level facts and warnings, from the join of the parts' states). When the join finds that a part could have
 * read differently after the one before it, the file is parsed again in one pass.
 */
export interface PooledOutcome {
  summary: SourceSummary;
  pooled?: ParsedScratch;
}

/**
 * Where a parsed source waits to be merged: its scratch files (one per part, in order), the records a file read in
 * parts still owes, and its checksum (undefined when the file could not be hashed).
 */
export interface ParsedScratch {
  scratches: string[];
  owed?: MergeTarget['owed'];
  sha256: string | undefined;
}

/** A text source for a worker: a plain file on disk (`file`), or a stream of chunks that is spooled first. */
export type PooledSource = SourceInput | (Omit<SourceInput, 'chunks' | 'abandon'> & { file: string });

/** What a worker learns about a source: where to read it, and how to record it. */
export type SourceMeta = Pick<SourceInput, 'path' | 'detection' | 'earlySha' | 'hashedByCaller' | 'tz' | 'maxStructuredBytes'> & {
  file: string;
  /** One part of the file. */
  range?: ByteRange;
};

/** Bytes [start, end) of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What the workers make of one file before it is merged. */
interface ParsedFile {
  summary: SourceSummary;
  scratches: string[];
  owed?: ParsedScratch['owed'];
}

type WorkerReply =
  | { type: 'progress'; job: number; bytes: number; lines: number }
  | { type: 'done'; job: number; summary: SourceSummary }
  | { type: 'cancelled'; job: number }
  | { type: 'error'; job: number; message: string };

interface Job {
  input: PooledSource;
  resolve(summary: SourceSummary): void;
  reject(error: Error): void;
}

const WORKER_YOUNG_GENERATION_MB = 8;
/** A file is read in parts when each part would have at least this many bytes. */
export const DEFAULT_MIN_PART_BYTES = 32 * 1024 * 1024;
/** Scratch folders are named after the ingesting process: `sluice-parse-<pid>-<random>`. */
const SCRATCH_PREFIX = 'sluice-parse-';
const SCRATCH_NAME = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`);

/**
 * Removes the scratch folders of ingests whose process is gone (killed mid-ingest, so it never cleaned up).
 * A folder whose process still runs, or whose name this build did not make, is left alone.
 */
export function removeOrphanedScratch(root: string): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    const match = SCRATCH_NAME.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && !isRunning(pid)) rmSync(join(root, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ParsePool {
  private readonly jobs = new Map<number, Job>();
  private readonly busy: boolean[];
  private readonly freeWaiters: Array<{ resolve(worker: number): void; reject(error: Error): void }> = [];
  /** Set when a worker died: every source still waiting for a worker fails with it. */
  private failure: Error | undefined;
  private nextJob = 1;
  private readonly hasher = new FileHasher(loadLanes());

  private constructor(
    private readonly workers: Worker[],
    private readonly dir: string,
    private readonly minPartBytes: number,
  ) {
    this.busy = workers.map(() => false);
    for (const worker of workers) {
      worker.on('message', (reply: WorkerReply) => this.onReply(reply));
      worker.on('error', (error) => {
        this.failure = error;
        for (const job of this.jobs.values()) job.reject(error);
        this.jobs.clear();
        for (const waiter of this.freeWaiters.splice(0)) waiter.reject(error);
      });
    }
  }

  /**
   * Undefined where parse workers cannot run (no built worker entry, e.g. tests on sources, or one core). A file is
   * read in parts when each part would have `minPartBytes` or more.
   */
  static start(minPartBytes = DEFAULT_MIN_PART_BYTES, size = Math.min(2, availableParallelism())): ParsePool | undefined {
    const script = new URL('./parse-worker.js', import.meta.url);
    if (size < 2 || script.protocol !== 'file:' || !existsSync(fileURLToPath(script))) return undefined;
    removeOrphanedScratch(tmpdir());
    const dir = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
    const template = join(dir, 'template.sluice');
    createScratchTemplate(template);
    // A small young generation: parsing makes short-lived strings by the million, and with V8's default each
    // worker's nursery alone holds tens of MB, which counts against the ingest's memory budget.
    const workers = Array.from({ length: size }, () => new Worker(script, {
      workerData: { template },
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    }));
    return new ParsePool(workers, dir, minPartBytes);
  }

  /**
   * Gives one source to the workers (a large file in parts, see the top). A file on disk waits for a free worker in
   * order, and the caller's walk goes on at once, so every file is hashed while the first ones parse (side by side,
   * see FileHasher). An archive member is spooled first, and the walk goes on only once a worker has it: at most one
   * member waits, holding temporary space. `outcome` settles when the workers are done with the source.
   */
  async run(input: PooledSource): Promise<{ outcome: Promise<PooledOutcome> }> {
    const id = this.nextJob++;
    const spooled = 'file' in input ? undefined : await this.spool(input, id);
    const file = 'file' in input ? input.file : spooled!.path;
    // An unreadable file fails in the worker too, with the reason; the source then keeps its placeholder checksum.
    const sha256: Promise<string | undefined> = input.earlySha !== undefined || spooled !== undefined
      ? Promise.resolve(input.earlySha ?? spooled!.sha256)
      : this.hasher.hash(file, input.signal).catch(() => undefined);
    const parser = parserFor(input.detection);
    const partJoin = parser?.type === 'text' ? parser.parts : undefined;
    const ranges = partJoin === undefined ? [] : await this.rangesOf(file, partJoin);
    const { started, parsed } = partJoin !== undefined && ranges.length > 1
      ? this.parseInParts(id, input, file, ranges, partJoin)
      : this.parseWhole(id, input, file);
    if (spooled !== undefined) await started;
    const released = parsed.finally(async () => {
      if (spooled !== undefined) await rm(spooled.path, { force: true });
    });
    const outcome = Promise.all([released, sha256]).then(async ([{ summary, scratches, owed }, checksum]): Promise<PooledOutcome> => {
      // A skipped duplicate leaves nothing in its scratch file; anything else left its one source there.
      if (summary.status !== 'skipped-duplicate') return { summary, pooled: { scratches, sha256: checksum, ...(owed !== undefined && { owed }) } };
      await Promise.all(scratches.map((scratch) => rm(scratch, { force: true })));
      return { summary };
    });
    return { outcome };
  }

  /** The byte ranges to read `file` in: one per worker when each is large enough (at most one: the whole file). */
  private async rangesOf(file: string, partJoin: PartJoin<unknown>): Promise<ByteRange[]> {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      return []; // the worker fails on it with the reason
    }
    const count = Math.min(this.workers.length, Math.floor(size / this.minPartBytes));
    if (count < 2) return [];
    const cuts = await findCuts(file, size, count, (line) => partJoin.startsPart(line));
    return [0, ...cuts].map((start, i) => ({ start, end: cuts[i] ?? size }));
  }

  /** Has the next free worker parse the whole file; `started` settles when a worker has it. */
  private parseWhole(id: number, input: PooledSource, file: string): { started: Promise<unknown>; parsed: Promise<ParsedFile> } {
    const worker = this.acquire();
    const scratch = join(this.dir, `source-${id}.sluice`);
    const parsed = worker.then((index) => this.parse(index, id, input, file, scratch)).then(
      (summary) => ({ summary, scratches: [scratch] }),
      async (error: unknown) => {
        await rm(scratch, { force: true });
        throw error;
      },
    );
    return { started: worker, parsed };
  }

  /**
   * Has the workers parse the file's `ranges` side by side and joins the parts; where they could have read
   * differently in one pass (or a part failed), parses the whole file instead.
   */
  private parseInParts(
    id: number,
    input: PooledSource,
    file: string,
    ranges: readonly ByteRange[],
    partJoin: PartJoin<unknown>,
  ): { started: Promise<unknown>; parsed: Promise<ParsedFile> } {
    const bytes = ranges.map(() => 0);
    const lines = ranges.map(() => 0);
    const workers = ranges.map(() => this.acquire());
    const scratches = ranges.map((_, part) => join(this.dir, `source-${id}-part${part + 1}.sluice`));
    const summaries = ranges.map((range, part) => workers[part]!.then((index) => {
      const onBytes = (partBytes: number, partLines: number): void => {
        bytes[part] = partBytes;
        lines[part] = partLines;
        input.onBytes(bytes.reduce((a, b) => a + b), lines.reduce((a, b) => a + b));
      };
      return this.parse(index, this.nextJob++, { ...input, onBytes }, file, scratches[part]!, range);
    }));
    const parsed = Promise.allSettled(summaries).then(async (settled): Promise<ParsedFile> => {
      const failure = settled.find((result) => result.status === 'rejected');
      const joined = failure === undefined
        ? joinParts(settled.map((result) => (result as PromiseFulfilledResult<SourceSummary>).value), partJoin, input.path)
        : undefined;
      if (joined !== undefined) return { ...joined, scratches };
      await Promise.all(scratches.map((scratch) => rm(scratch, { force: true })));
      if (failure !== undefined) throw failure.reason;
      return this.parseWhole(this.nextJob++, input, file).parsed;
    });
    return { started: workers[0]!, parsed };
  }

  /** Has worker `index` parse `file` (or its `range`) into `scratch` as job `id`; frees the worker when it is done. */
  private parse(index: number, id: number, input: PooledSource, file: string, scratch: string, range?: ByteRange): Promise<SourceSummary> {
    const parsed = new Promise<SourceSummary>((resolve, reject) => this.jobs.set(id, { input, resolve, reject }));
    const { signal } = input;
    const meta: SourceMeta = {
      path: input.path, detection: input.detection, earlySha: input.earlySha, hashedByCaller: true, tz: input.tz,
      maxStructuredBytes: input.maxStructuredBytes, file, ...(range !== undefined && { range }),
    };
    this.workers[index]!.postMessage({ type: 'begin', job: id, scratch, meta });
    const onAbort = (): void => this.workers[index]!.postMessage({ type: 'cancel', job: id });
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    return parsed.finally(() => {
      signal?.removeEventListener('abort', onAbort);
      this.release(index);
    });
  }

  /** Writes a streamed source to a temporary file for a worker to read, hashing it on the way. */
  private async spool(input: SourceInput, id: number): Promise<{ path: string; sha256: string }> {
    const path = join(this.dir, `spool-${id}-${input.path.replace(/[^\w.-]+/g, '_').slice(-60)}`);
    const handle = await open(path, 'w');
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of input.chunks) {
        if (input.signal?.aborted) throw new IngestCancelled();
        hash.update(chunk);
        for (let at = 0; at < chunk.length;) at += (await handle.write(chunk, at, chunk.length - at)).bytesWritten;
        bytes += chunk.length;
        input.onBytes(bytes, 0);
      }
    } catch (error) {
      input.abandon?.();
      await handle.close();
      await rm(path, { force: true });
      throw error;
    }
    await handle.close();
    return { path, sha256: hash.digest('hex') };
  }

  /**
   * Moves one finished source from its scratch files (one per part) into `db` under `targetId` while the workers go
   * on parsing, then deletes the files. The merge pauses between slices of rows, so a worker that finishes meanwhile
   * gets its next source at once (the ingest thread hands them out). Call it only while `db` has no transaction of
   * its own open. Of two sources with one checksum, the first in walk order stays.
   */
  async merge(db: Db, pooled: ParsedScratch, targetId: number): Promise<MergeResult> {
    try {
      return await mergeScratch(db, pooled.scratches, { id: targetId, sha256: pooled.sha256, owed: pooled.owed });
    } finally {
      for (const scratch of pooled.scratches) rmSync(scratch, { force: true });
    }
  }

  /** Stops the workers and removes the temporary files (the workers may still be closing theirs meanwhile). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' });
    })));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stops the workers without merging more (the ingest failed). */
  async abort(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A free worker's index, in the order asked: sources parse in walk order. */
  private acquire(): Promise<number> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const free = this.busy.indexOf(false);
    if (free < 0 || this.freeWaiters.length > 0) return new Promise((resolve, reject) => this.freeWaiters.push({ resolve, reject }));
    this.busy[free] = true;
    this.announceLoad();
    return Promise.resolve(free);
  }

  /** Tells the workers whether all of them are parsing, so each knows if a spare core could compress for it. */
  private announceLoad(): void {
    const allBusy = this.busy.every(Boolean);
    for (const worker of this.workers) worker.postMessage({ type: 'load', allBusy });
  }

  /** Hands the worker to the next source waiting for one, or marks it free. */
  private release(worker: number): void {
    const next = this.freeWaiters.shift();
    if (next !== undefined) return next.resolve(worker);
    this.busy[worker] = false;
    this.announceLoad();
  }

  private onReply(reply: WorkerReply): void {
    const job = this.jobs.get(reply.job);
    if (job === undefined) return;
    switch (reply.type) {
      case 'progress':
        job.input.onBytes(reply.bytes, reply.lines);
        break;
      case 'done':
        this.jobs.delete(reply.job);
        job.resolve(reply.summary);
        break;
      case 'cancelled':
        this.jobs.delete(reply.job);
        job.reject(new IngestCancelled());
        break;
      case 'error':
        this.jobs.delete(reply.job);
        job.reject(new Error(reply.message));
        break;
    }
  }
}

/**
 * One summary for a file read in parts, with what the file still owes; undefined when a part did not end as parsed
 * or the parts could have read differently in one pass.
 */
function joinParts(parts: readonly SourceSummary[], partJoin: PartJoin<unknown>, path: string): Omit<ParsedFile, 'scratches'> | undefined {
  const states = parts.map((part) => (part.status === 'done' ? part.part : undefined));
  if (states.some((state) => state === undefined)) return undefined;
  const joined = partJoin.join(states.map((state) => state!.parser), path);
  const lineWarnings = joinLineWarnings(states.map((state) => state!.lineWarnings));
  if (!joined.clean || !lineWarnings.clean) return undefined;
  const warnings = [...joined.warnings, ...lineWarnings.summary];
  const first = parts[0]!;
  return {
    summary: {
      path: first.path, kind: first.kind, format: first.format, reason: first.reason, status: 'done',
      lines: parts.reduce((sum, part) => sum + part.lines, 0),
      events: parts.reduce((sum, part) => sum + part.events, 0),
      warnings: parts.reduce((sum, part) => sum + part.warnings, 0) + warnings.length,
    },
    owed: { facts: joined.facts, warnings },
  };
}
