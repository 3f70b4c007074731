import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from '../store/database.js';
import { mergeSource } from '../store/merge.js';
import type { SourceInput, SourceSummary } from './source-ingest.js';
import { IngestCancelled } from './source-ingest.js';

/**
 * Parse workers for text sources, so a multi-file bundle keeps every core busy. Each worker writes the sources
 * it parses into its own temporary incident file (one transaction per source, as on the ingest thread); when
 * the walk is over, `finish` merges them into the real incident in walk order and deletes the temporary files.
 * Bytes flow to a worker as transferred chunks with a small credit window, so memory stays bounded whatever
 * the file size, and the archive walk waits for the slowest consumer, never buffers a whole member.
 */
export interface PooledOutcome {
  summary: SourceSummary;
  pooled?: { worker: number; sourceId: number };
}

/** A text source for a worker: streamed to it as chunks, or (`file`) a plain file on disk it reads itself. */
export type PooledSource = SourceInput | (Omit<SourceInput, 'chunks' | 'abandon' | 'chunksOwned'> & { file: string });

/** What a worker learns about a source up front; chunks follow as messages unless it reads `file` itself. */
export type SourceMeta = Pick<SourceInput, 'path' | 'detection' | 'earlySha' | 'tz' | 'maxStructuredBytes'> & { file?: string };

type WorkerReply =
  | { type: 'ack'; job: number }
  | { type: 'progress'; job: number; bytes: number; lines: number }
  | { type: 'done'; job: number; summary: SourceSummary; sourceId: number | null }
  | { type: 'cancelled'; job: number }
  | { type: 'error'; job: number; message: string };

interface Job {
  input: PooledSource;
  credits: number;
  wake: (() => void) | undefined;
  /** The worker is done with the source (finished, failed or cancelled): stop handing chunks over. */
  finished: boolean;
  resolve(outcome: PooledOutcome): void;
  reject(error: Error): void;
}

const WINDOW = 4;
const WORKER_YOUNG_GENERATION_MB = 8;

export class ParsePool {
  private readonly jobs = new Map<number, Job>();
  private readonly busy: boolean[];
  private freeWaiters: Array<() => void> = [];
  private nextJob = 1;

  private constructor(
    private readonly workers: Worker[],
    private readonly dir: string,
  ) {
    this.busy = workers.map(() => false);
    workers.forEach((worker, index) => worker.on('message', (reply: WorkerReply) => this.onReply(index, reply)));
    workers.forEach((worker) => worker.on('error', (error) => {
      for (const job of this.jobs.values()) job.reject(error);
      this.jobs.clear();
    }));
  }

  /** Undefined where parse workers cannot run (no built worker entry, e.g. tests on sources, or one core). */
  static start(size = Math.min(2, availableParallelism())): ParsePool | undefined {
    const script = new URL('./parse-worker.js', import.meta.url);
    if (size < 2 || script.protocol !== 'file:' || !existsSync(fileURLToPath(script))) return undefined;
    const dir = mkdtempSync(join(tmpdir(), 'sluice-parse-'));
    // A small young generation: parsing makes short-lived strings by the million, and with V8's default each
    // worker's nursery alone holds tens of MB, which counts against the ingest's memory budget.
    const workers = Array.from({ length: size }, (_, i) => new Worker(script, {
      workerData: { incidentPath: join(dir, `worker-${i}.sluice`) },
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    }));
    return new ParsePool(workers, dir);
  }

  /**
   * Gives one source to a worker once one is free: a plain file on disk (`file`) the worker reads itself, with
   * buffers of its own, and the caller may go on at once; otherwise the chunks are streamed over, and this
   * returns when the last one is with the worker. `outcome` settles when the worker is done with the source.
   */
  async run(input: PooledSource): Promise<{ outcome: Promise<PooledOutcome> }> {
    const worker = await this.acquire();
    const id = this.nextJob++;
    let settle!: { resolve(o: PooledOutcome): void; reject(e: Error): void };
    const parsed = new Promise<PooledOutcome>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const job: Job = { input, credits: WINDOW, wake: undefined, finished: false, resolve: settle.resolve, reject: settle.reject };
    this.jobs.set(id, job);
    const { signal } = input;
    const meta: SourceMeta = { path: input.path, detection: input.detection, earlySha: input.earlySha, tz: input.tz, maxStructuredBytes: input.maxStructuredBytes };
    if ('file' in input) meta.file = input.file;
    this.workers[worker]!.postMessage({ type: 'begin', job: id, meta });
    const onAbort = (): void => this.workers[worker]!.postMessage({ type: 'cancel', job: id });
    signal?.addEventListener('abort', onAbort, { once: true });
    const outcome = parsed.finally(() => {
      signal?.removeEventListener('abort', onAbort);
      this.release(worker);
    });
    if (!('file' in input)) {
      try {
        await this.handOver(worker, id, job, input);
      } catch (error) {
        this.workers[worker]!.postMessage({ type: 'cancel', job: id });
        input.abandon?.();
        void outcome.catch(() => undefined);
        throw error;
      }
    }
    return { outcome };
  }

