import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from '../store/database.js';
import { createScratchTemplate, mergeScratch, type MergeResult } from '../store/merge.js';
import { FileHasher, loadLanes } from './file-hashes.js';
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
 */
export interface PooledOutcome {
  summary: SourceSummary;
  /** The scratch file where the parsed source waits to be merged; `sha256` is undefined when the file could not be hashed. */
  pooled?: { scratch: string; sha256: string | undefined };
}

/** A text source for a worker: a plain file on disk (`file`), or a stream of chunks that is spooled first. */
export type PooledSource = SourceInput | (Omit<SourceInput, 'chunks' | 'abandon'> & { file: string });

/** What a worker learns about a source: where to read it, and how to record it. */
export type SourceMeta = Pick<SourceInput, 'path' | 'detection' | 'earlySha' | 'hashedByCaller' | 'tz' | 'maxStructuredBytes'> & { file: string };

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

  /** Undefined where parse workers cannot run (no built worker entry, e.g. tests on sources, or one core). */
  static start(size = Math.min(2, availableParallelism())): ParsePool | undefined {
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
    return new ParsePool(workers, dir);
  }

  /**
   * Gives one source to a worker. A file on disk waits for a free worker in order, and the caller's walk goes on at
   * once, so every file is hashed while the first ones parse (side by side, see FileHasher). An archive member is
   * spooled first, and the walk goes on only once a worker has it: at most one member waits, holding temporary
   * space. `outcome` settles when the worker is done with the source.
   */
  async run(input: PooledSource): Promise<{ outcome: Promise<PooledOutcome> }> {
    const id = this.nextJob++;
    const spooled = 'file' in input ? undefined : await this.spool(input, id);
    const file = 'file' in input ? input.file : spooled!.path;
    // An unreadable file fails in the worker too, with the reason; the source then keeps its placeholder checksum.
    const sha256: Promise<string | undefined> = input.earlySha !== undefined || spooled !== undefined
      ? Promise.resolve(input.earlySha ?? spooled!.sha256)
      : this.hasher.hash(file, input.signal).catch(() => undefined);
    const worker = this.acquire();
    if (spooled !== undefined) await worker;
    const scratch = join(this.dir, `source-${id}.sluice`);
    const released = worker.then((index) => this.parse(index, id, input, file, scratch)).finally(async () => {
      if (spooled !== undefined) await rm(spooled.path, { force: true });
    });
    const outcome = Promise.all([released, sha256]).then(
      async ([summary, checksum]): Promise<PooledOutcome> => {
        // A skipped duplicate leaves nothing in the scratch file; anything else left its one source there.
        if (summary.status !== 'skipped-duplicate') return { summary, pooled: { scratch, sha256: checksum } };
        await rm(scratch, { force: true });
        return { summary };
      },
      async (error: unknown) => {
        await rm(scratch, { force: true });
        throw error;
      },
    );
    return { outcome };
  }

  /** Has worker `index` parse `file` into `scratch` as job `id`; frees the worker when it is done. */
  private parse(index: number, id: number, input: PooledSource, file: string, scratch: string): Promise<SourceSummary> {
    const parsed = new Promise<SourceSummary>((resolve, reject) => this.jobs.set(id, { input, resolve, reject }));
    const { signal } = input;
    const meta: SourceMeta = {
      path: input.path, detection: input.detection, earlySha: input.earlySha, hashedByCaller: true, tz: input.tz,
      maxStructuredBytes: input.maxStructuredBytes, file,
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
   * Moves one finished source from its scratch file into `db` under `targetId` while the workers go on parsing,
   * then deletes the file. Call it only while `db` has no transaction of its own open. Of two sources with one
   * checksum, the first in walk order stays.
   */
  merge(db: Db, pooled: NonNullable<PooledOutcome['pooled']>, targetId: number): MergeResult {
    try {
      return mergeScratch(db, pooled.scratch, { id: targetId, sha256: pooled.sha256 });
    } finally {
      rmSync(pooled.scratch, { force: true });
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