  private async handOver(worker: number, id: number, job: Job, input: SourceInput): Promise<void> {
    const { chunks, signal, chunksOwned, abandon } = input;
    for await (const chunk of chunks) {
      if (signal?.aborted) break;
      while (job.credits === 0 && !job.finished) await new Promise<void>((resolve) => (job.wake = resolve));
      if (job.finished) {
        // The worker stopped early (the source failed): the rest of the stream is not needed.
        abandon?.();
        return;
      }
      job.credits--;
      // Stream chunks may be views into a shared pool: transfer only a chunk that is its whole buffer and that
      // nothing else holds, else copy into an owned buffer. A copy leaves the original for the main thread's
      // garbage collector, which runs seldom there: tens of MB of spent chunks would count against peak memory.
      const backing = chunk.buffer;
      const whole = chunksOwned === true && backing instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === backing.byteLength;
      const owned = whole ? new Uint8Array(backing) : new Uint8Array(chunk.length);
      if (!whole) owned.set(chunk);
      this.workers[worker]!.postMessage({ type: 'chunk', job: id, data: owned }, [owned.buffer]);
    }
    this.workers[worker]!.postMessage({ type: 'end', job: id });
  }

  /** Waits for the workers, merges their sources into `db` in the given order, and removes the temporary files. */
  async finish(db: Db, outcomes: ReadonlyArray<PooledOutcome | undefined>): Promise<void> {
    await Promise.all(this.workers.map((worker) => new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' });
    })));
    try {
      for (let i = 0; i < this.workers.length; i++) db.exec(`ATTACH DATABASE '${join(this.dir, `worker-${i}.sluice`).replace(/'/g, "''")}' AS w${i}`);
      for (const outcome of outcomes) {
        if (outcome?.pooled === undefined) continue;
        if (mergeSource(db, `w${outcome.pooled.worker}`, outcome.pooled.sourceId) === 'duplicate') outcome.summary.status = 'skipped-duplicate';
      }
    } finally {
      for (let i = 0; i < this.workers.length; i++) {
        try {
          db.exec(`DETACH DATABASE w${i}`);
        } catch {
          // never attached (the worker wrote nothing)
        }
      }
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Stops the workers without merging (the ingest failed). */
  async abort(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async acquire(): Promise<number> {
    for (;;) {
      const free = this.busy.indexOf(false);
      if (free >= 0) {
        this.busy[free] = true;
        this.announceLoad();
        return free;
      }
      await new Promise<void>((resolve) => this.freeWaiters.push(resolve));
    }
  }

  /** Tells the workers whether all of them are parsing, so each knows if a spare core could deflate for it. */
  private announceLoad(): void {
    const allBusy = this.busy.every(Boolean);
    for (const worker of this.workers) worker.postMessage({ type: 'load', allBusy });
  }

  private release(worker: number): void {
    this.busy[worker] = false;
    this.announceLoad();
    const waiters = this.freeWaiters;
    this.freeWaiters = [];
    for (const wake of waiters) wake();
  }

  private onReply(worker: number, reply: WorkerReply): void {
    const job = this.jobs.get(reply.job);
    if (job === undefined) return;
    if (reply.type !== 'ack' && reply.type !== 'progress') {
      job.finished = true;
      job.wake?.();
      job.wake = undefined;
    }
    switch (reply.type) {
      case 'ack':
        job.credits++;
        job.wake?.();
        job.wake = undefined;
        break;
      case 'progress':
        job.input.onBytes(reply.bytes, reply.lines);
        break;
      case 'done':
        this.jobs.delete(reply.job);
        job.resolve(reply.sourceId === null ? { summary: reply.summary } : { summary: reply.summary, pooled: { worker, sourceId: reply.sourceId } });
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
